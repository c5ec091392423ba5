//! The live fair: the rules that run while meetings happen, as sans-IO state machines and
//! pure decisions with time passed in.
//!
//! - [`policy`]: check-in and no-show timings and the no-show decision, shared by rooms and
//!   the lobby;
//! - [`room`]: one meeting's timed room;
//! - [`lobby`]: booth queues, admissions and walk-in meetings (and moderators' moves);
//! - [`moderation`]: what a moderator may change about a room (extend, end, no-shows);
//! - [`sharing`]: what the sides report they shared (a screen, how many files), for the
//!   record;
//! - [`sides`]: which node holds each side of a room (later join wins, heartbeat expiry);
//! - [`access`]: who may do what in which meeting;
//! - [`rate`]: how fast one connection may send.

pub mod access;
pub mod lobby;
pub mod moderation;
pub mod policy;
pub mod rate;
pub mod room;
pub mod sharing;
pub mod sides;
