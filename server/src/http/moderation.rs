//! The moderation API (`/api/moderation/…`): moderators change rooms, move and admit
//! vendors, and announce. Each handler checks the caller (an unscoped moderator's
//! token), reads the body, and hands the request to `moderation::Moderation`, which has
//! the core decide it.

use crate::app::state::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use sangdam_signaling::protocol::board::{AnnounceBody, LobbyActionBody, RoomActionBody};
use sangdam_signaling::{ErrorCode, MeetingId};
use serde_json::json;

/// Reads a JSON body as `T`: broken JSON is `bad_json`, the wrong shape `bad_message`.
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(ErrorCode::BadJson, format!("the body is not valid JSON: {e}"))
    })?;
    serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            ErrorCode::BadMessage,
            format!("not a {what} this server knows (see server/API.md): {e}"),
        )
    })
}

/// `POST /api/moderation/rooms/{meeting}`.
pub async fn room(
    State(state): State<AppState>,
    Path(meeting): Path<String>,
    caller: Caller,
    bytes: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    caller.grant().moderate()?;
    let meeting = MeetingId::parse(&meeting).map_err(|e| {
        ApiError::new(ErrorCode::UnknownMeeting, format!("no such meeting: {e}"))
    })?;
    let action: RoomActionBody = body(&bytes, "room action")?;
    let done = state
        .moderation
        .room_action(&caller.participant, &meeting, action, caller.now)
        .await?;
    Ok(Json(done))
}

/// `POST /api/moderation/lobby`.
pub async fn lobby(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    caller.grant().moderate()?;
    let action: LobbyActionBody = body(&bytes, "lobby action")?;
    let events = state
        .moderation
        .lobby_action(&caller.participant, action, caller.now)
        .await?;
    Ok(Json(json!({ "events": events })))
}

/// `POST /api/moderation/announcements`.
pub async fn announce(
    State(state): State<AppState>,
    caller: Caller,
    bytes: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    caller.grant().moderate()?;
    let announcement: AnnounceBody = body(&bytes, "announcement")?;
    let sent = state
        .moderation
        .announce(&caller.participant, announcement, caller.now)
        .await?;
    Ok(Json(sent))
}
