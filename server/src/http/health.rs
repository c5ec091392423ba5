//! Liveness and readiness, for orchestrators and load balancers.

use crate::app::state::AppState;
use crate::http::error::ApiError;
use axum::extract::State;

/// Liveness: the process answers. Never depends on Redis, so an orchestrator does not
/// restart healthy nodes during a Redis outage.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: this node can serve the lobby, i.e. its store answers.
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.lobby.ping().await?;
    Ok("ready")
}
