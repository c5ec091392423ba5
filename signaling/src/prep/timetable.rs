//! Draft and published timetables: where each accepted match sits (round, slot, booth),
//! what a publication promised, and what changed for one participant between two of them.

use super::matches::MatchId;
use crate::ids::{EnterpriseId, InstitutionId, MeetingId, RoundId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A match placed in a slot at a booth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booked {
    pub meeting: MeetingId,
    #[serde(rename = "match")]
    pub match_id: MatchId,
    pub round: RoundId,
    pub slot: u32,
    pub booth: u32,
    pub institution: InstitutionId,
    pub enterprise: EnterpriseId,
}

impl Booked {
    /// The meeting id the live fair will use: `r1-s03-i001`, with `-b2` for a second or
    /// later booth, the form the hand-written `meetings.csv` files already use.
    pub fn meeting_id(round: &RoundId, slot: u32, booth: u32, inst: &InstitutionId) -> MeetingId {
        let id = if booth == 0 {
            format!("{round}-s{slot:02}-{inst}")
        } else {
            format!("{round}-s{slot:02}-{inst}-b{}", booth + 1)
        };
        MeetingId::parse(id).expect("made of valid id parts")
    }
}

/// A match the scheduler could not place, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotPlaced {
    #[serde(rename = "match")]
    pub match_id: MatchId,
    /// `no_common_slot`, `full`, `gap`.
    pub reason: String,
}

/// A round's draft schedule, made by the scheduler from the accepted matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub round: RoundId,
    pub version: u64,
    pub made_at: Timestamp,
    pub booked: Vec<Booked>,
    pub not_placed: Vec<NotPlaced>,
    /// The fewest slots any schedule needs (König): max over enterprises of their
    /// meetings, over institutions of ⌈meetings ÷ booths⌉.
    pub lower_bound: u32,
    pub slots_used: u32,
    /// Meetings that sat elsewhere in the previous draft.
    pub moved: u32,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicationKind {
    /// 가안: participants see it, staff may still change it.
    Preliminary,
    /// 확정: the timetable of the fair.
    Final,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// 1 for the first publication, then one more each time.
    pub number: u32,
    pub kind: PublicationKind,
    pub at: Timestamp,
    pub booked: Vec<Booked>,
}

/// One change to a participant's timetable between two publications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    Added { now: Booked },
    Removed { was: Booked },
    Moved { was: Booked, now: Booked },
}

/// What changed from `old` to `new`, by match: a match in both at another slot or booth
/// moved, one only in `new` was added, one only in `old` was removed.
pub fn changes<'a>(
    old: impl IntoIterator<Item = &'a Booked>,
    new: impl IntoIterator<Item = &'a Booked>,
) -> Vec<Change> {
    use std::collections::BTreeMap;
    let old: BTreeMap<MatchId, &Booked> = old.into_iter().map(|b| (b.match_id, b)).collect();
    let new: BTreeMap<MatchId, &Booked> = new.into_iter().map(|b| (b.match_id, b)).collect();
    let mut out = Vec::new();
    for (id, now) in &new {
        match old.get(id) {
            None => out.push(Change::Added {
                now: (*now).clone(),
            }),
            Some(was)
                if was.round != now.round || was.slot != now.slot || was.booth != now.booth =>
            {
                out.push(Change::Moved {
                    was: (*was).clone(),
                    now: (*now).clone(),
                })
            }
            Some(_) => {}
        }
    }
    for (id, was) in &old {
        if !new.contains_key(id) {
            out.push(Change::Removed {
                was: (*was).clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(m: MatchId, slot: u32) -> Booked {
        let round = RoundId::parse("r1").unwrap();
        let inst = InstitutionId::parse("i1").unwrap();
        Booked {
            meeting: Booked::meeting_id(&round, slot, 0, &inst),
            match_id: m,
            round,
            slot,
            booth: 0,
            institution: inst,
            enterprise: EnterpriseId::parse("e1").unwrap(),
        }
    }

    #[test]
    fn changes_name_what_was_added_moved_and_removed() {
        let old = [b(1, 0), b(2, 1), b(3, 2)];
        let new = [b(1, 0), b(2, 4), b(4, 5)];
        let c = changes(&old, &new);
        assert_eq!(c.len(), 3);
        assert!(matches!(&c[0], Change::Moved { was, now } if was.slot == 1 && now.slot == 4));
        assert!(matches!(&c[1], Change::Added { now } if now.match_id == 4));
        assert!(matches!(&c[2], Change::Removed { was } if was.match_id == 3));
        assert!(changes(&old, &old).is_empty());
    }

    #[test]
    fn meeting_ids_follow_the_hand_written_form() {
        let r = RoundId::parse("r2").unwrap();
        let i = InstitutionId::parse("i007").unwrap();
        assert_eq!(Booked::meeting_id(&r, 3, 0, &i).as_str(), "r2-s03-i007");
        assert_eq!(Booked::meeting_id(&r, 3, 1, &i).as_str(), "r2-s03-i007-b2");
    }
}
