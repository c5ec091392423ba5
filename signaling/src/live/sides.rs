//! Which node holds each side of one room. With several nodes sharing a Redis, every node
//! that has a meeting's room keeps this table: its own connections, and the sides other
//! nodes announce (with a heartbeat). The rules — the later join wins on every node, a
//! side whose node went quiet is dropped — live here, with time passed in, so they are
//! tested without two nodes or Redis. `L` is what the server keeps for a local
//! connection (its outbox).

use crate::live::room::Seat;
use crate::time::Timestamp;
use std::time::Duration;

/// A connection's id on the node that holds it.
pub type ConnId = u64;

/// Who holds one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder<L> {
    /// A connection on this node.
    Local {
        conn: ConnId,
        since: Timestamp,
        link: L,
    },
    /// A connection on another node, last heard of at `seen`.
    Remote {
        node: String,
        conn: ConnId,
        since: Timestamp,
        seen: Timestamp,
    },
}

/// What a local join displaced.
#[derive(Debug, PartialEq, Eq)]
pub enum Displaced<L> {
    /// The side was free (or held by this same connection).
    Nobody,
    /// Another window on this node: tell it it was replaced.
    Local(L),
    /// A connection on another node: its node learns of the later join from presence.
    Remote,
}

/// What another node's claim on a side did here.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim<L> {
    /// The holder already known, heard again (a heartbeat): nothing changed.
    Refreshed,
    /// The side stays with its holder here, whose join is the later one.
    Kept,
    /// The claimant holds the side now. `displaced` is a local connection to tell it was
    /// replaced; `was_held` says whether the room must first see the old holder leave.
    Taken {
        displaced: Option<L>,
        was_held: bool,
    },
}

/// The seats of one room (the two sides and a moderator's), as this node knows them.
/// Methods take a [`Seat`] or a `Side`.
#[derive(Debug)]
pub struct Sides<L> {
    node: String,
    held: [Option<Holder<L>>; 3],
}

fn slot(seat: Seat) -> usize {
    seat.index()
}

impl<L> Sides<L> {
    /// The table of a room on node `node` (the id other nodes see in its messages).
    pub fn new(node: impl Into<String>) -> Self {
        Self {
            node: node.into(),
            held: [None, None, None],
        }
    }

    pub fn holder(&self, side: impl Into<Seat>) -> Option<&Holder<L>> {
        let side: Seat = side.into();
        self.held[slot(side)].as_ref()
    }

    pub fn is_held(&self, side: impl Into<Seat>) -> bool {
        let side: Seat = side.into();
        self.held[slot(side)].is_some()
    }

    pub fn is_remote(&self, side: impl Into<Seat>) -> bool {
        let side: Seat = side.into();
        matches!(self.holder(side), Some(Holder::Remote { .. }))
    }

    /// Whether `conn` is the connection on this node holding `side`: a replaced window's
    /// late messages are ignored.
    pub fn is_current(&self, side: impl Into<Seat>, conn: ConnId) -> bool {
        let side: Seat = side.into();
        matches!(self.holder(side), Some(Holder::Local { conn: c, .. }) if *c == conn)
    }

    /// The local connection holding `side`, if any.
    pub fn local(&self, side: impl Into<Seat>) -> Option<&L> {
        let side: Seat = side.into();
        match self.holder(side) {
            Some(Holder::Local { link, .. }) => Some(link),
            _ => None,
        }
    }

    /// The sides this node holds, as it announces them: `(side, conn, since)`.
    pub fn local_sides(&self) -> impl Iterator<Item = (Seat, ConnId, Timestamp)> + '_ {
        Seat::ALL
            .into_iter()
            .filter_map(|side| match self.holder(side) {
                Some(Holder::Local { conn, since, .. }) => Some((side, *conn, *since)),
                _ => None,
            })
    }

    /// A connection on this node takes `side`: the newest join, so it wins over whoever
    /// held it. If the room then refuses the join, [`Sides::release`] undoes it.
    pub fn join_local(
        &mut self,
        side: impl Into<Seat>,
        conn: ConnId,
        since: Timestamp,
        link: L,
    ) -> Displaced<L> {
        let side: Seat = side.into();
        let before = self.held[slot(side)].replace(Holder::Local { conn, since, link });
        match before {
            Some(Holder::Local {
                conn: old, link, ..
            }) if old != conn => Displaced::Local(link),
            Some(Holder::Remote { .. }) => Displaced::Remote,
            _ => Displaced::Nobody,
        }
    }

    /// Nobody holds `side` here any more; returns who did.
    pub fn release(&mut self, side: impl Into<Seat>) -> Option<Holder<L>> {
        let side: Seat = side.into();
        self.held[slot(side)].take()
    }

    /// A local connection leaves; false (and nothing changes) if it no longer held the
    /// side.
    pub fn leave_local(&mut self, side: impl Into<Seat>, conn: ConnId) -> bool {
        let side: Seat = side.into();
        let current = self.is_current(side, conn);
        if current {
            self.held[slot(side)] = None;
        }
        current
    }

    /// Another node let go of a side; false if that was not who held it here.
    pub fn remote_left(&mut self, node: &str, side: impl Into<Seat>, conn: ConnId) -> bool {
        let side: Seat = side.into();
        let theirs = matches!(self.holder(side),
            Some(Holder::Remote { node: n, conn: c, .. }) if n == node && *c == conn);
        if theirs {
            self.held[slot(side)] = None;
        }
        theirs
    }

    /// Node `from` says its connection `conn`, joined at `since` (wall clock, as every node
    /// reads it), holds `side` (by presence, heartbeat or a relay it sent); `now` is when
    /// this node heard it, on a clock that does not jump (the one [`Sides::expire`] gets). If the side is held twice the later join
    /// wins, ties broken by node id, so every node reaches the same answer.
    pub fn claim(
        &mut self,
        from: &str,
        side: impl Into<Seat>,
        conn: ConnId,
        since: Timestamp,
        now: Timestamp,
    ) -> Claim<L> {
        let side: Seat = side.into();
        let i = slot(side);
        let remote = Holder::Remote {
            node: from.to_string(),
            conn,
            since,
            seen: now,
        };
        let wins = match &mut self.held[i] {
            Some(Holder::Remote {
                node,
                conn: c,
                seen,
                ..
            }) if node == from && *c == conn => {
                *seen = now;
                return Claim::Refreshed;
            }
            Some(Holder::Local { since: ours, .. }) => (since, from) > (*ours, self.node.as_str()),
            Some(Holder::Remote { since: theirs, .. }) => since >= *theirs,
            None => true,
        };
        if !wins {
            return Claim::Kept;
        }
        match self.held[i].replace(remote) {
            Some(Holder::Local { link, .. }) => Claim::Taken {
                displaced: Some(link),
                was_held: true,
            },
            Some(Holder::Remote { .. }) => Claim::Taken {
                displaced: None,
                was_held: true,
            },
            None => Claim::Taken {
                displaced: None,
                was_held: false,
            },
        }
    }

    /// Drops remote sides not heard of for longer than `ttl`, and returns them. Silence
    /// means something only while this node hears the bus (`hearing`): while Redis is
    /// away nobody hears anybody, and rooms keep the sides they had, so peers already
    /// connected stay connected.
    pub fn expire(&mut self, now: Timestamp, ttl: Duration, hearing: bool) -> Vec<Seat> {
        if !hearing {
            return Vec::new();
        }
        let mut gone = Vec::new();
        for side in Seat::ALL {
            if let Some(Holder::Remote { seen, .. }) = self.holder(side) {
                if now.since(*seen) > ttl {
                    self.held[slot(side)] = None;
                    gone.push(side);
                }
            }
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::room::Side;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_millis(s * 1000)
    }

    const TTL: Duration = Duration::from_secs(5);

    #[test]
    fn a_second_window_on_this_node_replaces_the_first() {
        let mut s = Sides::new("node-a");
        assert_eq!(s.join_local(Side::Buyer, 1, at(0), "w1"), Displaced::Nobody);
        assert_eq!(
            s.join_local(Side::Buyer, 2, at(5), "w2"),
            Displaced::Local("w1")
        );
        assert!(s.is_current(Side::Buyer, 2));
        // The replaced window's leave changes nothing.
        assert!(!s.leave_local(Side::Buyer, 1));
        assert!(s.leave_local(Side::Buyer, 2));
        assert!(!s.is_held(Side::Buyer));
    }

    #[test]
    fn the_later_join_wins_on_every_node() {
        // Node a holds the vendor since 10 s; node b's vendor joined at 20 s.
        let mut a = Sides::new("node-a");
        a.join_local(Side::Vendor, 1, at(10), "local");
        assert_eq!(
            a.claim("node-b", Side::Vendor, 7, at(20), at(21)),
            Claim::Taken {
                displaced: Some("local"),
                was_held: true
            }
        );
        assert!(a.is_remote(Side::Vendor));
        // Node b, which heard of a's older join only now, keeps its own.
        let mut b = Sides::new("node-b");
        b.join_local(Side::Vendor, 7, at(20), "local");
        assert_eq!(
            b.claim("node-a", Side::Vendor, 1, at(10), at(21)),
            Claim::Kept
        );
        assert!(b.is_current(Side::Vendor, 7));
        // An older claim does not displace a newer remote holder either.
        assert_eq!(
            a.claim("node-c", Side::Vendor, 3, at(15), at(22)),
            Claim::Kept
        );
    }

    #[test]
    fn equal_join_times_are_settled_by_node_id_the_same_way_everywhere() {
        let mut a = Sides::new("node-a");
        a.join_local(Side::Buyer, 1, at(10), ());
        let mut b = Sides::new("node-b");
        b.join_local(Side::Buyer, 2, at(10), ());
        // "node-b" > "node-a": b's join wins on a, and b keeps it.
        assert!(matches!(
            a.claim("node-b", Side::Buyer, 2, at(10), at(11)),
            Claim::Taken { .. }
        ));
        assert_eq!(
            b.claim("node-a", Side::Buyer, 1, at(10), at(11)),
            Claim::Kept
        );
    }

    #[test]
    fn heartbeats_keep_a_remote_side_and_silence_drops_it_only_while_the_bus_is_heard() {
        let mut s: Sides<()> = Sides::new("node-a");
        assert_eq!(
            s.claim("node-b", Side::Buyer, 4, at(0), at(0)),
            Claim::Taken {
                displaced: None,
                was_held: false
            }
        );
        assert_eq!(
            s.claim("node-b", Side::Buyer, 4, at(0), at(4)),
            Claim::Refreshed
        );
        assert!(
            s.expire(at(9), TTL, true).is_empty(),
            "heard at 4 s, 5 s ago"
        );
        // Redis is away: nobody hears anybody, so silence means nothing.
        assert!(s.expire(at(30), TTL, false).is_empty());
        assert!(s.is_held(Side::Buyer));
        assert_eq!(s.expire(at(30), TTL, true), vec![Seat::Buyer]);
        assert!(!s.is_held(Side::Buyer));
    }

    #[test]
    fn a_remote_leave_counts_only_from_the_holder() {
        let mut s: Sides<()> = Sides::new("node-a");
        s.claim("node-b", Side::Vendor, 4, at(0), at(0));
        assert!(!s.remote_left("node-c", Side::Vendor, 4));
        assert!(!s.remote_left("node-b", Side::Vendor, 5));
        assert!(s.remote_left("node-b", Side::Vendor, 4));
        assert!(!s.is_held(Side::Vendor));
    }

    #[test]
    fn local_sides_are_what_this_node_announces() {
        let mut s = Sides::new("node-a");
        s.join_local(Side::Vendor, 3, at(2), ());
        s.claim("node-b", Side::Buyer, 4, at(0), at(0));
        assert_eq!(
            s.local_sides().collect::<Vec<_>>(),
            vec![(Seat::Vendor, 3, at(2))]
        );
    }
}
