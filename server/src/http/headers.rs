//! Security headers on every response — pages, API, errors, static files: the browser is
//! told to run only this server's scripts, never to frame the pages, never to guess a
//! content type, and never to send the page's address onwards.

use axum::http::{header, HeaderValue};
use axum::response::Response;

/// Scripts, styles and connections from this origin only, no inline script or style, no
/// framing. `data:` images cover the blank favicon; media come from `getUserMedia`
/// streams, which a policy does not restrict.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; media-src 'self' blob:; \
font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// Adds the headers to a response (a `map_response` layer on the whole router).
pub async fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
