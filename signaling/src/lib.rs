//! Sangdam's core: the fair's domain, the wire protocol and the timed-room state machine.
//!
//! Nothing in this crate opens a socket or reads a clock. Time is always an argument
//! (`now: Timestamp`), so a whole fair day can run in a test in milliseconds, and the
//! server's room task only sleeps until [`room::Room::next_deadline`] and feeds input.

pub mod error;
pub mod fair;
pub mod ids;
pub mod lobby;
pub mod log_view;
pub mod protocol;
pub mod record;
pub mod report;
pub mod room;
pub mod survey;
pub mod time;

pub use error::ErrorCode;
pub use fair::{Fair, FairError, Meeting, Participant, Role, Round};
pub use ids::{EnterpriseId, FairId, IdError, InstitutionId, MeetingId, ParticipantId, RoundId};
pub use room::{Phase, Room, RoomEvent, RoomPolicy, Side};
pub use time::Timestamp;
