//! Sangdam's core: the fair's domain, the wire protocol and the rules of the live fair.
//!
//! Nothing in this crate opens a socket or reads a clock. Time is always an argument
//! (`now: Timestamp`), so a whole fair day can run in a test in milliseconds, and the
//! server's room task only sleeps until [`Room::poll_timeout`] and feeds input.
//!
//! Layout:
//! - [`ids`], [`time`], [`error`]: typed ids, instants, every error code and the one
//!   [`Refusal`] type;
//! - [`fair`]: rounds, organisations, participants and the schedule;
//! - [`live`]: timing policy, rooms, the lobby, the cross-node side table, access rules;
//! - [`protocol`]: every socket message (documented in `PROTOCOL.md`);
//! - [`prep`]: registrations, requests, matches, scheduling and publishing before the fair;
//! - [`briefing`]: online briefings — audience, questions, attendance;
//! - [`notify`]: invitations, reminders and change notices: what is due, sent once;
//! - [`records`]: consultation records, survey, log view and report;
//! - [`turn`]: the relay's credentials, the peers it may reach, the ICE list clients get.

pub mod briefing;
pub mod error;
pub mod fair;
pub mod ids;
pub mod live;
pub mod notify;
pub mod prep;
pub mod protocol;
pub mod records;
#[cfg(test)]
mod test_fair;
pub mod time;
pub mod turn;

pub use error::{ErrorCode, Refusal};
pub use fair::{Fair, FairError, Meeting, Participant, Role, Round};
pub use ids::{
    BriefingId, EnterpriseId, FairId, IdError, InstitutionId, MeetingId, ParticipantId, RoundId,
};
pub use live::room::{Phase, Room, RoomEvent, RoomPolicy, Side};
pub use time::Timestamp;
