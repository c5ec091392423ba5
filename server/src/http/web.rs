//! The browser client, built into the binary so that one file serves everything.
//!
//! Every file under `web/` is embedded (release builds; debug builds read them from disk,
//! so editing the client needs no rebuild), except the client's own tests and the
//! `package.json` that only tells Node to treat the modules as ES modules. A new file under
//! `web/` is served without a change here.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../web/"]
#[exclude = "test/*"]
#[exclude = "package.json"]
#[exclude = "node_modules/*"]
struct Web;

/// The content type of a served file, by its extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves `/` as the client's page and its files by path.
pub async fn serve(uri: Uri) -> Response {
    let path = match uri.path() {
        "/" => "index.html",
        p => p.trim_start_matches('/'),
    };
    // Only plain relative paths: no `..`, no empty or hidden segments, no backslashes.
    let plain = !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && !seg.starts_with('.'));
    match plain.then(|| Web::get(path)).flatten() {
        Some(file) => (
            [
                (header::CONTENT_TYPE, content_type(path)),
                (header::CACHE_CONTROL, "no-cache"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            file.data,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
