//! The fair's timing rules for check-in, no-shows and the grace after a slot, in one
//! place: the room and the lobby read the same [`Timing`], so a vendor may check in at the
//! booth exactly when the room opens, both decide a no-show at the same moment by the same
//! rule, and the booth stays taken exactly as long as its room is open.

use crate::fair::{Fair, Meeting, Slot};
use crate::live::room::Absent;
use crate::time::Timestamp;
use std::time::Duration;

/// When check-in opens and when an absent side counts as a no-show.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    /// How long before the slot start participants may enter and wait.
    pub checkin_before: Duration,
    /// A side still absent this long after the slot start is a no-show.
    pub no_show_after: Duration,
    /// How long a room stays open after its slot ends, to let people finish a sentence —
    /// never into the booth's next meeting (see [`Timing::grace_for`]).
    pub grace: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            checkin_before: Duration::from_secs(10 * 60),
            no_show_after: Duration::from_secs(5 * 60),
            grace: Duration::from_secs(60),
        }
    }
}

impl Timing {
    /// When participants of a slot may start to enter and wait.
    pub fn checkin_opens_at(&self, slot: Slot) -> Timestamp {
        slot.start - self.checkin_before
    }

    /// The grace of one meeting: it never runs into the booth's next meeting, so the buyer
    /// is never in two rooms at once.
    pub fn grace_for(&self, fair: &Fair, meeting: &Meeting) -> Duration {
        let next_start = fair
            .meetings_at(&meeting.institution)
            .map(|m| m.slot.start)
            .find(|start| *start >= meeting.slot.end);
        match next_start {
            Some(next) => self.grace.min(next.since(meeting.slot.end)),
            None => self.grace,
        }
    }

    /// When one meeting's room closes: the slot end plus its grace.
    pub fn closes_at(&self, fair: &Fair, meeting: &Meeting) -> Timestamp {
        meeting.slot.end + self.grace_for(fair, meeting)
    }

    /// When a slot's no-show check runs. A slot no longer than `no_show_after` has none:
    /// it would end before anyone could be called absent.
    pub fn no_show_check_at(&self, slot: Slot) -> Option<Timestamp> {
        (self.no_show_after < slot.end.since(slot.start)).then(|| slot.start + self.no_show_after)
    }
}

/// The no-show decision, given whether each side has been seen by the check: nobody is
/// absent when both came. The room passes presence in the room; the lobby passes the
/// buyer at the booth and the booked vendor in the queue.
pub fn absent(buyer_here: bool, vendor_here: bool) -> Option<Absent> {
    match (buyer_here, vendor_here) {
        (true, true) => None,
        (true, false) => Some(Absent::Vendor),
        (false, true) => Some(Absent::Buyer),
        (false, false) => Some(Absent::Both),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::minutes;

    fn slot(len_min: u64) -> Slot {
        let start = Timestamp::from_millis(1_000_000);
        Slot {
            index: 0,
            start,
            end: start + minutes(len_min),
        }
    }

    #[test]
    fn check_in_opens_before_the_slot_and_the_no_show_check_runs_inside_it() {
        let t = Timing {
            checkin_before: minutes(10),
            no_show_after: minutes(5),
            grace: minutes(1),
        };
        let s = slot(20);
        assert_eq!(t.checkin_opens_at(s), s.start - minutes(10));
        assert_eq!(t.no_show_check_at(s), Some(s.start + minutes(5)));
        // A slot as short as the no-show time has no check.
        assert_eq!(t.no_show_check_at(slot(5)), None);
        assert_eq!(t.no_show_check_at(slot(3)), None);
    }

    #[test]
    fn the_absent_side_is_whoever_was_not_seen() {
        assert_eq!(absent(true, true), None);
        assert_eq!(absent(true, false), Some(Absent::Vendor));
        assert_eq!(absent(false, true), Some(Absent::Buyer));
        assert_eq!(absent(false, false), Some(Absent::Both));
    }
}
