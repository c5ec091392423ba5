//! Times as people at a Korean fair read them: Korea Standard Time, which has no daylight
//! saving, so a fixed +09:00 offset is exact.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use sangdam_signaling::Timestamp;

pub fn kst_offset() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("valid offset")
}

/// `2026-11-27 15:40:00 KST`.
pub fn kst(t: Timestamp) -> String {
    DateTime::<Utc>::from_timestamp_millis(t.as_millis())
        .map(|d| {
            d.with_timezone(&kst_offset())
                .format("%Y-%m-%d %H:%M:%S KST")
                .to_string()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Reads `2027-05-20 10:00` as Korea time.
pub fn parse_kst(s: &str) -> Option<Timestamp> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M").ok()?;
    let t = naive.and_local_timezone(kst_offset()).single()?;
    Some(Timestamp::from_millis(t.timestamp_millis()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korea_time_reads_and_prints_at_plus_nine() {
        let t = parse_kst("2027-05-20 10:00").unwrap();
        assert_eq!(t.as_millis(), 1_810_774_800_000);
        assert_eq!(kst(t), "2027-05-20 10:00:00 KST");
        assert_eq!(parse_kst("20 May"), None);
    }
}
