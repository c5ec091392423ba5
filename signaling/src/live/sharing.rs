//! What the two sides shared in a room, as far as the record may know it: whether a side
//! shared its screen and how many files it sent. The content itself (the screen, the chat,
//! the files) goes peer to peer and never reaches the server; each side's client reports
//! its own facts with a `sharing` message, and the rules for accepting a report live here
//! once: only a side reports (a moderator's screen is not the meeting's), only about
//! itself (the seat comes from the connection), counts only grow and stay within the
//! fair's limit.

use crate::error::{ErrorCode, Refusal};
use crate::live::room::{Seat, Side};
use serde::{Deserialize, Serialize};

/// The limits on files sent over a room's data channel, which the server hands to every
/// client in `joined.files` (the clients enforce them on both ends) and holds reports to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLimits {
    /// The largest file a side may send, in bytes.
    pub max_bytes: u64,
    /// How many files one side may send in one meeting.
    pub max_count: u32,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_count: 50,
        }
    }
}

/// One side's facts, as its client reported them (cumulative: a report restates all).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideSharing {
    /// The side has shared its screen in this meeting.
    pub screen_shared: bool,
    /// Files the side sent and the other side received whole.
    pub files_sent: u32,
}

impl SideSharing {
    /// The facts of `self` and `other` together: what either says happened, happened.
    pub fn merged(self, other: SideSharing) -> SideSharing {
        SideSharing {
            screen_shared: self.screen_shared || other.screen_shared,
            files_sent: self.files_sent.max(other.files_sent),
        }
    }
}

/// Both sides' facts in one room.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomSharing {
    sides: [SideSharing; 2],
}

fn index(side: Side) -> usize {
    match side {
        Side::Buyer => 0,
        Side::Vendor => 1,
    }
}

impl RoomSharing {
    /// A report from the connection in `seat`. Accepted (true if it changed anything) or
    /// refused, changing nothing; every refusal is about this one message
    /// (not fatal).
    pub fn report(
        &mut self,
        seat: Seat,
        report: SideSharing,
        limits: &FileLimits,
    ) -> Result<bool, Refusal> {
        let refuse = |code, message: String| Err(Refusal::new(code, message).for_request());
        let Some(side) = seat.side() else {
            return refuse(
                ErrorCode::WrongRole,
                "only the buyer and the vendor report what they shared; a moderator's sharing is not on the meeting's record".into(),
            );
        };
        let had = self.sides[index(side)];
        if report.files_sent > limits.max_count {
            return refuse(
                ErrorCode::BadReport,
                format!(
                    "files_sent {} is over this fair's limit of {} files per side and meeting",
                    report.files_sent, limits.max_count
                ),
            );
        }
        if report.files_sent < had.files_sent {
            return refuse(
                ErrorCode::BadReport,
                format!(
                    "files_sent {} is fewer than the {} already reported; a report restates the whole meeting",
                    report.files_sent, had.files_sent
                ),
            );
        }
        if had.screen_shared && !report.screen_shared {
            return refuse(
                ErrorCode::BadReport,
                "screen_shared cannot go back to false: a screen shared in this meeting stays on its record".into(),
            );
        }
        self.sides[index(side)] = report;
        Ok(report != had)
    }

    /// What another node's copy of the room says of `side` (its own connection's report,
    /// which that node accepted): taken together with what this copy knows, within the
    /// limit.
    pub fn merge(&mut self, side: Side, theirs: SideSharing, limits: &FileLimits) -> bool {
        let theirs = SideSharing {
            files_sent: theirs.files_sent.min(limits.max_count),
            ..theirs
        };
        let had = self.sides[index(side)];
        self.sides[index(side)] = had.merged(theirs);
        self.sides[index(side)] != had
    }

    /// One side's facts.
    pub fn side(&self, side: Side) -> SideSharing {
        self.sides[index(side)]
    }

    /// Whether either side shared its screen.
    pub fn screen_shared(&self) -> bool {
        self.sides.iter().any(|s| s.screen_shared)
    }

    /// The files both sides sent.
    pub fn files_sent(&self) -> u32 {
        self.sides.iter().map(|s| s.files_sent).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: FileLimits = FileLimits {
        max_bytes: 1000,
        max_count: 3,
    };

    fn r(screen_shared: bool, files_sent: u32) -> SideSharing {
        SideSharing {
            screen_shared,
            files_sent,
        }
    }

    #[test]
    fn each_side_reports_its_own_facts_and_the_room_adds_them_up() {
        let mut s = RoomSharing::default();
        assert_eq!(s.report(Seat::Vendor, r(true, 1), &LIMITS), Ok(true));
        assert_eq!(s.report(Seat::Vendor, r(true, 1), &LIMITS), Ok(false));
        assert_eq!(s.report(Seat::Buyer, r(false, 2), &LIMITS), Ok(true));
        assert!(s.screen_shared());
        assert_eq!(s.files_sent(), 3);
        assert_eq!(s.side(Side::Vendor), r(true, 1));
        assert_eq!(s.side(Side::Buyer), r(false, 2));
    }

    #[test]
    fn a_moderator_reports_nothing_onto_the_record() {
        let mut s = RoomSharing::default();
        let e = s.report(Seat::Moderator, r(true, 1), &LIMITS).unwrap_err();
        assert_eq!(e.code, ErrorCode::WrongRole);
        assert!(!e.is_fatal());
        assert_eq!(s, RoomSharing::default());
    }

    #[test]
    fn counts_only_grow_and_stay_within_the_limit() {
        let mut s = RoomSharing::default();
        let over = s.report(Seat::Buyer, r(false, 4), &LIMITS).unwrap_err();
        assert_eq!(over.code, ErrorCode::BadReport);
        assert!(!over.is_fatal());
        assert!(over.message.contains("limit of 3"), "{}", over.message);
        s.report(Seat::Buyer, r(true, 2), &LIMITS).unwrap();
        let fewer = s.report(Seat::Buyer, r(true, 1), &LIMITS).unwrap_err();
        assert_eq!(fewer.code, ErrorCode::BadReport);
        let unshared = s.report(Seat::Buyer, r(false, 2), &LIMITS).unwrap_err();
        assert_eq!(unshared.code, ErrorCode::BadReport);
        // Refusals changed nothing.
        assert_eq!(s.side(Side::Buyer), r(true, 2));
        assert_eq!(s.files_sent(), 2);
    }

    #[test]
    fn another_nodes_account_is_merged_within_the_limit() {
        let mut s = RoomSharing::default();
        s.report(Seat::Vendor, r(false, 2), &LIMITS).unwrap();
        assert!(!s.merge(Side::Vendor, r(false, 1), &LIMITS));
        assert!(s.merge(Side::Vendor, r(true, 9), &LIMITS));
        assert_eq!(s.side(Side::Vendor), r(true, 3));
    }
}
