//! A journal in an append-only JSON-lines file: one entry per line, written with one
//! `write` and flushed with `fdatasync` before `append` returns, so an acknowledged entry
//! survives a crash of the process or the machine.
//!
//! Opening reads every line back: the keys on record make a repeated append a no-op across
//! restarts. A crash in the middle of a write can leave a torn last line; opening keeps it
//! if it is a whole entry that only lacks its newline, and otherwise cuts it off with a
//! warning (it was never acknowledged). A damaged line anywhere else stops the start, with
//! the file and line named, rather than silently dropping records.

use super::{Entry, Journal, LogError};
use futures_util::future::BoxFuture;
use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tracing::{info, warn};

pub struct FileJournal<T> {
    path: PathBuf,
    /// A std mutex, taken only inside `spawn_blocking`: writes are serialised so that the
    /// check for a repeated key and the write are one step.
    state: Arc<Mutex<State<T>>>,
    _entries: PhantomData<T>,
}

struct State<T> {
    file: File,
    /// Length of the file up to the last complete line; a failed write is cut back to it.
    len: u64,
    keys: HashSet<String>,
    entries: Vec<T>,
}

fn unavailable(path: &Path, what: &str, e: impl std::fmt::Display) -> LogError {
    LogError::Unavailable(format!("{what} {}: {e}", path.display()))
}

fn full_key<T: Entry>(entry: &T) -> String {
    format!("{}/{}", entry.fair(), entry.key())
}

impl<T: Entry> FileJournal<T> {
    /// Opens (or creates, with its directory) the journal at `path` and reads what it holds.
    pub fn open(path: &Path) -> Result<Self, LogError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| unavailable(dir, "cannot create", e))?;
        }
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| unavailable(path, "cannot open", e))?;
        if !existed {
            // The new file's name must survive a crash too: flush its directory.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            }
        }
        let bytes = fs::read(path).map_err(|e| unavailable(path, "cannot read", e))?;
        let mut keys = HashSet::new();
        let mut entries = Vec::new();
        let mut repeated = 0usize;
        let mut keep = |entry: T, keys: &mut HashSet<String>, entries: &mut Vec<T>| {
            if keys.insert(full_key(&entry)) {
                entries.push(entry);
            } else {
                repeated += 1;
            }
        };
        let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        for (n, line) in bytes[..complete].split(|b| *b == b'\n').enumerate() {
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let entry: T = serde_json::from_slice(line).map_err(|e| LogError::Corrupt {
                location: format!("{} line {}", path.display(), n + 1),
                problem: e.to_string(),
            })?;
            keep(entry, &mut keys, &mut entries);
        }
        let mut len = complete as u64;
        let tail = &bytes[complete..];
        if !tail.is_empty() {
            match serde_json::from_slice::<T>(tail) {
                Ok(entry) => {
                    // Whole, only the newline is missing: complete the line.
                    file.write_all(b"\n")
                        .and_then(|_| file.sync_data())
                        .map_err(|e| unavailable(path, "cannot repair", e))?;
                    warn!(path = %path.display(), "the journal's last line had no newline; completed it");
                    keep(entry, &mut keys, &mut entries);
                    len = bytes.len() as u64 + 1;
                }
                Err(_) => {
                    file.set_len(len)
                        .and_then(|_| file.sync_data())
                        .map_err(|e| unavailable(path, "cannot repair", e))?;
                    warn!(
                        path = %path.display(),
                        bytes = tail.len(),
                        "the journal ended in a torn line (a write cut short by a crash, never acknowledged); removed it"
                    );
                }
            }
        }
        if repeated > 0 {
            warn!(path = %path.display(), repeated, "the journal holds repeated entries; the first of each is kept");
        }
        info!(path = %path.display(), entries = entries.len(), "journal opened");
        Ok(Self {
            path: path.to_path_buf(),
            state: Arc::new(Mutex::new(State {
                file,
                len,
                keys,
                entries,
            })),
            _entries: PhantomData,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a half-written entry counted: the state
    // is updated only after the write succeeded.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T: Entry> Journal<T> for FileJournal<T> {
    fn append(&self, entry: T) -> BoxFuture<'_, Result<bool, LogError>> {
        let state = self.state.clone();
        let path = self.path.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut st = lock(&state);
                let key = full_key(&entry);
                if st.keys.contains(&key) {
                    return Ok(false);
                }
                let mut line = serde_json::to_vec(&entry)
                    .map_err(|e| unavailable(&path, "cannot encode an entry for", e))?;
                line.push(b'\n');
                let written = st.file.write_all(&line).and_then(|_| st.file.sync_data());
                match written {
                    Ok(()) => {
                        st.len += line.len() as u64;
                        st.keys.insert(key);
                        st.entries.push(entry);
                        Ok(true)
                    }
                    Err(e) => {
                        // Cut off whatever part of the line reached the file, so the next
                        // append starts on a clean line.
                        let len = st.len;
                        let _ = st.file.set_len(len).and_then(|_| st.file.sync_data());
                        Err(unavailable(&path, "cannot write to", e))
                    }
                }
            })
            .await
            .map_err(|e| LogError::Unavailable(format!("journal writer failed: {e}")))?
        })
    }

    fn entries(&self) -> BoxFuture<'_, Result<Vec<T>, LogError>> {
        let entries = lock(&self.state).entries.clone();
        Box::pin(async move { Ok(entries) })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sangdam_signaling::live::room::Attendance;
    use sangdam_signaling::records::record::{ConsultationRecord, Ending};
    use sangdam_signaling::Timestamp;

    pub fn record(fair: &str, meeting: &str) -> ConsultationRecord {
        ConsultationRecord {
            fair: sangdam_signaling::FairId::parse(fair).unwrap(),
            meeting: sangdam_signaling::MeetingId::parse(meeting).unwrap(),
            round: 1,
            slot: 0,
            institution: sangdam_signaling::InstitutionId::parse("i1").unwrap(),
            enterprise: sangdam_signaling::EnterpriseId::parse("e1").unwrap(),
            buyer: None,
            vendor: None,
            scheduled_start: Timestamp::from_millis(0),
            scheduled_end: Timestamp::from_millis(1_200_000),
            buyer_attendance: Attendance::default(),
            vendor_attendance: Attendance::default(),
            duration_s: 1200,
            ending: Ending::Timer,
            no_show: None,
            moderator_actions: vec![],
            closed_at: Timestamp::from_millis(1_260_000),
            screen_shared: false,
            files_sent: 0,
        }
    }

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "sangdam-journal-{}-{name}-{}",
            std::process::id(),
            crate::app::clock::now().as_millis()
        ));
        dir.join("sub").join("consultations.jsonl")
    }

    fn open(path: &Path) -> FileJournal<ConsultationRecord> {
        FileJournal::open(path).unwrap()
    }

    #[tokio::test]
    async fn an_append_is_on_disk_when_it_returns_and_never_twice() {
        let path = temp_path("append");
        let j = open(&path);
        assert!(j.append(record("f", "m1")).await.unwrap());
        assert!(!j.append(record("f", "m1")).await.unwrap());
        assert!(j.append(record("f", "m2")).await.unwrap());
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with('\n'));

        // A restart reads the keys back: the same meeting is still a no-op.
        drop(j);
        let j = open(&path);
        assert_eq!(j.entries().await.unwrap().len(), 2);
        assert!(!j.append(record("f", "m1")).await.unwrap());
        // The same meeting id of another fair is another record.
        assert!(j.append(record("g", "m1")).await.unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 3);
        let _ = fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[tokio::test]
    async fn a_torn_last_line_is_cut_off_and_writing_goes_on() {
        let path = temp_path("torn");
        let j = open(&path);
        j.append(record("f", "m1")).await.unwrap();
        drop(j);
        let whole = serde_json::to_string(&record("f", "m2")).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&whole.as_bytes()[..whole.len() / 2]).unwrap();
        drop(f);

        let j = open(&path);
        assert_eq!(j.entries().await.unwrap().len(), 1);
        assert!(j.append(record("f", "m2")).await.unwrap());
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        for line in text.lines() {
            serde_json::from_str::<ConsultationRecord>(line).unwrap();
        }
        let _ = fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[tokio::test]
    async fn a_whole_last_entry_without_its_newline_is_kept() {
        let path = temp_path("newline");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let whole = serde_json::to_string(&record("f", "m1")).unwrap();
        fs::write(&path, whole).unwrap();
        let j = open(&path);
        assert_eq!(j.entries().await.unwrap().len(), 1);
        assert!(!j.append(record("f", "m1")).await.unwrap());
        assert!(j.append(record("f", "m2")).await.unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 2);
        let _ = fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn a_damaged_line_in_the_middle_stops_the_start_with_its_line() {
        let path = temp_path("corrupt");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let good = serde_json::to_string(&record("f", "m1")).unwrap();
        fs::write(&path, format!("{good}\n{{\"fair\": oops\n{good}\n")).unwrap();
        let Err(err) = FileJournal::<ConsultationRecord>::open(&path) else {
            panic!("a damaged line must stop the start");
        };
        assert!(err.to_string().contains("line 2"), "{err}");
        let _ = fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }
}
