//! Meeting requests between the two sides: a vendor asks an institution, an institution
//! invites a vendor, the other side accepts or declines. The rules (who may ask whom, how
//! many, until when) live here so that the buyer's page, the vendor's page and the API
//! refuse the same things with the same codes.

use super::matches::MatchId;
use super::PrepError;
use crate::ids::{EnterpriseId, InstitutionId, ParticipantId, RoundId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A request's number, unique in a fair's preparation.
pub type RequestId = u64;

/// The longest reason a request may carry: a sentence or two, not a brochure.
pub const REASON_MAX_CHARS: usize = 300;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A vendor asks an institution for a meeting (상담 신청).
    VendorAsks,
    /// An institution invites a vendor (상담 초대).
    InstitutionInvites,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
    Expired,
    Withdrawn,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: RequestId,
    pub version: u64,
    pub direction: Direction,
    pub from: ParticipantId,
    pub institution: InstitutionId,
    pub enterprise: EnterpriseId,
    pub round: RoundId,
    pub reason: String,
    pub status: RequestStatus,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub answered_by: Option<ParticipantId>,
    pub answered_at: Option<Timestamp>,
    /// The match an acceptance made.
    pub made_match: Option<MatchId>,
}

/// Per-fair rules for requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRules {
    /// Opt-in: the other side must accept. Auto-accept: a request is a match at once.
    pub auto_accept: bool,
    /// How long a request waits for an answer, in hours.
    pub ttl_hours: u32,
    /// How many open or accepted requests one participant may have sent.
    pub max_sent: u32,
    /// How many open requests one organisation may have waiting for its answer.
    pub max_received: u32,
}

impl Default for RequestRules {
    fn default() -> Self {
        Self {
            auto_accept: false,
            ttl_hours: 72,
            max_sent: 10,
            max_received: 40,
        }
    }
}

impl Request {
    /// The status as of `now`: a pending request past its expiry is expired even before
    /// the next edit writes it down.
    pub fn status_at(&self, now: Timestamp) -> RequestStatus {
        if self.status == RequestStatus::Pending && now >= self.expires_at {
            RequestStatus::Expired
        } else {
            self.status
        }
    }

    /// Whether it still counts against caps and duplicates.
    pub fn is_live(&self, now: Timestamp) -> bool {
        matches!(
            self.status_at(now),
            RequestStatus::Pending | RequestStatus::Accepted
        )
    }

    pub fn is_between(&self, i: &InstitutionId, e: &EnterpriseId, round: &RoundId) -> bool {
        &self.institution == i && &self.enterprise == e && &self.round == round
    }
}

/// Checks a reason's length; the message says the limit.
pub fn check_reason(reason: &str) -> Result<String, PrepError> {
    let reason = reason.trim();
    if reason.chars().count() > REASON_MAX_CHARS {
        return Err(PrepError::BadInput(format!(
            "the reason is longer than {REASON_MAX_CHARS} characters"
        )));
    }
    Ok(reason.to_string())
}
