//! Each participant's access settings, durable and the same on every node: their link
//! generation (staff revoking a link raise it, and a token signed at a lower one is refused
//! everywhere from then on) and whether they turned meeting reminders off. Kept in a file
//! under the data directory (the embedded default) or in one Redis hash, chosen as the
//! preparation's store is.

pub mod file;
pub mod redis;

use futures_util::future::BoxFuture;
use sangdam_signaling::{ParticipantId, Refusal};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tracing::warn;

/// One participant's settings. Someone never revoked nor asked for anything has the
/// default: generation 0, reminders on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub generation: u32,
    #[serde(default)]
    pub reminders_off: bool,
}

/// Where the settings live.
pub trait PeopleStore: Send + Sync + 'static {
    fn get(&self, participant: ParticipantId) -> BoxFuture<'_, Result<Access, Refusal>>;
    /// Everyone with settings of their own; the others have the default.
    fn get_all(&self) -> BoxFuture<'_, Result<HashMap<ParticipantId, Access>, Refusal>>;
    /// Raises the participant's generation by one, atomically (two staff revoking at once
    /// get two generations), and returns the new one once it is durable.
    fn revoke(&self, participant: ParticipantId) -> BoxFuture<'_, Result<u32, Refusal>>;
    /// Turns reminders off (or on again); the settings after it, once durable.
    fn set_reminders_off(
        &self,
        participant: ParticipantId,
        off: bool,
    ) -> BoxFuture<'_, Result<Access, Refusal>>;
}

/// The access settings of the fair being served. Cheap to clone.
#[derive(Clone)]
pub struct People {
    store: Arc<dyn PeopleStore>,
    /// The generation this node last read or heard of for each participant it
    /// authenticated. Used only while the store is out of reach: a room keeps working
    /// without Redis, so a join is checked against what the node knew rather than refused;
    /// a participant the node knows nothing of is refused (`temporarily_unavailable`)
    /// rather than let in unchecked.
    known: Arc<Mutex<HashMap<ParticipantId, u32>>>,
    /// Where the settings are, for the start-up log.
    pub location: String,
}

impl People {
    pub fn new(store: Arc<dyn PeopleStore>, location: String) -> Self {
        Self {
            store,
            known: Arc::default(),
            location,
        }
    }

    /// The participant's current link generation: a token signed at a lower one is
    /// revoked.
    pub async fn generation(&self, participant: &ParticipantId) -> Result<u32, Refusal> {
        match self.store.get(participant.clone()).await {
            Ok(a) => {
                self.heard(participant, a.generation);
                Ok(a.generation)
            }
            Err(e) => match self.known.lock().expect("people lock").get(participant) {
                Some(g) => {
                    warn!(%participant, error = %e, "link generation from this node's memory: the store is out of reach");
                    Ok(*g)
                }
                None => Err(e),
            },
        }
    }

    /// Notes a generation this node heard of (a revocation on another node).
    pub fn heard(&self, participant: &ParticipantId, generation: u32) {
        let mut known = self.known.lock().expect("people lock");
        let g = known.entry(participant.clone()).or_insert(generation);
        *g = (*g).max(generation);
    }

    pub async fn access(&self, participant: &ParticipantId) -> Result<Access, Refusal> {
        self.store.get(participant.clone()).await
    }

    /// Every participant's current link generation (absent: 0), to mint links in bulk.
    pub async fn generations(&self) -> Result<HashMap<ParticipantId, u32>, Refusal> {
        Ok(self
            .store
            .get_all()
            .await?
            .into_iter()
            .map(|(p, a)| (p, a.generation))
            .collect())
    }

    /// Everyone with settings of their own (the others: generation 0, reminders on).
    pub async fn all(&self) -> Result<HashMap<ParticipantId, Access>, Refusal> {
        self.store.get_all().await
    }

    /// Revokes every link of the participant signed so far; the new generation.
    pub async fn revoke(&self, participant: &ParticipantId) -> Result<u32, Refusal> {
        let g = self.store.revoke(participant.clone()).await?;
        self.heard(participant, g);
        Ok(g)
    }

    pub async fn set_reminders_off(
        &self,
        participant: &ParticipantId,
        off: bool,
    ) -> Result<Access, Refusal> {
        self.store.set_reminders_off(participant.clone(), off).await
    }
}
