//! The lobby WebSocket (`/ws/lobby`): a vendor waits and sees their place and estimated
//! wait, updated live; a buyer sees who waits at their booth and lets them in. Everything
//! shared lives in the lobby store, so a vendor sees the same place whichever node they
//! reach, and a node that dies loses nothing but its connections.

use crate::app::clock;
use crate::app::state::AppState;
use crate::http::serve::HeldSlot;
use crate::lobby::store::StoreError;
use crate::rooms::bus::OpsMessage;
use crate::ws::closing::{self, close, send};
use crate::ws::frames::{self, Frame};
use crate::ws::opening::{self, Before};
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use sangdam_signaling::live::access::{Grant, LobbySeat};
use sangdam_signaling::live::lobby::{Admission, LobbyOp, VendorView};
use sangdam_signaling::live::rate::Inbound;
use sangdam_signaling::protocol::{
    Audience, LobbyClientMessage, LobbyPlaceView, LobbyQueueEntry, LobbyRoomView,
    LobbyServerMessage, OrgView, Pong, PROTOCOL_VERSION,
};
use sangdam_signaling::{Fair, InstitutionId, MeetingId, Participant, Refusal};
use std::time::Duration;
use tracing::{debug, info, warn, Instrument};

/// How often a connection re-reads its status from the store.
const REFRESH: Duration = Duration::from_secs(1);
/// How often a vendor's connection tells the lobby it is alive; a connection is counted
/// for `lobby.connection_ttl_seconds` after it was last heard.
const HEARTBEAT: Duration = Duration::from_secs(20);
/// Idle lobby connections are many; their buffers are kept small (tungstenite's defaults
/// cost about 130 KiB a connection). Lobby messages are a few hundred bytes.
const LOBBY_BUFFER: usize = 4 * 1024;

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    held: Option<Extension<HeldSlot>>,
) -> Response {
    let max = state.settings.server.max_frame_bytes;
    ws.read_buffer_size(LOBBY_BUFFER)
        .write_buffer_size(LOBBY_BUFFER)
        .max_write_buffer_size(max * 4)
        .max_message_size(max * 4)
        .max_frame_size(max * 4)
        .on_upgrade(move |socket| {
            async move {
                lobby_connection(socket, state).await;
                // The socket's place in the connection caps is given back only now.
                drop(held);
            }
            .instrument(tracing::info_span!(
                "lobby",
                participant = tracing::field::Empty
            ))
        })
}

async fn refuse(socket: &mut WebSocket, refusal: Refusal) -> bool {
    closing::refuse::<LobbyServerMessage>(socket, refusal).await
}

/// Who said hello: the participant, the meeting their token is scoped to, the link
/// generation it was signed at, their seat.
struct Hello {
    participant: Participant,
    scope: Option<String>,
    generation: u32,
    seat: LobbySeat,
}

/// Waits for `hello` and checks its token and role. `None`: the connection is done (its
/// refusal has been sent).
async fn hello(socket: &mut WebSocket, state: &AppState, inbound: &mut Inbound) -> Option<Hello> {
    opening::hello::<LobbyClientMessage, LobbyServerMessage, _, _>(
        socket,
        state,
        inbound,
        "say hello with your invite token first",
        |m| match m {
            LobbyClientMessage::Hello { token, .. } => Before::Hello(async move {
                state.authenticate(&token).await.and_then(|(claims, p)| {
                    let seat = Grant::new(p, claims.mtg.as_deref()).lobby_seat()?;
                    Ok(Hello {
                        participant: p.clone(),
                        scope: claims.mtg,
                        generation: claims.gen,
                        seat,
                    })
                })
            }),
            LobbyClientMessage::Ping { t } => Before::Ping(t),
            _ => Before::Other,
        },
    )
    .await
}

async fn lobby_connection(mut socket: WebSocket, state: AppState) {
    let max = state.settings.server.max_frame_bytes;
    let mut inbound = Inbound::new(state.settings.server.inbound_limit());
    let Some(Hello {
        participant,
        scope,
        generation,
        seat,
    }) = hello(&mut socket, &state, &mut inbound).await
    else {
        return;
    };
    let grant = Grant::new(&participant, scope.as_deref());
    tracing::Span::current().record("participant", participant.id.as_str());
    // Listening before `welcome`: an announcement made once the client is welcomed
    // reaches it.
    let mut news = state.ops.subscribe();
    let welcome = LobbyServerMessage::Welcome {
        v: PROTOCOL_VERSION,
        participant: participant.id.clone(),
        name: participant.name.clone(),
        role: participant.role,
        organisation: OrgView::of_participant(&state.fair, &participant),
        server_time: clock::now(),
    };
    if !send(&mut socket, &welcome).await {
        return;
    }
    info!(role = participant.role.as_str(), "lobby connected");
    // This connection's name in the vendor's set of open connections (tabs).
    let conn = state.conn_key(state.next_conn());
    let heartbeat = LobbyOp::Heartbeat {
        vendor: participant.id.clone(),
        conn: conn.clone(),
    };
    if let LobbySeat::Vendor(_) = seat {
        if let Err(e) = state.lobby.apply(heartbeat.clone(), clock::now()).await {
            warn!(error = %e, "lobby connection not recorded");
        }
        // Coming back within the grace keeps the places; nothing to resume is fine.
        match state
            .lobby
            .apply(
                LobbyOp::Reconnect {
                    vendor: participant.id.clone(),
                },
                clock::now(),
            )
            .await
        {
            Ok(_) | Err(StoreError::Lobby(_)) => {}
            Err(e) => warn!(error = %e, "reconnect not recorded"),
        }
    }

    // The last status sent, without its clock stamp.
    let mut last: Option<LobbyServerMessage> = None;
    let mut last_room: Option<MeetingId> = None;
    let mut store_down = false;
    let mut refresh = tokio::time::interval(REFRESH);
    // A slow store must not make refreshes fire back to back to catch up.
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut alive = tokio::time::interval(HEARTBEAT);
    let mut beat_owed = false;
    alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    alive.reset();
    // The rounds this participant meets in, for announcements to one round.
    let rounds: Vec<u32> = state
        .fair
        .meetings_of(&participant)
        .iter()
        .filter_map(|m| state.fair.round(&m.round).map(|r| r.number))
        .collect();
    // Set when the connection is ended for a reason the client must hear (a revoked link).
    let mut ended: Option<Refusal> = None;
    loop {
        tokio::select! {
            heard = news.recv() => match heard {
                Ok(OpsMessage::Announcement(a)) => {
                    let ours = match &a.audience {
                        Audience::All => true,
                        // A vendor with no booking (walk-ins only) may be in any round.
                        Audience::Round { round } => rounds.is_empty() || rounds.contains(round),
                        Audience::Meeting { .. } => false,
                    };
                    if ours && !send(&mut socket, &LobbyServerMessage::Announcement(a)).await {
                        break;
                    }
                    continue;
                }
                // A moderator moved or let in this vendor, or acted at this buyer's booth:
                // look now rather than at the next refresh. (Other actions wait for it:
                // thousands of lobby sockets need not all read the store at once.)
                Ok(OpsMessage::Activity(entry)) => {
                    let concerns = match &seat {
                        LobbySeat::Vendor(_) => entry.vendor.as_ref() == Some(&participant.id),
                        LobbySeat::Buyer(booth) => entry.booth.as_ref() == Some(booth),
                    };
                    if !concerns {
                        continue;
                    }
                }
                // A revoked link, or news missed (which may have been one).
                heard @ (Ok(OpsMessage::Revoked { .. }) | Err(_)) => {
                    if let Some(r) = state.revoked_since(&heard, &participant.id, generation).await {
                        info!("lobby connection closed: the link was revoked");
                        ended = Some(r);
                        break;
                    }
                    continue;
                }
            },
            _ = alive.tick(), if matches!(seat, LobbySeat::Vendor(_)) => {
                beat_owed = true;
            }
            received = socket.recv() => {
                // After hello, every refusal concerns one message: the connection stays.
                let (id, frame) = frames::read::<LobbyClientMessage>(received, max, &mut inbound);
                let op = match frame {
                    Frame::Closed => break,
                    Frame::Ignore => continue,
                    Frame::Refused(r) => Err(r.for_request()),
                    Frame::Message(LobbyClientMessage::Ping { t }) => {
                        let pong = Pong { t, server_time: clock::now() };
                        let _ = send(&mut socket, &LobbyServerMessage::Pong(pong)).await;
                        continue;
                    }
                    Frame::Message(msg) => grant.lobby_op(&seat, msg),
                };
                let applied = match op {
                    Ok(op) => state.lobby.apply(op, clock::now()).await.map_err(Refusal::from),
                    Err(r) => Err(r),
                };
                if let Err(r) = applied {
                    debug!(code = %r.code, "lobby operation refused");
                    let _ = refuse(&mut socket, r.for_request().answering(id)).await;
                    continue;
                }
                // The moderators' board shows every line.
                state.changed.notify_one();
            }
            _ = refresh.tick() => {}
        }
        // After every message and every second: tell the client if anything changed.
        match status(&state, &grant, &seat).await {
            Ok((msg, room)) => {
                if store_down {
                    // The store is back: say at once that this connection is alive, before
                    // a tick can take the silence for a lapse.
                    beat_owed = matches!(seat, LobbySeat::Vendor(_));
                }
                store_down = false;
                if beat_owed {
                    match state.lobby.apply(heartbeat.clone(), clock::now()).await {
                        Ok(_) => beat_owed = false,
                        // Tried again at the next refresh.
                        Err(e) => debug!(error = %e, "lobby heartbeat not recorded"),
                    }
                }
                let unstamped = msg.unstamped();
                if last.as_ref() != Some(&unstamped) {
                    if !send(&mut socket, &msg).await {
                        break;
                    }
                    last = Some(unstamped);
                }
                if let Some(room) = room {
                    if last_room.as_ref() != Some(&room.meeting) {
                        last_room = Some(room.meeting.clone());
                        if !send(
                            &mut socket,
                            &LobbyServerMessage::Admitted {
                                room,
                                server_time: clock::now(),
                            },
                        )
                        .await
                        {
                            break;
                        }
                    }
                } else {
                    last_room = None;
                }
            }
            Err(e) => {
                // Whatever comes after the outage is news, even if it equals what was
                // sent before it: the client clears its "unavailable" banner on it.
                last = None;
                if !store_down {
                    store_down = true;
                    warn!(error = %e, "lobby status unavailable");
                    let _ = refuse(&mut socket, Refusal::from(e).for_request()).await;
                }
            }
        }
    }
    if let LobbySeat::Vendor(_) = seat {
        if let Err(e) = state
            .lobby
            .apply(
                LobbyOp::Disconnect {
                    vendor: participant.id.clone(),
                    conn: Some(conn),
                },
                clock::now(),
            )
            .await
        {
            warn!(error = %e, "disconnect not recorded; the place expires by itself only if it was");
        }
    }
    match ended {
        Some(r) => {
            let _ = refuse(&mut socket, r).await;
        }
        None => close(&mut socket, None).await,
    }
    debug!("lobby connection closed");
}

fn room_view(fair: &Fair, booth: &InstitutionId, a: &Admission) -> Option<LobbyRoomView> {
    Some(LobbyRoomView {
        meeting: a.meeting.clone(),
        booth: OrgView::institution(fair.institution(booth)?),
        enterprise: OrgView::enterprise(fair.enterprise(&a.enterprise)?),
        since: a.since,
        until: a.until,
        walk_in: a.walk_in,
    })
}

/// The status message for this participant, and the room they should be in, if any.
/// The status message for this participant, and the room they should be in, if any. A
/// buyer's token scoped to one meeting does not keep the booth (it could not enter the
/// booth's other meetings) and sees only that meeting's vendor in the queue.
async fn status(
    state: &AppState,
    grant: &Grant<'_>,
    seat: &LobbySeat,
) -> Result<(LobbyServerMessage, Option<LobbyRoomView>), StoreError> {
    let p = grant.participant;
    let now = clock::now();
    let fair = &state.fair;
    match seat {
        LobbySeat::Vendor(_) => {
            let view: VendorView = state.lobby.vendor_view(p.id.clone(), now).await?;
            let places = view
                .places
                .iter()
                .filter_map(|pl| {
                    Some(LobbyPlaceView {
                        booth: OrgView::institution(fair.institution(&pl.booth)?),
                        position: pl.position,
                        waiting: pl.waiting,
                        estimated_wait_s: pl.estimated_wait_s,
                        meeting: pl.booking.as_ref().map(|b| b.meeting.clone()),
                        starts_at: pl.booking.as_ref().map(|b| b.starts_at),
                        disconnected: pl.disconnected,
                    })
                })
                .collect();
            let room = match (&view.in_room, &view.in_room_at) {
                (Some(a), Some(b)) => room_view(fair, b, a),
                _ => None,
            };
            Ok((
                LobbyServerMessage::VendorStatus {
                    places,
                    in_room: room.clone(),
                    server_time: now,
                },
                room,
            ))
        }
        LobbySeat::Buyer(inst) => {
            if grant.scope.is_none() {
                state
                    .lobby
                    .apply(
                        LobbyOp::BuyerHere {
                            booth: inst.clone(),
                        },
                        now,
                    )
                    .await?;
            }
            let booth = state.lobby.booth(inst.clone()).await?;
            let queue = booth
                .queue
                .iter()
                .filter(|w| {
                    grant.scope.is_none()
                        || w.booking.as_ref().is_some_and(|b| grant.covers(&b.meeting))
                })
                .filter_map(|w| {
                    Some(LobbyQueueEntry {
                        vendor: w.vendor.clone(),
                        name: fair
                            .participant(&w.vendor)
                            .map(|p| p.name.clone())
                            .unwrap_or_default(),
                        enterprise: OrgView::enterprise(fair.enterprise(&w.enterprise)?),
                        meeting: w.booking.as_ref().map(|b| b.meeting.clone()),
                        starts_at: w.booking.as_ref().map(|b| b.starts_at),
                        checked_in_at: w.checked_in_at,
                        disconnected: w.disconnected_since.is_some(),
                    })
                })
                .collect();
            // A buyer's own booked meetings are rooms they join from their page; the lobby
            // sends them into walk-in rooms it made.
            let room = booth
                .current
                .as_ref()
                .and_then(|a| room_view(fair, inst, a));
            let walk_in_room = room.clone().filter(|r| r.walk_in);
            Ok((
                LobbyServerMessage::BoothStatus {
                    queue,
                    current: room,
                    server_time: now,
                },
                walk_in_room,
            ))
        }
    }
}
