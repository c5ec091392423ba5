//! The JSON HTTP API (see `server/API.md`). Errors become a status and
//! `{"error": {"code", "message"}}` here, once.

use crate::clock;
use crate::startup::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sangdam_signaling::protocol::{MeetingView, OrgView};
use sangdam_signaling::room::Window;
use sangdam_signaling::{ErrorCode, Meeting, Participant, Phase, Role, Timestamp};
use serde::Serialize;
use serde_json::json;
use std::time::Duration;

/// An API refusal: a protocol error code and a message for people.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        (
            status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response()
    }
}

/// The participant behind the request's bearer token.
pub(crate) fn caller<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
) -> Result<&'s Participant, ApiError> {
    authenticated(state, headers).map(|(_, p)| p)
}

/// The participant behind the request's bearer token, with what the token says (e.g. the
/// one meeting it is scoped to).
pub(crate) fn authenticated<'s>(
    state: &'s AppState,
    headers: &HeaderMap,
) -> Result<(crate::auth::Claims, &'s Participant), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::TokenInvalid,
                "send your invite token as 'Authorization: Bearer <token>'",
            )
        })?;
    state
        .tokens
        .authenticate(&state.fair, token.trim())
        .map_err(|e| ApiError::new(e.code(), e.to_string()))
}

pub(crate) fn require(p: &Participant, roles: &[Role]) -> Result<(), ApiError> {
    if roles.contains(&p.role) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::WrongRole,
            format!("a {} may not see this", p.role.as_str()),
        ))
    }
}

/// A meeting with its room's timing, as every page lists them.
#[derive(Serialize)]
pub struct MeetingEntry {
    #[serde(flatten)]
    pub view: MeetingView,
    pub window: Window,
    pub phase: Phase,
}

fn entry(state: &AppState, m: &Meeting, now: Timestamp) -> MeetingEntry {
    MeetingEntry {
        view: MeetingView::of(&state.fair, m),
        window: state.rooms.window(m),
        phase: state.rooms.presence(m, now).phase,
    }
}

/// Liveness: the process answers. Never depends on Redis, so an orchestrator does not
/// restart healthy nodes during a Redis outage.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: this node can serve the lobby, i.e. its store answers.
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.lobby.ping().await.map_err(|e| {
        let (code, message) = crate::lobby_ws::store_error(&e);
        ApiError::new(code, message)
    })?;
    Ok("ready")
}

pub async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let p = caller(&state, &headers)?;
    let now = clock::now();
    let meetings: Vec<MeetingEntry> = state
        .fair
        .meetings_of(p)
        .into_iter()
        .map(|m| entry(&state, m, now))
        .collect();
    Ok(Json(json!({
        "participant": {"id": p.id, "name": p.name, "role": p.role},
        "organisation": OrgView::of_participant(&state.fair, p),
        "fair": {"id": state.fair.id, "name": state.fair.name},
        "meetings": meetings,
        "server_time": now,
    })))
}

/// How far around now the moderators' overview looks.
const OVERVIEW_SPAN: Duration = Duration::from_secs(12 * 3600);

pub async fn rooms(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let p = caller(&state, &headers)?;
    require(p, &[Role::Moderator, Role::Staff])?;
    let now = clock::now();
    let mut rooms: Vec<(Timestamp, serde_json::Value)> = state
        .fair
        .meetings()
        .filter_map(|m| {
            let w = state.rooms.window(m);
            let near =
                w.closes_at + OVERVIEW_SPAN > now && w.checkin_opens_at < now + OVERVIEW_SPAN;
            near.then(|| {
                let presence = state.rooms.presence(m, now);
                (
                    w.starts_at,
                    json!({
                        "meeting": entry(&state, m, now),
                        "buyer_present": presence.buyer_present,
                        "vendor_present": presence.vendor_present,
                    }),
                )
            })
        })
        .collect();
    rooms.sort_by_key(|(t, _)| *t);
    let rooms: Vec<serde_json::Value> = rooms.into_iter().map(|(_, v)| v).collect();
    Ok(Json(json!({"server_time": now, "rooms": rooms})))
}

pub async fn meetings(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let p = caller(&state, &headers)?;
    require(p, &[Role::Moderator, Role::Staff])?;
    let now = clock::now();
    let mut list: Vec<&Meeting> = state.fair.meetings().collect();
    list.sort_by_key(|m| (m.slot.start, m.id.clone()));
    let meetings: Vec<MeetingEntry> = list.into_iter().map(|m| entry(&state, m, now)).collect();
    Ok(Json(json!({"server_time": now, "meetings": meetings})))
}
