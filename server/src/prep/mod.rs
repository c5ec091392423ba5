//! Fair preparation kept durable: the core's [`Prep`] document in a file (the embedded
//! default) or in Redis, and the one way to change it — load, let the core apply an edit,
//! store it if nobody else stored meanwhile, else start over from what they stored.
//!
//! The store's compare-and-set is on the whole document's version; the core refuses an
//! edit whose *record* version is stale. So a retry here never overwrites anyone: it
//! re-applies the same edit to the newer document, and the core decides again.

pub mod export;
pub mod file;
pub mod redis;

use futures_util::future::BoxFuture;
use sangdam_signaling::fair::Round;
use sangdam_signaling::prep::{Actor, Edit, Outcome, Prep, PrepError};
use sangdam_signaling::{ErrorCode, Refusal, Timestamp};
use std::sync::Arc;

/// Where the preparation document lives.
pub trait PrepStore: Send + Sync + 'static {
    /// The current document (a new, empty one before the first edit).
    fn load(&self) -> BoxFuture<'_, Result<Prep, Refusal>>;
    /// Stores `next` if the stored document is still at version `expected`; `Ok(false)`
    /// if another edit was stored first. Returns only once `next` is durable.
    fn save(&self, expected: u64, next: Prep) -> BoxFuture<'_, Result<bool, Refusal>>;
}

/// Edits that keep losing the race give up with `busy` after this many tries.
const MAX_ATTEMPTS: usize = 20;

/// The preparation of the fair being served.
#[derive(Clone)]
pub struct Preparation {
    store: Arc<dyn PrepStore>,
    rounds: Arc<Vec<Round>>,
    /// Where the document is, for the start-up log.
    pub location: String,
}

fn corrupt(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(
        ErrorCode::Internal,
        format!("the stored fair preparation is unreadable: {e}"),
    )
}

impl Preparation {
    pub fn new(store: Arc<dyn PrepStore>, rounds: Vec<Round>, location: String) -> Self {
        Self {
            store,
            rounds: Arc::new(rounds),
            location,
        }
    }

    /// The fair's rounds (from `fair.toml`): preparation schedules into these.
    pub fn rounds(&self) -> &[Round] {
        &self.rounds
    }

    pub async fn read(&self) -> Result<Prep, Refusal> {
        self.store.load().await
    }

    /// Applies the edit `make` builds from the current document (built again on a retry,
    /// so a draft is always made from the document it is applied to). Returns what it did
    /// and the document's version after it.
    pub async fn edit<F>(
        &self,
        actor: &Actor,
        now: Timestamp,
        make: F,
    ) -> Result<(Outcome, u64), Refusal>
    where
        F: Fn(&Prep) -> Result<Edit, PrepError>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let mut prep = self.store.load().await?;
            let before = prep.version;
            let edit = make(&prep)?;
            let outcome = prep.apply(actor, edit, now, &self.rounds)?;
            if !outcome.changed() {
                return Ok((outcome, before));
            }
            let after = prep.version;
            if self.store.save(before, prep).await? {
                return Ok((outcome, after));
            }
        }
        Err(Refusal::new(
            ErrorCode::Busy,
            "too many changes to the preparation at once; nothing changed, try again",
        )
        .for_request())
    }
}
