//! Where moderators' changes live: each meeting's [`Adjustments`] (a moved end, a close, a
//! no-show mark, the actions for its record) and the fair's activity feed. Two
//! implementations, as for the lobby: in memory for the embedded default, in Redis when
//! several nodes share a fair. An update is a compare-and-set: the core decides on the
//! state read, and the write happens only if nobody changed it meanwhile (else it decides
//! again on fresh state), so two moderators' requests are decided one after the other.

mod memory;
mod redis;

pub use self::memory::MemoryModeration;
pub use self::redis::RedisModeration;

use futures_util::future::BoxFuture;
use sangdam_signaling::live::moderation::Adjustments;
use sangdam_signaling::protocol::board::ActivityEntry;
use sangdam_signaling::{MeetingId, Refusal};
use std::collections::HashMap;

/// Decides the next adjustments from the current ones: `Ok(None)` to change nothing.
pub type Decide<'a> =
    Box<dyn Fn(&Adjustments) -> Result<Option<Adjustments>, Refusal> + Send + Sync + 'a>;

/// How many activity entries the feed keeps.
pub const ACTIVITY_KEPT: usize = 500;

pub trait ModerationStore: Send + Sync + 'static {
    /// One meeting's adjustments (the default if moderators never touched it).
    fn adjustments<'a>(&'a self, meeting: &'a MeetingId)
        -> BoxFuture<'a, Result<Adjustments, Refusal>>;

    /// Every meeting's that moderators touched.
    fn all(&self) -> BoxFuture<'_, Result<HashMap<MeetingId, Adjustments>, Refusal>>;

    /// Applies `decide` to the meeting's current adjustments atomically; returns what is
    /// stored afterwards.
    fn update<'a>(
        &'a self,
        meeting: &'a MeetingId,
        decide: Decide<'a>,
    ) -> BoxFuture<'a, Result<Adjustments, Refusal>>;

    /// Adds an entry to the fair's activity feed (the newest [`ACTIVITY_KEPT`] are kept).
    fn push_activity(&self, entry: ActivityEntry) -> BoxFuture<'_, Result<(), Refusal>>;

    /// The newest `n` entries, oldest first.
    fn activity(&self, n: usize) -> BoxFuture<'_, Result<Vec<ActivityEntry>, Refusal>>;
}
