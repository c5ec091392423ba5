//! The moderators' board (`/ws/board`): the live picture of one round pushed to every
//! moderator, and the bodies of the moderation API (`/api/moderation/…`). Documented in
//! `PROTOCOL.md` (the socket) and `server/API.md` (the endpoints).

use super::{Audience, ErrorBody, Incoming, MeetingView, OrgView, Pong};
use crate::ids::{InstitutionId, MeetingId, ParticipantId};
use crate::live::moderation::RoomAction;
use crate::live::room::{Absent, Phase, Side, Window};
use crate::records::record::ModeratorAction;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What a board client may send. The first message must be `hello`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BoardClientMessage {
    /// Authenticate with a moderator's token; `round` picks the round to watch (default:
    /// the one under way, else the next, else the last).
    Hello {
        v: u32,
        token: String,
        #[serde(default)]
        round: Option<u32>,
    },
    /// Watch another round: a full `board` follows.
    Watch { round: u32 },
    /// Ask for the server's clock.
    Ping {
        #[serde(default)]
        t: Option<i64>,
    },
}

impl Incoming for BoardClientMessage {
    const TYPES: &'static [&'static str] = &["hello", "watch", "ping"];
    fn version(&self) -> Option<u32> {
        match self {
            BoardClientMessage::Hello { v, .. } => Some(*v),
            _ => None,
        }
    }
}

/// What the board server sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BoardServerMessage {
    /// The whole picture of the watched round: after `hello` and `watch`.
    Board(Box<Board>),
    /// What changed since the last message: changed rooms and booths, and the counts.
    BoardUpdate(BoardUpdate),
    /// A moderator (maybe you) did something, anywhere in the fair.
    Activity {
        entry: ActivityEntry,
    },
    Pong(Pong),
    Error(ErrorBody),
}

impl From<Pong> for BoardServerMessage {
    fn from(p: Pong) -> Self {
        BoardServerMessage::Pong(p)
    }
}

impl From<crate::Refusal> for BoardServerMessage {
    fn from(r: crate::Refusal) -> Self {
        BoardServerMessage::Error(r.into())
    }
}

/// A round as the board's round picker shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundView {
    pub number: u32,
    pub theme: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// The whole picture of one round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub v: u32,
    pub round: u32,
    pub rounds: Vec<RoundView>,
    pub server_time: Timestamp,
    pub counts: Counts,
    pub rooms: Vec<BoardRoom>,
    pub booths: Vec<BoardBooth>,
    /// How to reach the round's participants (from the fair files' optional columns).
    pub contacts: Vec<Contact>,
    /// The latest moderator actions in the fair, newest last.
    pub activity: Vec<ActivityEntry>,
}

/// The rooms and booths that changed, and the counts after the change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardUpdate {
    pub round: u32,
    pub server_time: Timestamp,
    pub counts: Counts,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<BoardRoom>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub booths: Vec<BoardBooth>,
    /// Rooms no longer on the board (a walk-in room that closed), by meeting id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gone: Vec<MeetingId>,
}

/// The numbers at the top of the board.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub rooms: usize,
    pub scheduled: usize,
    pub check_in: usize,
    pub live: usize,
    pub grace: usize,
    pub closed: usize,
    /// Rooms with at least one [`Attention`].
    pub attention: usize,
    pub no_shows: usize,
    /// Rooms past their scheduled end (in the grace, or extended).
    pub overruns: usize,
    pub walk_ins: usize,
    /// Vendors waiting in the round's booths' lines.
    pub waiting: usize,
    /// Rooms a moderator is in.
    pub moderated: usize,
}

/// Someone in a room's seat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatView {
    pub participant: ParticipantId,
    pub name: String,
    /// When their connection joined.
    pub since: Timestamp,
    /// Whether their connection keeps up: it reads what it is sent, and (if on another
    /// node) that node keeps announcing it.
    pub healthy: bool,
}

/// Why a room needs a moderator's eye.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attention {
    /// The slot is running and this side is not in the room.
    Absent { side: Side },
    /// On record as a no-show (by the check, or marked by a moderator).
    NoShow { absent: Absent },
    /// This side was in the room and left or lost its connection while the slot runs.
    Dropped { side: Side },
    /// This side's connection is not keeping up.
    Unhealthy { side: Side },
    /// The room is past its scheduled end.
    Overrun,
}

/// One room on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardRoom {
    pub meeting: MeetingView,
    pub walk_in: bool,
    /// The window with moderators' changes applied.
    pub window: Window,
    pub phase: Phase,
    pub buyer: Option<SeatView>,
    pub vendor: Option<SeatView>,
    pub moderator: Option<SeatView>,
    pub no_show: Option<Absent>,
    /// Whether a moderator marked or cleared the no-show.
    pub no_show_marked: bool,
    pub attention: Vec<Attention>,
    /// How many moderator actions this room has on record.
    pub actions: usize,
}

/// One vendor in a booth's line, as a moderator sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardWaiting {
    pub vendor: ParticipantId,
    pub name: String,
    pub enterprise: OrgView,
    pub meeting: Option<MeetingId>,
    pub checked_in_at: Timestamp,
    pub disconnected: bool,
}

/// Who is in a booth's room, as the lobby let them in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardAdmission {
    pub vendor: ParticipantId,
    pub meeting: MeetingId,
    pub since: Timestamp,
    pub until: Timestamp,
    pub walk_in: bool,
}

/// One booth on the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardBooth {
    pub institution: OrgView,
    pub buyer_here: bool,
    /// The line, first (next) first.
    pub waiting: Vec<BoardWaiting>,
    pub current: Option<BoardAdmission>,
}

/// How to reach a participant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub participant: ParticipantId,
    pub name: String,
    pub role: crate::Role,
    /// The organisation's name (none for the operator's people).
    pub organisation: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One moderator action, as every moderator's board shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub at: Timestamp,
    pub moderator: ParticipantId,
    pub name: String,
    /// As in the record: `extend:300`, `end`, `join`, `move:i002`, `announce`…
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<MeetingId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booth: Option<InstitutionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<ParticipantId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

// ---------------------------------------------------------------------------------------
// The moderation API's bodies.

/// `POST /api/moderation/rooms/{meeting}`: one action on one room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomActionBody {
    #[serde(flatten)]
    pub action: RoomAction,
    /// The slot end the moderator saw (for `extend` and `shorten`): another moderator's
    /// change in between makes this one `conflict`.
    #[serde(default)]
    pub expect_ends_at: Option<Timestamp>,
    #[serde(default)]
    pub note: Option<String>,
    /// The client's id for this click: a retry with the same id is not done twice.
    #[serde(default)]
    pub request: Option<String>,
}

/// The answer to a room action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomActionDone {
    pub meeting: MeetingId,
    pub window: Window,
    pub phase: Phase,
    /// `false` if nothing changed (a retried request, or a mark already made).
    pub changed: bool,
    /// Every moderator action on this room so far.
    pub actions: Vec<ModeratorAction>,
}

/// `POST /api/moderation/lobby`: move a waiting vendor, or let one in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum LobbyActionBody {
    /// Move `vendor` from `from`'s line to `to`'s (the same booth: to another place), at
    /// `position` (0 is the front; none: by the usual order).
    Move {
        vendor: ParticipantId,
        from: InstitutionId,
        to: InstitutionId,
        #[serde(default)]
        position: Option<usize>,
        #[serde(default)]
        note: Option<String>,
    },
    /// Let `vendor`, waiting at `booth`, into the booth's free time now.
    Admit {
        booth: InstitutionId,
        vendor: ParticipantId,
        #[serde(default)]
        note: Option<String>,
    },
}

/// `POST /api/moderation/announcements`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnounceBody {
    pub text: String,
    #[serde(flatten)]
    pub audience: Audience,
}

/// The longest announcement, in characters.
pub const MAX_ANNOUNCEMENT_CHARS: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::decode;

    #[test]
    fn bodies_read_as_the_api_document_shows() {
        let b: RoomActionBody = serde_json::from_str(
            r#"{"action":"extend","minutes":5,"expect_ends_at":1000,"request":"c1"}"#,
        )
        .unwrap();
        assert_eq!(b.action, RoomAction::Extend { minutes: 5 });
        assert_eq!(b.expect_ends_at, Some(Timestamp::from_millis(1000)));
        let b: RoomActionBody = serde_json::from_str(
            r#"{"action":"mark_no_show","absent":"vendor","note":"전화 안 받음"}"#,
        )
        .unwrap();
        assert_eq!(
            b.action,
            RoomAction::MarkNoShow {
                absent: Absent::Vendor
            }
        );
        let l: LobbyActionBody = serde_json::from_str(
            r#"{"op":"move","vendor":"v1","from":"i001","to":"i002","position":0}"#,
        )
        .unwrap();
        assert!(matches!(
            l,
            LobbyActionBody::Move {
                position: Some(0),
                ..
            }
        ));
        let a: AnnounceBody = serde_json::from_str(
            r#"{"text":"곧 시작합니다","to":"meeting","meeting":"r1-s00-i001"}"#,
        )
        .unwrap();
        assert!(matches!(a.audience, Audience::Meeting { .. }));
        let a: AnnounceBody = serde_json::from_str(r#"{"text":"x","to":"all"}"#).unwrap();
        assert_eq!(a.audience, Audience::All);
        assert_eq!(
            decode::<BoardClientMessage>(r#"{"type":"watch","round":2}"#).unwrap(),
            BoardClientMessage::Watch { round: 2 }
        );
    }
}
