//! The meeting scheduler: places a round's accepted matches into time slots and booths so
//! that nobody is in two places at once, and says plainly why a match could not be placed.
//!
//! The API is index-based: the caller maps institution, enterprise and match ids to
//! positions in [`Problem`] and back. Two methods sit behind [`schedule`]:
//! - `colouring`: with no constraints beyond "one meeting per enterprise per slot, one per
//!   booth per slot", König's edge-colouring theorem gives a schedule that uses exactly
//!   [`Schedule::lower_bound`] slots, and the alternating-path method finds it quickly;
//! - `placing`: with unavailability, break slots, a minimum gap or a previous schedule to
//!   keep, a most-constrained-first greedy with a bounded repair step places as many
//!   matches as it can without ever breaking a constraint.

mod colouring;
mod placing;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

/// The most slots a round may have. A fair day of one-minute slots fits; the bound keeps the
/// per-slot tables (parties × slots) from being sized by a typo.
pub const MAX_SLOTS: u32 = 1440;

/// One side of a match: an institution (which holds meetings at its booths) or an
/// enterprise (which goes from booth to booth).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Party {
    /// How many meetings an institution can hold at once. At least 1 for institutions;
    /// ignored for enterprises, which are always in one meeting at a time.
    pub booths: u32,
    /// Slots this party cannot attend (any order, duplicates allowed).
    pub unavailable: Vec<u32>,
}

/// An accepted match, by position in [`Problem::institutions`] and [`Problem::enterprises`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pair {
    pub institution: u32,
    pub enterprise: u32,
}

/// Where a meeting sits: its slot, and the institution's booth (0-based) within that slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Placement {
    pub slot: u32,
    pub booth: u32,
}

/// One round to schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problem {
    /// How many equal slots the round has (slots are numbered `0..slots`).
    pub slots: u32,
    /// Slots nobody meets in (lunch); never used.
    pub break_slots: Vec<u32>,
    /// For enterprises: at least this many slots between two of their meetings
    /// (0 = back-to-back allowed). A break slot in between counts like any other slot.
    pub min_gap: u32,
    pub institutions: Vec<Party>,
    pub enterprises: Vec<Party>,
    /// The accepted matches; one pair appears at most once.
    pub matches: Vec<Pair>,
    /// Empty, or one entry per match: where it sat in the last published schedule, so that
    /// re-scheduling keeps what it can.
    pub previous: Vec<Option<Placement>>,
}

/// The scheduler's answer. Every match is either in `placed` or listed in `unplaced`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Per match: where it sits, or `None` when it is listed in `unplaced`.
    pub placed: Vec<Option<Placement>>,
    /// The matches that could not be placed, by ascending index, each with why.
    pub unplaced: Vec<Unplaced>,
    /// No schedule can use fewer slots: the largest of every enterprise's match count and
    /// every institution's `ceil(matches / booths)`.
    pub lower_bound: u32,
    /// The highest used slot + 1 (0 when nothing is placed).
    pub slots_used: u32,
    /// Matches whose previous placement changed (slot or booth, or now unplaced), by
    /// ascending index. Empty when no `previous` was given.
    pub moved: Vec<usize>,
}

/// A match that found no place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unplaced {
    /// Its position in [`Problem::matches`].
    pub index: usize,
    pub reason: Reason,
}

/// Why a match was not placed, so staff know what to change (availability, slots, the gap).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The two sides have no slot both can attend (unavailability and break slots).
    NoCommonSlot,
    /// Every slot both can attend is taken for one side or the other.
    Full,
    /// Some slot was free for both sides, but only ones that would break `min_gap` for the
    /// enterprise.
    Gap,
}

/// Malformed input: the caller built the problem wrongly, so nothing is scheduled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("match {index}: institution {institution} does not exist")]
    UnknownInstitution { index: usize, institution: u32 },
    #[error("match {index}: enterprise {enterprise} does not exist")]
    UnknownEnterprise { index: usize, enterprise: u32 },
    #[error("institution {institution} has no booths")]
    NoBooths { institution: u32 },
    #[error("matches {first} and {second} are the same pair")]
    DuplicatePair { first: usize, second: usize },
    #[error("previous has {found} entries for {expected} matches")]
    PreviousLength { expected: usize, found: usize },
    #[error("{what} names slot {slot}, but the round has {slots} slots")]
    SlotOutOfRange {
        what: &'static str,
        slot: u32,
        slots: u32,
    },
    #[error("{slots} slots is more than the {max} a round may have")]
    TooManySlots { slots: u32, max: u32 },
}

/// Schedules one round. See the module documentation for the two methods behind it.
pub fn schedule(p: &Problem) -> Result<Schedule, ScheduleError> {
    validate(p)?;
    let lower_bound = lower_bound(p);
    let has_previous = p.previous.iter().any(Option::is_some);
    let unconstrained = p.break_slots.is_empty()
        && p.min_gap == 0
        && !has_previous
        && p.institutions.iter().all(|x| x.unavailable.is_empty())
        && p.enterprises.iter().all(|x| x.unavailable.is_empty());
    // The colouring's tables are nodes × lower_bound; past MAX_SLOTS (a party with more
    // meetings than a round can ever have slots) the greedy, sized by slots, is the safe one.
    let placed = if unconstrained && lower_bound <= MAX_SLOTS {
        colouring::colour(p, lower_bound)
    } else {
        placing::place(p)
    };
    let unplaced = placing::explain(p, &placed);
    let slots_used = placed
        .iter()
        .flatten()
        .map(|x| x.slot + 1)
        .max()
        .unwrap_or(0);
    let moved = if has_previous {
        (0..placed.len())
            .filter(|&m| p.previous[m].is_some() && p.previous[m] != placed[m])
            .collect()
    } else {
        Vec::new()
    };
    Ok(Schedule {
        placed,
        unplaced,
        lower_bound,
        slots_used,
        moved,
    })
}

fn validate(p: &Problem) -> Result<(), ScheduleError> {
    if p.slots > MAX_SLOTS {
        return Err(ScheduleError::TooManySlots {
            slots: p.slots,
            max: MAX_SLOTS,
        });
    }
    let slot_in_range = |what: &'static str, slot: u32| {
        if slot < p.slots {
            Ok(())
        } else {
            Err(ScheduleError::SlotOutOfRange {
                what,
                slot,
                slots: p.slots,
            })
        }
    };
    for &s in &p.break_slots {
        slot_in_range("a break", s)?;
    }
    for (i, inst) in p.institutions.iter().enumerate() {
        if inst.booths == 0 {
            return Err(ScheduleError::NoBooths {
                institution: i as u32,
            });
        }
        for &s in &inst.unavailable {
            slot_in_range("an institution's unavailability", s)?;
        }
    }
    for ent in &p.enterprises {
        for &s in &ent.unavailable {
            slot_in_range("an enterprise's unavailability", s)?;
        }
    }
    if !p.previous.is_empty() && p.previous.len() != p.matches.len() {
        return Err(ScheduleError::PreviousLength {
            expected: p.matches.len(),
            found: p.previous.len(),
        });
    }
    let mut seen: HashMap<Pair, usize> = HashMap::with_capacity(p.matches.len());
    for (index, &pair) in p.matches.iter().enumerate() {
        if pair.institution as usize >= p.institutions.len() {
            return Err(ScheduleError::UnknownInstitution {
                index,
                institution: pair.institution,
            });
        }
        if pair.enterprise as usize >= p.enterprises.len() {
            return Err(ScheduleError::UnknownEnterprise {
                index,
                enterprise: pair.enterprise,
            });
        }
        if let Some(first) = seen.insert(pair, index) {
            return Err(ScheduleError::DuplicatePair {
                first,
                second: index,
            });
        }
    }
    Ok(())
}

/// The fewest slots any schedule needs: an enterprise meets one institution per slot, an
/// institution meets `booths` enterprises per slot. Assumes `p` is valid.
fn lower_bound(p: &Problem) -> u32 {
    let mut inst = vec![0u32; p.institutions.len()];
    let mut ent = vec![0u32; p.enterprises.len()];
    for m in &p.matches {
        inst[m.institution as usize] += 1;
        ent[m.enterprise as usize] += 1;
    }
    let by_inst = inst
        .iter()
        .zip(&p.institutions)
        .map(|(&n, x)| n.div_ceil(x.booths));
    by_inst.chain(ent.iter().copied()).max().unwrap_or(0)
}
