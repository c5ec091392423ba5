//! The HTTP API (see `server/API.md`) and the embedded web client. Every handler answers
//! `Result<_, ApiError>`: a refusal becomes a response in [`error`], once; who is asking
//! comes from the [`caller::Caller`] extractor.

pub mod caller;
pub mod error;
pub mod headers;
pub mod health;
pub mod ice;
pub mod invites;
pub mod labels;
pub mod mail;
pub mod moderation;
pub mod people;
pub mod prep;
pub mod records;
pub mod schedule;
pub mod serve;
pub mod survey;
pub mod timetable;
pub mod web;

use crate::app::state::AppState;
use crate::http::error::ApiError;
use crate::ws;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::Router;
use sangdam_signaling::ErrorCode;
use std::time::Duration;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// Refuses, before a byte of it is read, a body larger than the server takes, and any
/// body from a request without a token (no endpoint takes one from a stranger).
async fn guard_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let max = if req.uri().path() == IMPORT_PATH {
        state.settings.server.max_import_bytes
    } else {
        state.settings.server.max_body_bytes
    };
    let h = req.headers();
    let declared = h
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let has_body = declared.is_some_and(|n| n > 0) || h.contains_key(header::TRANSFER_ENCODING);
    if declared.is_some_and(|n| n > max as u64) {
        return ApiError::new(
            ErrorCode::FrameTooLarge,
            format!("a request body may be at most {max} bytes"),
        )
        .into_response();
    }
    if has_body && !h.contains_key(header::AUTHORIZATION) {
        return ApiError::new(
            ErrorCode::TokenInvalid,
            "send your invite token as 'Authorization: Bearer <token>' with a request body",
        )
        .into_response();
    }
    next.run(req).await
}

/// The one route that takes a file rather than a JSON body.
const IMPORT_PATH: &str = "/api/prep/import";

/// Every route the server answers.
pub fn router(state: AppState) -> Router {
    let server = &state.settings.server;
    let body_timeout = Duration::from_secs(server.body_read_timeout_seconds);
    let max_body = server.max_body_bytes;
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/ws/lobby", get(ws::lobby::upgrade))
        .route("/ws/board", get(ws::board::upgrade))
        .route("/api/moderation/rooms/{meeting}", post(moderation::room))
        .route("/api/moderation/lobby", post(moderation::lobby))
        .route("/api/moderation/announcements", post(moderation::announce))
        .route("/api/me", get(schedule::me))
        .route("/api/labels", get(labels::labels))
        .route("/api/ice-servers", get(ice::ice_servers))
        .route("/api/fairs", get(records::fairs))
        .route("/api/log", get(records::log))
        .route("/api/log.csv", get(records::log_csv))
        .route("/api/log.xlsx", get(records::log_xlsx))
        .route("/api/report", get(records::report))
        .route(
            "/api/survey/{meeting}",
            get(survey::questions).post(survey::answer),
        )
        .route("/api/prep", get(prep::summary))
        .route("/api/prep/registry", get(prep::registry))
        .route(
            IMPORT_PATH,
            post(prep::import).layer(DefaultBodyLimit::max(server.max_import_bytes)),
        )
        .route("/api/prep/settings", put(prep::settings))
        .route(
            "/api/prep/matches",
            get(prep::matches).post(prep::create_matches),
        )
        .route("/api/prep/matches/{id}", patch(prep::update_match))
        .route("/api/prep/suggestions", get(prep::suggest))
        .route("/api/prep/drafts", get(prep::drafts))
        .route("/api/prep/publish", post(prep::publish))
        .route("/api/prep/proposal", post(prep::proposal))
        .route("/api/prep/schedule", post(prep::schedule))
        .route(
            "/api/requests",
            get(timetable::requests).post(timetable::create),
        )
        .route("/api/requests/{id}/answer", post(timetable::respond))
        .route("/api/requests/{id}/withdraw", post(timetable::withdraw))
        .route("/api/timetable", get(timetable::timetable))
        .route("/api/timetable/seen", post(timetable::seen))
        .route("/api/timetable.ics", get(timetable::ics))
        .route("/api/invites.csv", get(invites::csv))
        .route("/api/invites.xlsx", get(invites::xlsx))
        .route("/api/mail", get(mail::progress))
        .route("/api/mail/invitations", post(mail::invitations))
        .route("/api/mail/retry", post(mail::retry))
        .route("/api/participants/{id}/revoke", post(people::revoke))
        .route("/api/reminders", get(people::get).put(people::put))
        .route("/api/rooms", get(schedule::rooms))
        .route("/api/meetings", get(schedule::meetings))
        .route("/ws", get(ws::signaling::upgrade))
        .fallback(web::serve)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard_body,
        ))
        .layer(axum::middleware::map_response(headers::secure))
        .with_state(state)
}
