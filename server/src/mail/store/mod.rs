//! Where the outbox lives: a JSON-lines file beside the records (the embedded default, one
//! node) or a Redis hash shared by every node, with a lease so that one node sends at a
//! time. Entries are written one by one as they change, so a restart loses no state and a
//! national fair's 12,000 invitations are not rewritten for every mail sent.

pub mod file;
pub mod redis;

use futures_util::future::BoxFuture;
use sangdam_signaling::notify::outbox::Entry;
use sangdam_signaling::Refusal;
use std::time::Duration;

pub trait OutboxStore: Send + Sync + 'static {
    /// Every entry.
    fn load(&self) -> BoxFuture<'_, Result<Vec<Entry>, Refusal>>;
    /// Adds the entries whose key is not stored yet and returns those; others are left as
    /// they are (a sent notice stays sent).
    fn add(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<Vec<Entry>, Refusal>>;
    /// Writes entries as they are now: the sender's own transitions.
    fn save(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), Refusal>>;
    /// Writes entries that staff changed (a retry), so that the sender reloads them.
    fn change(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), Refusal>>;
    /// A number that grows whenever `add` or `change` stored something.
    fn version(&self) -> BoxFuture<'_, Result<u64, Refusal>>;
    /// Takes or keeps the sender's lease for `ttl`; `false` if another node holds it.
    fn lease(&self, node: &str, ttl: Duration) -> BoxFuture<'_, Result<bool, Refusal>>;
    /// Where it is, for the start-up log.
    fn location(&self) -> String;
}

fn corrupt(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(
        sangdam_signaling::ErrorCode::Internal,
        format!("the mail outbox holds an entry that does not read back: {e}"),
    )
}
