//! How every socket writes and ends: one limit on a single write, one close frame for each
//! way a connection ends (codes from [`crate::rooms::outbox::close_code`]), and reading
//! until the client's own close so the socket is not shut with unread data — which the
//! kernel would turn into a reset that loses the close frame. The sockets without a writer
//! task of their own (the lobby's, the board's) write through [`send`], [`refuse`] and
//! [`close`].

use crate::rooms::outbox::close_code;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{Stream, StreamExt};
use sangdam_signaling::{ErrorCode, Refusal};
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

/// Sends one message within [`WRITE_TIMEOUT`]; false if the client did not take it.
pub async fn send<M: serde::Serialize>(socket: &mut WebSocket, msg: &M) -> bool {
    let text = serde_json::to_string(msg).expect("socket messages serialize");
    matches!(
        tokio::time::timeout(WRITE_TIMEOUT, socket.send(Message::Text(text.into()))).await,
        Ok(Ok(()))
    )
}

/// Sends a refusal as the socket's message type `M`; a fatal one then closes the socket
/// with a close frame naming it.
pub async fn refuse<M: serde::Serialize + From<Refusal>>(
    socket: &mut WebSocket,
    refusal: Refusal,
) -> bool {
    let fatal = refusal.is_fatal().then_some(refusal.code);
    let sent = send(socket, &M::from(refusal)).await;
    if let Some(code) = fatal {
        close(socket, Some(code)).await;
    }
    sent
}

/// Ends the connection with a close frame: 1000 for a normal end, else the refusal's code.
pub async fn close(socket: &mut WebSocket, refusal: Option<ErrorCode>) {
    let frame = close_frame(refusal);
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.send(frame)).await;
    drain(socket).await;
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
