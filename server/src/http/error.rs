//! The one place a refusal becomes an HTTP response: its code's status and
//! `{"error": {"code", "message"}}`. Handlers return `Result<_, ApiError>` and use `?` on
//! any error that converts into a [`Refusal`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sangdam_signaling::{ErrorCode, Refusal};
use serde_json::json;

/// A refusal on its way out as an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub Refusal);

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Refusal::new(code, message))
    }
}

impl<E: Into<Refusal>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Refusal { code, message, .. } = self.0.clone();
        let status = StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        if status.is_server_error() {
            tracing::warn!(%code, %message, "request failed");
        } else {
            tracing::debug!(%code, "request refused");
        }
        (
            status,
            Json(json!({"error": {"code": code, "message": message}})),
        )
            .into_response()
    }
}
