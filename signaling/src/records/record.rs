//! The consultation record: what staff keep of every meeting, written exactly once when its
//! room closes. Built here from the room's own account, so the rules for "how it ended"
//! live in one place and are tested with explicit times.

use crate::fair::{Fair, Meeting};
use crate::ids::{EnterpriseId, FairId, InstitutionId, MeetingId, ParticipantId};
use crate::live::room::{Absent, Attendance, CloseReason, Room, Side};
use crate::live::sharing::RoomSharing;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How a meeting ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ending {
    /// Both sides met and the slot ran out.
    Timer,
    /// A side left before the end and did not come back.
    LeftEarly { side: Side },
    /// A moderator ended it.
    Moderator,
    /// A participant ended it.
    Participant,
    /// A side (or both) never came.
    NoShow { absent: Absent },
}

/// Something a moderator did in a room, kept with the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeratorAction {
    pub at: Timestamp,
    pub moderator: ParticipantId,
    /// e.g. `extend:300`, `end`, `no_show:vendor`, `join`, `admit`, `move:i02`.
    pub action: String,
    /// What the moderator wrote about it, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One meeting, as the consultation log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationRecord {
    pub fair: FairId,
    pub meeting: MeetingId,
    pub round: u32,
    pub slot: u32,
    pub institution: InstitutionId,
    pub enterprise: EnterpriseId,
    /// Who took each side (the first to join it), if anyone did.
    pub buyer: Option<ParticipantId>,
    pub vendor: Option<ParticipantId>,
    pub scheduled_start: Timestamp,
    pub scheduled_end: Timestamp,
    pub buyer_attendance: Attendance,
    pub vendor_attendance: Attendance,
    /// Seconds both sides spent together in the open room.
    pub duration_s: u64,
    pub ending: Ending,
    /// Who was absent at the no-show check, even if they came late.
    pub no_show: Option<Absent>,
    pub moderator_actions: Vec<ModeratorAction>,
    pub closed_at: Timestamp,
    /// Whether a side shared its screen (as the sides reported it; never the screen).
    #[serde(default)]
    pub screen_shared: bool,
    /// How many files the sides sent each other whole (never the files, nor their names).
    #[serde(default)]
    pub files_sent: u32,
}

/// A side that leaves less than this before the slot end has not "left early".
const EARLY_MARGIN: Duration = Duration::from_secs(60);

impl ConsultationRecord {
    /// The same record with what the sides reported they shared.
    pub fn with_sharing(mut self, sharing: &RoomSharing) -> Self {
        self.screen_shared = sharing.screen_shared();
        self.files_sent = sharing.files_sent();
        self
    }

    /// The record of a closed room. `None` while the room is still open.
    pub fn of_closed_room(
        fair: &Fair,
        meeting: &Meeting,
        room: &Room,
        buyer: Option<ParticipantId>,
        vendor: Option<ParticipantId>,
        moderator_actions: Vec<ModeratorAction>,
    ) -> Option<Self> {
        let (reason, closed_at) = room.closed()?;
        let round = fair.round(&meeting.round).map_or(0, |r| r.number);
        let b = room.attendance(Side::Buyer);
        let v = room.attendance(Side::Vendor);
        let never = |a: &Attendance| a.first_joined_at.is_none();
        let ending = match (never(&b), never(&v)) {
            (true, true) => Ending::NoShow {
                absent: Absent::Both,
            },
            (true, false) => Ending::NoShow {
                absent: Absent::Buyer,
            },
            (false, true) => Ending::NoShow {
                absent: Absent::Vendor,
            },
            (false, false) => match reason {
                CloseReason::Moderator => Ending::Moderator,
                CloseReason::Participant => Ending::Participant,
                CloseReason::Timer => {
                    let early = |a: &Attendance| {
                        a.last_left_at
                            .is_some_and(|t| t + EARLY_MARGIN < meeting.slot.end)
                    };
                    match (early(&b), early(&v)) {
                        // Whoever left first ended the conversation.
                        (true, true) if b.last_left_at <= v.last_left_at => {
                            Ending::LeftEarly { side: Side::Buyer }
                        }
                        (true, true) => Ending::LeftEarly { side: Side::Vendor },
                        (true, false) => Ending::LeftEarly { side: Side::Buyer },
                        (false, true) => Ending::LeftEarly { side: Side::Vendor },
                        (false, false) => Ending::Timer,
                    }
                }
            },
        };
        Some(ConsultationRecord {
            fair: fair.id.clone(),
            meeting: meeting.id.clone(),
            round,
            slot: meeting.slot.index,
            institution: meeting.institution.clone(),
            enterprise: meeting.enterprise.clone(),
            buyer,
            vendor,
            scheduled_start: meeting.slot.start,
            scheduled_end: meeting.slot.end,
            buyer_attendance: b,
            vendor_attendance: v,
            duration_s: room.together(closed_at).as_secs(),
            ending,
            no_show: room.no_show(),
            moderator_actions,
            closed_at,
            screen_shared: false,
            files_sent: 0,
        })
    }
}
