//! A participant's access, by staff and by themselves: `POST /api/participants/{id}/revoke`
//! (staff revoke someone's link on every node and get a fresh one to send) and
//! `GET`/`PUT /api/reminders` (a participant turns meeting reminders off or on).

use crate::app::state::AppState;
use crate::files::invites::Minting;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use crate::http::timetable::bad_body;
use crate::rooms::bus::OpsMessage;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use sangdam_signaling::notify::Notice;
use sangdam_signaling::{ErrorCode, ParticipantId, Role, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RevokeQuery {
    /// Also mail the fresh link as a new invitation.
    #[serde(default)]
    mail: bool,
}

/// `POST /api/participants/{id}/revoke`: raises the participant's link generation (every
/// token signed before stops working), closes their open sockets on every node, and
/// answers a fresh personal link, minted as the invitation sheet mints them.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<RevokeQuery>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Staff])?;
    if q.mail {
        state.mail.require_enabled()?;
    }
    let participant = ParticipantId::parse(id.clone())
        .ok()
        .and_then(|p| state.fair.participant(&p))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownParticipant,
                format!("this fair has no participant {id:?}"),
            )
        })?;
    let generation = state.people.revoke(&participant.id).await?;
    tracing::info!(staff = %caller.participant.id, participant = %participant.id, generation, "invite link revoked");
    state
        .moderation
        .tell_every_node(OpsMessage::Revoked {
            participant: participant.id.clone(),
            generation,
        })
        .await;
    // Until the fair's end and the margin, as every invitation; once those are over (a
    // link revoked for the records pages), a token's usual lifetime.
    let expires_at = match state.invite_expiry(caller.now) {
        t if t > caller.now => t,
        _ => caller.now + Duration::from_secs(state.settings.auth.token_ttl_hours * 3600),
    };
    // A token's expiry is in whole seconds: say the one it has.
    let expires_at = Timestamp::from_millis(expires_at.as_millis() / 1000 * 1000);
    let generations = HashMap::from([(participant.id.clone(), generation)]);
    let minting = Minting {
        tokens: &state.tokens,
        base_url: &state.base_url,
        now: caller.now,
        expires_at,
        generations: &generations,
    };
    // `?mail=true`: the fresh link also goes out as a new invitation (a new generation is a
    // new notice key, so it is sent even though the old one was).
    let mailed = if q.mail && state.has_address(&participant.id) {
        let notice = Notice::invitation(participant.id.clone(), generation);
        !state
            .mail
            .queue(vec![(notice, None)], caller.now)
            .await?
            .is_empty()
    } else {
        false
    };
    Ok(Json(json!({
        "participant": participant.id,
        "generation": generation,
        "link": minting.link(&state.fair, participant, None),
        "expires_at": expires_at,
        "mailed": mailed,
    })))
}

fn reminders(state: &AppState, off: bool) -> Json<Value> {
    Json(json!({"minutes": state.settings.reminders.minutes, "off": off}))
}

/// `GET /api/reminders`: the fair's reminder times (minutes before each meeting) and
/// whether the caller turned reminders off.
pub async fn get(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let access = state.people.access(&caller.participant.id).await?;
    Ok(reminders(&state, access.reminders_off))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemindersBody {
    off: bool,
}

/// `PUT /api/reminders` `{"off": true}`: turns the caller's reminders off (or on again).
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<RemindersBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(bad_body)?;
    let access = state
        .people
        .set_reminders_off(&caller.participant.id, body.off)
        .await?;
    tracing::info!(participant = %caller.participant.id, off = access.reminders_off, "reminders set");
    Ok(reminders(&state, access.reminders_off))
}
