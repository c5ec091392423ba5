//! Online briefings (설명회): a partner body presents — procurement rules, export, finance —
//! to many viewers at a time the fair sets. The rules live here: who may watch (everyone,
//! one side, the participants of one round) and when, who presents, the viewers' questions
//! ([`questions`]) and who watched from when to when ([`attendance`]). The media go through
//! the server's forwarding unit; none of that is here.

pub mod attendance;
pub mod questions;

#[cfg(test)]
mod tests;

use crate::error::{ErrorCode, Refusal};
use crate::fair::{Affiliation, Fair, Participant, Role};
use crate::ids::{BriefingId, ParticipantId, RoundId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Who a briefing is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "round", rename_all = "snake_case")]
pub enum Audience {
    Everyone,
    /// Institutions' buyers only.
    Buyers,
    /// Enterprises' vendors only.
    Vendors,
    /// The buyers and vendors whose organisation has a meeting in that round.
    Round(RoundId),
}

/// One briefing of the fair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Briefing {
    pub id: BriefingId,
    pub topic: String,
    /// The presenting body, as people read it (학교장터, KOTRA, …).
    pub presenter_name: String,
    /// The account that presents (publishes the media, answers questions).
    pub presenter: ParticipantId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub audience: Audience,
}

/// Viewers may come in this long before the start (the presenter sets up, viewers see the
/// countdown), and the presenter may publish from then on.
pub const DOORS_OPEN: Duration = Duration::from_secs(10 * 60);

impl Briefing {
    /// When viewers may come in.
    pub fn doors_open_at(&self) -> Timestamp {
        self.starts_at - DOORS_OPEN
    }

    /// Whether `p` is one the briefing is for (moderators and staff may always watch: they
    /// run it).
    pub fn is_for(&self, fair: &Fair, p: &Participant) -> bool {
        match (&self.audience, p.role) {
            (_, Role::Moderator | Role::Staff) => true,
            _ if p.id == self.presenter => true,
            (Audience::Everyone, _) => true,
            (Audience::Buyers, role) => role == Role::Buyer,
            (Audience::Vendors, role) => role == Role::Vendor,
            (Audience::Round(r), _) => fair.meetings().any(|m| {
                &m.round == r
                    && match &p.affiliation {
                        Affiliation::Institution(i) => &m.institution == i,
                        Affiliation::Enterprise(e) => &m.enterprise == e,
                        Affiliation::Operator => false,
                    }
            }),
        }
    }

    /// Whether `p` may watch now: in the audience, and between the doors opening and the end.
    pub fn may_watch(&self, fair: &Fair, p: &Participant, now: Timestamp) -> Result<(), Refusal> {
        if !self.is_for(fair, p) {
            return Err(Refusal::new(
                ErrorCode::NotInAudience,
                format!(
                    "「{}」 is for {}, not for {}",
                    self.topic,
                    self.audience_text(),
                    p.role.as_str()
                ),
            ));
        }
        self.is_open(now)
    }

    /// Whether `p` may present (publish media, answer and highlight questions): the
    /// presenting account, or a moderator or staff member standing in.
    pub fn may_present(&self, p: &Participant) -> Result<(), Refusal> {
        if p.id == self.presenter || matches!(p.role, Role::Moderator | Role::Staff) {
            Ok(())
        } else {
            Err(Refusal::new(
                ErrorCode::WrongRole,
                format!("only {} presents 「{}」", self.presenter_name, self.topic),
            ))
        }
    }

    /// Refuses before the doors open (`too_early`) and after the end (`room_closed`).
    pub fn is_open(&self, now: Timestamp) -> Result<(), Refusal> {
        if now < self.doors_open_at() {
            return Err(Refusal::new(
                ErrorCode::TooEarly,
                format!(
                    "「{}」 opens at {} (10 minutes before its start)",
                    self.topic,
                    self.doors_open_at().kst()
                ),
            ));
        }
        if now >= self.ends_at {
            return Err(Refusal::new(
                ErrorCode::RoomClosed,
                format!("「{}」 ended at {}", self.topic, self.ends_at.kst()),
            ));
        }
        Ok(())
    }

    fn audience_text(&self) -> String {
        match &self.audience {
            Audience::Everyone => "everyone".into(),
            Audience::Buyers => "buyers".into(),
            Audience::Vendors => "vendors".into(),
            Audience::Round(r) => format!("the participants of round {r}"),
        }
    }
}

/// Checks a briefing as staff wrote it: a topic, an end after the start, a presenter who is
/// in the fair.
pub fn check(fair: &Fair, b: &Briefing) -> Result<(), String> {
    if b.topic.trim().is_empty() {
        return Err(format!("briefing {}: the topic is empty", b.id));
    }
    if b.ends_at <= b.starts_at {
        return Err(format!("briefing {}: it must end after it starts", b.id));
    }
    if fair.participant(&b.presenter).is_none() {
        return Err(format!(
            "briefing {}: the presenter {} is not a participant of the fair",
            b.id, b.presenter
        ));
    }
    if let Audience::Round(r) = &b.audience {
        if fair.round(r).is_none() {
            return Err(format!("briefing {}: the fair has no round {r}", b.id));
        }
    }
    Ok(())
}
