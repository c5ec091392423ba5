//! How the sockets without a join (the lobby's, the board's) open: the client has
//! `server.first_message_seconds` (absolute: pings do not move it) to say `hello` with its
//! token; it may ask the clock before; anything else is refused as `not_joined`; a refused
//! hello ends the connection. Each socket says what its hello is and how it is checked.

use crate::app::clock;
use crate::app::state::AppState;
use crate::ws::closing::{refuse, send};
use crate::ws::frames::{self, Frame};
use axum::extract::ws::WebSocket;
use sangdam_signaling::live::rate::Inbound;
use sangdam_signaling::protocol::{Incoming, Pong};
use sangdam_signaling::{ErrorCode, Refusal};
use std::time::Duration;

/// What a message before the hello is.
pub enum Before<T> {
    /// The hello, checked: who it is, or why not.
    Hello(Result<T, Refusal>),
    /// A clock request (its `t`).
    Ping(Option<i64>),
    /// Anything else.
    Other,
}

/// Waits for the hello, answering pings and refusing anything else; `read` tells a message
/// of `M` apart (and checks a hello). `S` is the socket's server message type. `None`: the
/// connection is done (its refusal has been sent).
pub async fn hello<M, S, T>(
    socket: &mut WebSocket,
    state: &AppState,
    inbound: &mut Inbound,
    first: &str,
    mut read: impl FnMut(M) -> Before<T>,
) -> Option<T>
where
    M: Incoming,
    S: serde::Serialize + From<Refusal> + From<Pong>,
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
                Before::Hello(Ok(found)) => return Some(found),
                // Every refusal of a hello is about the connection itself.
                Before::Hello(Err(r)) => r.closing(),
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
