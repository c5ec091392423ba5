//! The schedule as each kind of user sees it: a participant's own meetings (`/api/me`),
//! the moderators' live rooms (`/api/rooms`) and the whole schedule (`/api/meetings`).

use crate::app::state::AppState;
use crate::http::caller::Caller;
use crate::http::error::ApiError;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use sangdam_signaling::live::room::Window;
use sangdam_signaling::protocol::{MeetingView, OrgView};
use sangdam_signaling::{Meeting, Phase, Timestamp};
use serde::Serialize;
use serde_json::json;
use std::time::Duration;

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
        // A running room's window has the moderators' changes (a moved end).
        window: state
            .rooms
            .status(&m.id)
            .map_or_else(|| state.rooms.window(m), |s| s.window),
        phase: state.rooms.presence(m, now).phase,
    }
}

/// `GET /api/me`: who the caller is and their meetings.
pub async fn me(State(state): State<AppState>, caller: Caller) -> impl IntoResponse {
    let p = &caller.participant;
    let now = caller.now;
    let meetings: Vec<MeetingEntry> = state
        .fair
        .meetings_of(p)
        .into_iter()
        .filter(|m| caller.grant().covers(&m.id))
        .map(|m| entry(&state, m, now))
        .collect();
    Json(json!({
        "participant": {"id": p.id, "name": p.name, "role": p.role},
        "organisation": OrgView::of_participant(&state.fair, p),
        "fair": {"id": state.fair.id, "name": state.fair.name},
        "meetings": meetings,
        "server_time": now,
    }))
}

/// How far around now the moderators' overview looks.
const OVERVIEW_SPAN: Duration = Duration::from_secs(12 * 3600);

/// `GET /api/rooms`: the rooms around now, with who is present.
pub async fn rooms(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_operator()?;
    let now = caller.now;
    let mut rooms: Vec<(Timestamp, serde_json::Value)> = state
        .fair
        .meetings()
        .filter(|m| caller.grant().covers(&m.id))
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

/// `GET /api/meetings`: every meeting of the fair in time order.
pub async fn meetings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_operator()?;
    let now = caller.now;
    let mut list: Vec<&Meeting> = state
        .fair
        .meetings()
        .filter(|m| caller.grant().covers(&m.id))
        .collect();
    list.sort_by_key(|m| (m.slot.start, m.id.clone()));
    let meetings: Vec<MeetingEntry> = list.into_iter().map(|m| entry(&state, m, now)).collect();
    Ok(Json(json!({"server_time": now, "meetings": meetings})))
}
