//! The whole-set matching: institutions (left, each with a capacity of booth-slots) and
//! enterprises (right, each with its most meetings), candidate pairs weighted by relevance;
//! choose the set of pairs with the largest total weight such that nobody exceeds their
//! capacity and no pair is taken twice. That is max-weight b-matching on a bipartite graph,
//! solved exactly as a min-cost flow: source → left (capacity, cost 0), left → right
//! (1, −weight), right → sink (capacity, 0), augmenting while the cheapest path still costs
//! less than zero (we maximise weight, not flow).
//!
//! Primal-dual, because one Dijkstra per unit of flow is far too slow at the national scale
//! (50,000 units): Dijkstra on reduced costs gives potentials, then a blocking flow (Dinic)
//! pushes along every zero-reduced-cost path before the next Dijkstra. Path costs only rise
//! and weights are small integers, so there are at most as many phases as distinct weights.
//! [`greedy`] is the baseline staff are shown beside the optimum.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problem {
    pub left_caps: Vec<u32>,
    pub right_caps: Vec<u32>,
    pub edges: Vec<Candidate>,
}

/// A pair that may be matched; only a positive weight is worth taking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub left: u32,
    pub right: u32,
    pub weight: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Solution {
    /// Indices into [`Problem::edges`], ascending.
    pub chosen: Vec<usize>,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    #[error("candidate {index} names left {left}, but there are {count}")]
    UnknownLeft {
        index: usize,
        left: u32,
        count: usize,
    },
    #[error("candidate {index} names right {right}, but there are {count}")]
    UnknownRight {
        index: usize,
        right: u32,
        count: usize,
    },
    #[error("candidates {first} and {second} are the same pair")]
    DuplicatePair { first: usize, second: usize },
}

fn check(p: &Problem) -> Result<(), AssignmentError> {
    let mut seen = std::collections::HashMap::new();
    for (index, c) in p.edges.iter().enumerate() {
        if c.left as usize >= p.left_caps.len() {
            return Err(AssignmentError::UnknownLeft {
                index,
                left: c.left,
                count: p.left_caps.len(),
            });
        }
        if c.right as usize >= p.right_caps.len() {
            return Err(AssignmentError::UnknownRight {
                index,
                right: c.right,
                count: p.right_caps.len(),
            });
        }
        if let Some(first) = seen.insert((c.left, c.right), index) {
            return Err(AssignmentError::DuplicatePair {
                first,
                second: index,
            });
        }
    }
    Ok(())
}

/// Heaviest first (ties by index), taken while both sides have room.
pub fn greedy(p: &Problem) -> Solution {
    let mut order: Vec<usize> = (0..p.edges.len())
        .filter(|&k| p.edges[k].weight > 0)
        .collect();
    order.sort_by_key(|&k| (Reverse(p.edges[k].weight), k));
    let mut left = p.left_caps.clone();
    let mut right = p.right_caps.clone();
    let mut taken = HashSet::new();
    let mut chosen = Vec::new();
    for k in order {
        let c = p.edges[k];
        let (l, r) = (c.left as usize, c.right as usize);
        if l < left.len() && r < right.len() && left[l] > 0 && right[r] > 0 && taken.insert((l, r))
        {
            left[l] -= 1;
            right[r] -= 1;
            chosen.push(k);
        }
    }
    chosen.sort_unstable();
    let total = chosen.iter().map(|&k| p.edges[k].weight).sum();
    Solution { chosen, total }
}

/// The residual graph: edges in pairs (`e`, `e ^ 1` its reverse), adjacency in CSR form.
struct Graph {
    to: Vec<u32>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    start: Vec<usize>,
    adj: Vec<u32>,
}

impl Graph {
    fn build(nodes: usize, arcs: &[(u32, u32, i64, i64)]) -> Graph {
        let mut to = Vec::with_capacity(arcs.len() * 2);
        let mut cap = Vec::with_capacity(arcs.len() * 2);
        let mut cost = Vec::with_capacity(arcs.len() * 2);
        let mut from = Vec::with_capacity(arcs.len() * 2);
        for &(u, v, c, w) in arcs {
            to.extend([v, u]);
            from.extend([u, v]);
            cap.extend([c, 0]);
            cost.extend([w, -w]);
        }
        let mut start = vec![0usize; nodes + 1];
        for &u in &from {
            start[u as usize + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut adj = vec![0u32; from.len()];
        for (e, &u) in from.iter().enumerate() {
            adj[fill[u as usize]] = e as u32;
            fill[u as usize] += 1;
        }
        Graph {
            to,
            cap,
            cost,
            start,
            adj,
        }
    }

    fn edges_of(&self, u: usize) -> &[u32] {
        &self.adj[self.start[u]..self.start[u + 1]]
    }
}

const INF: i64 = i64::MAX / 4;

/// The exact optimum.
pub fn solve(p: &Problem) -> Result<Solution, AssignmentError> {
    check(p)?;
    let (nl, nr) = (p.left_caps.len(), p.right_caps.len());
    let (s, t) = (0usize, 1 + nl + nr);
    let nodes = t + 1;
    let mut arcs: Vec<(u32, u32, i64, i64)> = Vec::new();
    for (l, &c) in p.left_caps.iter().enumerate() {
        arcs.push((s as u32, 1 + l as u32, i64::from(c), 0));
    }
    // Where each candidate's forward edge sits (edge ids are 2 × arc index).
    let mut candidate_edge = Vec::new();
    for (k, c) in p.edges.iter().enumerate() {
        if c.weight > 0 {
            candidate_edge.push((k, 2 * arcs.len()));
            arcs.push((1 + c.left, 1 + nl as u32 + c.right, 1, -c.weight));
        }
    }
    for (r, &c) in p.right_caps.iter().enumerate() {
        arcs.push((1 + (nl + r) as u32, t as u32, i64::from(c), 0));
    }
    let mut g = Graph::build(nodes, &arcs);

    // Initial potentials: the graph is a DAG source → left → right → sink, so shortest
    // distances come from one pass per layer; they make every reduced cost non-negative.
    let mut pot = vec![0i64; nodes];
    for r in 0..nr {
        pot[1 + nl + r] = 0;
    }
    for &(u, v, _, w) in &arcs {
        let (u, v) = (u as usize, v as usize);
        if (1..=nl).contains(&u) {
            pot[v] = pot[v].min(pot[u] + w);
        }
    }
    pot[t] = (0..nr).map(|r| pot[1 + nl + r]).min().unwrap_or(0);

    let mut dist = vec![INF; nodes];
    let mut level = vec![-1i32; nodes];
    let mut it = vec![0usize; nodes];
    loop {
        // Dijkstra on reduced costs.
        dist.iter_mut().for_each(|d| *d = INF);
        dist[s] = 0;
        let mut heap = BinaryHeap::new();
        heap.push(Reverse((0i64, s as u32)));
        while let Some(Reverse((d, u))) = heap.pop() {
            let u = u as usize;
            if d > dist[u] {
                continue;
            }
            for &e in g.edges_of(u) {
                let e = e as usize;
                if g.cap[e] <= 0 {
                    continue;
                }
                let v = g.to[e] as usize;
                let nd = d + g.cost[e] + pot[u] - pot[v];
                if nd < dist[v] {
                    dist[v] = nd;
                    heap.push(Reverse((nd, v as u32)));
                }
            }
        }
        if dist[t] >= INF {
            break;
        }
        let cap_at = dist[t];
        for v in 0..nodes {
            pot[v] += dist[v].min(cap_at);
        }
        // pot[t] - pot[s] is now the real cost of the cheapest path: stop once it would
        // not add weight.
        if pot[t] - pot[s] >= 0 {
            break;
        }
        // Blocking flows along zero-reduced-cost edges until none is left at this cost.
        loop {
            let admissible = |g: &Graph, e: usize, u: usize| {
                g.cap[e] > 0 && g.cost[e] + pot[u] - pot[g.to[e] as usize] == 0
            };
            // BFS levels over admissible edges.
            level.iter_mut().for_each(|l| *l = -1);
            level[s] = 0;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(u) = queue.pop_front() {
                for &e in g.edges_of(u) {
                    let e = e as usize;
                    let v = g.to[e] as usize;
                    if level[v] < 0 && admissible(&g, e, u) {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
            if level[t] < 0 {
                break;
            }
            it.iter_mut().for_each(|i| *i = 0);
            // Iterative DFS: the residual paths can be as long as the graph is wide.
            let mut path: Vec<usize> = Vec::new();
            let mut u = s;
            loop {
                if u == t {
                    let f = path.iter().map(|&e| g.cap[e]).min().unwrap_or(0);
                    for &e in &path {
                        g.cap[e] -= f;
                        g.cap[e ^ 1] += f;
                    }
                    path.clear();
                    u = s;
                    continue;
                }
                let edges = g.edges_of(u);
                let mut advanced = false;
                while it[u] < edges.len() {
                    let e = edges[it[u]] as usize;
                    let v = g.to[e] as usize;
                    if level[v] == level[u] + 1 && admissible(&g, e, u) {
                        path.push(e);
                        u = v;
                        advanced = true;
                        break;
                    }
                    it[u] += 1;
                }
                if advanced {
                    continue;
                }
                // A dead end: never enter it again in this phase.
                level[u] = -1;
                match path.pop() {
                    Some(e) => {
                        u = g.to[e ^ 1] as usize;
                        it[u] += 1;
                    }
                    None => break,
                }
            }
        }
    }
    let mut chosen: Vec<usize> = candidate_edge
        .iter()
        .filter(|&&(_, e)| g.cap[e] == 0)
        .map(|&(k, _)| k)
        .collect();
    chosen.sort_unstable();
    let total = chosen.iter().map(|&k| p.edges[k].weight).sum();
    Ok(Solution { chosen, total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(p: &Problem) -> i64 {
        let n = p.edges.len();
        let mut best = 0;
        for mask in 0u32..(1 << n) {
            let mut l = vec![0u32; p.left_caps.len()];
            let mut r = vec![0u32; p.right_caps.len()];
            let mut total = 0;
            let mut ok = true;
            for k in 0..n {
                if mask & (1 << k) != 0 {
                    let c = p.edges[k];
                    l[c.left as usize] += 1;
                    r[c.right as usize] += 1;
                    total += c.weight;
                    ok &= l[c.left as usize] <= p.left_caps[c.left as usize]
                        && r[c.right as usize] <= p.right_caps[c.right as usize];
                }
            }
            if ok {
                best = best.max(total);
            }
        }
        best
    }

    fn respects(p: &Problem, s: &Solution) {
        let mut l = vec![0u32; p.left_caps.len()];
        let mut r = vec![0u32; p.right_caps.len()];
        for &k in &s.chosen {
            let c = p.edges[k];
            assert!(c.weight > 0, "a non-positive edge was chosen");
            l[c.left as usize] += 1;
            r[c.right as usize] += 1;
        }
        assert!(l.iter().zip(&p.left_caps).all(|(a, b)| a <= b));
        assert!(r.iter().zip(&p.right_caps).all(|(a, b)| a <= b));
        assert_eq!(
            s.total,
            s.chosen.iter().map(|&k| p.edges[k].weight).sum::<i64>()
        );
    }

    fn problem() -> impl Strategy<Value = Problem> {
        (1usize..=3, 1usize..=4)
            .prop_flat_map(|(nl, nr)| {
                let pairs: Vec<(u32, u32)> = (0..nl as u32)
                    .flat_map(|l| (0..nr as u32).map(move |r| (l, r)))
                    .collect();
                (
                    proptest::collection::vec(0u32..=3, nl),
                    proptest::collection::vec(0u32..=3, nr),
                    proptest::sample::subsequence(pairs.clone(), 0..=pairs.len().min(12)),
                    proptest::collection::vec(-5i64..=20, 12),
                )
            })
            .prop_map(|(left_caps, right_caps, pairs, weights)| Problem {
                left_caps,
                right_caps,
                edges: pairs
                    .into_iter()
                    .zip(weights)
                    .map(|((left, right), weight)| Candidate {
                        left,
                        right,
                        weight,
                    })
                    .collect(),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(600))]
        #[test]
        fn the_optimum_matches_brute_force_and_greedy_never_beats_it(p in problem()) {
            let exact = solve(&p).unwrap();
            respects(&p, &exact);
            prop_assert_eq!(exact.total, brute(&p));
            let g = greedy(&p);
            respects(&p, &g);
            prop_assert!(g.total <= exact.total);
        }
    }

    #[test]
    fn greedy_is_strictly_worse_where_the_heaviest_pair_blocks_two() {
        // L0 fits R0 (10) and R1 (9), L1 fits only R0 (9); one meeting each. Greedy takes
        // L0–R0 (10) and strands L1; the optimum is L0–R1 + L1–R0 = 18.
        let p = Problem {
            left_caps: vec![1, 1],
            right_caps: vec![1, 1],
            edges: vec![
                Candidate {
                    left: 0,
                    right: 0,
                    weight: 10,
                },
                Candidate {
                    left: 0,
                    right: 1,
                    weight: 9,
                },
                Candidate {
                    left: 1,
                    right: 0,
                    weight: 9,
                },
            ],
        };
        assert_eq!(greedy(&p).total, 10);
        let s = solve(&p).unwrap();
        assert_eq!((s.total, s.chosen.clone()), (18, vec![1, 2]));
    }

    #[test]
    fn malformed_candidates_are_refused_and_empty_capacities_choose_nothing() {
        let c = |left, right| Candidate {
            left,
            right,
            weight: 5,
        };
        let p = |edges| Problem {
            left_caps: vec![1],
            right_caps: vec![1],
            edges,
        };
        assert!(matches!(
            solve(&p(vec![c(1, 0)])),
            Err(AssignmentError::UnknownLeft { .. })
        ));
        assert!(matches!(
            solve(&p(vec![c(0, 2)])),
            Err(AssignmentError::UnknownRight { .. })
        ));
        assert!(matches!(
            solve(&p(vec![c(0, 0), c(0, 0)])),
            Err(AssignmentError::DuplicatePair {
                first: 0,
                second: 1
            })
        ));
        let zero = Problem {
            left_caps: vec![0],
            right_caps: vec![3],
            edges: vec![c(0, 0)],
        };
        assert_eq!(solve(&zero).unwrap(), Solution::default());
        let negative = Problem {
            left_caps: vec![2],
            right_caps: vec![2],
            edges: vec![Candidate {
                left: 0,
                right: 0,
                weight: -3,
            }],
        };
        assert_eq!(solve(&negative).unwrap().chosen, Vec::<usize>::new());
    }
}
