//! The lobby in this process's memory: the embedded default, one lock around the whole
//! lobby, which is all the atomicity one process needs.

use super::{LobbyStore, StoreError};
use futures_util::future::BoxFuture;
use sangdam_signaling::live::lobby::{
    apply, missing, vendor_view, Booth, Context, LobbyEvent, LobbyOp, LobbyPolicy, Slice,
    VendorState, VendorView,
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
        if let Err(e) = ctx.check(&op) {
            return Box::pin(std::future::ready(Err(e.into())));
        }
        let mut lobby = self.lobby.lock().expect("lobby lock");
        // Work on the op's own slice, as the Redis store does: the rules copy what they
        // are given (so a refusal changes nothing), and copying the whole lobby would make
        // every operation cost as much as the lobby is large.
        let mut slice = Slice::default();
        loop {
            let (booths, vendors) = missing(&op, &slice);
            if booths.is_empty() && vendors.is_empty() {
                break;
            }
            for b in booths {
                let booth = lobby
                    .booths
                    .get(&b)
                    .cloned()
                    .unwrap_or_else(|| Booth::new(b.clone()));
                slice.booths.insert(b, booth);
            }
            for v in vendors {
                let state = lobby.vendors.get(&v).cloned().unwrap_or_default();
                slice.vendors.insert(v, state);
            }
        }
        let result = apply(&op, &mut slice, &ctx, now).map_err(StoreError::from);
        if result.is_ok() {
            lobby.booths.extend(slice.booths);
            for (id, state) in slice.vendors {
                if state == VendorState::default() {
                    lobby.vendors.remove(&id);
                } else {
                    lobby.vendors.insert(id, state);
                }
            }
        }
        drop(lobby);
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
