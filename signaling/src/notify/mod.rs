//! Who must be told what, and when, by mail: an invitation per participant, a reminder
//! before each meeting, a notice when a published timetable changes. The rules live here
//! (what is due at an instant, the one key that makes each notice unique, retry and
//! give-up); the server's mailer only renders, sends and stores.
//!
//! - [`agenda`]: a participant's meetings with their times, from the latest publication or
//!   else from the running fair;
//! - [`due`]: the reminders and change notices due at an instant;
//! - [`outbox`]: every notice's state — queued, sending, sent, failed — with backoff, and
//!   the guarantee that one key is sent at most once.

pub mod agenda;
pub mod due;
pub mod outbox;

#[cfg(test)]
mod tests;

use crate::{MeetingId, ParticipantId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a notice says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoticeKind {
    /// The personal link and timetable. `generation` is the link generation the mail's
    /// token carries: after a revocation the next generation is a new invitation.
    Invitation { generation: u32 },
    /// `minutes` before `meeting` starts.
    Reminder { meeting: MeetingId, minutes: u32 },
    /// The timetable changed in publication `publication`.
    Change { publication: u32 },
}

impl NoticeKind {
    pub fn label(&self) -> &'static str {
        match self {
            NoticeKind::Invitation { .. } => "invitation",
            NoticeKind::Reminder { .. } => "reminder",
            NoticeKind::Change { .. } => "change",
        }
    }
}

/// A notice's identity: the same key is never sent twice. Built only by
/// [`Notice::key`], so two nodes deciding the same notice make the same key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoticeKey(String);

impl NoticeKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key read back from a store or a request, checked for the shapes [`Notice::key`]
    /// writes (`invite/…`, `remind/…`, `change/…`).
    pub fn parse(s: &str) -> Option<NoticeKey> {
        let kind = s.split('/').next()?;
        let ok = matches!(kind, "invite" | "remind" | "change")
            && s.len() <= 200
            && s.split('/').count() >= 3
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c));
        ok.then(|| NoticeKey(s.to_string()))
    }
}

impl fmt::Display for NoticeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One thing to tell one participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub participant: ParticipantId,
    #[serde(flatten)]
    pub kind: NoticeKind,
}

impl Notice {
    pub fn invitation(participant: ParticipantId, generation: u32) -> Self {
        Notice {
            participant,
            kind: NoticeKind::Invitation { generation },
        }
    }

    pub fn key(&self) -> NoticeKey {
        let p = &self.participant;
        NoticeKey(match &self.kind {
            NoticeKind::Invitation { generation } => format!("invite/{p}/{generation}"),
            NoticeKind::Reminder { meeting, minutes } => format!("remind/{p}/{meeting}/{minutes}"),
            NoticeKind::Change { publication } => format!("change/{p}/{publication}"),
        })
    }
}
