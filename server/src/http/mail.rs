//! Staff's mail: `POST /api/mail/invitations` queues invitations (everyone, one role, or
//! some participants), `GET /api/mail` says how far the sender is (sent, failed with the
//! relay's reason, pending), `POST /api/mail/retry` queues failed mail again.

use crate::app::state::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::invites::{open_invitations, role_filter};
use crate::http::timetable::bad_body;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use sangdam_signaling::notify::{Notice, NoticeKey};
use sangdam_signaling::{ErrorCode, Participant, ParticipantId, Role};
use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /api/mail`
pub async fn progress(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Staff])?;
    let p = state.mail.progress(50).await?;
    Ok(Json(serde_json::to_value(p).expect("progress serializes")))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Invite {
    /// Only this role (`buyer`, `vendor`, `moderator`, `staff`).
    role: Option<String>,
    /// Only these participants.
    participants: Option<Vec<String>>,
}

/// `POST /api/mail/invitations`
pub async fn invitations(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Invite>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Staff])?;
    state.mail.require_enabled()?;
    let Json(body) = body.map_err(bad_body)?;
    let role = role_filter(body.role.as_deref(), ErrorCode::BadMessage)?;
    let only: Option<Vec<ParticipantId>> = match body.participants {
        None => None,
        Some(ids) => Some(
            ids.iter()
                .map(|id| {
                    ParticipantId::parse(id.clone())
                        .ok()
                        .filter(|p| state.fair.participant(p).is_some())
                        .ok_or_else(|| {
                            ApiError::new(
                                ErrorCode::UnknownParticipant,
                                format!("participants: {id:?} is not in this fair"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    open_invitations(&state, caller.now, ErrorCode::BadMessage)?;
    let generations = state.people.generations().await?;
    let chosen: Vec<_> = state
        .fair
        .participants()
        .filter(|p| role.is_none_or(|r| p.role == r))
        .filter(|p| only.as_ref().is_none_or(|o| o.contains(&p.id)))
        .collect();
    let (with, without): (Vec<&Participant>, Vec<&Participant>) =
        chosen.into_iter().partition(|p| state.has_address(&p.id));
    let notices: Vec<(Notice, Option<_>)> = with
        .iter()
        .map(|p| {
            let generation = generations.get(&p.id).copied().unwrap_or(0);
            (Notice::invitation(p.id.clone(), generation), None)
        })
        .collect();
    let asked = notices.len();
    let queued = state.mail.queue(notices, caller.now).await?;
    tracing::info!(staff = %caller.participant.id, queued = queued.len(), already = asked - queued.len(), no_address = without.len(), "invitations queued");
    Ok(Json(json!({
        "queued": queued.len(),
        "already": asked - queued.len(),
        "no_address": without.iter().map(|p| p.id.to_string()).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    keys: Option<Vec<String>>,
}

/// `POST /api/mail/retry`
pub async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<Retry>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Staff])?;
    state.mail.require_enabled()?;
    let Json(body) = body.map_err(bad_body)?;
    let keys = match body.keys {
        None => None,
        Some(ks) => Some(
            ks.iter()
                .map(|k| {
                    NoticeKey::parse(k).ok_or_else(|| {
                        ApiError::new(
                            ErrorCode::BadMessage,
                            format!("keys: {k:?} is not a notice key"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let n = state.mail.retry(keys, caller.now).await?;
    tracing::info!(staff = %caller.participant.id, requeued = n, "failed mail queued again");
    Ok(Json(json!({ "requeued": n })))
}
