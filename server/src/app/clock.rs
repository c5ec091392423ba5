//! The only place the server reads the wall clock; the core is handed the result. (Timers
//! and sleeps are tokio's; they measure waits, they never decide what time it is.)

use sangdam_signaling::Timestamp;
use std::time::{SystemTime, UNIX_EPOCH};

/// Now, as the core counts time.
pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}

/// How long from now until `t`, for `tokio::time::sleep`; zero if `t` has passed.
pub fn until(t: Timestamp) -> std::time::Duration {
    t.since(now())
}
