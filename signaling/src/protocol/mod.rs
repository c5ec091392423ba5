//! Every message of Sangdam's sockets, in one place: the signaling protocol (`/ws`) and
//! the lobby's (`/ws/lobby`) here, the moderators' board (`/ws/board`) and the moderation
//! API's bodies in [`board`]. `PROTOCOL.md` beside this crate documents each one with an
//! example; a change here changes that document and the web client's protocol modules
//! (`web/js/wire/`, `web/js/call.js`) in the same commit.

pub mod board;

use crate::error::{ErrorCode, Refusal, RequestId};
use crate::fair::{Affiliation, Enterprise, Fair, Institution, Meeting, Participant};
use crate::ids::{InstitutionId, MeetingId, ParticipantId};
use crate::live::room::{Absent, CloseReason, Phase, Seat, Window};
use crate::live::sharing::FileLimits;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks. `join` carries the client's; a mismatch is
/// refused with `unsupported_version` rather than misunderstood.
pub const PROTOCOL_VERSION: u32 = 1;

/// What a client may send. The first message on a connection must be `join`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Authenticate the connection with an invite token and enter a meeting's room.
    Join {
        v: u32,
        token: String,
        meeting: MeetingId,
    },
    /// An SDP offer for the other side (the buyer sends it after `call_ready`). `to` names
    /// the seat it is for: a side may leave it out (the other side), a moderator names the
    /// side; a side answering a moderator names `moderator`.
    Offer {
        sdp: String,
        #[serde(default)]
        to: Option<Seat>,
    },
    /// The SDP answer to an offer; `to` as for `offer`.
    Answer {
        sdp: String,
        #[serde(default)]
        to: Option<Seat>,
    },
    /// A trickled ICE candidate; `to` as for `offer`. `null` — what a browser's
    /// `onicecandidate` gives at the end of gathering — is accepted and not relayed.
    Ice {
        candidate: Option<IceCandidate>,
        #[serde(default)]
        to: Option<Seat>,
    },
    /// Leave the room; the other side is told, and one may come back while it is open.
    /// (An empty struct variant, not a unit one, so unknown fields are refused here too.)
    Leave {},
    /// Ask for the server's clock; `t` is echoed so the client can halve the round trip.
    Ping {
        #[serde(default)]
        t: Option<i64>,
    },
    /// What this side has shared so far in the meeting, for the record: whether it shared
    /// its screen, and how many files the other side received whole. Cumulative (each
    /// report restates the meeting so far), about the sender only — the seat is the
    /// connection's — and checked by [`crate::live::sharing`]. The content never comes.
    Sharing {
        screen_shared: bool,
        files_sent: u32,
    },
}

impl ClientMessage {
    /// Every type a client may send.
    pub const TYPES: [&'static str; 7] =
        ["join", "offer", "answer", "ice", "leave", "ping", "sharing"];
}

/// An ICE candidate as the browser's `RTCIceCandidateInit` spells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidate {
    pub candidate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdp_mid: Option<String>,
    #[serde(
        default,
        rename = "sdpMLineIndex",
        skip_serializing_if = "Option::is_none"
    )]
    pub sdp_mline_index: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_fragment: Option<String>,
}

/// What the server sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The join succeeded: who you are, the meeting, where the room is in its life, the
    /// server's clock and the ICE servers to use.
    Joined {
        v: u32,
        you: You,
        meeting: Box<MeetingView>,
        window: Window,
        phase: Phase,
        /// Whether the other side is in the room (for a moderator: either side).
        peer_present: bool,
        /// Everyone else in the room now, by seat.
        present: Vec<Seat>,
        /// Their names, by seat (as far as the room knows them).
        #[serde(default)]
        names: std::collections::BTreeMap<Seat, String>,
        server_time: Timestamp,
        /// This participant's ICE servers, TURN credentials good until the room closes
        /// (plus a margin).
        ice_servers: Vec<IceServer>,
        /// `relay`: the deployment wants every call through its TURN relay.
        #[serde(default)]
        ice_transport_policy: IceTransportPolicy,
        /// What a file sent over the data channel may be (both clients enforce it).
        files: FileLimits,
    },
    /// Someone entered the room: the other side, or a moderator (with their name).
    PeerJoined {
        side: Seat,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Someone left or lost their connection.
    PeerLeft { side: Seat },
    /// You and `peer` may connect: both are in the room (for the two sides: and the slot
    /// is running). The one with `offerer: true` creates the offer — the buyer towards the
    /// vendor, a moderator towards each side.
    CallReady { offerer: bool, peer: Seat },
    /// Relayed from `from`.
    Offer { sdp: String, from: Seat },
    /// Relayed from `from`.
    Answer { sdp: String, from: Seat },
    /// Relayed from `from`.
    Ice { candidate: IceCandidate, from: Seat },
    /// A moderator moved the slot's end: the new window, and who did it.
    Rescheduled {
        window: Window,
        by: String,
        server_time: Timestamp,
        /// Fresh ICE servers whose TURN credentials last until the new close (the old
        /// ones expired with the old one); the client hands them to its connections.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ice_servers: Vec<IceServer>,
    },
    /// An operator's announcement, shown at once.
    Announcement(Announcement),
    /// The room moved to a new phase.
    Phase {
        phase: Phase,
        at: Timestamp,
        server_time: Timestamp,
    },
    /// Time is running out.
    Warning {
        remaining_s: u64,
        server_time: Timestamp,
    },
    /// A side was still absent `rooms.no_show_minutes` into the slot; it is on record as a
    /// no-show. The room stays open: a late side may still come.
    NoShow {
        absent: Absent,
        server_time: Timestamp,
    },
    /// The room is over; the server closes the connection after this.
    Closed {
        reason: CloseReason,
        server_time: Timestamp,
    },
    /// Answer to `ping`.
    Pong(Pong),
    /// Something was wrong. `fatal: true` means the server closes the connection next.
    Error(ErrorBody),
}

/// The answer to `ping`, the same on every socket: the client's `t` echoed and the
/// server's clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pong {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub t: Option<i64>,
    pub server_time: Timestamp,
}

/// A refusal as every socket sends it. `fatal: true` means the server closes the
/// connection next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    pub fatal: bool,
    /// The refused request's `id`, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<RequestId>,
}

impl From<Refusal> for ErrorBody {
    fn from(r: Refusal) -> Self {
        ErrorBody {
            fatal: r.is_fatal(),
            code: r.code,
            message: r.message,
            id: r.id,
        }
    }
}

impl From<Refusal> for ServerMessage {
    fn from(r: Refusal) -> Self {
        ServerMessage::Error(r.into())
    }
}

/// Who an announcement is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Audience {
    /// Every lobby and every room of the fair.
    All,
    /// The lobbies and rooms of one round (by its number).
    Round { round: u32 },
    /// One meeting's room.
    Meeting { meeting: MeetingId },
}

/// An operator's announcement, as both sockets send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: String,
    pub text: String,
    /// The moderator's name.
    pub from: String,
    pub audience: Audience,
    pub at: Timestamp,
}

impl From<Pong> for LobbyServerMessage {
    fn from(p: Pong) -> Self {
        LobbyServerMessage::Pong(p)
    }
}

impl From<Refusal> for LobbyServerMessage {
    fn from(r: Refusal) -> Self {
        LobbyServerMessage::Error(r.into())
    }
}

impl From<DecodeError> for Refusal {
    fn from(e: DecodeError) -> Self {
        Refusal::new(e.code, e.message)
    }
}

impl ServerMessage {
    /// Whether this message carries SDP or candidates that must not reach a log.
    pub fn is_sensitive(&self) -> bool {
        matches!(
            self,
            ServerMessage::Offer { .. } | ServerMessage::Answer { .. } | ServerMessage::Ice { .. }
        )
    }
}

/// The connection's participant, as the token proved it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct You {
    pub participant: ParticipantId,
    pub name: String,
    /// `buyer` or `vendor`; `moderator` for a moderator who stepped in.
    pub side: Seat,
}

/// An ICE server entry as `RTCPeerConnection` takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// `RTCConfiguration.iceTransportPolicy`: `all` lets a call go direct where it can;
/// `relay` sends every call through the TURN relay (no address of a participant reaches
/// the other).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IceTransportPolicy {
    #[default]
    All,
    Relay,
}

/// An organisation as a client shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgView {
    pub id: String,
    pub name: String,
    /// The type's code, e.g. `district`.
    pub kind: String,
    /// The type's Korean label, e.g. `자치구`.
    pub kind_label: String,
}

impl OrgView {
    pub fn institution(i: &Institution) -> Self {
        OrgView {
            id: i.id.to_string(),
            name: i.name.clone(),
            kind: i.kind.code().into(),
            kind_label: i.kind.label_ko().into(),
        }
    }

    pub fn enterprise(e: &Enterprise) -> Self {
        OrgView {
            id: e.id.to_string(),
            name: e.name.clone(),
            kind: e.kind.code().into(),
            kind_label: e.kind.label_ko().into(),
        }
    }

    /// A participant's organisation, `None` for the operator's moderators and staff.
    pub fn of_participant(fair: &Fair, p: &Participant) -> Option<Self> {
        match &p.affiliation {
            Affiliation::Institution(id) => fair.institution(id).map(Self::institution),
            Affiliation::Enterprise(id) => fair.enterprise(id).map(Self::enterprise),
            Affiliation::Operator => None,
        }
    }
}

/// A meeting as a client shows it; the HTTP API uses the same shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub id: MeetingId,
    pub round: u32,
    pub theme: String,
    pub slot: u32,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub institution: OrgView,
    pub enterprise: OrgView,
}

impl MeetingView {
    /// Builds the view of a meeting of `fair`. The fair's references were checked when it
    /// was built, so the lookups cannot miss.
    pub fn of(fair: &Fair, m: &Meeting) -> Self {
        let round = fair.round(&m.round).expect("checked fair");
        let i = fair.institution(&m.institution).expect("checked fair");
        let e = fair.enterprise(&m.enterprise).expect("checked fair");
        MeetingView {
            id: m.id.clone(),
            round: round.number,
            theme: round.theme.clone(),
            slot: m.slot.index,
            starts_at: m.slot.start,
            ends_at: m.slot.end,
            institution: OrgView::institution(i),
            enterprise: OrgView::enterprise(e),
        }
    }
}

/// Why a text frame could not be read as a [`ClientMessage`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    pub code: ErrorCode,
    pub message: String,
}

/// A message set a server reads: its types, and the version its opening message carries.
pub trait Incoming: serde::de::DeserializeOwned {
    /// Every type a client may send, for telling "unknown type" from "bad fields".
    const TYPES: &'static [&'static str];
    /// The protocol version stated by this message, if it states one.
    fn version(&self) -> Option<u32>;
}

impl Incoming for ClientMessage {
    const TYPES: &'static [&'static str] = &ClientMessage::TYPES;
    fn version(&self) -> Option<u32> {
        match self {
            ClientMessage::Join { v, .. } => Some(*v),
            _ => None,
        }
    }
}

/// Reads one client frame of the signaling protocol.
pub fn decode_client(text: &str) -> Result<ClientMessage, DecodeError> {
    decode(text)
}

/// At most `max` characters of something a client sent, quoted and escaped (no control
/// characters, no newlines): the only form client input takes in a refusal's message, and
/// so in any log line that shows one.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .take(max)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if s.chars().count() > max {
        out.push('…');
    }
    format!("\"{out}\"")
}

/// Reads one client frame, telling apart broken JSON, an unknown type and bad fields, so
/// the client learns which it was.
pub fn decode<M: Incoming>(text: &str) -> Result<M, DecodeError> {
    decode_with_id(text).1
}

/// [`decode`], and the frame's optional request `id` (taken out before the message's
/// fields are checked; every message may carry one), so a refusal can echo it.
pub fn decode_with_id<M: Incoming>(text: &str) -> (Option<RequestId>, Result<M, DecodeError>) {
    let err = |code, message: String| DecodeError { code, message };
    let mut value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return (
                None,
                Err(err(ErrorCode::BadJson, format!("not valid JSON: {e}"))),
            )
        }
    };
    let id = value.as_object_mut().and_then(|o| o.remove("id"));
    let id_ok = match &id {
        None => true,
        Some(serde_json::Value::String(s)) => s.chars().count() <= 64,
        Some(serde_json::Value::Number(n)) => n.is_i64() || n.is_u64(),
        Some(_) => false,
    };
    if !id_ok {
        let refused = err(
            ErrorCode::BadMessage,
            "a request id is a string of at most 64 characters or an integer".into(),
        );
        return (None, Err(refused));
    }
    (id, decode_value(value))
}

fn decode_value<M: Incoming>(value: serde_json::Value) -> Result<M, DecodeError> {
    let err = |code, message: String| DecodeError { code, message };
    let ty = value
        .as_object()
        .ok_or_else(|| err(ErrorCode::BadJson, "a message must be a JSON object".into()))?
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or_else(|| {
            err(
                ErrorCode::BadJson,
                "a message needs a string field \"type\"".into(),
            )
        })?;
    if !M::TYPES.contains(&ty) {
        return Err(err(
            ErrorCode::UnknownType,
            format!(
                "unknown message type {}; expected one of {}",
                excerpt(ty, 40),
                M::TYPES.join(", ")
            ),
        ));
    }
    let ty = ty.to_string();
    let msg: M = serde_json::from_value(value).map_err(|e| {
        let why = excerpt(&e.to_string(), 160);
        err(ErrorCode::BadMessage, format!("bad {ty} message: {why}"))
    })?;
    if let Some(v) = msg.version() {
        if v != PROTOCOL_VERSION {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!(
                    "protocol version {v} is not supported; this server speaks {PROTOCOL_VERSION}"
                ),
            ));
        }
    }
    Ok(msg)
}

// ---------------------------------------------------------------------------------------
// The lobby protocol, at `/ws/lobby`: vendors wait and see their places; buyers see who is
// waiting at their booth and let people in.

/// What a lobby client may send. The first message must be `hello`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LobbyClientMessage {
    /// Authenticate with an invite token (a vendor's or a buyer's).
    Hello { v: u32, token: String },
    /// Vendor: wait at a booth, for a booked meeting there or as a walk-in.
    CheckIn {
        booth: InstitutionId,
        #[serde(default)]
        meeting: Option<MeetingId>,
    },
    /// Vendor: stop waiting at one booth, or at all of them.
    LeaveQueue {
        #[serde(default)]
        booth: Option<InstitutionId>,
    },
    /// Buyer: let the next eligible vendor in now.
    AdmitNext {},
    /// Buyer: send the vendor in the room back to the end of the queue.
    SendBack {},
    /// Ask for the server's clock.
    Ping {
        #[serde(default)]
        t: Option<i64>,
    },
}

impl Incoming for LobbyClientMessage {
    const TYPES: &'static [&'static str] = &[
        "hello",
        "check_in",
        "leave_queue",
        "admit_next",
        "send_back",
        "ping",
    ];
    fn version(&self) -> Option<u32> {
        match self {
            LobbyClientMessage::Hello { v, .. } => Some(*v),
            _ => None,
        }
    }
}

/// A booth or vendor room as the lobby shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LobbyRoomView {
    /// The room to join with a signaling `join`.
    pub meeting: MeetingId,
    pub booth: OrgView,
    pub enterprise: OrgView,
    pub since: Timestamp,
    pub until: Timestamp,
    /// Not the vendor's own booking: free time or the rest of a no-show slot.
    pub walk_in: bool,
}

/// A vendor's place in one queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LobbyPlaceView {
    pub booth: OrgView,
    /// 1 = next.
    pub position: usize,
    pub waiting: usize,
    pub estimated_wait_s: u64,
    pub meeting: Option<MeetingId>,
    pub starts_at: Option<Timestamp>,
    pub disconnected: bool,
}

/// One vendor in a booth's queue, as the buyer sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LobbyQueueEntry {
    pub vendor: ParticipantId,
    pub name: String,
    pub enterprise: OrgView,
    pub meeting: Option<MeetingId>,
    pub starts_at: Option<Timestamp>,
    pub checked_in_at: Timestamp,
    pub disconnected: bool,
}

/// What the lobby server sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LobbyServerMessage {
    /// `hello` succeeded.
    Welcome {
        v: u32,
        participant: ParticipantId,
        name: String,
        role: crate::Role,
        organisation: Option<OrgView>,
        server_time: Timestamp,
    },
    /// Vendor: where they wait, sent on every change.
    VendorStatus {
        places: Vec<LobbyPlaceView>,
        in_room: Option<LobbyRoomView>,
        server_time: Timestamp,
    },
    /// Buyer: their booth's queue and room, sent on every change.
    BoothStatus {
        queue: Vec<LobbyQueueEntry>,
        current: Option<LobbyRoomView>,
        server_time: Timestamp,
    },
    /// Vendor or buyer: go into this room now.
    Admitted {
        room: LobbyRoomView,
        server_time: Timestamp,
    },
    /// An operator's announcement, as on the signaling socket.
    Announcement(Announcement),
    /// Answer to `ping`, as on the signaling socket.
    Pong(Pong),
    /// A refusal, as on the signaling socket.
    Error(ErrorBody),
}

impl LobbyServerMessage {
    /// The same message with its clock stamp cleared: a status is sent again only when
    /// something other than the time changed.
    pub fn unstamped(&self) -> Self {
        let mut m = self.clone();
        match &mut m {
            LobbyServerMessage::Welcome { server_time, .. }
            | LobbyServerMessage::VendorStatus { server_time, .. }
            | LobbyServerMessage::BoothStatus { server_time, .. }
            | LobbyServerMessage::Admitted { server_time, .. }
            | LobbyServerMessage::Pong(Pong { server_time, .. }) => {
                *server_time = Timestamp::from_millis(0)
            }
            LobbyServerMessage::Error(_) | LobbyServerMessage::Announcement(_) => {}
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_bad_frame_gets_its_own_code() {
        let code = |s: &str| decode_client(s).unwrap_err().code;
        assert_eq!(code("{not json"), ErrorCode::BadJson);
        assert_eq!(code("[1,2]"), ErrorCode::BadJson);
        assert_eq!(code(r#"{"sdp":"x"}"#), ErrorCode::BadJson);
        assert_eq!(code(r#"{"type":"dance"}"#), ErrorCode::UnknownType);
        assert_eq!(code(r#"{"type":"offer"}"#), ErrorCode::BadMessage);
        assert_eq!(code(r#"{"type":"offer","sdp":1}"#), ErrorCode::BadMessage);
        assert_eq!(
            code(r#"{"type":"join","v":2,"token":"t","meeting":"m"}"#),
            ErrorCode::UnsupportedVersion
        );
        assert_eq!(
            code(r#"{"type":"join","v":1,"token":"t","meeting":"m 1"}"#),
            ErrorCode::BadMessage
        );
    }

    #[test]
    fn messages_read_as_the_protocol_document_shows() {
        assert_eq!(
            decode_client(r#"{"type":"join","v":1,"token":"eyJ","meeting":"r1-s00-i001"}"#)
                .unwrap(),
            ClientMessage::Join {
                v: 1,
                token: "eyJ".into(),
                meeting: MeetingId::parse("r1-s00-i001").unwrap()
            }
        );
        let ice = decode_client(
            r#"{"type":"ice","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#,
        )
        .unwrap();
        let ClientMessage::Ice {
            candidate: Some(candidate),
            to: None,
        } = ice
        else {
            panic!("not ice")
        };
        assert_eq!(candidate.sdp_mid.as_deref(), Some("0"));
        // The end of gathering, as browsers report it.
        assert_eq!(
            decode_client(r#"{"type":"ice","candidate":null}"#).unwrap(),
            ClientMessage::Ice {
                candidate: None,
                to: None
            }
        );
        assert_eq!(candidate.sdp_mline_index, Some(0));
        assert_eq!(
            decode_client(r#"{"type":"leave"}"#).unwrap(),
            ClientMessage::Leave {}
        );
        // Field-less messages refuse unknown fields like the others.
        for (text, lobby) in [
            (r#"{"type":"leave","x":1}"#, false),
            (r#"{"type":"admit_next","x":1}"#, true),
            (r#"{"type":"send_back","booth":"i001"}"#, true),
        ] {
            let code = if lobby {
                decode::<LobbyClientMessage>(text).unwrap_err().code
            } else {
                decode_client(text).unwrap_err().code
            };
            assert_eq!(code, ErrorCode::BadMessage, "{text}");
        }
        assert_eq!(
            decode::<LobbyClientMessage>(r#"{"type":"admit_next"}"#).unwrap(),
            LobbyClientMessage::AdmitNext {}
        );
        assert_eq!(
            decode_client(r#"{"type":"ping","t":5}"#).unwrap(),
            ClientMessage::Ping { t: Some(5) }
        );
        assert_eq!(
            decode_client(r#"{"type":"sharing","screen_shared":true,"files_sent":1}"#).unwrap(),
            ClientMessage::Sharing {
                screen_shared: true,
                files_sent: 1
            }
        );
        // A report is about the sender: naming a side, or a negative count, is refused.
        for text in [
            r#"{"type":"sharing","screen_shared":true,"files_sent":1,"side":"buyer"}"#,
            r#"{"type":"sharing","screen_shared":true,"files_sent":-1}"#,
            r#"{"type":"sharing","screen_shared":true}"#,
        ] {
            assert_eq!(
                decode_client(text).unwrap_err().code,
                ErrorCode::BadMessage,
                "{text}"
            );
        }
    }

    #[test]
    fn client_input_reaches_a_refusal_only_as_a_short_escaped_excerpt() {
        let long_field = format!("x\n{}", "y".repeat(10_000));
        let text = serde_json::json!({"type": "leave", long_field.clone(): 1}).to_string();
        let e = decode_client(&text).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadMessage);
        assert!(e.message.len() < 400, "{} bytes", e.message.len());
        assert!(!e.message.contains('\n'), "{}", e.message);
        let e = decode_client(&serde_json::json!({"type": long_field}).to_string()).unwrap_err();
        assert_eq!(e.code, ErrorCode::UnknownType);
        assert!(
            e.message.len() < 400 && !e.message.contains('\n'),
            "{}",
            e.message
        );
        assert_eq!(excerpt("a\nb", 10), "\"a\\nb\"");
    }

    #[test]
    fn server_messages_have_the_documented_shape() {
        let v = serde_json::to_value(ServerMessage::from(Refusal::new(
            ErrorCode::TooEarly,
            "wait",
        )))
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type":"error","code":"too_early","message":"wait","fatal":true})
        );
        // Both sockets answer pings and refusals in the same shape.
        let pong = Pong {
            t: Some(5),
            server_time: Timestamp::from_millis(7),
        };
        let expected = serde_json::json!({"type":"pong","t":5,"server_time":7});
        assert_eq!(
            serde_json::to_value(ServerMessage::Pong(pong.clone())).unwrap(),
            expected
        );
        assert_eq!(
            serde_json::to_value(LobbyServerMessage::Pong(pong)).unwrap(),
            expected
        );
        let at = |ms| LobbyServerMessage::VendorStatus {
            places: Vec::new(),
            in_room: None,
            server_time: Timestamp::from_millis(ms),
        };
        assert_eq!(at(1).unstamped(), at(2).unstamped());
        assert_ne!(at(1), at(2));
        let refused = Refusal::new(ErrorCode::TooEarly, "wait").for_request();
        assert_eq!(
            serde_json::to_value(LobbyServerMessage::from(refused)).unwrap(),
            serde_json::json!({"type":"error","code":"too_early","message":"wait","fatal":false})
        );
        let v = serde_json::to_value(ServerMessage::CallReady {
            offerer: true,
            peer: Seat::Vendor,
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type":"call_ready","offerer":true,"peer":"vendor"})
        );
        // A moderator names the side an offer is for; a side may leave `to` out.
        assert_eq!(
            decode_client(r#"{"type":"offer","sdp":"v=0","to":"vendor"}"#).unwrap(),
            ClientMessage::Offer {
                sdp: "v=0".into(),
                to: Some(Seat::Vendor)
            }
        );
        assert_eq!(
            decode_client(r#"{"type":"answer","sdp":"v=0"}"#).unwrap(),
            ClientMessage::Answer {
                sdp: "v=0".into(),
                to: None
            }
        );
        let a = Announcement {
            id: "a1".into(),
            text: "5분 후 2회차 시작".into(),
            from: "운영자".into(),
            audience: Audience::Round { round: 2 },
            at: Timestamp::from_millis(7),
        };
        assert_eq!(
            serde_json::to_value(ServerMessage::Announcement(a)).unwrap(),
            serde_json::json!({"type":"announcement","id":"a1","text":"5분 후 2회차 시작","from":"운영자","audience":{"to":"round","round":2},"at":7})
        );
        let v = serde_json::to_value(ServerMessage::Warning {
            remaining_s: 60,
            server_time: Timestamp::from_millis(7),
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type":"warning","remaining_s":60,"server_time":7})
        );
    }
}
