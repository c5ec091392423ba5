//! The scheduler's guarantees, checked by hand on small fairs and by property on random ones.

use super::*;
use proptest::prelude::*;

fn inst(booths: u32) -> Party {
    Party {
        booths,
        unavailable: Vec::new(),
    }
}

fn away(unavailable: &[u32]) -> Party {
    Party {
        booths: 1,
        unavailable: unavailable.to_vec(),
    }
}

fn pair(institution: u32, enterprise: u32) -> Pair {
    Pair {
        institution,
        enterprise,
    }
}

fn at(slot: u32, booth: u32) -> Placement {
    Placement { slot, booth }
}

fn reasons(s: &Schedule) -> Vec<(usize, Reason)> {
    s.unplaced.iter().map(|u| (u.index, u.reason)).collect()
}

/// Every constraint of the problem, checked against a schedule. Returns the first breach.
fn breach(p: &Problem, s: &Schedule) -> Option<String> {
    if s.placed.len() != p.matches.len() {
        return Some("placed has the wrong length".into());
    }
    let mut listed = vec![0; p.matches.len()];
    for u in &s.unplaced {
        listed[u.index] += 1;
    }
    for (m, (&times, placed)) in listed.iter().zip(&s.placed).enumerate() {
        if times != usize::from(placed.is_none()) {
            return Some(format!("match {m} is listed {times} times as unplaced"));
        }
    }
    let mut ent_slots: Vec<Vec<u32>> = vec![Vec::new(); p.enterprises.len()];
    let mut booths: std::collections::HashSet<(u32, u32, u32)> = Default::default();
    for (m, placement) in s.placed.iter().enumerate() {
        let Some(x) = placement else { continue };
        let pr = p.matches[m];
        let i = &p.institutions[pr.institution as usize];
        let e = &p.enterprises[pr.enterprise as usize];
        if x.slot >= p.slots || p.break_slots.contains(&x.slot) {
            return Some(format!("match {m} in slot {} outside the round", x.slot));
        }
        if i.unavailable.contains(&x.slot) || e.unavailable.contains(&x.slot) {
            return Some(format!(
                "match {m} in slot {} someone cannot attend",
                x.slot
            ));
        }
        if x.booth >= i.booths {
            return Some(format!(
                "match {m} at booth {} that does not exist",
                x.booth
            ));
        }
        if !booths.insert((pr.institution, x.slot, x.booth)) {
            return Some(format!(
                "booth {} double-booked in slot {}",
                x.booth, x.slot
            ));
        }
        ent_slots[pr.enterprise as usize].push(x.slot);
    }
    for (e, slots) in ent_slots.iter_mut().enumerate() {
        slots.sort_unstable();
        for w in slots.windows(2) {
            if w[1] - w[0] < p.min_gap + 1 {
                return Some(format!(
                    "enterprise {e} meets in slots {} and {}",
                    w[0], w[1]
                ));
            }
        }
    }
    for u in &s.unplaced {
        if let Some(wrong) = wrong_reason(p, s, u) {
            return Some(wrong);
        }
    }
    let used = s
        .placed
        .iter()
        .flatten()
        .map(|x| x.slot + 1)
        .max()
        .unwrap_or(0);
    if used != s.slots_used {
        return Some(format!("slots_used {} but {used} used", s.slots_used));
    }
    None
}

/// For a pair against a schedule, the slow obvious way: the slots both can attend, those
/// of them where the enterprise and a booth are free, and those of them that also keep
/// `min_gap`.
fn slots_for(p: &Problem, placed: &[Option<Placement>], pr: Pair) -> [Vec<u32>; 3] {
    let (i, e) = (pr.institution, pr.enterprise);
    let attends = |party: &Party, slot: u32| !party.unavailable.contains(&slot);
    let common: Vec<u32> = (0..p.slots)
        .filter(|t| !p.break_slots.contains(t))
        .filter(|&t| attends(&p.institutions[i as usize], t))
        .filter(|&t| attends(&p.enterprises[e as usize], t))
        .collect();
    let meetings =
        |slot: u32| (0..placed.len()).filter(move |&m| placed[m].is_some_and(|x| x.slot == slot));
    let ent_in = |slot: u32| meetings(slot).any(|m| p.matches[m].enterprise == e);
    let inst_load = |slot: u32| {
        meetings(slot)
            .filter(|&m| p.matches[m].institution == i)
            .count()
    };
    let too_close = |slot: u32| {
        (0..p.slots)
            .filter(|&t| t != slot && t.abs_diff(slot) <= p.min_gap)
            .any(ent_in)
    };
    let free: Vec<u32> = common
        .iter()
        .copied()
        .filter(|&t| !ent_in(t) && inst_load(t) < p.institutions[i as usize].booths as usize)
        .collect();
    let fitting = free.iter().copied().filter(|&t| !too_close(t)).collect();
    [common, free, fitting]
}

/// Checks an unplaced match's reason against the final schedule. A match left out while a
/// slot was free for it is a breach too.
fn wrong_reason(p: &Problem, s: &Schedule, u: &Unplaced) -> Option<String> {
    let [common, free, fitting] = slots_for(p, &s.placed, p.matches[u.index]);
    let expected = if !fitting.is_empty() {
        return Some(format!("match {} left out with a free slot", u.index));
    } else if common.is_empty() {
        Reason::NoCommonSlot
    } else if free.is_empty() {
        Reason::Full
    } else {
        Reason::Gap
    };
    (u.reason != expected).then(|| format!("match {}: {:?}, not {expected:?}", u.index, u.reason))
}

#[test]
fn the_unconstrained_case_uses_exactly_the_lower_bound() {
    // Institution 0 has two booths and five matches (bound 3); enterprise 0 has three.
    let p = Problem {
        slots: 10,
        institutions: vec![inst(2), inst(1)],
        enterprises: (0..5).map(|_| inst(0)).collect(),
        matches: vec![
            pair(0, 0),
            pair(0, 1),
            pair(0, 2),
            pair(0, 3),
            pair(0, 4),
            pair(1, 0),
            pair(1, 1),
        ],
        ..Problem::default()
    };
    let s = schedule(&p).unwrap();
    assert_eq!(breach(&p, &s), None);
    assert_eq!(s.lower_bound, 3);
    assert_eq!(s.slots_used, 3);
    assert!(s.unplaced.is_empty());
}

#[test]
fn too_few_slots_fills_them_and_reports_the_rest_as_full() {
    // One enterprise with four matches and two slots: two meetings, two left over.
    let p = Problem {
        slots: 2,
        institutions: (0..4).map(|_| inst(1)).collect(),
        enterprises: vec![inst(0)],
        matches: (0..4).map(|i| pair(i, 0)).collect(),
        ..Problem::default()
    };
    let s = schedule(&p).unwrap();
    assert_eq!(breach(&p, &s), None);
    assert_eq!(s.lower_bound, 4);
    assert_eq!(s.slots_used, 2);
    assert_eq!(s.unplaced.len(), 2);
    assert!(s.unplaced.iter().all(|u| u.reason == Reason::Full));
}

#[test]
fn a_party_with_more_matches_than_any_round_has_slots_fills_the_round() {
    let n = MAX_SLOTS + 60;
    let p = Problem {
        slots: 10,
        institutions: (0..n).map(|_| inst(1)).collect(),
        enterprises: vec![inst(0)],
        matches: (0..n).map(|i| pair(i, 0)).collect(),
        ..Problem::default()
    };
    let s = schedule(&p).unwrap();
    assert_eq!(breach(&p, &s), None);
    assert_eq!((s.lower_bound, s.slots_used), (n, 10));
    assert_eq!(s.unplaced.len(), n as usize - 10);
}

#[test]
fn no_common_slot_is_reported_when_the_two_never_overlap() {
    let p = Problem {
        slots: 4,
        break_slots: vec![1],
        institutions: vec![away(&[0])],
        enterprises: vec![away(&[2, 3])],
        matches: vec![pair(0, 0)],
        ..Problem::default()
    };
    let s = schedule(&p).unwrap();
    assert_eq!(reasons(&s), vec![(0, Reason::NoCommonSlot)]);
    assert_eq!(s.placed, vec![None]);
}

#[test]
fn full_is_reported_when_every_common_slot_is_taken() {
    // The enterprise can only come in slot 0, where the institution's one booth is taken by
    // a match that also has only slot 0.
    let p = Problem {
        slots: 3,
        institutions: vec![inst(1)],
        enterprises: vec![away(&[1, 2]), away(&[1, 2])],
        matches: vec![pair(0, 0), pair(0, 1)],
        ..Problem::default()
    };
    let s = schedule(&p).unwrap();
    assert_eq!(breach(&p, &s), None);
    assert_eq!(s.unplaced.len(), 1);
    assert_eq!(s.unplaced[0].reason, Reason::Full);
}

#[test]
fn gap_is_reported_when_only_slots_too_close_are_free() {
    // Enterprise 0 meets institution 0 in slot 1 (its only slot); institution 1 can only
    // do slots 0 and 2, both next to it, and the gap is 1.
    let p = Problem {
        slots: 3,
        min_gap: 1,
        institutions: vec![away(&[0, 2]), away(&[1])],
        enterprises: vec![inst(0)],
        matches: vec![pair(0, 0), pair(1, 0)],
        ..Problem::default()
    };
    let s = schedule(&p).unwrap();
    assert_eq!(breach(&p, &s), None);
    assert_eq!(s.placed[0], Some(at(1, 0)));
    assert_eq!(reasons(&s), vec![(1, Reason::Gap)]);
}

#[test]
fn break_slots_are_never_used() {
    let p = Problem {
        slots: 3,
        break_slots: vec![0, 1],
        institutions: vec![inst(3)],
        enterprises: (0..3).map(|_| inst(0)).collect(),
        matches: (0..3).map(|e| pair(0, e)).collect(),
        ..Problem::default()
    };
    let s = schedule(&p).unwrap();
    assert_eq!(breach(&p, &s), None);
    assert!(s.placed.iter().all(|x| x.is_some_and(|x| x.slot == 2)));
}

#[test]
fn repair_moves_a_flexible_meeting_out_of_the_only_slot_of_another() {
    // Greedy could put (0,0) in slot 0; then (0,1), which only has slot 0, needs it moved.
    // Placing the most constrained first avoids that, so force it with a previous schedule.
    let p = Problem {
        slots: 2,
        institutions: vec![inst(1)],
        enterprises: vec![inst(0), away(&[1])],
        matches: vec![pair(0, 0), pair(0, 1)],
        previous: vec![Some(at(0, 0)), None],
        ..Problem::default()
    };
    let s = schedule(&p).unwrap();
    assert_eq!(breach(&p, &s), None);
    assert_eq!(s.placed, vec![Some(at(1, 0)), Some(at(0, 0))]);
    assert_eq!(s.moved, vec![0]);
}

/// A fair with room to spare, scheduled once, to re-schedule after a change.
fn roomy_fair() -> Problem {
    Problem {
        slots: 8,
        break_slots: vec![4],
        min_gap: 0,
        institutions: vec![inst(2), inst(1), away(&[0, 1])],
        enterprises: vec![inst(0), inst(0), away(&[7]), inst(0)],
        matches: vec![
            pair(0, 0),
            pair(0, 1),
            pair(0, 2),
            pair(1, 0),
            pair(1, 3),
            pair(2, 1),
            pair(2, 2),
        ],
        previous: Vec::new(),
    }
}

#[test]
fn adding_a_match_to_a_schedule_with_room_moves_nothing() {
    let mut p = roomy_fair();
    let first = schedule(&p).unwrap();
    assert!(first.unplaced.is_empty());
    p.matches.push(pair(2, 3));
    p.previous = first.placed.clone();
    p.previous.push(None);
    let second = schedule(&p).unwrap();
    assert_eq!(breach(&p, &second), None);
    assert!(second.moved.is_empty());
    assert_eq!(&second.placed[..first.placed.len()], &first.placed[..]);
    assert!(second.placed[first.placed.len()].is_some());
}

#[test]
fn removing_a_match_moves_nothing() {
    let mut p = roomy_fair();
    let first = schedule(&p).unwrap();
    p.matches.remove(2);
    let mut previous = first.placed.clone();
    previous.remove(2);
    p.previous = previous.clone();
    let second = schedule(&p).unwrap();
    assert_eq!(breach(&p, &second), None);
    assert!(second.moved.is_empty());
    assert_eq!(second.placed, previous);
}

#[test]
fn a_previous_placement_that_became_invalid_is_moved_and_reported() {
    let mut p = roomy_fair();
    let first = schedule(&p).unwrap();
    let slot = first.placed[4].unwrap().slot;
    p.enterprises[3].unavailable.push(slot);
    p.previous = first.placed.clone();
    let second = schedule(&p).unwrap();
    assert_eq!(breach(&p, &second), None);
    assert_eq!(second.moved, vec![4]);
    assert_ne!(second.placed[4].unwrap().slot, slot);
}

#[test]
fn malformed_problems_are_refused() {
    let good = roomy_fair();
    let mut p = good.clone();
    p.matches.push(pair(9, 0));
    assert!(matches!(
        schedule(&p),
        Err(ScheduleError::UnknownInstitution { institution: 9, .. })
    ));
    let mut p = good.clone();
    p.matches.push(pair(0, 9));
    assert!(matches!(
        schedule(&p),
        Err(ScheduleError::UnknownEnterprise { enterprise: 9, .. })
    ));
    let mut p = good.clone();
    p.institutions[1].booths = 0;
    assert_eq!(
        schedule(&p),
        Err(ScheduleError::NoBooths { institution: 1 })
    );
    let mut p = good.clone();
    p.matches.push(pair(1, 3));
    assert_eq!(
        schedule(&p),
        Err(ScheduleError::DuplicatePair {
            first: 4,
            second: 7
        })
    );
    let mut p = good.clone();
    p.previous = vec![None];
    assert_eq!(
        schedule(&p),
        Err(ScheduleError::PreviousLength {
            expected: 7,
            found: 1
        })
    );
    let mut p = good.clone();
    p.break_slots.push(8);
    assert!(matches!(
        schedule(&p),
        Err(ScheduleError::SlotOutOfRange { slot: 8, .. })
    ));
    let mut p = good;
    p.slots = MAX_SLOTS + 1;
    assert!(matches!(
        schedule(&p),
        Err(ScheduleError::TooManySlots { .. })
    ));
}

#[test]
fn an_empty_round_schedules_nothing() {
    let s = schedule(&Problem::default()).unwrap();
    assert_eq!((s.lower_bound, s.slots_used), (0, 0));
    assert!(s.placed.is_empty() && s.unplaced.is_empty());
}

/// Random fairs: `size` bounds the number of parties; `constrained` adds unavailability,
/// breaks and a gap.
fn fair(size: usize, constrained: bool) -> impl Strategy<Value = Problem> {
    let sizes = (1..=size, 1..=size * 2, 1u32..=24);
    sizes.prop_flat_map(move |(ni, ne, slots)| {
        let avail = if constrained {
            prop::collection::vec(0..slots, 0..=(slots as usize / 2)).boxed()
        } else {
            Just(Vec::new()).boxed()
        };
        let institutions = prop::collection::vec(
            (1u32..=3, avail.clone()).prop_map(|(booths, unavailable)| Party {
                booths,
                unavailable,
            }),
            ni,
        );
        let enterprises = prop::collection::vec(
            avail.clone().prop_map(|unavailable| Party {
                booths: 0,
                unavailable,
            }),
            ne,
        );
        let density = 0.05f64..0.6;
        let matches =
            (prop::collection::vec(0.0f64..1.0, ni * ne), density).prop_map(move |(coins, d)| {
                let mut out = Vec::new();
                for i in 0..ni {
                    for e in 0..ne {
                        if coins[i * ne + e] < d {
                            out.push(pair(i as u32, e as u32));
                        }
                    }
                }
                out
            });
        let breaks = if constrained {
            prop::collection::vec(0..slots, 0..=2).boxed()
        } else {
            Just(Vec::new()).boxed()
        };
        let gap = if constrained {
            (0u32..=2).boxed()
        } else {
            Just(0u32).boxed()
        };
        (institutions, enterprises, matches, breaks, gap).prop_map(
            move |(institutions, enterprises, matches, break_slots, min_gap)| Problem {
                slots,
                break_slots,
                min_gap,
                institutions,
                enterprises,
                matches,
                previous: Vec::new(),
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn small_unconstrained_fairs_use_the_lower_bound(mut p in fair(5, false)) {
        p.slots = p.slots.max(lower_bound(&p));
        let s = schedule(&p).unwrap();
        prop_assert_eq!(breach(&p, &s), None);
        prop_assert_eq!(s.slots_used, s.lower_bound);
        prop_assert!(s.unplaced.is_empty());
    }

    #[test]
    fn small_unconstrained_fairs_with_too_few_slots_stay_valid(p in fair(5, false)) {
        let s = schedule(&p).unwrap();
        prop_assert_eq!(breach(&p, &s), None);
        prop_assert!(s.unplaced.iter().all(|u| u.reason == Reason::Full));
        if p.slots >= s.lower_bound {
            prop_assert!(s.unplaced.is_empty());
        }
    }

    #[test]
    fn small_constrained_fairs_never_break_a_constraint(p in fair(5, true)) {
        let s = schedule(&p).unwrap();
        prop_assert_eq!(breach(&p, &s), None);
    }

    #[test]
    fn removing_matches_moves_nothing(
        p in fair(5, true),
        drop in prop::collection::vec(any::<bool>(), 0..200),
    ) {
        let first = schedule(&p).unwrap();
        // Remove some matches (and those that found no place, which re-scheduling would
        // rightly try again, maybe by moving others) and re-schedule with the old placements.
        let mut q = p.clone();
        let keep: Vec<usize> = (0..p.matches.len())
            .filter(|&m| first.placed[m].is_some() && !drop.get(m).copied().unwrap_or(false))
            .collect();
        q.matches = keep.iter().map(|&m| p.matches[m]).collect();
        q.previous = keep.iter().map(|&m| first.placed[m]).collect();
        let second = schedule(&q).unwrap();
        prop_assert_eq!(breach(&q, &second), None);
        prop_assert!(second.moved.is_empty(), "moved {:?}", second.moved);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn adding_a_match_that_fits_moves_nothing(
        p in fair(5, true),
        institution in any::<prop::sample::Index>(),
        enterprise in any::<prop::sample::Index>(),
    ) {
        let first = schedule(&p).unwrap();
        let new = pair(
            institution.index(p.institutions.len()) as u32,
            enterprise.index(p.enterprises.len()) as u32,
        );
        prop_assume!(!p.matches.contains(&new));
        // Only the placed matches, so nothing else is waiting to be placed.
        let keep: Vec<usize> = (0..p.matches.len()).filter(|&m| first.placed[m].is_some()).collect();
        let mut q = p.clone();
        q.matches = keep.iter().map(|&m| p.matches[m]).collect();
        q.previous = keep.iter().map(|&m| first.placed[m]).collect();
        let [_, _, fitting] = slots_for(&q, &q.previous, new);
        q.matches.push(new);
        q.previous.push(None);
        let second = schedule(&q).unwrap();
        prop_assert_eq!(breach(&q, &second), None);
        if !fitting.is_empty() {
            prop_assert!(second.moved.is_empty(), "moved {:?}", second.moved);
            prop_assert!(second.placed[keep.len()].is_some());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn medium_unconstrained_fairs_use_the_lower_bound(mut p in fair(30, false)) {
        p.slots = p.slots.max(lower_bound(&p));
        let s = schedule(&p).unwrap();
        prop_assert_eq!(breach(&p, &s), None);
        prop_assert_eq!(s.slots_used, s.lower_bound);
        prop_assert!(s.unplaced.is_empty());
    }

    #[test]
    fn medium_constrained_fairs_never_break_a_constraint(p in fair(30, true)) {
        let s = schedule(&p).unwrap();
        prop_assert_eq!(breach(&p, &s), None);
    }
}
