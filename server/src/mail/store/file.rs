//! The outbox in one file, `records.dir/mail-<fair>.jsonl`: every change to an entry is one
//! line appended and flushed to disk before it counts; reading the file back replays the
//! lines, the last line of a key winning. Rewritten compactly when it opens with more
//! superseded lines than live ones. One node only: there is no one to share a lease with.

use super::{corrupt, OutboxStore};
use futures_util::future::BoxFuture;
use sangdam_signaling::notify::outbox::Entry;
use sangdam_signaling::notify::NoticeKey;
use sangdam_signaling::{ErrorCode, Refusal};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

pub struct FileOutbox {
    path: PathBuf,
    inner: Mutex<Inner>,
    version: AtomicU64,
}

struct Inner {
    entries: BTreeMap<NoticeKey, Entry>,
    file: File,
}

fn io(path: &Path, e: std::io::Error) -> Refusal {
    Refusal::new(
        ErrorCode::Internal,
        format!("the mail outbox {}: {e}", path.display()),
    )
}

impl FileOutbox {
    pub fn open(path: &Path) -> Result<Self, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut entries = BTreeMap::new();
        let mut lines = 0usize;
        if path.exists() {
            let f = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            for (n, line) in BufReader::new(f).lines().enumerate() {
                let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
                if line.trim().is_empty() {
                    continue;
                }
                // A last line cut short by a crash is the only one that may not parse.
                match serde_json::from_str::<Entry>(&line) {
                    Ok(e) => {
                        entries.insert(e.key.clone(), e);
                        lines += 1;
                    }
                    Err(e) => {
                        tracing::warn!(path = %path.display(), line = n + 1, error = %e, "mail outbox: a line that does not read is skipped")
                    }
                }
            }
        }
        if lines > 2 * entries.len() + 100 {
            let tmp = path.with_extension("jsonl.tmp");
            let mut f = File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
            for e in entries.values() {
                let line = serde_json::to_string(e).map_err(|e| e.to_string())?;
                writeln!(f, "{line}").map_err(|e| format!("{}: {e}", tmp.display()))?;
            }
            f.sync_all()
                .map_err(|e| format!("{}: {e}", tmp.display()))?;
            std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        // A line cut short by a crash must not swallow the next one.
        let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if text.last().is_some_and(|b| *b != b'\n') {
            file.write_all(b"\n")
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            inner: Mutex::new(Inner { entries, file }),
            version: AtomicU64::new(0),
        })
    }

    fn write(&self, entries: &[Entry], only_new: bool) -> Result<Vec<Entry>, Refusal> {
        let mut inner = self.inner.lock().expect("outbox lock");
        let mut text = String::new();
        let mut written = Vec::new();
        for e in entries {
            if only_new && inner.entries.contains_key(&e.key) {
                continue;
            }
            text.push_str(&serde_json::to_string(e).map_err(corrupt)?);
            text.push('\n');
            written.push(e.clone());
        }
        if written.is_empty() {
            return Ok(written);
        }
        inner
            .file
            .write_all(text.as_bytes())
            .and_then(|_| inner.file.sync_data())
            .map_err(|e| io(&self.path, e))?;
        for e in &written {
            inner.entries.insert(e.key.clone(), e.clone());
        }
        Ok(written)
    }
}

impl OutboxStore for FileOutbox {
    fn load(&self) -> BoxFuture<'_, Result<Vec<Entry>, Refusal>> {
        let all = self
            .inner
            .lock()
            .expect("outbox lock")
            .entries
            .values()
            .cloned()
            .collect();
        Box::pin(async move { Ok(all) })
    }

    fn add(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<Vec<Entry>, Refusal>> {
        Box::pin(async move {
            let added = self.write(&entries, true)?;
            if !added.is_empty() {
                self.version.fetch_add(1, Ordering::Relaxed);
            }
            Ok(added)
        })
    }

    fn save(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), Refusal>> {
        Box::pin(async move { self.write(&entries, false).map(|_| ()) })
    }

    fn change(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), Refusal>> {
        Box::pin(async move {
            self.write(&entries, false)?;
            self.version.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
    }

    fn version(&self) -> BoxFuture<'_, Result<u64, Refusal>> {
        let v = self.version.load(Ordering::Relaxed);
        Box::pin(async move { Ok(v) })
    }

    fn lease(&self, _node: &str, _ttl: Duration) -> BoxFuture<'_, Result<bool, Refusal>> {
        Box::pin(async { Ok(true) })
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sangdam_signaling::notify::outbox::{Outbox, State};
    use sangdam_signaling::notify::Notice;
    use sangdam_signaling::{ParticipantId, Timestamp};

    #[tokio::test]
    async fn entries_survive_a_reopen_and_the_last_line_wins() {
        let dir = std::env::temp_dir().join(format!("sangdam-outbox-{}", std::process::id()));
        let path = dir.join("mail-t.jsonl");
        let _ = std::fs::remove_file(&path);
        let store = FileOutbox::open(&path).unwrap();
        let mut ob = Outbox::new();
        let t = Timestamp::from_millis(1_000);
        let n = Notice::invitation(ParticipantId::parse("v1").unwrap(), 0);
        let e = ob.queue(n.clone(), t, None).unwrap().clone();
        assert_eq!(store.add(vec![e.clone()]).await.unwrap().len(), 1);
        assert!(store.add(vec![e.clone()]).await.unwrap().is_empty(), "once");
        let (sending, _) = ob.claim(t, 1, |_| false);
        store.save(sending).await.unwrap();
        drop(store);
        // An unfinished last line (a crash mid-write) is skipped, not fatal.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"key\":\"invite/v")
            .unwrap();
        let store = FileOutbox::open(&path).unwrap();
        let all = store.load().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].state, State::Sending);
        assert_eq!(all[0].key, n.key());
        // What is written after the cut line reads back.
        let m = Notice::invitation(ParticipantId::parse("v2").unwrap(), 0);
        let e2 = ob.queue(m.clone(), t, None).unwrap().clone();
        store.add(vec![e2]).await.unwrap();
        drop(store);
        let store = FileOutbox::open(&path).unwrap();
        assert_eq!(store.load().await.unwrap().len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
