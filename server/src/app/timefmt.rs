//! Reading times as people at a Korean fair write them (KST, see
//! [`sangdam_signaling::time::KST_OFFSET_MINUTES`]); printing is [`Timestamp::kst`].

use chrono::NaiveDateTime;
use sangdam_signaling::time::kst_offset;
use sangdam_signaling::Timestamp;

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
        assert_eq!(t.kst(), "2027-05-20 10:00:00 KST");
        assert_eq!(parse_kst("20 May"), None);
    }
}
