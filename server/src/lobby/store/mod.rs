//! One storage interface for the lobby, with two implementations: in memory (the embedded
//! default) and Redis (several nodes share one lobby). Both apply the same rules, from
//! `sangdam_signaling::live::lobby`; a store only decides how a slice of the lobby is loaded and
//! saved atomically.

mod memory;
mod redis;

pub use self::memory::MemoryLobby;
pub use self::redis::RedisLobby;

use futures_util::future::BoxFuture;
use sangdam_signaling::live::lobby::{Booth, LobbyError, LobbyEvent, LobbyOp, VendorView};
use sangdam_signaling::{ErrorCode, InstitutionId, ParticipantId, Refusal, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The lobby's rules refused the operation; nothing changed.
    #[error(transparent)]
    Lobby(#[from] LobbyError),
    /// The store cannot be reached now; nothing changed. Try again shortly.
    #[error("the lobby is temporarily unavailable: {0}")]
    Unavailable(String),
    /// Too many concurrent changes to the same booth; nothing changed.
    #[error("the lobby is busy; try again")]
    Contention,
    /// Stored state could not be read.
    #[error("stored lobby state is unreadable at {key}: {problem}")]
    Corrupt { key: String, problem: String },
}

impl From<StoreError> for Refusal {
    /// The lobby's own refusals keep their codes; a store that cannot answer is
    /// `temporarily_unavailable` or `busy` (try again), unreadable state `internal`. All
    /// concern one operation: a lobby connection stays.
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::Lobby(l) => return l.clone().into(),
            StoreError::Unavailable(_) => ErrorCode::TemporarilyUnavailable,
            StoreError::Contention => ErrorCode::Busy,
            StoreError::Corrupt { .. } => ErrorCode::Internal,
        };
        Refusal::new(code, e.to_string()).for_request()
    }
}

/// Where the lobby lives.
pub trait LobbyStore: Send + Sync + 'static {
    /// Applies one operation atomically: all of its changes are saved, or none.
    fn apply(
        &self,
        op: LobbyOp,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<LobbyEvent>, StoreError>>;
    /// What a vendor sees: their places, positions and room.
    fn vendor_view(
        &self,
        vendor: ParticipantId,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<VendorView, StoreError>>;
    /// One booth as it is now.
    fn booth(&self, booth: InstitutionId) -> BoxFuture<'_, Result<Booth, StoreError>>;
    /// Several booths at once (the moderators' board reads every booth).
    fn booths(&self, booths: Vec<InstitutionId>) -> BoxFuture<'_, Result<Vec<Booth>, StoreError>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(booths.len());
            for b in booths {
                out.push(self.booth(b).await?);
            }
            Ok(out)
        })
    }
    /// Whether the store answers (readiness).
    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>>;
}
