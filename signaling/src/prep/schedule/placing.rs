//! The constrained case (unavailability, break slots, a minimum gap, a previous schedule to
//! keep): a greedy that never breaks a constraint, and a bounded repair for what it misses.
//!
//! Order: previous placements that are still valid are kept first, so re-scheduling only
//! disturbs what it must. The rest go most-constrained-first (fewest slots both sides can
//! attend) into the lowest slot that fits. A match with no such slot may bump up to
//! [`MAX_BLOCKERS`] meetings out of one of its slots if each of them can be placed again
//! elsewhere, recursively to [`REPAIR_DEPTH`], within [`REPAIR_BUDGET`] tries; every move is
//! journalled, so a failed attempt is rolled back exactly.

use super::{Placement, Problem, Reason, Unplaced};

const NONE: u32 = u32::MAX;

/// How deep a chain of bumped meetings may go. Depth 2 (bump a meeting, which may bump one
/// more) recovers most of what greedy misses; deeper chains cost far more than they place.
const REPAIR_DEPTH: u32 = 2;

/// A slot is only worth clearing if at most this many meetings stand in the way.
const MAX_BLOCKERS: usize = 2;

/// Repair attempts (one slot with one choice of blockers) per match, so a hopeless match
/// at national scale costs microseconds, not seconds.
const REPAIR_BUDGET: u32 = 200;

/// Places what it can; the `None`s are explained afterwards by [`explain`]. `p` must be
/// valid.
pub(super) fn place(p: &Problem) -> Vec<Option<Placement>> {
    let mut board = Board::new(p);
    for (m, previous) in p.previous.iter().enumerate() {
        if let Some(at) = *previous {
            if board.can_keep(m, at) {
                board.assign(m, at);
            }
        }
    }
    board.journal.clear();

    let (inst_degree, ent_degree) = degrees(p);
    let mut order: Vec<usize> = (0..p.matches.len())
        .filter(|&m| board.placed[m].is_none())
        .collect();
    order.sort_by_key(|&m| {
        let pair = p.matches[m];
        let i = pair.institution as usize;
        let pressure = ent_degree[pair.enterprise as usize]
            + inst_degree[i].div_ceil(p.institutions[i].booths);
        (board.common_count(m), std::cmp::Reverse(pressure))
    });

    let mut failed = Vec::new();
    for m in order {
        board.budget = REPAIR_BUDGET;
        if !board.place(m, REPAIR_DEPTH) {
            failed.push(m);
        }
        board.journal.clear();
    }
    // Repairs for later matches may have opened a slot for an earlier failure.
    for m in failed {
        if let Some(at) = board.first_fit(m) {
            board.assign(m, at);
        }
    }
    board.placed
}

/// Says why each unplaced match has no place, judged against the final schedule.
pub(super) fn explain(p: &Problem, placed: &[Option<Placement>]) -> Vec<Unplaced> {
    // The board costs parties × slots to build; most schedules do not need it.
    if placed.iter().all(Option::is_some) {
        return Vec::new();
    }
    let mut board = Board::new(p);
    for (m, at) in placed.iter().enumerate() {
        if let Some(at) = *at {
            board.assign(m, at);
        }
    }
    placed
        .iter()
        .enumerate()
        .filter(|(_, at)| at.is_none())
        .map(|(index, _)| Unplaced {
            index,
            reason: board.reason(index),
        })
        .collect()
}

fn degrees(p: &Problem) -> (Vec<u32>, Vec<u32>) {
    let mut inst = vec![0u32; p.institutions.len()];
    let mut ent = vec![0u32; p.enterprises.len()];
    for m in &p.matches {
        inst[m.institution as usize] += 1;
        ent[m.enterprise as usize] += 1;
    }
    (inst, ent)
}

/// How a match stands against one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fit {
    Free,
    /// The enterprise meets someone in it, or every booth of the institution is taken.
    Taken,
    /// Free for both, but the enterprise meets someone less than `min_gap` slots away.
    GapOnly,
}

/// Undo records for a repair attempt.
enum Change {
    Added(usize),
    Removed(usize, Placement),
}

/// Who meets whom in which slot, as flat tables indexed `party * slots + slot`.
struct Board<'a> {
    p: &'a Problem,
    slots: usize,
    gap: usize,
    /// Bitsets of slots each side can attend (break slots already removed), `words` each.
    words: usize,
    inst_open: Vec<u64>,
    ent_open: Vec<u64>,
    /// The match an enterprise has in a slot.
    ent_at: Vec<u32>,
    /// An institution's meetings in a slot live in its rows (`min(booths, matches)` of
    /// them, any order); the booth number is in `placed`.
    row_first: Vec<usize>,
    rows: Vec<usize>,
    inst_at: Vec<u32>,
    load: Vec<u32>,
    placed: Vec<Option<Placement>>,
    journal: Vec<Change>,
    locked: Vec<bool>,
    budget: u32,
}

impl<'a> Board<'a> {
    fn new(p: &'a Problem) -> Board<'a> {
        let slots = p.slots as usize;
        let words = slots.div_ceil(64).max(1);
        let mut all = vec![0u64; words];
        for s in 0..slots {
            all[s / 64] |= 1 << (s % 64);
        }
        for &s in &p.break_slots {
            all[s as usize / 64] &= !(1 << (s % 64));
        }
        let open = |parties: &[super::Party]| {
            let mut bits = Vec::with_capacity(parties.len() * words);
            for party in parties {
                let start = bits.len();
                bits.extend_from_slice(&all);
                for &s in &party.unavailable {
                    bits[start + s as usize / 64] &= !(1 << (s % 64));
                }
            }
            bits
        };
        let (inst_degree, _) = degrees(p);
        let rows: Vec<usize> = inst_degree
            .iter()
            .zip(&p.institutions)
            .map(|(&d, x)| d.min(x.booths) as usize)
            .collect();
        let mut row_first = Vec::with_capacity(rows.len());
        let mut total = 0;
        for &r in &rows {
            row_first.push(total);
            total += r;
        }
        Board {
            p,
            slots,
            gap: p.min_gap as usize,
            words,
            inst_open: open(&p.institutions),
            ent_open: open(&p.enterprises),
            ent_at: vec![NONE; p.enterprises.len() * slots],
            row_first,
            rows,
            inst_at: vec![NONE; total * slots],
            load: vec![0; p.institutions.len() * slots],
            placed: vec![None; p.matches.len()],
            journal: Vec::new(),
            locked: vec![false; p.matches.len()],
            budget: 0,
        }
    }

    fn ends(&self, m: usize) -> (usize, usize) {
        let pair = self.p.matches[m];
        (pair.institution as usize, pair.enterprise as usize)
    }

    fn common_word(&self, m: usize, w: usize) -> u64 {
        let (i, e) = self.ends(m);
        self.inst_open[i * self.words + w] & self.ent_open[e * self.words + w]
    }

    fn common_count(&self, m: usize) -> u32 {
        (0..self.words)
            .map(|w| self.common_word(m, w).count_ones())
            .sum()
    }

    /// The slots both sides of `m` can attend, ascending.
    fn common(&self, m: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for w in 0..self.words {
            let mut bits = self.common_word(m, w);
            while bits != 0 {
                out.push(w * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        out
    }

    /// The enterprise's slots that must be empty for it to meet in `s`.
    fn window(&self, s: usize) -> std::ops::RangeInclusive<usize> {
        s.saturating_sub(self.gap)..=(s.saturating_add(self.gap)).min(self.slots - 1)
    }

    fn fit(&self, m: usize, s: usize) -> Fit {
        let (i, e) = self.ends(m);
        let row = e * self.slots;
        if self.ent_at[row + s] != NONE
            || self.load[i * self.slots + s] >= self.p.institutions[i].booths
        {
            return Fit::Taken;
        }
        if self.window(s).any(|t| self.ent_at[row + t] != NONE) {
            return Fit::GapOnly;
        }
        Fit::Free
    }

    fn meeting_rows(&self, i: usize, s: usize) -> impl Iterator<Item = usize> + '_ {
        (self.row_first[i]..self.row_first[i] + self.rows[i]).map(move |r| r * self.slots + s)
    }

    fn booth_taken(&self, i: usize, s: usize, booth: u32) -> bool {
        self.meeting_rows(i, s).any(|cell| {
            let x = self.inst_at[cell];
            x != NONE && self.placed[x as usize].is_some_and(|at| at.booth == booth)
        })
    }

    /// The lowest booth of `i` free in `s`; only called when fewer than `booths` are taken.
    fn free_booth(&self, i: usize, s: usize) -> u32 {
        (0..)
            .find(|&b| !self.booth_taken(i, s, b))
            .expect("a booth is free")
    }

    fn can_keep(&self, m: usize, at: Placement) -> bool {
        let (i, _) = self.ends(m);
        let s = at.slot as usize;
        at.slot < self.p.slots
            && self.common_word(m, s / 64) & (1 << (s % 64)) != 0
            && at.booth < self.p.institutions[i].booths
            && self.fit(m, s) == Fit::Free
            && !self.booth_taken(i, s, at.booth)
    }

    fn first_fit(&self, m: usize) -> Option<Placement> {
        let (i, _) = self.ends(m);
        for w in 0..self.words {
            let mut bits = self.common_word(m, w);
            while bits != 0 {
                let s = w * 64 + bits.trailing_zeros() as usize;
                if self.fit(m, s) == Fit::Free {
                    return Some(Placement {
                        slot: s as u32,
                        booth: self.free_booth(i, s),
                    });
                }
                bits &= bits - 1;
            }
        }
        None
    }

    fn assign(&mut self, m: usize, at: Placement) {
        self.put(m, at);
        self.journal.push(Change::Added(m));
    }

    fn remove(&mut self, m: usize) {
        let at = self.take(m);
        self.journal.push(Change::Removed(m, at));
    }

    fn put(&mut self, m: usize, at: Placement) {
        let (i, e) = self.ends(m);
        let s = at.slot as usize;
        self.ent_at[e * self.slots + s] = m as u32;
        let cell = self
            .meeting_rows(i, s)
            .find(|&c| self.inst_at[c] == NONE)
            .expect("a row per possible meeting");
        self.inst_at[cell] = m as u32;
        self.load[i * self.slots + s] += 1;
        self.placed[m] = Some(at);
    }

    fn take(&mut self, m: usize) -> Placement {
        let at = self.placed[m]
            .take()
            .expect("only placed meetings are removed");
        let (i, e) = self.ends(m);
        let s = at.slot as usize;
        self.ent_at[e * self.slots + s] = NONE;
        let cell = self
            .meeting_rows(i, s)
            .find(|&c| self.inst_at[c] == m as u32)
            .expect("a placed meeting has a row");
        self.inst_at[cell] = NONE;
        self.load[i * self.slots + s] -= 1;
        at
    }

    fn rollback(&mut self, mark: usize) {
        while self.journal.len() > mark {
            match self.journal.pop().expect("longer than mark") {
                Change::Added(m) => {
                    self.take(m);
                }
                Change::Removed(m, at) => self.put(m, at),
            }
        }
    }

    /// Places `m`, bumping others if needed; on failure the board is as it was.
    fn place(&mut self, m: usize, depth: u32) -> bool {
        if let Some(at) = self.first_fit(m) {
            self.assign(m, at);
            return true;
        }
        if depth == 0 {
            return false;
        }
        self.locked[m] = true;
        let done = self.repair(m, depth);
        self.locked[m] = false;
        done
    }

    fn repair(&mut self, m: usize, depth: u32) -> bool {
        let (i, e) = self.ends(m);
        for s in self.common(m) {
            let ent_row = e * self.slots;
            let in_way: Vec<u32> = self
                .window(s)
                .map(|t| self.ent_at[ent_row + t])
                .filter(|&x| x != NONE)
                .collect();
            if in_way.iter().any(|&x| self.locked[x as usize]) {
                continue;
            }
            let inst_full = self.load[i * self.slots + s] >= self.p.institutions[i].booths;
            if in_way.len() + usize::from(inst_full) > MAX_BLOCKERS {
                continue;
            }
            // Which of the institution's meetings in `s` gives up its booth, if one must.
            let choices: Vec<u32> = if inst_full {
                self.meeting_rows(i, s)
                    .map(|c| self.inst_at[c])
                    .filter(|&x| x != NONE && !self.locked[x as usize])
                    .collect()
            } else {
                vec![NONE]
            };
            for choice in choices {
                if self.budget == 0 {
                    return false;
                }
                self.budget -= 1;
                let mark = self.journal.len();
                let mut bumped = in_way.clone();
                if choice != NONE {
                    bumped.push(choice);
                }
                for &x in &bumped {
                    self.remove(x as usize);
                }
                let booth = self.free_booth(i, s);
                self.assign(
                    m,
                    Placement {
                        slot: s as u32,
                        booth,
                    },
                );
                if bumped.iter().all(|&x| self.place(x as usize, depth - 1)) {
                    return true;
                }
                self.rollback(mark);
            }
        }
        false
    }

    /// Why `m` (unplaced) has no place on this board.
    fn reason(&self, m: usize) -> Reason {
        let slots = self.common(m);
        if slots.is_empty() {
            return Reason::NoCommonSlot;
        }
        let fits: Vec<Fit> = slots.iter().map(|&s| self.fit(m, s)).collect();
        debug_assert!(
            !fits.contains(&Fit::Free),
            "match {m} was left out with a free slot"
        );
        if fits.contains(&Fit::GapOnly) {
            Reason::Gap
        } else {
            Reason::Full
        }
    }
}
