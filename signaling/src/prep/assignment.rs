//! The whole proposed set of matches for a fair: the best total relevance that the
//! institutions' booth slots and the enterprises' meeting limits allow, found exactly.
//!
//! Staff ask for one set of matches at once, not one match at a time, so this is
//! maximum-weight b-matching on the bipartite candidate graph (institutions on the left,
//! enterprises on the right, each pair at most once). It is solved as a min-cost flow:
//! source → institution (capacity = its meetings, cost 0), institution → enterprise
//! (capacity 1, cost −relevance), enterprise → sink (capacity = its meetings, cost 0).
//! We want the cheapest flow of *any* size, so augmenting stops as soon as the cheapest
//! augmenting path no longer has negative cost.
//!
//! One Dijkstra per unit of flow would mean ~50,000 Dijkstras at fair scale. Instead each
//! Dijkstra (on Johnson-reduced costs) is followed by a Dinic-style blocking flow along
//! every zero-reduced-cost arc, so one phase carries every augmenting path of the current
//! cheapest cost. Relevance is a small integer, and path costs only rise, so there are few
//! phases (at most one per distinct path cost).
//!
//! Everything is index-based: the caller maps institution and enterprise ids to indices
//! and back, which keeps this module free of the fair's types and easy to test.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use thiserror::Error;

/// The largest relevance a candidate may carry. Potentials are sums of at most one weight
/// per node along a path, so this bound keeps them well inside `i64`. (Weights at or below
/// zero are never used, so they may be anything.)
pub const MAX_WEIGHT: i64 = 1_000_000_000;

/// A whole-set matching question: how many meetings each side can hold, and which pairs
/// are worth meeting.
///
/// The network is indexed with `u32`, which bounds a problem at about two billion
/// institutions, enterprises and candidates together — far beyond any fair.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    /// Per institution (left index): booths × slots, the meetings it can hold.
    pub left_caps: Vec<u32>,
    /// Per enterprise (right index): the most meetings it accepts.
    pub right_caps: Vec<u32>,
    /// The candidate pairs; at most one per (left, right).
    pub edges: Vec<Candidate>,
}

/// One candidate meeting and how relevant it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub left: u32,
    pub right: u32,
    /// Only candidates with a positive weight are worth taking; the others are never chosen.
    pub weight: i64,
}

/// A proposed set of matches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Solution {
    /// Indices into [`Problem::edges`], ascending.
    pub chosen: Vec<usize>,
    /// The sum of the chosen candidates' weights.
    pub total: i64,
}

/// Why a problem cannot be solved as given.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssignmentError {
    #[error("candidate {edge} names institution {left}, but there are only {count}")]
    LeftOutOfRange {
        edge: usize,
        left: u32,
        count: usize,
    },
    #[error("candidate {edge} names enterprise {right}, but there are only {count}")]
    RightOutOfRange {
        edge: usize,
        right: u32,
        count: usize,
    },
    /// Reported for the lowest `second` index that repeats an earlier candidate.
    #[error(
        "candidates {first} and {second} both pair institution {left} with enterprise {right}"
    )]
    DuplicatePair {
        first: usize,
        second: usize,
        left: u32,
        right: u32,
    },
    #[error("candidate {edge} has weight {weight}, above the maximum {MAX_WEIGHT}")]
    WeightTooLarge { edge: usize, weight: i64 },
}

/// The exact optimum: the feasible set of candidates with the largest total weight.
///
/// Deterministic: the same problem always gives the same set. Among several optimal sets
/// the one returned depends on the search order (candidates are explored in index order),
/// not on anything random.
pub fn solve(p: &Problem) -> Result<Solution, AssignmentError> {
    validate(p)?;
    let mut flow = Flow::build(p);
    flow.run();
    Ok(flow.solution(p))
}

/// The baseline staff would get without the solver: candidates by weight, highest first
/// (ties by index), each taken if both sides still have room.
///
/// It never fails: a candidate naming an unknown index is skipped, and a repeated pair is
/// taken at most once, so it can also serve as a fallback on an invalid problem.
pub fn greedy(p: &Problem) -> Solution {
    let mut order: Vec<usize> = (0..p.edges.len())
        .filter(|&i| p.edges[i].weight > 0)
        .collect();
    // Stable sort: equal weights stay in index order.
    order.sort_by_key(|&i| Reverse(p.edges[i].weight));
    let mut left = p.left_caps.clone();
    let mut right = p.right_caps.clone();
    let mut taken_pairs = HashSet::new();
    let mut chosen = Vec::new();
    for i in order {
        let e = p.edges[i];
        let (l, r) = (e.left as usize, e.right as usize);
        if l >= left.len() || r >= right.len() || left[l] == 0 || right[r] == 0 {
            continue;
        }
        if !taken_pairs.insert((e.left, e.right)) {
            continue;
        }
        left[l] -= 1;
        right[r] -= 1;
        chosen.push(i);
    }
    chosen.sort_unstable();
    let total = chosen.iter().map(|&i| p.edges[i].weight).sum();
    Solution { chosen, total }
}

fn validate(p: &Problem) -> Result<(), AssignmentError> {
    for (edge, e) in p.edges.iter().enumerate() {
        if e.left as usize >= p.left_caps.len() {
            return Err(AssignmentError::LeftOutOfRange {
                edge,
                left: e.left,
                count: p.left_caps.len(),
            });
        }
        if e.right as usize >= p.right_caps.len() {
            return Err(AssignmentError::RightOutOfRange {
                edge,
                right: e.right,
                count: p.right_caps.len(),
            });
        }
        if e.weight > MAX_WEIGHT {
            return Err(AssignmentError::WeightTooLarge {
                edge,
                weight: e.weight,
            });
        }
    }
    // Sorting packed keys is much cheaper than hashing 300k pairs, and gives a
    // deterministic choice of which duplicate to report.
    let mut keys: Vec<(u64, usize)> = p
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| ((u64::from(e.left) << 32) | u64::from(e.right), i))
        .collect();
    keys.sort_unstable();
    let duplicate = keys
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .min_by_key(|w| w[1].1);
    if let Some(w) = duplicate {
        // Indices ascend within a run of equal pairs, so the run's head is the earliest.
        let first = keys[keys.partition_point(|k| k.0 < w[1].0)].1;
        let e = p.edges[w[1].1];
        return Err(AssignmentError::DuplicatePair {
            first,
            second: w[1].1,
            left: e.left,
            right: e.right,
        });
    }
    Ok(())
}

/// Dijkstra's queue. Reduced distances are small integers at fair scale (relevance is
/// 1..=100 and a phase's sink distance is the rise in path cost, usually 1), so keys
/// below [`Frontier::BUCKETS`] go to a bucket per distance (Dial's algorithm, no log
/// factor); any larger key, possible with large weights, falls back to a binary heap.
/// Keys popped never decrease, so buckets, then the heap, is the right order.
#[derive(Default)]
struct Frontier {
    buckets: Vec<Vec<u32>>,
    cursor: usize,
    overflow: BinaryHeap<Reverse<(i64, u32)>>,
}

impl Frontier {
    const BUCKETS: usize = 1024;

    fn clear(&mut self) {
        self.buckets.resize_with(Self::BUCKETS, Vec::new);
        self.buckets.iter_mut().for_each(Vec::clear);
        self.cursor = 0;
        self.overflow.clear();
    }

    fn push(&mut self, key: i64, node: u32) {
        match usize::try_from(key) {
            Ok(k) if k < Self::BUCKETS => self.buckets[k].push(node),
            _ => self.overflow.push(Reverse((key, node))),
        }
    }

    fn pop(&mut self) -> Option<(i64, u32)> {
        while self.cursor < Self::BUCKETS {
            if let Some(node) = self.buckets[self.cursor].pop() {
                return Some((self.cursor as i64, node));
            }
            self.cursor += 1;
        }
        self.overflow.pop().map(|Reverse(entry)| entry)
    }
}

const SOURCE: u32 = 0;
const UNREACHED: u32 = u32::MAX;

/// The residual network in compressed adjacency form: arcs of node `u` are
/// `start[u]..start[u + 1]`, and `rev[a]` is the arc going the other way.
struct Flow {
    sink: u32,
    start: Vec<u32>,
    to: Vec<u32>,
    cap: Vec<u32>,
    cost: Vec<i64>,
    rev: Vec<u32>,
    /// For each candidate with positive weight, its institution → enterprise arc.
    edge_arc: Vec<Option<u32>>,
    /// Johnson potentials: every arc with residual capacity has
    /// `cost + pi[from] - pi[to] >= 0`.
    pi: Vec<i64>,
    /// Per arc, for the current phase: residual capacity left and reduced cost zero. The
    /// blocking flow reads only this (one byte) instead of capacity, cost and two
    /// potentials, which is most of its memory traffic at fair scale.
    open: Vec<bool>,
}

impl Flow {
    fn build(p: &Problem) -> Flow {
        let n = p.left_caps.len() as u32;
        let m = p.right_caps.len() as u32;
        let sink = 1 + n + m;
        let nodes = sink as usize + 1;
        let left = |l: u32| 1 + l;
        let right = |r: u32| 1 + n + r;

        // Candidates that can never be worth taking are left out of the network: dropping
        // a non-positive edge from any feasible set never lowers its total.
        let mut arcs: Vec<(u32, u32, u32, i64)> = Vec::new();
        arcs.extend((0..n).map(|l| (SOURCE, left(l), p.left_caps[l as usize], 0)));
        let mut edge_arc_pair = vec![None; p.edges.len()];
        for (i, e) in p.edges.iter().enumerate() {
            if e.weight > 0 {
                edge_arc_pair[i] = Some(arcs.len());
                arcs.push((left(e.left), right(e.right), 1, -e.weight));
            }
        }
        arcs.extend((0..m).map(|r| (right(r), sink, p.right_caps[r as usize], 0)));

        let mut start = vec![0u32; nodes + 1];
        for &(u, v, _, _) in &arcs {
            start[u as usize + 1] += 1;
            start[v as usize + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        let total = start[nodes] as usize;
        let mut next = start.clone();
        let mut to = vec![0u32; total];
        let mut cap = vec![0u32; total];
        let mut cost = vec![0i64; total];
        let mut rev = vec![0u32; total];
        let mut forward = Vec::with_capacity(arcs.len());
        for &(u, v, c, w) in &arcs {
            let a = next[u as usize];
            next[u as usize] += 1;
            let b = next[v as usize];
            next[v as usize] += 1;
            (
                to[a as usize],
                cap[a as usize],
                cost[a as usize],
                rev[a as usize],
            ) = (v, c, w, b);
            (
                to[b as usize],
                cap[b as usize],
                cost[b as usize],
                rev[b as usize],
            ) = (u, 0, -w, a);
            forward.push(a);
        }
        let edge_arc: Vec<Option<u32>> = edge_arc_pair
            .into_iter()
            .map(|k| k.map(|k| forward[k]))
            .collect();

        // The initial network is a DAG (source, institutions, enterprises, sink), so exact
        // feasible potentials are one pass: an enterprise sits at minus its best candidate,
        // the sink below every enterprise.
        let mut pi = vec![0i64; nodes];
        for (i, e) in p.edges.iter().enumerate() {
            if edge_arc[i].is_some() {
                let r = right(e.right) as usize;
                pi[r] = pi[r].min(-e.weight);
            }
        }
        pi[sink as usize] = (0..m).map(|r| pi[right(r) as usize]).min().unwrap_or(0);

        Flow {
            sink,
            start,
            to,
            cap,
            cost,
            rev,
            open: vec![false; total],
            edge_arc,
            pi,
        }
    }

    fn reduced(&self, u: u32, a: usize) -> i64 {
        self.cost[a] + self.pi[u as usize] - self.pi[self.to[a] as usize]
    }

    fn run(&mut self) {
        let nodes = self.pi.len();
        let mut dist = vec![i64::MAX; nodes];
        let mut done = vec![false; nodes];
        let mut level = vec![UNREACHED; nodes];
        let mut queue = Vec::with_capacity(nodes);
        let mut current = vec![0u32; nodes];
        let mut path = Vec::new();
        let mut frontier = Frontier::default();
        while self.reprice(&mut dist, &mut done, &mut frontier) {
            self.mark_open();
            while self.levels(&mut level, &mut queue) {
                current.copy_from_slice(&self.start[..nodes]);
                self.blocking_flow(&mut level, &mut current, &mut path);
            }
        }
    }

    /// Dijkstra on reduced costs, then potentials moved by the distances (capped at the
    /// sink's, which keeps every residual arc's reduced cost non-negative and makes the
    /// cheapest source → sink paths exactly the zero-reduced-cost ones). Returns whether
    /// those cheapest paths still gain weight (cost < 0).
    fn reprice(&mut self, dist: &mut [i64], done: &mut [bool], frontier: &mut Frontier) -> bool {
        dist.fill(i64::MAX);
        done.fill(false);
        frontier.clear();
        dist[SOURCE as usize] = 0;
        frontier.push(0, SOURCE);
        while let Some((d, u)) = frontier.pop() {
            if done[u as usize] {
                continue;
            }
            done[u as usize] = true;
            // Nodes farther than the sink only need the cap, so stop here.
            if u == self.sink {
                break;
            }
            for a in self.start[u as usize] as usize..self.start[u as usize + 1] as usize {
                if self.cap[a] == 0 {
                    continue;
                }
                let v = self.to[a] as usize;
                let rc = self.reduced(u, a);
                debug_assert!(rc >= 0, "reduced cost {rc} on a residual arc");
                let nd = d + rc;
                if nd < dist[v] {
                    dist[v] = nd;
                    frontier.push(nd, v as u32);
                }
            }
        }
        let sink = self.sink as usize;
        if !done[sink] {
            return false;
        }
        let cap = dist[sink];
        for (v, pi) in self.pi.iter_mut().enumerate() {
            *pi += if done[v] { dist[v] } else { cap };
        }
        // The source's potential never moves (its distance is 0), so a zero-reduced path
        // costs exactly pi[sink].
        self.pi[sink] < 0
    }

    /// Recomputes [`Flow::open`] for new potentials.
    fn mark_open(&mut self) {
        for u in 0..self.pi.len() {
            let pu = self.pi[u];
            for a in self.start[u] as usize..self.start[u + 1] as usize {
                self.open[a] = self.cap[a] > 0 && self.cost[a] + pu == self.pi[self.to[a] as usize];
            }
        }
    }

    /// Breadth-first levels over residual arcs of zero reduced cost; whether the sink is
    /// reachable that way.
    fn levels(&self, level: &mut [u32], queue: &mut Vec<u32>) -> bool {
        level.fill(UNREACHED);
        queue.clear();
        level[SOURCE as usize] = 0;
        queue.push(SOURCE);
        let mut head = 0;
        while head < queue.len() {
            let u = queue[head];
            head += 1;
            // Nodes at or past the sink's level cannot lie on a shortest level path.
            if level[self.sink as usize] != UNREACHED
                && level[u as usize] >= level[self.sink as usize]
            {
                break;
            }
            for a in self.start[u as usize] as usize..self.start[u as usize + 1] as usize {
                let v = self.to[a] as usize;
                if self.open[a] && level[v] == UNREACHED {
                    level[v] = level[u as usize] + 1;
                    queue.push(v as u32);
                }
            }
        }
        level[self.sink as usize] != UNREACHED
    }

    fn admissible(&self, level: &[u32], u: u32, a: usize) -> bool {
        self.open[a] && level[self.to[a] as usize] == level[u as usize].wrapping_add(1)
    }

    /// Dinic's blocking flow on the level graph, iteratively (paths can be far longer
    /// than a thread's stack allows for recursion).
    fn blocking_flow(&mut self, level: &mut [u32], current: &mut [u32], path: &mut Vec<u32>) {
        path.clear();
        let mut u = SOURCE;
        loop {
            if u == self.sink {
                let push = path
                    .iter()
                    .map(|&a| self.cap[a as usize])
                    .min()
                    .unwrap_or(0);
                for &a in path.iter() {
                    let (a, b) = (a as usize, self.rev[a as usize] as usize);
                    self.cap[a] -= push;
                    self.cap[b] += push;
                    // The reverse of a tight arc is tight too.
                    self.open[a] = self.cap[a] > 0;
                    self.open[b] = true;
                }
                // Resume from the tail of the first arc the push saturated.
                let k = path
                    .iter()
                    .position(|&a| self.cap[a as usize] == 0)
                    .unwrap_or(0);
                path.truncate(k);
                u = path.last().map_or(SOURCE, |&a| self.to[a as usize]);
                continue;
            }
            let end = self.start[u as usize + 1];
            let mut a = current[u as usize];
            while a < end && !self.admissible(level, u, a as usize) {
                a += 1;
            }
            current[u as usize] = a;
            if a < end {
                path.push(a);
                u = self.to[a as usize];
                continue;
            }
            // Dead end: nothing more gets through `u` this round.
            level[u as usize] = UNREACHED;
            match path.pop() {
                None => return,
                Some(back) => {
                    u = self.to[self.rev[back as usize] as usize];
                    current[u as usize] += 1;
                }
            }
        }
    }

    fn solution(&self, p: &Problem) -> Solution {
        let chosen: Vec<usize> = self
            .edge_arc
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_some_and(|a| self.cap[a as usize] == 0))
            .map(|(i, _)| i)
            .collect();
        let total = chosen.iter().map(|&i| p.edges[i].weight).sum();
        Solution { chosen, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cand(left: u32, right: u32, weight: i64) -> Candidate {
        Candidate {
            left,
            right,
            weight,
        }
    }

    /// Checks what every answer must satisfy, whatever its total: ascending distinct
    /// indices, caps respected, each pair once, only positive weights, the stated total.
    fn assert_feasible(p: &Problem, s: &Solution) {
        assert!(s.chosen.windows(2).all(|w| w[0] < w[1]), "{:?}", s.chosen);
        let mut left = vec![0u32; p.left_caps.len()];
        let mut right = vec![0u32; p.right_caps.len()];
        let mut pairs = HashSet::new();
        for &i in &s.chosen {
            let e = p.edges[i];
            assert!(e.weight > 0, "chose candidate {i} of weight {}", e.weight);
            assert!(pairs.insert((e.left, e.right)), "pair chosen twice");
            left[e.left as usize] += 1;
            right[e.right as usize] += 1;
        }
        for (l, &used) in left.iter().enumerate() {
            assert!(used <= p.left_caps[l], "institution {l} over its cap");
        }
        for (r, &used) in right.iter().enumerate() {
            assert!(used <= p.right_caps[r], "enterprise {r} over its cap");
        }
        let total: i64 = s.chosen.iter().map(|&i| p.edges[i].weight).sum();
        assert_eq!(total, s.total);
    }

    /// The best total over every subset of candidates that fits the caps.
    fn brute_force(p: &Problem) -> i64 {
        let k = p.edges.len();
        assert!(k <= 16);
        let mut best = 0;
        for mask in 0u32..(1 << k) {
            let mut left = p.left_caps.clone();
            let mut right = p.right_caps.clone();
            let mut total = 0;
            let mut fits = true;
            for (i, e) in p.edges.iter().enumerate() {
                if mask & (1 << i) == 0 {
                    continue;
                }
                let (l, r) = (&mut left[e.left as usize], &mut right[e.right as usize]);
                if *l == 0 || *r == 0 {
                    fits = false;
                    break;
                }
                *l -= 1;
                *r -= 1;
                total += e.weight;
            }
            if fits {
                best = best.max(total);
            }
        }
        best
    }

    /// A slow, independent exact solver for instances too big to enumerate: successive
    /// shortest paths, one unit at a time, Bellman-Ford on the raw (unreduced) costs.
    fn reference(p: &Problem) -> i64 {
        let (n, m) = (p.left_caps.len(), p.right_caps.len());
        let sink = n + m + 1;
        // (from, to, cap, cost) with the reverse arc at index ^ 1.
        let mut arcs: Vec<(usize, usize, i64, i64)> = Vec::new();
        let add = |arcs: &mut Vec<(usize, usize, i64, i64)>, u, v, c, w: i64| {
            arcs.push((u, v, c, w));
            arcs.push((v, u, 0, -w));
        };
        for (l, &c) in p.left_caps.iter().enumerate() {
            add(&mut arcs, 0, 1 + l, i64::from(c), 0);
        }
        for e in &p.edges {
            add(
                &mut arcs,
                1 + e.left as usize,
                1 + n + e.right as usize,
                1,
                -e.weight,
            );
        }
        for (r, &c) in p.right_caps.iter().enumerate() {
            add(&mut arcs, 1 + n + r, sink, i64::from(c), 0);
        }
        let mut cost = 0;
        loop {
            let mut dist = vec![i64::MAX; sink + 1];
            let mut via = vec![usize::MAX; sink + 1];
            dist[0] = 0;
            for _ in 0..=sink {
                for (a, &(u, v, c, w)) in arcs.iter().enumerate() {
                    if c > 0 && dist[u] != i64::MAX && dist[u] + w < dist[v] {
                        dist[v] = dist[u] + w;
                        via[v] = a;
                    }
                }
            }
            if dist[sink] >= 0 {
                return -cost;
            }
            cost += dist[sink];
            let mut v = sink;
            while v != 0 {
                let a = via[v];
                arcs[a].2 -= 1;
                arcs[a ^ 1].2 += 1;
                v = arcs[a].0;
            }
        }
    }

    /// Small instances: 3 institutions × 4 enterprises, any subset of the 12 pairs in any
    /// order, caps 0–3, weights −5..20.
    fn small_problem() -> impl Strategy<Value = Problem> {
        let pairs: Vec<(u32, u32)> = (0..3).flat_map(|l| (0..4).map(move |r| (l, r))).collect();
        (
            proptest::collection::vec(0u32..=3, 3),
            proptest::collection::vec(0u32..=3, 4),
            proptest::sample::subsequence(pairs, 0..=12).prop_shuffle(),
            proptest::collection::vec(-5i64..20, 12),
        )
            .prop_map(|(left_caps, right_caps, pairs, weights)| Problem {
                left_caps,
                right_caps,
                edges: pairs
                    .into_iter()
                    .zip(weights)
                    .map(|((l, r), w)| cand(l, r, w))
                    .collect(),
            })
    }

    /// Medium instances where augmenting paths get long and phases carry many paths:
    /// 8 × 10 nodes, up to 50 distinct pairs; with few distinct weights ties abound, with
    /// large ones Dijkstra's keys overflow the buckets into the heap.
    fn medium_problem(weights: std::ops::Range<i64>) -> impl Strategy<Value = Problem> {
        let pairs: Vec<(u32, u32)> = (0..8).flat_map(|l| (0..10).map(move |r| (l, r))).collect();
        (
            proptest::collection::vec(0u32..=4, 8),
            proptest::collection::vec(0u32..=3, 10),
            proptest::sample::subsequence(pairs, 0..=50).prop_shuffle(),
            proptest::collection::vec(weights, 50),
        )
            .prop_map(|(left_caps, right_caps, pairs, weights)| Problem {
                left_caps,
                right_caps,
                edges: pairs
                    .into_iter()
                    .zip(weights)
                    .map(|((l, r), w)| cand(l, r, w))
                    .collect(),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]

        #[test]
        fn solve_matches_brute_force_on_small_instances(p in small_problem()) {
            let s = solve(&p).unwrap();
            assert_feasible(&p, &s);
            prop_assert_eq!(s.total, brute_force(&p));
        }

        #[test]
        fn greedy_is_feasible_and_never_beats_the_optimum(p in small_problem()) {
            let g = greedy(&p);
            assert_feasible(&p, &g);
            prop_assert!(g.total <= solve(&p).unwrap().total);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn solve_matches_a_unit_step_solver_on_medium_instances(p in medium_problem(-2..6)) {
            let s = solve(&p).unwrap();
            assert_feasible(&p, &s);
            prop_assert_eq!(s.total, reference(&p));
            prop_assert!(greedy(&p).total <= s.total);
        }

        #[test]
        fn solve_matches_a_unit_step_solver_with_large_weights(
            p in medium_problem(-1_000_000..MAX_WEIGHT)
        ) {
            let s = solve(&p).unwrap();
            assert_feasible(&p, &s);
            prop_assert_eq!(s.total, reference(&p));
        }

        #[test]
        fn the_same_problem_always_gets_the_same_answer(p in medium_problem(-2..6)) {
            prop_assert_eq!(solve(&p).unwrap(), solve(&p).unwrap());
        }
    }

    /// Whether `s` is optimal, checked independently of the solver: a flow of any value is
    /// of least cost exactly when its residual network, with a free sink → source arc
    /// added, has no negative cycle. Bellman-Ford from every node at once finds one.
    fn has_no_improving_cycle(p: &Problem, s: &Solution) -> bool {
        let (n, m) = (p.left_caps.len(), p.right_caps.len());
        let (source, sink) = (0, n + m + 1);
        let mut used_left = vec![0u32; n];
        let mut used_right = vec![0u32; m];
        let mut chosen = vec![false; p.edges.len()];
        for &i in &s.chosen {
            chosen[i] = true;
            used_left[p.edges[i].left as usize] += 1;
            used_right[p.edges[i].right as usize] += 1;
        }
        let mut arcs: Vec<(usize, usize, i64)> = vec![(sink, source, 0)];
        if !s.chosen.is_empty() {
            arcs.push((source, sink, 0));
        }
        for (l, (&used, &cap)) in used_left.iter().zip(&p.left_caps).enumerate() {
            if used < cap {
                arcs.push((source, 1 + l, 0));
            }
            if used > 0 {
                arcs.push((1 + l, source, 0));
            }
        }
        for (r, (&used, &cap)) in used_right.iter().zip(&p.right_caps).enumerate() {
            if used < cap {
                arcs.push((1 + n + r, sink, 0));
            }
            if used > 0 {
                arcs.push((sink, 1 + n + r, 0));
            }
        }
        for (i, e) in p.edges.iter().enumerate() {
            let (l, r) = (1 + e.left as usize, 1 + n + e.right as usize);
            if chosen[i] {
                arcs.push((r, l, e.weight));
            } else {
                arcs.push((l, r, -e.weight));
            }
        }
        let mut dist = vec![0i64; sink + 1];
        for _ in 0..=sink {
            let mut changed = false;
            for &(u, v, c) in &arcs {
                if dist[u] + c < dist[v] {
                    dist[v] = dist[u] + c;
                    changed = true;
                }
            }
            if !changed {
                return true;
            }
        }
        false
    }

    #[test]
    fn solve_is_certified_optimal_on_fair_shaped_instances() {
        use rand::{rngs::StdRng, Rng, SeedableRng};
        // A tenth of the benchmark's fair: booths × 12 slots, 5 meetings per enterprise,
        // 10–30 candidates each, relevance 1..=100.
        for seed in 0..3 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (n, m) = (150, 600);
            let left_caps = (0..n).map(|_| rng.random_range(1..=3) * 12).collect();
            let mut edges = Vec::new();
            for right in 0..m {
                let k = rng.random_range(10..=30);
                for left in rand::seq::index::sample(&mut rng, n as usize, k) {
                    edges.push(cand(left as u32, right, rng.random_range(1..=100)));
                }
            }
            let p = Problem {
                left_caps,
                right_caps: vec![5; m as usize],
                edges,
            };
            let s = solve(&p).unwrap();
            assert_feasible(&p, &s);
            assert!(has_no_improving_cycle(&p, &s), "seed {seed}: not optimal");
            let g = greedy(&p);
            // The certificate must be able to say no: greedy falls short at this size.
            assert!(g.total < s.total, "seed {seed}");
            assert!(!has_no_improving_cycle(&p, &g), "seed {seed}");
        }
    }

    #[test]
    fn greedy_takes_the_heaviest_pair_and_loses_to_the_exact_solver() {
        // One slot each. Greedy takes (0,0)=10 first and blocks both 9s; exact takes both.
        let p = Problem {
            left_caps: vec![1, 1],
            right_caps: vec![1, 1],
            edges: vec![cand(0, 0, 10), cand(0, 1, 9), cand(1, 0, 9)],
        };
        assert_eq!(
            greedy(&p),
            Solution {
                chosen: vec![0],
                total: 10
            }
        );
        assert_eq!(
            solve(&p).unwrap(),
            Solution {
                chosen: vec![1, 2],
                total: 18
            }
        );
    }

    #[test]
    fn an_unknown_institution_is_refused() {
        let p = Problem {
            left_caps: vec![1],
            right_caps: vec![1],
            edges: vec![cand(0, 0, 1), cand(1, 0, 1)],
        };
        assert_eq!(
            solve(&p),
            Err(AssignmentError::LeftOutOfRange {
                edge: 1,
                left: 1,
                count: 1
            })
        );
    }

    #[test]
    fn an_unknown_enterprise_is_refused() {
        let p = Problem {
            left_caps: vec![1],
            right_caps: vec![1],
            edges: vec![cand(0, 3, 1)],
        };
        assert_eq!(
            solve(&p),
            Err(AssignmentError::RightOutOfRange {
                edge: 0,
                right: 3,
                count: 1
            })
        );
    }

    #[test]
    fn a_repeated_pair_is_refused_naming_both_candidates() {
        let p = Problem {
            left_caps: vec![2, 2],
            right_caps: vec![2, 2],
            edges: vec![
                cand(1, 1, 1),
                cand(0, 0, 1),
                cand(1, 1, 5),
                cand(0, 0, 2),
                cand(1, 1, 3),
            ],
        };
        // Both pairs repeat; the report is for the earliest repeat (index 2, of index 0).
        assert_eq!(
            solve(&p),
            Err(AssignmentError::DuplicatePair {
                first: 0,
                second: 2,
                left: 1,
                right: 1
            })
        );
    }

    #[test]
    fn an_oversized_weight_is_refused() {
        let p = Problem {
            left_caps: vec![1],
            right_caps: vec![1, 1],
            edges: vec![cand(0, 0, MAX_WEIGHT), cand(0, 1, MAX_WEIGHT + 1)],
        };
        assert_eq!(
            solve(&p),
            Err(AssignmentError::WeightTooLarge {
                edge: 1,
                weight: MAX_WEIGHT + 1
            })
        );
        // Weights that are never taken need no bound.
        let p = Problem {
            left_caps: vec![1],
            right_caps: vec![1],
            edges: vec![cand(0, 0, i64::MIN)],
        };
        assert_eq!(solve(&p).unwrap(), Solution::default());
    }

    #[test]
    fn zero_caps_choose_nothing() {
        let p = Problem {
            left_caps: vec![0, 2],
            right_caps: vec![3, 0],
            edges: vec![cand(0, 0, 7), cand(1, 1, 7), cand(1, 0, 4)],
        };
        // Only (1,0) has room on both sides.
        let expected = Solution {
            chosen: vec![2],
            total: 4,
        };
        assert_eq!(solve(&p).unwrap(), expected);
        assert_eq!(greedy(&p), expected);
    }

    #[test]
    fn an_empty_problem_has_an_empty_answer() {
        assert_eq!(solve(&Problem::default()).unwrap(), Solution::default());
        assert_eq!(greedy(&Problem::default()), Solution::default());
    }

    #[test]
    fn non_positive_candidates_are_never_chosen_even_with_room_to_spare() {
        let p = Problem {
            left_caps: vec![3, 3],
            right_caps: vec![3, 3],
            edges: vec![cand(0, 0, 0), cand(0, 1, -4), cand(1, 0, 6), cand(1, 1, -1)],
        };
        let expected = Solution {
            chosen: vec![2],
            total: 6,
        };
        assert_eq!(solve(&p).unwrap(), expected);
        assert_eq!(greedy(&p), expected);
    }

    #[test]
    fn a_long_alternating_path_is_found() {
        // A chain l0-r0-l1-r1-…-r(k-1). Each cross link (l(i+1), r(i)) outweighs an outer
        // link (l(i), r(i)), so the cheapest paths take every cross link first; but all k
        // outer links together beat the k-1 cross links, so the last augmentation must
        // undo every cross link along one path through the whole chain.
        let k = 2000u32;
        let (outer, cross) = (10_000i64, 10_001i64);
        let mut edges = Vec::new();
        for i in 0..k {
            edges.push(cand(i, i, outer));
            if i + 1 < k {
                edges.push(cand(i + 1, i, cross));
            }
        }
        let p = Problem {
            left_caps: vec![1; k as usize],
            right_caps: vec![1; k as usize],
            edges,
        };
        let s = solve(&p).unwrap();
        assert_feasible(&p, &s);
        assert_eq!(s.total, i64::from(k) * outer);
        assert!(greedy(&p).total < s.total);
    }
}
