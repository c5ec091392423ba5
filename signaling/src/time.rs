//! Wall-clock instants as plain numbers, so the core can reason about time it is given.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Sub};
use std::time::Duration;

/// Milliseconds since the Unix epoch, UTC. The server reads the clock and passes these in;
/// the core never asks what time it is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is not earlier.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0).max(0) as u64)
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(millis(d)))
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Timestamp;
    fn sub(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_sub(millis(d)))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

/// Korea Standard Time's offset from UTC, in minutes. Korea has no daylight saving, so a
/// fixed +09:00 is exact; every KST computation in Sangdam starts from this one constant.
pub const KST_OFFSET_MINUTES: i32 = 9 * 60;

/// KST as chrono's offset type.
pub fn kst_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(KST_OFFSET_MINUTES * 60).expect("+09:00 is a valid offset")
}

impl Timestamp {
    /// `2026-11-27 15:40:00 KST`, as people at a Korean fair read times.
    pub fn kst(self) -> String {
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(self.0)
            .map(|d| {
                d.with_timezone(&kst_offset())
                    .format("%Y-%m-%d %H:%M:%S KST")
                    .to_string()
            })
            .unwrap_or_else(|| self.to_string())
    }
}

/// Shorthand for the durations the fair is made of.
pub const fn minutes(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_never_goes_negative() {
        let a = Timestamp::from_millis(1_000);
        let b = Timestamp::from_millis(4_000);
        assert_eq!(b.since(a), Duration::from_secs(3));
        assert_eq!(a.since(b), Duration::ZERO);
    }

    #[test]
    fn korea_time_prints_at_plus_nine() {
        assert_eq!(
            Timestamp::from_millis(1_810_774_800_000).kst(),
            "2027-05-20 10:00:00 KST"
        );
    }

    #[test]
    fn adding_and_subtracting_minutes() {
        let t = Timestamp::from_millis(0) + minutes(5);
        assert_eq!(t.as_millis(), 300_000);
        assert_eq!((t - minutes(5)).as_millis(), 0);
    }
}
