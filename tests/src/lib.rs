//! Test support: start the real server on port 0 with a fresh fair, talk to it over real
//! WebSockets, and drive real WebRTC peers (webrtc-rs) and a real browser (Chromium).

pub mod app;
pub mod cdp;
pub mod coturn;
pub mod node;
pub mod procfs;
pub mod redis_server;
pub mod rtc;
pub mod signal;
pub mod smtp_sink;
pub mod turn_client;
