//! The error codes a client may receive, over WebSocket or HTTP, and the one [`Refusal`]
//! every surface answers with. One list, so the web client, the tests and the protocol
//! document agree on every code; one type, so whether a refusal closes a connection is
//! decided once.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable reason. The wire form is the snake_case name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON, or not a JSON object with a `type`.
    BadJson,
    /// The `type` is not one this protocol version knows.
    UnknownType,
    /// The type is known but its fields are missing or wrong.
    BadMessage,
    /// The frame is larger than the server accepts.
    FrameTooLarge,
    /// Binary frames are not part of the protocol.
    BinaryFrame,
    /// The client speaks a protocol version the server does not.
    UnsupportedVersion,
    /// A message other than `join` came before a successful `join`.
    NotJoined,
    /// A second `join` on a connection that already joined.
    AlreadyJoined,
    /// The token is missing, malformed, unsigned, signed with another key or algorithm,
    /// or for another audience or issuer.
    TokenInvalid,
    /// The token's expiry has passed.
    TokenExpired,
    /// Staff revoked the participant's link after this token was signed; a newer link
    /// works.
    TokenRevoked,
    /// The token names a participant, role or organisation this fair does not have.
    UnknownParticipant,
    /// The token is scoped to a different meeting than the one asked for.
    TokenWrongMeeting,
    /// No meeting has that id.
    UnknownMeeting,
    /// The meeting belongs to another institution or enterprise.
    NotYourMeeting,
    /// The role may not do this (e.g. staff joining a meeting as a side).
    WrongRole,
    /// Check-in has not opened yet.
    TooEarly,
    /// The room has closed.
    RoomClosed,
    /// Signaling was sent while the other side is absent or the slot is not running.
    NotLive,
    /// The same participant joined from another connection; this one is closed.
    Replaced,
    /// A lobby operation could not reach the shared store; nothing changed. Try again.
    TemporarilyUnavailable,
    /// Too many changes to the same booth at once; nothing changed. Try again.
    Busy,
    /// This booth does not take walk-ins.
    NoWalkIns,
    /// The vendor is in a meeting now and cannot queue.
    InRoom,
    /// The vendor is not waiting there (the grace time may have run out).
    NotQueued,
    /// Someone is in the booth's room already.
    BoothBusy,
    /// Nobody is waiting who can be let in.
    NobodyWaiting,
    /// Nobody is in the booth's room.
    NobodyInRoom,
    /// The fair has no booth with that id.
    UnknownBooth,
    /// A query parameter is unknown or has a value the server does not understand.
    BadQuery,
    /// No fair on record has that id.
    UnknownFair,
    /// The survey opens when the meeting's room has closed.
    SurveyNotOpen,
    /// This participant already answered the survey about this meeting.
    AlreadyAnswered,
    /// A survey answer is missing a field or has a value the survey does not offer.
    BadAnswer,
    /// The connection sends faster than its allowance; what exceeded it was dropped.
    RateLimited,
    /// The connection did not read what the server sent it, and was closed.
    TooSlow,
    /// Another moderator changed the same thing meanwhile; look again and retry.
    Conflict,
    /// A slot cannot be extended that far: the booth's or the vendor's next meeting
    /// starts before the new end.
    ExtendBlocked,
    /// Another moderator is in this room already.
    SeatTaken,
    /// A `sharing` report that does not add up: a count over the fair's limit, fewer files
    /// than already reported, or a shared screen taken back.
    BadReport,
    /// Someone else changed this record since you read it; nothing was changed. Reload and
    /// redo the edit.
    StaleVersion,
    /// No meeting request has that number.
    UnknownRequest,
    /// No match has that number.
    UnknownMatch,
    /// No registered institution or enterprise has that id.
    UnknownOrganisation,
    /// The fair has no round with that id.
    UnknownRound,
    /// The request is neither from nor to this participant's organisation.
    NotYourRequest,
    /// A request or match between these two in this round exists already.
    AlreadyRequested,
    /// The participant has as many open requests as the fair allows.
    RequestLimit,
    /// The request was answered, withdrawn or has expired.
    RequestClosed,
    /// The organisation does not take part in that round.
    NotAttending,
    /// No draft schedule to publish, or the draft changed since it was reviewed.
    NoDraft,
    /// An imported file has errors; nothing was imported.
    BadImport,
    /// Mail was asked for, but the server has no `[mail]` relay configured.
    MailNotConfigured,
    /// The fair has no briefing with that id.
    UnknownBriefing,
    /// The briefing is for another audience (one side, or one round's participants).
    NotInAudience,
    /// The server could not do what was asked; nothing was changed.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::BadMessage => "bad_message",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::BinaryFrame => "binary_frame",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::NotJoined => "not_joined",
            ErrorCode::AlreadyJoined => "already_joined",
            ErrorCode::TokenInvalid => "token_invalid",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenRevoked => "token_revoked",
            ErrorCode::UnknownParticipant => "unknown_participant",
            ErrorCode::TokenWrongMeeting => "token_wrong_meeting",
            ErrorCode::UnknownMeeting => "unknown_meeting",
            ErrorCode::NotYourMeeting => "not_your_meeting",
            ErrorCode::WrongRole => "wrong_role",
            ErrorCode::TooEarly => "too_early",
            ErrorCode::RoomClosed => "room_closed",
            ErrorCode::NotLive => "not_live",
            ErrorCode::Replaced => "replaced",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::Busy => "busy",
            ErrorCode::NoWalkIns => "no_walk_ins",
            ErrorCode::InRoom => "in_room",
            ErrorCode::NotQueued => "not_queued",
            ErrorCode::BoothBusy => "booth_busy",
            ErrorCode::NobodyWaiting => "nobody_waiting",
            ErrorCode::NobodyInRoom => "nobody_in_room",
            ErrorCode::UnknownBooth => "unknown_booth",
            ErrorCode::BadQuery => "bad_query",
            ErrorCode::UnknownFair => "unknown_fair",
            ErrorCode::SurveyNotOpen => "survey_not_open",
            ErrorCode::AlreadyAnswered => "already_answered",
            ErrorCode::BadAnswer => "bad_answer",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooSlow => "too_slow",
            ErrorCode::Conflict => "conflict",
            ErrorCode::ExtendBlocked => "extend_blocked",
            ErrorCode::SeatTaken => "seat_taken",
            ErrorCode::BadReport => "bad_report",
            ErrorCode::StaleVersion => "stale_version",
            ErrorCode::UnknownRequest => "unknown_request",
            ErrorCode::UnknownMatch => "unknown_match",
            ErrorCode::UnknownOrganisation => "unknown_organisation",
            ErrorCode::UnknownRound => "unknown_round",
            ErrorCode::NotYourRequest => "not_your_request",
            ErrorCode::AlreadyRequested => "already_requested",
            ErrorCode::RequestLimit => "request_limit",
            ErrorCode::RequestClosed => "request_closed",
            ErrorCode::NotAttending => "not_attending",
            ErrorCode::NoDraft => "no_draft",
            ErrorCode::BadImport => "bad_import",
            ErrorCode::MailNotConfigured => "mail_not_configured",
            ErrorCode::UnknownBriefing => "unknown_briefing",
            ErrorCode::NotInAudience => "not_in_audience",
            ErrorCode::Internal => "internal",
        }
    }

    /// Whether the server closes the connection after sending this error. Errors about
    /// one message leave the connection (and the room) as they were.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            ErrorCode::UnsupportedVersion
                | ErrorCode::TokenInvalid
                | ErrorCode::TokenExpired
                | ErrorCode::TokenRevoked
                | ErrorCode::UnknownParticipant
                | ErrorCode::TokenWrongMeeting
                | ErrorCode::UnknownMeeting
                | ErrorCode::NotYourMeeting
                | ErrorCode::WrongRole
                | ErrorCode::TooEarly
                | ErrorCode::RoomClosed
                | ErrorCode::Replaced
                | ErrorCode::TooSlow
        )
    }

    /// The HTTP status the same refusal gets on the HTTP API.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::TokenInvalid | ErrorCode::TokenExpired | ErrorCode::TokenRevoked => 401,
            ErrorCode::UnknownParticipant
            | ErrorCode::TokenWrongMeeting
            | ErrorCode::NotYourMeeting
            | ErrorCode::WrongRole
            | ErrorCode::NotYourRequest => 403,
            ErrorCode::UnknownMeeting
            | ErrorCode::UnknownFair
            | ErrorCode::UnknownBooth
            | ErrorCode::UnknownRequest
            | ErrorCode::UnknownMatch
            | ErrorCode::UnknownOrganisation
            | ErrorCode::UnknownRound => 404,
            ErrorCode::TooEarly
            | ErrorCode::RoomClosed
            | ErrorCode::SurveyNotOpen
            | ErrorCode::AlreadyAnswered
            | ErrorCode::NotLive
            | ErrorCode::InRoom
            | ErrorCode::NotQueued
            | ErrorCode::BoothBusy
            | ErrorCode::NobodyWaiting
            | ErrorCode::NobodyInRoom
            | ErrorCode::NoWalkIns
            | ErrorCode::Conflict
            | ErrorCode::ExtendBlocked
            | ErrorCode::SeatTaken
            | ErrorCode::StaleVersion
            | ErrorCode::AlreadyRequested
            | ErrorCode::RequestLimit
            | ErrorCode::RequestClosed
            | ErrorCode::NotAttending
            | ErrorCode::NoDraft => 409,
            ErrorCode::BadImport => 422,
            ErrorCode::MailNotConfigured => 409,
            ErrorCode::UnknownBriefing => 404,
            ErrorCode::NotInAudience => 403,
            ErrorCode::TemporarilyUnavailable | ErrorCode::Busy => 503,
            ErrorCode::FrameTooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            _ => 400,
        }
    }
}

/// A refusal as a client reads it: a stable code, a message for people, and whether the
/// server closes the connection after sending it. Every error type converts into this;
/// the server turns it into an HTTP response or a socket message only at the edge.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
    fatal: bool,
    /// The `id` of the request refused, echoed so the client can tell which it was.
    pub id: Option<RequestId>,
}

/// A client's optional name for one request (a string of at most 64 characters, or an
/// integer), echoed in the `error` that refuses it.
pub type RequestId = serde_json::Value;

impl Refusal {
    /// A refusal that is fatal exactly when its code is ([`ErrorCode::is_fatal`]): errors
    /// about the connection itself (its token, its role, its room) close it.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fatal: code.is_fatal(),
            id: None,
        }
    }

    /// The same refusal, answering the request named `id`.
    pub fn answering(mut self, id: Option<RequestId>) -> Self {
        if self.id.is_none() {
            self.id = id;
        }
        self
    }

    /// The same refusal about one request only: the connection stays whatever the code
    /// (a lobby check-in refused as `too_early` leaves the lobby connection up).
    pub fn for_request(mut self) -> Self {
        self.fatal = false;
        self
    }

    /// The same refusal, closing the connection whatever the code (a deadline missed).
    pub fn closing(mut self) -> Self {
        self.fatal = true;
        self
    }

    pub fn is_fatal(&self) -> bool {
        self.fatal
    }

    /// The HTTP status of this refusal on the HTTP API.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_fatal_by_its_code_unless_said_otherwise() {
        assert!(Refusal::new(ErrorCode::TooEarly, "wait").is_fatal());
        assert!(!Refusal::new(ErrorCode::TooEarly, "wait")
            .for_request()
            .is_fatal());
        assert!(!Refusal::new(ErrorCode::NotJoined, "join first").is_fatal());
        assert!(Refusal::new(ErrorCode::NotJoined, "too late")
            .closing()
            .is_fatal());
        assert_eq!(Refusal::new(ErrorCode::WrongRole, "no").http_status(), 403);
        assert!(Refusal::new(ErrorCode::TokenRevoked, "old link").is_fatal());
        assert_eq!(
            Refusal::new(ErrorCode::TokenRevoked, "old link").http_status(),
            401
        );
    }

    #[test]
    fn wire_names_match_as_str() {
        for code in [
            ErrorCode::BadJson,
            ErrorCode::TokenWrongMeeting,
            ErrorCode::TokenRevoked,
            ErrorCode::TooEarly,
            ErrorCode::SurveyNotOpen,
            ErrorCode::AlreadyAnswered,
            ErrorCode::BadAnswer,
            ErrorCode::BadReport,
            ErrorCode::BadQuery,
            ErrorCode::UnknownFair,
        ] {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }
}
