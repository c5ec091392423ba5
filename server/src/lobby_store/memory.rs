//! The lobby in this process's memory: the embedded default, one lock around the whole
//! lobby, which is all the atomicity one process needs.

use super::{LobbyStore, StoreError};
use futures_util::future::BoxFuture;
use sangdam_signaling::lobby::{
    apply, vendor_view, Booth, Context, LobbyEvent, LobbyOp, LobbyPolicy, Slice, VendorView,
};
use sangdam_signaling::{Fair, InstitutionId, ParticipantId, Timestamp};
use std::sync::{Arc, Mutex};

pub struct MemoryLobby {
    fair: Arc<Fair>,
    policy: LobbyPolicy,
    lobby: Mutex<Slice>,
}

impl MemoryLobby {
    pub fn new(fair: Arc<Fair>, policy: LobbyPolicy) -> Self {
        Self {
            fair,
            policy,
            lobby: Mutex::new(Slice::default()),
        }
    }
}

impl LobbyStore for MemoryLobby {
    fn apply(
        &self,
        op: LobbyOp,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<LobbyEvent>, StoreError>> {
        let ctx = Context {
            fair: &self.fair,
            policy: &self.policy,
        };
        let result = apply(&op, &mut self.lobby.lock().expect("lobby lock"), &ctx, now)
            .map_err(StoreError::from);
        Box::pin(async move { result })
    }

    fn vendor_view(
        &self,
        vendor: ParticipantId,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<VendorView, StoreError>> {
        let ctx = Context {
            fair: &self.fair,
            policy: &self.policy,
        };
        let view = vendor_view(&self.lobby.lock().expect("lobby lock"), &ctx, &vendor, now);
        Box::pin(async move { Ok(view) })
    }

    fn booth(&self, booth: InstitutionId) -> BoxFuture<'_, Result<Booth, StoreError>> {
        let b = self
            .lobby
            .lock()
            .expect("lobby lock")
            .booths
            .get(&booth)
            .cloned()
            .unwrap_or_else(|| Booth::new(booth));
        Box::pin(async move { Ok(b) })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }
}
