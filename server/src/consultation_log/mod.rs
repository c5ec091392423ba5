//! The consultation log: every meeting ends in exactly one durable record. A writer returns
//! only once the record is durable, and appending a meeting already on record is a no-op,
//! so a restart that closes the same room again never writes it twice.

use futures_util::future::BoxFuture;
use sangdam_signaling::record::ConsultationRecord;
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("consultation log unavailable: {0}")]
    Unavailable(String),
    #[error("consultation log is corrupt at {location}: {problem}")]
    Corrupt { location: String, problem: String },
}

/// Where closed rooms' records go.
pub trait ConsultationLog: Send + Sync + 'static {
    /// Makes `record` durable. Returns `Ok(false)` if its meeting was already on record.
    fn append(&self, record: ConsultationRecord) -> BoxFuture<'_, Result<bool, LogError>>;
    /// Every record, in the order written.
    fn records(&self) -> BoxFuture<'_, Result<Vec<ConsultationRecord>, LogError>>;
}

/// Keeps records in memory only: for tests of other parts, never the embedded default.
#[derive(Default)]
pub struct MemoryLog {
    records: Mutex<Vec<ConsultationRecord>>,
}

impl ConsultationLog for MemoryLog {
    fn append(&self, record: ConsultationRecord) -> BoxFuture<'_, Result<bool, LogError>> {
        let mut records = self.records.lock().expect("log lock");
        let fresh = !records.iter().any(|r| r.meeting == record.meeting);
        if fresh {
            records.push(record);
        }
        Box::pin(async move { Ok(fresh) })
    }

    fn records(&self) -> BoxFuture<'_, Result<Vec<ConsultationRecord>, LogError>> {
        let records = self.records.lock().expect("log lock").clone();
        Box::pin(async move { Ok(records) })
    }
}
