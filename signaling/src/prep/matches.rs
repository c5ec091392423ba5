//! Matches: an institution and an enterprise agreed (or staff decided) to meet in a round.
//! The scheduler places exactly these; where a match came from stays on it, so the report
//! can tell staff's active matching from requests the sides made themselves.

use crate::ids::{EnterpriseId, InstitutionId, ParticipantId, RoundId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A match's number, unique in a fair's preparation.
pub type MatchId = u64;

/// The longest note staff may keep on a match.
pub const NOTE_MAX_CHARS: usize = 500;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "request", rename_all = "snake_case")]
pub enum Origin {
    /// A request one side made and the other accepted (or the fair auto-accepted).
    Request(u64),
    /// Staff made it by hand, maybe from a suggestion.
    Staff,
    /// Staff accepted it from a whole proposed set.
    Proposal,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    Accepted,
    /// Called off; kept so that the history says so and a new schedule drops it.
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub id: MatchId,
    pub version: u64,
    pub institution: InstitutionId,
    pub enterprise: EnterpriseId,
    pub round: RoundId,
    pub origin: Origin,
    pub status: MatchStatus,
    pub note: String,
    pub created_at: Timestamp,
    pub created_by: ParticipantId,
}

impl Match {
    pub fn is_accepted(&self) -> bool {
        self.status == MatchStatus::Accepted
    }

    pub fn is_between(&self, i: &InstitutionId, e: &EnterpriseId, round: &RoundId) -> bool {
        &self.institution == i && &self.enterprise == e && &self.round == round
    }
}
