//! The two WebSockets: [`signaling`] (`/ws`, one participant in one room) and [`lobby`]
//! (`/ws/lobby`, vendors waiting and buyers at their booth). Both read frames the same way
//! ([`frames`]), end the same way ([`closing`]) and answer refusals with the core's
//! `Refusal`, converted here, at the edge.

pub mod board;
pub mod closing;
pub mod frames;
pub mod lobby;
pub mod opening;
pub mod signaling;
