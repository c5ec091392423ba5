//! The embedded default: every participant's access settings as one JSON file under the
//! data directory (`people-<fair>.json`), replaced atomically before a change is answered,
//! so a revocation survives a restart. One process owns the file; the settings are cached
//! in memory, and the lock is held across the write, so two revocations at once are two
//! generations.

use super::{Access, PeopleStore};
use crate::prep::file::write_atomically;
use futures_util::future::BoxFuture;
use sangdam_signaling::{ErrorCode, ParticipantId, Refusal};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tokio::sync::Mutex;

/// The file's shape: `{"people": {"<participant>": {"generation": 1, "reminders_off": false}}}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Document {
    #[serde(default)]
    people: BTreeMap<ParticipantId, Access>,
}

pub struct FilePeople {
    path: PathBuf,
    current: Mutex<Document>,
}

impl FilePeople {
    /// Opens (or starts) the settings at `path`. A file that does not parse is an error,
    /// never silently replaced: that would bring revoked links back.
    pub fn open(path: &Path) -> Result<Self, String> {
        let current = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "{}: not the participants' access settings: {e}",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Document::default(),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            current: Mutex::new(current),
        })
    }

    /// Applies `change` to one participant's settings and stores the result; nothing
    /// changes (in memory either) unless the file was written.
    async fn change(
        &self,
        participant: ParticipantId,
        change: impl FnOnce(&mut Access),
    ) -> Result<Access, Refusal> {
        let mut current = self.current.lock().await;
        let mut next = current.clone();
        let access = next.people.entry(participant).or_default();
        change(access);
        let access = *access;
        let bytes = serde_json::to_vec_pretty(&next).expect("settings serialize");
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|e| Refusal::new(ErrorCode::Internal, e.to_string()))?
            .map_err(|e| {
                Refusal::new(
                    ErrorCode::Internal,
                    format!(
                        "could not write the participants' settings to {}; nothing changed: {e}",
                        self.path.display()
                    ),
                )
                .for_request()
            })?;
        *current = next;
        Ok(access)
    }
}

impl PeopleStore for FilePeople {
    fn get(&self, participant: ParticipantId) -> BoxFuture<'_, Result<Access, Refusal>> {
        Box::pin(async move {
            let current = self.current.lock().await;
            Ok(current
                .people
                .get(&participant)
                .copied()
                .unwrap_or_default())
        })
    }

    fn get_all(&self) -> BoxFuture<'_, Result<HashMap<ParticipantId, Access>, Refusal>> {
        Box::pin(async move {
            let current = self.current.lock().await;
            Ok(current
                .people
                .iter()
                .map(|(p, a)| (p.clone(), *a))
                .collect())
        })
    }

    fn revoke(&self, participant: ParticipantId) -> BoxFuture<'_, Result<u32, Refusal>> {
        Box::pin(async move {
            let a = self
                .change(participant, |a| {
                    a.generation = a.generation.saturating_add(1)
                })
                .await?;
            Ok(a.generation)
        })
    }

    fn set_reminders_off(
        &self,
        participant: ParticipantId,
        off: bool,
    ) -> BoxFuture<'_, Result<Access, Refusal>> {
        Box::pin(async move { self.change(participant, |a| a.reminders_off = off).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(what: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sangdam-people-{}-{what}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[tokio::test]
    async fn revocations_and_opt_outs_survive_reopening_the_file() {
        let path = dir("reopen").join("people-f.json");
        let p = ParticipantId::parse("p-1").unwrap();
        let q = ParticipantId::parse("p-2").unwrap();
        {
            let s = FilePeople::open(&path).unwrap();
            assert_eq!(s.get(p.clone()).await.unwrap(), Access::default());
            assert_eq!(s.revoke(p.clone()).await.unwrap(), 1);
            assert_eq!(s.revoke(p.clone()).await.unwrap(), 2);
            let a = s.set_reminders_off(q.clone(), true).await.unwrap();
            assert!(a.reminders_off);
            assert_eq!(a.generation, 0);
        }
        let s = FilePeople::open(&path).unwrap();
        assert_eq!(s.get(p.clone()).await.unwrap().generation, 2);
        assert!(s.get(q.clone()).await.unwrap().reminders_off);
        let all = s.get_all().await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[&p].generation, 2);
        assert!(!s.set_reminders_off(q, false).await.unwrap().reminders_off);
    }

    #[tokio::test]
    async fn revocations_at_once_are_each_counted() {
        let path = dir("race").join("people-f.json");
        let s = std::sync::Arc::new(FilePeople::open(&path).unwrap());
        let p = ParticipantId::parse("p-1").unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (s, p) = (s.clone(), p.clone());
                tokio::spawn(async move { s.revoke(p).await.unwrap() })
            })
            .collect();
        let mut got = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got.sort();
        assert_eq!(got, (1..=8).collect::<Vec<u32>>());
    }

    #[test]
    fn an_unreadable_file_is_an_error_not_a_fresh_start() {
        let d = dir("bad");
        std::fs::create_dir_all(&d).unwrap();
        let path = d.join("people-f.json");
        std::fs::write(&path, "{not json").unwrap();
        let err = FilePeople::open(&path).err().expect("refused");
        assert!(err.contains("access settings"), "{err}");
    }
}
