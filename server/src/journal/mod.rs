//! The consultation log and the survey answers: append-only journals in which every entry
//! is written once. A writer returns only once the entry is durable, and appending an entry
//! already on record (the same meeting, or the same person's answer about the same meeting)
//! is a no-op, so a restart that closes the same room again never writes it twice.
//!
//! Three kinds of journal:
//! - [`file::FileJournal`], the embedded default: a JSON-lines file, each line flushed to
//!   disk (`fdatasync`) before `append` returns;
//! - [`redis_stream::RedisJournal`], when `redis.url` is set: a Redis Stream, with a set of
//!   the keys on record checked and extended by the same Lua script;
//! - [`MemoryJournal`], for tests of other parts only.

pub mod archive;
pub mod file;
pub mod redis_stream;

use crate::app::settings::Settings;
use crate::redis_keys::Keys;
use futures_util::future::BoxFuture;
use sangdam_signaling::records::record::ConsultationRecord;
use sangdam_signaling::records::survey::SurveyAnswer;
use sangdam_signaling::FairId;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("consultation log unavailable: {0}")]
    Unavailable(String),
    #[error("consultation log is corrupt at {location}: {problem}")]
    Corrupt { location: String, problem: String },
}

/// Something a journal keeps: serialisable, belonging to one fair, with the key that makes
/// it unique within that fair.
pub trait Entry: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    fn fair(&self) -> &FairId;
    /// A meeting id for a consultation record; `meeting/participant` for a survey answer.
    fn key(&self) -> String;
}

impl Entry for ConsultationRecord {
    fn fair(&self) -> &FairId {
        &self.fair
    }
    fn key(&self) -> String {
        self.meeting.to_string()
    }
}

impl Entry for SurveyAnswer {
    fn fair(&self) -> &FairId {
        &self.fair
    }
    fn key(&self) -> String {
        SurveyAnswer::key(self)
    }
}

/// An append-only journal of entries.
pub trait Journal<T: Entry>: Send + Sync + 'static {
    /// Makes `entry` durable. Returns `Ok(false)` if an entry with its key was already on
    /// record (nothing is written then).
    fn append(&self, entry: T) -> BoxFuture<'_, Result<bool, LogError>>;
    /// Every entry, in the order written.
    fn entries(&self) -> BoxFuture<'_, Result<Vec<T>, LogError>>;
}

/// Where closed rooms' records go.
pub trait ConsultationLog: Send + Sync + 'static {
    /// Makes `record` durable. Returns `Ok(false)` if its meeting was already on record.
    fn append(&self, record: ConsultationRecord) -> BoxFuture<'_, Result<bool, LogError>>;
    /// Every record, in the order written.
    fn records(&self) -> BoxFuture<'_, Result<Vec<ConsultationRecord>, LogError>>;
}

impl<J: Journal<ConsultationRecord>> ConsultationLog for J {
    fn append(&self, record: ConsultationRecord) -> BoxFuture<'_, Result<bool, LogError>> {
        Journal::append(self, record)
    }
    fn records(&self) -> BoxFuture<'_, Result<Vec<ConsultationRecord>, LogError>> {
        self.entries()
    }
}

/// Where survey answers go.
pub trait SurveyLog: Send + Sync + 'static {
    /// Makes `answer` durable. Returns `Ok(false)` if this person already answered about
    /// this meeting.
    fn append(&self, answer: SurveyAnswer) -> BoxFuture<'_, Result<bool, LogError>>;
    /// Every answer, in the order written.
    fn answers(&self) -> BoxFuture<'_, Result<Vec<SurveyAnswer>, LogError>>;
}

impl<J: Journal<SurveyAnswer>> SurveyLog for J {
    fn append(&self, answer: SurveyAnswer) -> BoxFuture<'_, Result<bool, LogError>> {
        Journal::append(self, answer)
    }
    fn answers(&self) -> BoxFuture<'_, Result<Vec<SurveyAnswer>, LogError>> {
        self.entries()
    }
}

/// Keeps entries in memory only: for tests of other parts, never the embedded default.
pub struct MemoryJournal<T> {
    /// The (fair, key) pairs on record, and the entries in the order written.
    state: Mutex<(HashSet<FairKey>, Vec<T>)>,
}

type FairKey = (FairId, String);

impl<T> Default for MemoryJournal<T> {
    fn default() -> Self {
        Self {
            state: Mutex::new((HashSet::new(), Vec::new())),
        }
    }
}

impl<T: Entry> Journal<T> for MemoryJournal<T> {
    fn append(&self, entry: T) -> BoxFuture<'_, Result<bool, LogError>> {
        let mut state = self.state.lock().expect("journal lock");
        let fresh = state.0.insert((entry.fair().clone(), entry.key()));
        if fresh {
            state.1.push(entry);
        }
        Box::pin(async move { Ok(fresh) })
    }

    fn entries(&self) -> BoxFuture<'_, Result<Vec<T>, LogError>> {
        let entries = self.state.lock().expect("journal lock").1.clone();
        Box::pin(async move { Ok(entries) })
    }
}

/// The consultation log in memory (tests).
pub type MemoryLog = MemoryJournal<ConsultationRecord>;
/// Survey answers in memory (tests).
pub type MemorySurveys = MemoryJournal<SurveyAnswer>;

/// The two journals a server writes.
#[derive(Clone)]
pub struct Stores {
    pub log: Arc<dyn ConsultationLog>,
    pub surveys: Arc<dyn SurveyLog>,
    /// Where they are, for the start-up message: a directory or a Redis URL without
    /// credentials.
    pub location: String,
}

/// The file names inside `records.dir`.
pub const CONSULTATIONS_FILE: &str = "consultations.jsonl";
pub const SURVEYS_FILE: &str = "surveys.jsonl";

impl Stores {
    /// In memory: for tests of other parts.
    pub fn memory() -> Self {
        Stores {
            log: Arc::new(MemoryLog::default()),
            surveys: Arc::new(MemorySurveys::default()),
            location: "memory".into(),
        }
    }

    /// The configured journals for `fair`: Redis Streams when `redis.url` is set, else
    /// JSON-lines files in `records.dir`.
    pub fn open(settings: &Settings, fair: &FairId) -> Result<Self, LogError> {
        match settings.redis_url() {
            Some(url) => {
                let client = redis::Client::open(url)
                    .map_err(|e| LogError::Unavailable(format!("redis.url: {e}")))?;
                let keys = Keys::new(fair);
                let log = redis_stream::RedisJournal::<ConsultationRecord>::new(
                    client.clone(),
                    keys.clone(),
                    |k| (k.log_stream(), k.log_meetings()),
                )?;
                let surveys =
                    redis_stream::RedisJournal::<SurveyAnswer>::new(client.clone(), keys, |k| {
                        (k.survey_stream(), k.survey_answered())
                    })?;
                let info = client.get_connection_info();
                let log = Arc::new(log);
                if let Ok(rt) = tokio::runtime::Handle::try_current() {
                    let log = log.clone();
                    rt.spawn(async move { log.check_durability().await });
                }
                Ok(Stores {
                    log,
                    surveys: Arc::new(surveys),
                    location: format!("Redis at {}", info.addr()),
                })
            }
            None => {
                let dir = settings.records_dir();
                let log =
                    file::FileJournal::<ConsultationRecord>::open(&dir.join(CONSULTATIONS_FILE))?;
                let surveys = file::FileJournal::<SurveyAnswer>::open(&dir.join(SURVEYS_FILE))?;
                Ok(Stores {
                    log: Arc::new(log),
                    surveys: Arc::new(surveys),
                    location: display_dir(dir),
                })
            }
        }
    }
}

fn display_dir(dir: PathBuf) -> String {
    std::path::absolute(&dir)
        .unwrap_or(dir)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_keeps_one_entry_per_key_and_fair() {
        let log = MemoryLog::default();
        let r = file::tests::record("f", "m1");
        assert!(ConsultationLog::append(&log, r.clone()).await.unwrap());
        assert!(!ConsultationLog::append(&log, r.clone()).await.unwrap());
        let other = file::tests::record("g", "m1");
        assert!(ConsultationLog::append(&log, other).await.unwrap());
        assert_eq!(log.records().await.unwrap().len(), 2);
    }
}
