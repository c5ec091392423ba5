//! The scheduler at national scale (2,000 institutions with 1–3 booths, 10,000 enterprises,
//! 50,000 matches), seeded so every run schedules the same fair. Prints one line per figure.
//!
//! Run: `cargo bench -p sangdam-signaling --bench schedule`.

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use sangdam_signaling::prep::schedule::{schedule, Pair, Party, Problem, Reason, Schedule};
use std::collections::HashSet;
use std::time::{Duration, Instant};

const INSTITUTIONS: u32 = 2_000;
const ENTERPRISES: u32 = 10_000;
const MATCHES: usize = 50_000;
const RUNS: usize = 7;

fn national(rng: &mut StdRng) -> Problem {
    let institutions = (0..INSTITUTIONS)
        .map(|_| Party {
            booths: rng.random_range(1..=3),
            unavailable: Vec::new(),
        })
        .collect();
    let enterprises = (0..ENTERPRISES).map(|_| Party::default()).collect();
    let mut seen = HashSet::with_capacity(MATCHES);
    let mut matches = Vec::with_capacity(MATCHES);
    while matches.len() < MATCHES {
        let pair = Pair {
            institution: rng.random_range(0..INSTITUTIONS),
            enterprise: rng.random_range(0..ENTERPRISES),
        };
        if seen.insert(pair) {
            matches.push(pair);
        }
    }
    Problem {
        slots: 1_000,
        institutions,
        enterprises,
        matches,
        ..Problem::default()
    }
}

/// Gives `share` of all parties a random 20–40 % of the slots they cannot attend.
fn limit_availability(p: &mut Problem, share: f64, rng: &mut StdRng) {
    let slots = p.slots as usize;
    for party in p.institutions.iter_mut().chain(p.enterprises.iter_mut()) {
        if rng.random_bool(share) {
            let share = rng.random_range(0.2..=0.4);
            let n = (slots as f64 * share).round() as usize;
            party.unavailable = sample(rng, slots, n).iter().map(|s| s as u32).collect();
        }
    }
}

/// The fastest and the median of `RUNS` runs, and the last answer.
fn time(p: &Problem) -> (Duration, Duration, Schedule) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let s = schedule(p).expect("a valid problem");
        times.push(start.elapsed());
        last = Some(s);
    }
    times.sort();
    (times[0], times[RUNS / 2], last.expect("RUNS > 0"))
}

/// A floor on how many matches no schedule can place: per side, every party's matches
/// beyond (slots it can attend × booths). Matches of different institutions are distinct
/// (and so for enterprises), so each side's sum is a floor; the larger one is reported.
fn forced_out(p: &Problem) -> usize {
    let open = |party: &Party| {
        let mut away: Vec<u32> = party.unavailable.clone();
        away.extend(&p.break_slots);
        away.sort_unstable();
        away.dedup();
        p.slots as usize - away.len()
    };
    let mut inst = vec![0usize; p.institutions.len()];
    let mut ent = vec![0usize; p.enterprises.len()];
    for m in &p.matches {
        inst[m.institution as usize] += 1;
        ent[m.enterprise as usize] += 1;
    }
    let by_inst: usize = (inst.iter().zip(&p.institutions))
        .map(|(&d, x)| d.saturating_sub(open(x) * x.booths as usize))
        .sum();
    let by_ent: usize = (ent.iter().zip(&p.enterprises))
        .map(|(&d, x)| d.saturating_sub(open(x)))
        .sum();
    by_inst.max(by_ent)
}

fn report(name: &str, p: &Problem, (fastest, median, s): &(Duration, Duration, Schedule)) {
    let placed = s.placed.iter().flatten().count();
    let count = |r: Reason| s.unplaced.iter().filter(|u| u.reason == r).count();
    println!(
        "{name}: {:.1} ms (median {:.1} ms), slots {} of {} (lower bound {}), placed {placed}/{} ({:.2} %), unplaced: full {}, gap {}, no common slot {} (no schedule places more than {})",
        fastest.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        s.slots_used,
        p.slots,
        s.lower_bound,
        p.matches.len(),
        100.0 * placed as f64 / p.matches.len() as f64,
        count(Reason::Full),
        count(Reason::Gap),
        count(Reason::NoCommonSlot),
        p.matches.len() - forced_out(p),
    );
}

fn main() {
    let mut rng = StdRng::seed_from_u64(20261202);
    let fair = national(&mut rng);
    println!(
        "fair: {INSTITUTIONS} institutions (1-3 booths), {ENTERPRISES} enterprises, {MATCHES} matches, {RUNS} runs each"
    );

    let unconstrained = time(&fair);
    report("unconstrained", &fair, &unconstrained);
    assert_eq!(unconstrained.2.slots_used, unconstrained.2.lower_bound);
    let bound = unconstrained.2.lower_bound;

    let mut short = fair.clone();
    short.slots = bound - 2;
    report("unconstrained, 2 slots short", &short, &time(&short));

    let mut limited = fair.clone();
    limited.slots = bound + 3;
    limit_availability(&mut limited, 0.2, &mut rng);
    report("20 % limited, bound + 3 slots", &limited, &time(&limited));

    let mut roomier = fair.clone();
    roomier.slots = bound + 8;
    limit_availability(&mut roomier, 0.2, &mut StdRng::seed_from_u64(7));
    report("20 % limited, bound + 8 slots", &roomier, &time(&roomier));

    let mut lunch = fair.clone();
    lunch.slots = 2 * bound + 4;
    lunch.break_slots = vec![lunch.slots / 2];
    lunch.min_gap = 1;
    limit_availability(&mut lunch, 0.2, &mut StdRng::seed_from_u64(11));
    report(
        "20 % limited, lunch break, min_gap 1, 2 x bound + 4 slots",
        &lunch,
        &time(&lunch),
    );

    // A stress case beyond the brief: half the parties limited, and no slot to spare.
    let mut tight = fair.clone();
    tight.slots = bound;
    limit_availability(&mut tight, 0.5, &mut StdRng::seed_from_u64(13));
    report("50 % limited, bound slots", &tight, &time(&tight));

    // Re-scheduling: 500 new matches (1 %) added to the limited fair's schedule.
    let first = time(&limited).2;
    let mut again = limited.clone();
    again.previous = first.placed.clone();
    let mut seen: HashSet<Pair> = again.matches.iter().copied().collect();
    while again.matches.len() < MATCHES + 500 {
        let pair = Pair {
            institution: rng.random_range(0..INSTITUTIONS),
            enterprise: rng.random_range(0..ENTERPRISES),
        };
        if seen.insert(pair) {
            again.matches.push(pair);
            again.previous.push(None);
        }
    }
    let rescheduled = time(&again);
    report("re-schedule + 500 matches", &again, &rescheduled);
    println!(
        "re-schedule + 500 matches: moved {} of {} previously placed",
        rescheduled.2.moved.len(),
        first.placed.iter().flatten().count()
    );
}
