//! How the sockets without a join (the lobby's, the board's) open: the client has
//! `server.first_message_seconds` (absolute: pings do not move it) to say `hello` with its
//! token; it may ask the clock before; anything else is refused as `not_joined`; a refused
//! hello ends the connection (fatally, unless the shared store was briefly out of reach:
//! then the client hears it is temporary, the socket closes normally, and it tries again).
//! Each socket says what its hello is and how it is checked.

use crate::app::clock;
use crate::app::state::AppState;
use crate::ws::closing::{close, refuse, send};
use crate::ws::frames::{self, Frame};
use axum::extract::ws::WebSocket;
use sangdam_signaling::live::rate::Inbound;
use sangdam_signaling::protocol::{Incoming, Pong};
use sangdam_signaling::{ErrorCode, Refusal};
use std::time::Duration;

/// What a message before the hello is.
pub enum Before<C> {
    /// The hello, and its check (a future: it asks the people store): who it is, or why
    /// not.
    Hello(C),
    /// A clock request (its `t`).
    Ping(Option<i64>),
    /// Anything else.
    Other,
}

/// Waits for the hello, answering pings and refusing anything else; `read` tells a message
/// of `M` apart (and checks a hello, which may ask the people store). `S` is the socket's
/// server message type. `None`: the connection is done (its refusal has been sent).
pub async fn hello<M, S, C, T>(
    socket: &mut WebSocket,
    state: &AppState,
    inbound: &mut Inbound,
    first: &str,
    mut read: impl FnMut(M) -> Before<C>,
) -> Option<T>
where
    M: Incoming,
    S: serde::Serialize + From<Refusal> + From<Pong>,
    C: std::future::Future<Output = Result<T, Refusal>>,
{
    let max = state.settings.server.max_frame_bytes;
    let first_message = Duration::from_secs(state.settings.server.first_message_seconds);
    let hello_by = tokio::time::Instant::now() + first_message;
    loop {
        let Ok(received) = tokio::time::timeout_at(hello_by, socket.recv()).await else {
            let late = Refusal::new(
                ErrorCode::NotJoined,
                format!("no hello within {} s; closing", first_message.as_secs()),
            );
            refuse::<S>(socket, late.closing()).await;
            return None;
        };
        let (id, frame) = frames::read::<M>(received, max, inbound);
        let refusal = match frame {
            Frame::Message(m) => match read(m) {
                Before::Hello(check) => match check.await {
                    Ok(found) => return Some(found),
                    Err(r)
                        if matches!(
                            r.code,
                            ErrorCode::TemporarilyUnavailable | ErrorCode::Busy
                        ) =>
                    {
                        let _ = refuse::<S>(socket, r.for_request().answering(id)).await;
                        close(socket, None).await;
                        return None;
                    }
                    // Every other refusal of a hello is about the connection itself.
                    Err(r) => r.closing(),
                },
                // As on `/ws`: the clock may be asked before authenticating.
                Before::Ping(t) => {
                    let pong = Pong {
                        t,
                        server_time: clock::now(),
                    };
                    if !send(socket, &S::from(pong)).await {
                        return None;
                    }
                    continue;
                }
                Before::Other => Refusal::new(ErrorCode::NotJoined, first.to_string()),
            },
            Frame::Refused(r) => r,
            Frame::Ignore => continue,
            Frame::Closed => return None,
        };
        let refusal = refusal.answering(id);
        let fatal = refusal.is_fatal();
        if !refuse::<S>(socket, refusal).await || fatal {
            return None;
        }
    }
}
