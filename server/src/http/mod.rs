//! The HTTP API (see `server/API.md`) and the embedded web client. Every handler answers
//! `Result<_, ApiError>`: a refusal becomes a response in [`error`], once; who is asking
//! comes from the [`caller::Caller`] extractor.

pub mod caller;
pub mod error;
pub mod headers;
pub mod health;
pub mod labels;
pub mod records;
pub mod schedule;
pub mod survey;
pub mod web;

use crate::app::state::AppState;
use crate::ws;
use axum::routing::get;
use axum::Router;

/// Every route the server answers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/ws/lobby", get(ws::lobby::upgrade))
        .route("/api/me", get(schedule::me))
        .route("/api/labels", get(labels::labels))
        .route("/api/fairs", get(records::fairs))
        .route("/api/log", get(records::log))
        .route("/api/log.csv", get(records::log_csv))
        .route("/api/log.xlsx", get(records::log_xlsx))
        .route("/api/report", get(records::report))
        .route(
            "/api/survey/{meeting}",
            get(survey::questions).post(survey::answer),
        )
        .route("/api/rooms", get(schedule::rooms))
        .route("/api/meetings", get(schedule::meetings))
        .route("/ws", get(ws::signaling::upgrade))
        .fallback(web::serve)
        .layer(axum::middleware::map_response(headers::secure))
        .with_state(state)
}
