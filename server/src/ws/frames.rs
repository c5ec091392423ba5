//! Reading a client's WebSocket frame the same way on every socket: counted against the
//! connection's allowance, text only, size-checked against the protocol's limit, then
//! decoded, so each kind of bad frame gets the same error code wherever it arrives.

use crate::app::clock;
use axum::extract::ws::Message;
use sangdam_signaling::error::RequestId;
use sangdam_signaling::live::rate::{Inbound, Verdict};
use sangdam_signaling::protocol::{decode_with_id, Incoming};
use sangdam_signaling::{ErrorCode, Refusal};

/// What one received frame amounts to.
pub enum Frame<M> {
    /// A well-formed message.
    Message(M),
    /// A frame to answer with this refusal; the connection stays unless it is fatal.
    Refused(Refusal),
    /// Control frames (ping, pong), and frames dropped over the allowance after the sender
    /// was told: nothing to do.
    Ignore,
    /// The peer closed or the connection failed.
    Closed,
}

/// Classifies what `socket.recv()` (or a stream's `next()`) gave, with the request `id` the
/// frame carried (to echo in a refusal of it). Every data frame counts against the
/// connection's allowance `inbound` first: over it, the frame is dropped unread, and the
/// sender hears `rate_limited` at most once a second.
pub fn read<M: Incoming>(
    received: Option<Result<Message, axum::Error>>,
    max: usize,
    inbound: &mut Inbound,
) -> (Option<RequestId>, Frame<M>) {
    match frame(received, max, inbound) {
        Ok((id, m)) => (id, Frame::Message(m)),
        Err((id, f)) => (id, f),
    }
}

type Read<M> = Result<(Option<RequestId>, M), (Option<RequestId>, Frame<M>)>;

fn frame<M: Incoming>(
    received: Option<Result<Message, axum::Error>>,
    max: usize,
    inbound: &mut Inbound,
) -> Read<M> {
    let no = |f: Frame<M>| Err((None, f));
    let size = match &received {
        Some(Ok(Message::Text(t))) => t.len(),
        Some(Ok(Message::Binary(b))) => b.len(),
        _ => 0,
    };
    if matches!(received, Some(Ok(Message::Text(_) | Message::Binary(_)))) {
        match inbound.check(size, clock::now()) {
            Verdict::Pass => {}
            Verdict::Drop => return no(Frame::Ignore),
            Verdict::Refuse => {
                tracing::warn!(refused = inbound.refused(), "client over its allowance");
                return no(Frame::Refused(Refusal::new(
                    ErrorCode::RateLimited,
                    "too many messages: what exceeds the allowance is dropped; slow down",
                )));
            }
        }
    }
    let text = match received {
        None | Some(Ok(Message::Close(_))) => return no(Frame::Closed),
        Some(Err(e)) => {
            tracing::info!(error = %e, "connection lost");
            return no(Frame::Closed);
        }
        Some(Ok(Message::Binary(_))) => {
            return no(Frame::Refused(Refusal::new(
                ErrorCode::BinaryFrame,
                "binary frames are not part of the protocol; send JSON text",
            )))
        }
        Some(Ok(Message::Text(t))) => t,
        Some(Ok(_)) => return no(Frame::Ignore),
    };
    if text.len() > max {
        tracing::warn!(bytes = text.len(), max, "frame too large");
        return no(Frame::Refused(Refusal::new(
            ErrorCode::FrameTooLarge,
            format!(
                "a message may be at most {max} bytes; this one has {}",
                text.len()
            ),
        )));
    }
    match decode_with_id::<M>(&text) {
        (id, Ok(m)) => Ok((id, m)),
        (id, Err(e)) => {
            tracing::info!(code = %e.code, "bad message");
            Err((id.clone(), Frame::Refused(Refusal::from(e).answering(id))))
        }
    }
}
