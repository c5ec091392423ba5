//! The unconstrained case as bipartite edge colouring: König's theorem says a bipartite
//! multigraph of maximum degree Δ can be edge-coloured with Δ colours, so the round needs
//! exactly [`Schedule::lower_bound`](super::Schedule::lower_bound) slots.
//!
//! Each institution is split into one virtual node per booth it will use, its matches dealt
//! out round-robin so no virtual node has more than `ceil(count / booths)`. Then colour =
//! slot and virtual node = booth, and "a proper edge colouring" is exactly "no enterprise
//! twice in a slot, no booth twice in a slot".

use super::{Placement, Problem};

const NONE: u32 = u32::MAX;

/// Places every match when `p.slots >= delta`; otherwise keeps the `p.slots` busiest colours
/// and fills what it can of the rest into them (the others stay `None`, reported as full).
/// `delta` must be the problem's lower bound, and `p` valid and unconstrained.
pub(super) fn colour(p: &Problem, delta: u32) -> Vec<Option<Placement>> {
    let n = p.matches.len();
    if n == 0 {
        return Vec::new();
    }
    let graph = Graph::split(p);
    let colours = graph.colour(delta as usize);
    if p.slots >= delta {
        return (0..n)
            .map(|m| {
                Some(Placement {
                    slot: colours[m],
                    booth: graph.booth(m),
                })
            })
            .collect();
    }
    truncate(p, &graph, &colours, delta as usize)
}

/// The bipartite multigraph: left nodes are institution booths, right nodes enterprises.
struct Graph {
    /// Per match: its virtual institution node.
    left: Vec<u32>,
    /// Per match: its enterprise node (offset by the number of left nodes).
    right: Vec<u32>,
    /// Per match: its institution.
    institution: Vec<u32>,
    /// Per institution: its first virtual node.
    first: Vec<u32>,
    /// How many booths each institution uses (`min(booths, matches)`).
    used_booths: Vec<u32>,
    nodes: usize,
}

impl Graph {
    fn split(p: &Problem) -> Graph {
        let mut count = vec![0u32; p.institutions.len()];
        for m in &p.matches {
            count[m.institution as usize] += 1;
        }
        // A booth with no meeting would only make the tables wider.
        let used_booths: Vec<u32> = count
            .iter()
            .zip(&p.institutions)
            .map(|(&c, x)| x.booths.min(c))
            .collect();
        let mut first = Vec::with_capacity(used_booths.len());
        let mut next = 0u32;
        for &b in &used_booths {
            first.push(next);
            next += b;
        }
        let left_nodes = next;
        let mut dealt = vec![0u32; p.institutions.len()];
        let mut left = Vec::with_capacity(p.matches.len());
        let mut right = Vec::with_capacity(p.matches.len());
        for m in &p.matches {
            let i = m.institution as usize;
            left.push(first[i] + dealt[i] % used_booths[i]);
            dealt[i] += 1;
            right.push(left_nodes + m.enterprise);
        }
        Graph {
            left,
            right,
            institution: p.matches.iter().map(|m| m.institution).collect(),
            first,
            used_booths,
            nodes: (left_nodes as usize) + p.enterprises.len(),
        }
    }

    fn booth(&self, m: usize) -> u32 {
        self.left[m] - self.first[self.institution_of(m)]
    }

    fn institution_of(&self, m: usize) -> usize {
        self.institution[m] as usize
    }

    /// Colours every edge with one of `delta` colours, adjacent edges differing.
    fn colour(&self, delta: usize) -> Vec<u32> {
        // at[node * delta + c] = the edge of colour c at node, flat so the inner loops stay
        // in cache at national scale.
        let mut at = vec![NONE; self.nodes * delta];
        let mut colour = vec![NONE; self.left.len()];
        let mut path: Vec<u32> = Vec::new();
        for e in 0..self.left.len() {
            let u = self.left[e] as usize * delta;
            let v = self.right[e] as usize * delta;
            // Both ends have fewer than delta coloured edges, so each has a free colour.
            let common = (0..delta).find(|&c| at[u + c] == NONE && at[v + c] == NONE);
            let c = match common {
                Some(c) => c,
                None => {
                    let a = (0..delta)
                        .find(|&c| at[u + c] == NONE)
                        .expect("degree <= delta");
                    let b = (0..delta)
                        .find(|&c| at[v + c] == NONE)
                        .expect("degree <= delta");
                    self.flip(&mut at, &mut colour, &mut path, delta, v / delta, a, b);
                    a
                }
            };
            at[u + c] = e as u32;
            at[v + c] = e as u32;
            colour[e] = c as u32;
        }
        colour
    }

    /// Swaps colours `a` and `b` along the a/b path that starts at `start` with colour `a`.
    /// In a bipartite graph that path cannot reach the other end of the edge being coloured
    /// (where `a` is free), so afterwards `a` is free at both ends.
    #[allow(clippy::too_many_arguments)]
    fn flip(
        &self,
        at: &mut [u32],
        colour: &mut [u32],
        path: &mut Vec<u32>,
        delta: usize,
        start: usize,
        a: usize,
        b: usize,
    ) {
        path.clear();
        let (mut node, mut c) = (start, a);
        loop {
            let e = at[node * delta + c];
            if e == NONE {
                break;
            }
            path.push(e);
            let (l, r) = (
                self.left[e as usize] as usize,
                self.right[e as usize] as usize,
            );
            node = if l == node { r } else { l };
            c = if c == a { b } else { a };
        }
        // Clear first, then set: neighbouring path edges trade places in the tables.
        for &e in path.iter() {
            let (l, r, c) = (
                self.left[e as usize],
                self.right[e as usize],
                colour[e as usize],
            );
            at[l as usize * delta + c as usize] = NONE;
            at[r as usize * delta + c as usize] = NONE;
        }
        for &e in path.iter() {
            let old = colour[e as usize] as usize;
            let new = if old == a { b } else { a };
            colour[e as usize] = new as u32;
            at[self.left[e as usize] as usize * delta + new] = e;
            at[self.right[e as usize] as usize * delta + new] = e;
        }
    }
}

/// Too few slots for the bound: keep the `p.slots` largest colour classes (each a valid
/// slot on its own), then put each dropped meeting into any kept slot where its enterprise
/// and one of its institution's booths are still free.
fn truncate(p: &Problem, graph: &Graph, colours: &[u32], delta: usize) -> Vec<Option<Placement>> {
    let slots = p.slots as usize;
    let mut size = vec![0usize; delta];
    for &c in colours {
        size[c as usize] += 1;
    }
    let mut order: Vec<usize> = (0..delta).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(size[c]));
    let mut slot_of = vec![NONE; delta];
    for (s, &c) in order.iter().take(slots).enumerate() {
        slot_of[c] = s as u32;
    }
    let mut busy = vec![false; graph.nodes * slots];
    let mut placed = vec![None; colours.len()];
    let mut dropped = Vec::new();
    for (m, &c) in colours.iter().enumerate() {
        let s = slot_of[c as usize];
        if s == NONE {
            dropped.push(m);
            continue;
        }
        busy[graph.left[m] as usize * slots + s as usize] = true;
        busy[graph.right[m] as usize * slots + s as usize] = true;
        placed[m] = Some(Placement {
            slot: s,
            booth: graph.booth(m),
        });
    }
    for m in dropped {
        let i = graph.institution_of(m);
        let (first, booths) = (graph.first[i] as usize, graph.used_booths[i] as usize);
        let right = graph.right[m] as usize * slots;
        let spot = (0..slots).find_map(|s| {
            if busy[right + s] {
                return None;
            }
            (0..booths)
                .find(|&k| !busy[(first + k) * slots + s])
                .map(|k| (s, k))
        });
        if let Some((s, k)) = spot {
            busy[right + s] = true;
            busy[(first + k) * slots + s] = true;
            placed[m] = Some(Placement {
                slot: s as u32,
                booth: k as u32,
            });
        }
    }
    placed
}
