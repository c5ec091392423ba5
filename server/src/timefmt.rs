//! Times as people at a Korean fair read them: Korea Standard Time, which has no daylight
//! saving, so a fixed +09:00 offset is exact.

use chrono::{DateTime, FixedOffset, Utc};
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
