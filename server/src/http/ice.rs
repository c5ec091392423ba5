//! `GET /api/ice-servers`: the ICE servers a participant's page tests before entering a
//! room (the pre-join check: can this network reach the relay, over UDP, TCP or TLS?),
//! with relay credentials good for a few minutes — the room's own come with `joined`.

use crate::app::state::AppState;
use crate::http::caller::Caller;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

pub async fn ice_servers(State(state): State<AppState>, caller: Caller) -> Json<Value> {
    Json(json!({
        "ice_servers": state.ice.for_check(caller.participant.id.as_str(), caller.now),
        "ice_transport_policy": state.ice.policy,
    }))
}
