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

/// A clock that never jumps (milliseconds since the process started), for timeouts between
/// the server's own events: a step of the wall clock (NTP) must not make a heartbeat look
/// late. Not comparable across processes.
pub fn monotonic() -> Timestamp {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = START.get_or_init(std::time::Instant::now);
    Timestamp::from_millis(start.elapsed().as_millis() as i64)
}

/// How long from now until `t`, for `tokio::time::sleep`; zero if `t` has passed.
pub fn until(t: Timestamp) -> std::time::Duration {
    t.since(now())
}
