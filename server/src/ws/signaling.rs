//! The signaling WebSocket: one connection is one participant in one room. The first
//! message must be `join` with an invite token; from then on the connection's identity is
//! fixed, and nothing in a later payload can change who it speaks for.

use crate::app::clock;
use crate::app::state::AppState;
use crate::http::serve::HeldSlot;
use crate::lobby;
use crate::rooms::bus::OpsMessage;
use crate::rooms::outbox::{self, Inbox, Outbox};
use crate::rooms::{ConnId, Heard, Joining, Membership};
use crate::ws::closing;
use crate::ws::frames::{self, Frame};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use sangdam_signaling::live::access::{Grant, Purpose};
use sangdam_signaling::live::rate::Inbound;
use sangdam_signaling::live::room::Seat;
use sangdam_signaling::live::sharing::SideSharing;
use sangdam_signaling::protocol::{Audience, ClientMessage, ErrorBody, Pong, ServerMessage, You};
use sangdam_signaling::{ErrorCode, MeetingId, Participant, ParticipantId, Refusal, Role};
use std::time::Duration;
use tokio::sync::broadcast;
use tracing::{debug, info, Instrument};

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    held: Option<Extension<HeldSlot>>,
) -> Response {
    // Frames up to four times the protocol's limit are read and answered with
    // `frame_too_large`, leaving the connection up; only beyond that does the socket
    // layer itself cut the connection.
    let hard_limit = state.settings.server.max_frame_bytes * 4;
    // Small socket buffers, as the lobby has: they grow for an SDP when one comes, but an
    // idle socket (or a flooder's, whose frames are dropped as they arrive) does not hold
    // tungstenite's default 128 KiB each.
    ws.read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .max_write_buffer_size(hard_limit)
        .max_message_size(hard_limit)
        .max_frame_size(hard_limit)
        .on_upgrade(move |socket| {
            let conn = state.next_conn();
            let span = tracing::info_span!(
                "conn",
                conn,
                participant = tracing::field::Empty,
                meeting = tracing::field::Empty
            );
            async move {
                connection(socket, state, conn).await;
                // The socket's place in the connection caps is given back only now.
                drop(held);
            }
            .instrument(span)
        })
}

/// Sends the connection's messages to its socket until its last message, its outbox's
/// end, or its shutting (see [`outbox`]); then the close frame with the code for how it
/// ended.
async fn write(mut sink: SplitSink<WebSocket, Message>, mut inbox: Inbox) {
    let mut ended_by: Option<Refusal> = None;
    loop {
        let msg = tokio::select! {
            biased;
            why = inbox.shut.wait() => {
                ended_by = Some(why);
                break;
            }
            msg = inbox.rx.recv() => match msg {
                Some(msg) => msg,
                None => break,
            },
        };
        let last = match &msg {
            ServerMessage::Closed { .. } => true,
            ServerMessage::Error(ErrorBody {
                fatal: true,
                code,
                message,
                ..
            }) => {
                ended_by = Some(Refusal::new(*code, message.clone()));
                true
            }
            _ => false,
        };
        if !msg.is_sensitive() {
            debug!(?msg, "send");
        }
        let text = serde_json::to_string(&msg).expect("server messages serialize");
        let sent = tokio::select! {
            biased;
            why = inbox.shut.wait() => {
                ended_by = Some(why);
                break;
            }
            sent = tokio::time::timeout(closing::WRITE_TIMEOUT, sink.send(Message::Text(text.into()))) => match sent {
                Ok(sent) => sent.is_ok(),
                // A client that takes no data at all (a zero TCP window) is given up on,
                // in or out of a room.
                Err(_) => {
                    ended_by = Some(too_slow());
                    break;
                }
            },
        };
        if !sent {
            return;
        }
        if last {
            // Already said: only the close frame is left to send.
            ended_by = ended_by.map(|r| r.for_request());
            break;
        }
    }
    // A connection given up on hears why first, if it still reads at all; a moment is
    // all it gets.
    let close = closing::close_frame(ended_by.as_ref().map(|r| r.code));
    if let Some(why) = ended_by.filter(|r| r.is_fatal()) {
        let text = serde_json::to_string(&ServerMessage::from(why)).expect("serializes");
        let _ = tokio::time::timeout(CLOSING, sink.send(Message::Text(text.into()))).await;
    }
    let _ = tokio::time::timeout(CLOSING, sink.send(close)).await;
}

/// The socket's read and write buffers to start with (they grow for larger messages).
const SOCKET_BUFFER: usize = 8 * 1024;

/// How long a closing connection's last words may take to send.
const CLOSING: Duration = Duration::from_secs(5);

fn too_slow() -> Refusal {
    Refusal::new(
        ErrorCode::TooSlow,
        "you did not read what the server sent you, so it closed your connection; join again",
    )
}

/// The connection's own answers (pongs, refusals) never wait: a client that lets even
/// them pile up is not reading, and is closed as too slow rather than allowed to stall
/// this loop past its deadlines.
fn reply(tx: &Outbox, msg: ServerMessage) {
    if !tx.try_send(msg) {
        tx.shut(too_slow());
    }
}

async fn connection(socket: WebSocket, state: AppState, conn: ConnId) {
    let (sink, mut stream) = socket.split();
    let (tx, inbox) = outbox::channel(state.settings.server.outbox_messages);
    let mut writer = tokio::spawn(write(sink, inbox).in_current_span());

    let max = state.settings.server.max_frame_bytes;
    let first_message = Duration::from_secs(state.settings.server.first_message_seconds);
    // Absolute: nothing the client sends before joining moves it.
    let join_by = tokio::time::Instant::now() + first_message;
    let mut inbound = Inbound::new(state.settings.server.inbound_limit());
    let mut member: Option<Membership> = None;
    // A moderator in the room, for their record lines when they leave.
    let mut moderator: Option<Participant> = None;
    // Who joined, and the link generation of their token: a revocation since ends the
    // connection.
    let mut joined_as: Option<(ParticipantId, u32)> = None;
    let mut news = state.ops.subscribe();
    let heard = Heard::new();
    let mut writer_done = false;
    loop {
        let frame = tokio::select! {
            _ = &mut writer => {
                writer_done = true;
                break;
            }
            f = stream.next() => Ok(f),
            _ = tokio::time::sleep_until(join_by), if member.is_none() => Err(()),
            heard = news.recv(), if member.is_some() => {
                if let Some((who, generation)) = &joined_as {
                    if let Some(r) = state.revoked_since(&heard, who, *generation).await {
                        info!("connection closed: the link was revoked");
                        reply(&tx, r.into());
                        break;
                    }
                }
                if let Some(m) = &member {
                    pass_announcement(&tx, m, heard);
                }
                continue;
            }
        };
        heard.now();
        let id;
        let msg = match frame {
            Err(()) => {
                let late = Refusal::new(
                    ErrorCode::NotJoined,
                    format!("no join within {} s; closing", first_message.as_secs()),
                );
                reply(&tx, late.closing().into());
                break;
            }
            Ok(received) => match frames::read::<ClientMessage>(received, max, &mut inbound) {
                (request, Frame::Message(m)) => {
                    id = request;
                    m
                }
                (_, Frame::Ignore) => continue,
                (_, Frame::Closed) => break,
                (request, Frame::Refused(r)) => {
                    let r = r.answering(request);
                    let fatal = r.is_fatal();
                    reply(&tx, r.into());
                    if fatal {
                        break;
                    }
                    continue;
                }
            },
        };
        match (msg, &member) {
            (ClientMessage::Join { token, meeting, .. }, None) => {
                match join(&state, conn, &token, &meeting, tx.clone(), heard.clone()).await {
                    Ok((m, p, generation)) => {
                        joined_as = Some((p.id.clone(), generation));
                        if m.seat() == Seat::Moderator {
                            // On the record and the boards, without holding up this
                            // connection's offers if the store is slow.
                            let (moderation, who, meeting) =
                                (state.moderation.clone(), p.clone(), m.meeting.clone());
                            tokio::spawn(async move {
                                moderation
                                    .seat_changed(&who, &meeting, "join", clock::now())
                                    .await
                            });
                            moderator = Some(p);
                        }
                        member = Some(m)
                    }
                    Err(r) => {
                        info!(code = %r.code, "join refused");
                        // A refused join ends the connection: fatally, unless the lobby's
                        // store was briefly out of reach (a walk-in room): then the client
                        // hears it is temporary, the socket closes normally, and it tries
                        // again.
                        let r = match r.code {
                            ErrorCode::TemporarilyUnavailable | ErrorCode::Busy => r.for_request(),
                            _ => r.closing(),
                        };
                        reply(&tx, r.answering(id).into());
                        break;
                    }
                }
            }
            (ClientMessage::Join { .. }, Some(_)) => {
                let again = Refusal::new(
                    ErrorCode::AlreadyJoined,
                    "this connection has already joined a room",
                );
                reply(&tx, again.answering(id).into());
            }
            (ClientMessage::Ping { t }, _) => {
                let pong = Pong {
                    t,
                    server_time: clock::now(),
                };
                reply(&tx, ServerMessage::Pong(pong));
            }
            (_, None) => {
                let first = Refusal::new(
                    ErrorCode::NotJoined,
                    "send join with your invite token first",
                );
                reply(&tx, first.answering(id).into());
            }
            // What the client sends is stamped with the seat its token proved.
            (ClientMessage::Offer { sdp, to }, Some(m)) => {
                let from = m.seat();
                m.relay(ServerMessage::Offer { sdp, from }, to, id).await
            }
            (ClientMessage::Answer { sdp, to }, Some(m)) => {
                let from = m.seat();
                m.relay(ServerMessage::Answer { sdp, from }, to, id).await
            }
            (ClientMessage::Ice { candidate, to }, Some(m)) => {
                // `null` is the end of gathering: nothing for the other side.
                if let Some(candidate) = candidate {
                    let from = m.seat();
                    m.relay(ServerMessage::Ice { candidate, from }, to, id)
                        .await
                }
            }
            (
                ClientMessage::Sharing {
                    screen_shared,
                    files_sent,
                },
                Some(m),
            ) => {
                let report = SideSharing {
                    screen_shared,
                    files_sent,
                };
                m.report_sharing(report, id).await
            }
            (ClientMessage::Leave {}, Some(_)) => break,
        }
    }
    if let Some(m) = member {
        m.leave().await;
        if let Some(p) = moderator {
            state
                .moderation
                .seat_changed(&p, &m.meeting, "leave", clock::now())
                .await;
        }
    }
    drop(tx);
    // The writer ends once the room lets go of this connection's outbox; it gets a moment
    // to flush a final error, then goes.
    if !writer_done
        && tokio::time::timeout(Duration::from_secs(2), &mut writer)
            .await
            .is_err()
    {
        writer.abort();
    }
    // The close frame is on its way: wait a moment for the client's own.
    closing::drain(&mut stream).await;
    debug!("connection closed");
}

/// Passes an announcement on to a room's connection if it is for its room or round.
fn pass_announcement(
    tx: &Outbox,
    m: &Membership,
    heard: Result<OpsMessage, broadcast::error::RecvError>,
) {
    let Ok(OpsMessage::Announcement(a)) = heard else {
        return;
    };
    let ours = match &a.audience {
        Audience::All => true,
        Audience::Round { round } => *round == m.round,
        Audience::Meeting { meeting } => *meeting == m.meeting,
    };
    if ours {
        reply(tx, ServerMessage::Announcement(a));
    }
}

/// Checks a join from the token down to the room's clock, and enters the room. Returns
/// the membership, who joined, and their token's link generation.
async fn join(
    state: &AppState,
    conn: ConnId,
    token: &str,
    meeting_id: &MeetingId,
    outbox: Outbox,
    heard: Heard,
) -> Result<(Membership, Participant, u32), Refusal> {
    let fair = &state.fair;
    let (claims, participant) = state.authenticate(token).await?;
    let span = tracing::Span::current();
    span.record("participant", participant.id.as_str());
    span.record("meeting", meeting_id.as_str());
    let grant = Grant::new(participant, claims.mtg.as_deref());
    grant.may_act_in(meeting_id, Purpose::Join)?;
    let now = clock::now();
    let (meeting, side) = match fair.meeting(meeting_id) {
        Some(m) => (m.clone(), grant.seat_in(fair, Some(m))?),
        // A moderator may step into any walk-in room the lobby holds.
        None if participant.role == Role::Moderator => {
            (state.moderation.meeting(meeting_id).await?, Seat::Moderator)
        }
        // Not in the schedule: a walk-in room the lobby let this participant into?
        None => {
            let seat = grant.lobby_seat()?;
            lobby::walk_in_room(&*state.lobby, fair, participant, &seat, meeting_id, now)
                .await?
                .ok_or_else(|| {
                    Refusal::new(
                        ErrorCode::UnknownMeeting,
                        format!("there is no meeting {meeting_id} for you in this fair"),
                    )
                })
                .map(|(m, side)| (m, Seat::from(side)))?
        }
    };
    let you = You {
        participant: participant.id.clone(),
        name: participant.name.clone(),
        side,
    };
    let member = state
        .rooms
        .join(
            &meeting,
            Joining {
                seat: side,
                conn,
                you,
                outbox,
                heard,
            },
            now,
        )
        .await
        .map_err(|r| r.refusal(now))?;
    info!(?side, "joined");
    Ok((member, participant.clone(), claims.gen))
}
