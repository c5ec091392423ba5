//! How fast one connection may send: a token bucket for messages and one for bytes, each
//! with a burst. Sans-IO like the rest of the core — the time of each message is passed
//! in — so a flood of a hundred thousand messages is a test that runs in milliseconds.
//! One participant sending as fast as it can must not be able to spoil the other side's
//! meeting: what exceeds the limit is refused, not relayed.

use crate::time::Timestamp;

/// A connection's allowance, as configured (`[server] inbound_*`).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct InboundLimit {
    /// Sustained messages per second.
    pub messages_per_s: f64,
    /// Messages that may arrive at once above the sustained rate.
    pub message_burst: f64,
    /// Sustained bytes per second.
    pub bytes_per_s: f64,
    /// Bytes that may arrive at once above the sustained rate.
    pub byte_burst: f64,
}

impl Default for InboundLimit {
    /// Generous for any honest client: a browser trickles a few dozen ICE candidates and
    /// two SDPs of a few KiB per call, and pings every few seconds.
    fn default() -> Self {
        Self {
            messages_per_s: 50.0,
            message_burst: 200.0,
            bytes_per_s: 256.0 * 1024.0,
            byte_burst: 1024.0 * 1024.0,
        }
    }
}

#[derive(Clone, Debug)]
struct Bucket {
    capacity: f64,
    per_ms: f64,
    tokens: f64,
}

impl Bucket {
    fn new(capacity: f64, per_s: f64) -> Self {
        Self {
            capacity,
            per_ms: per_s / 1000.0,
            tokens: capacity,
        }
    }

    fn refill(&mut self, elapsed_ms: f64) {
        self.tokens = (self.tokens + elapsed_ms * self.per_ms).min(self.capacity);
    }
}

/// One connection's buckets.
#[derive(Clone, Debug)]
pub struct Inbound {
    messages: Bucket,
    bytes: Bucket,
    last: Option<Timestamp>,
    refused: u64,
    /// When the sender was last told it was refused.
    told: Option<Timestamp>,
}

/// What to do with one incoming message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Within the allowance: handle it.
    Pass,
    /// Over it: drop it and tell the sender (at most once a second, so the answers to a
    /// flood are not a flood).
    Refuse,
    /// Over it: drop it; the sender was told less than a second ago.
    Drop,
}

impl Inbound {
    pub fn new(limit: InboundLimit) -> Self {
        Self {
            messages: Bucket::new(limit.message_burst, limit.messages_per_s),
            bytes: Bucket::new(limit.byte_burst, limit.bytes_per_s),
            last: None,
            refused: 0,
            told: None,
        }
    }

    /// Whether a message of `bytes` arriving at `now` is within the allowance; if it is,
    /// it is counted. A refused message costs nothing, so a client that slows down is
    /// served again at once.
    pub fn admit(&mut self, bytes: usize, now: Timestamp) -> bool {
        let elapsed = self.last.map_or(0.0, |t| {
            now.as_millis().saturating_sub(t.as_millis()).max(0) as f64
        });
        self.last = Some(now);
        self.messages.refill(elapsed);
        self.bytes.refill(elapsed);
        let size = bytes as f64;
        if self.messages.tokens >= 1.0 && self.bytes.tokens >= size {
            self.messages.tokens -= 1.0;
            self.bytes.tokens -= size;
            true
        } else {
            self.refused += 1;
            false
        }
    }

    /// [`Inbound::admit`], and whether the sender should hear of a refusal now.
    pub fn check(&mut self, bytes: usize, now: Timestamp) -> Verdict {
        if self.admit(bytes, now) {
            return Verdict::Pass;
        }
        if self.told.is_some_and(|t| now.since(t).as_millis() < 1000) {
            return Verdict::Drop;
        }
        self.told = Some(now);
        Verdict::Refuse
    }

    /// How many messages have been refused so far.
    pub fn refused(&self) -> u64 {
        self.refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn a_burst_passes_then_the_sustained_rate_holds() {
        let mut r = Inbound::new(InboundLimit::default());
        // 200 at once: the burst.
        assert!((0..200).all(|_| r.admit(100, at(0))));
        assert!(!r.admit(100, at(0)));
        // A second later, 50 more.
        let later: usize = (0..100).filter(|_| r.admit(100, at(1000))).count();
        assert_eq!(later, 50);
        assert_eq!(r.refused(), 51);
    }

    #[test]
    fn a_flood_of_a_hundred_thousand_messages_in_a_second_gets_through_at_the_limit() {
        let mut r = Inbound::new(InboundLimit::default());
        let passed = (0..100_000).filter(|i| r.admit(300, at(i / 100))).count();
        // The burst plus one second at the sustained rate, give or take the last refill.
        assert!((200..=251).contains(&passed), "{passed}");
    }

    #[test]
    fn a_flooder_hears_of_it_once_a_second() {
        let mut r = Inbound::new(InboundLimit::default());
        let verdicts: Vec<Verdict> = (0..2_000).map(|i| r.check(10, at(i))).collect();
        let refusals = verdicts.iter().filter(|v| **v == Verdict::Refuse).count();
        assert_eq!(refusals, 2, "one in each of the two seconds");
        assert_eq!(verdicts[0], Verdict::Pass);
    }

    #[test]
    fn bytes_are_limited_too() {
        let mut r = Inbound::new(InboundLimit {
            byte_burst: 10_000.0,
            bytes_per_s: 1_000.0,
            ..InboundLimit::default()
        });
        assert!(r.admit(8_000, at(0)));
        assert!(!r.admit(8_000, at(0)));
        // Two seconds refill 2,000 bytes: 4,000 in the bucket.
        assert!(!r.admit(8_000, at(2_000)));
        assert!(r.admit(4_000, at(2_000)));
    }

    #[test]
    fn an_honest_client_is_never_refused() {
        // Fifty candidates and two SDPs at once, then a ping every five seconds.
        let mut r = Inbound::new(InboundLimit::default());
        assert!((0..50).all(|_| r.admit(250, at(0))));
        assert!(r.admit(6_000, at(10)) && r.admit(6_000, at(20)));
        assert!((1..100).all(|i| r.admit(40, at(i * 5_000))));
        assert_eq!(r.refused(), 0);
    }
}
