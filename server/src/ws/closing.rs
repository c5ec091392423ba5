//! How both sockets write and end: one limit on a single write, one close frame for each
//! way a connection ends (codes from [`crate::rooms::outbox::close_code`]), and reading
//! until the client's own close so the socket is not shut with unread data — which the
//! kernel would turn into a reset that loses the close frame.

use crate::rooms::outbox::close_code;
use axum::extract::ws::{CloseFrame, Message};
use futures_util::{Stream, StreamExt};
use sangdam_signaling::ErrorCode;
use std::time::Duration;

/// How long one message may take to reach the client's socket; a client that takes no data
/// for that long (a zero TCP window) is given up on, in or out of a room.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);

/// How long the client gets to answer the server's close with its own.
const DRAIN: Duration = Duration::from_secs(1);

/// The close frame for a connection ending normally (`None`) or with a refusal's code.
pub fn close_frame(refusal: Option<ErrorCode>) -> Message {
    Message::Close(Some(CloseFrame {
        code: close_code(refusal),
        reason: refusal.map_or("bye", |c| c.as_str()).into(),
    }))
}

/// Reads (and drops) what the client still sends until its close frame, for a moment.
pub async fn drain<S>(incoming: &mut S)
where
    S: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let _ = tokio::time::timeout(DRAIN, async {
        while let Some(Ok(m)) = incoming.next().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}
