//! The embedded default: the preparation document as one JSON file under the data
//! directory, replaced atomically (write a temporary file, `fsync`, rename, `fsync` the
//! directory) before an edit is answered, so a crash leaves the old or the new document,
//! never half of one. One process owns the file; the document is cached in memory.

use super::{corrupt, PrepStore};
use futures_util::future::BoxFuture;
use sangdam_signaling::prep::Prep;
use sangdam_signaling::{ErrorCode, Refusal};
use std::io::Write;
use std::path::{Path, PathBuf};
use tokio::sync::Mutex;

pub struct FilePrep {
    path: PathBuf,
    current: Mutex<Prep>,
}

impl FilePrep {
    /// Opens (or starts) the document at `path`. A file that does not parse is an error,
    /// never silently replaced by an empty preparation.
    pub fn open(path: &Path) -> Result<Self, String> {
        let current = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| format!("{}: not a fair preparation: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Prep::default(),
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
}

/// Replaces `path` with `bytes` so that a crash leaves the old or the new file; the people
/// store writes its file the same way.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        // The rename is durable only once the directory entry is.
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

impl PrepStore for FilePrep {
    fn load(&self) -> BoxFuture<'_, Result<Prep, Refusal>> {
        Box::pin(async move { Ok(self.current.lock().await.clone()) })
    }

    fn save(&self, expected: u64, next: Prep) -> BoxFuture<'_, Result<bool, Refusal>> {
        Box::pin(async move {
            let mut current = self.current.lock().await;
            if current.version != expected {
                return Ok(false);
            }
            let bytes = serde_json::to_vec(&next).map_err(corrupt)?;
            let path = self.path.clone();
            tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
                .await
                .map_err(|e| Refusal::new(ErrorCode::Internal, e.to_string()))?
                .map_err(|e| {
                    Refusal::new(
                        ErrorCode::Internal,
                        format!(
                            "could not write the fair preparation to {}; nothing changed: {e}",
                            self.path.display()
                        ),
                    )
                })?;
            *current = next;
            Ok(true)
        })
    }
}
