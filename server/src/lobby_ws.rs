//! The lobby WebSocket (`/ws/lobby`): a vendor waits and sees their place and estimated
//! wait, updated live; a buyer sees who waits at their booth and lets them in. Everything
//! shared lives in the lobby store, so a vendor sees the same place whichever node they
//! reach, and a node that dies loses nothing but its connections.

use crate::clock;
use crate::frames::{self, Frame};
use crate::lobby_store::StoreError;
use crate::startup::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use sangdam_signaling::fair::Affiliation;
use sangdam_signaling::lobby::{Admission, LobbyError, LobbyOp, VendorView};
use sangdam_signaling::protocol::{
    LobbyClientMessage, LobbyPlaceView, LobbyQueueEntry, LobbyRoomView, LobbyServerMessage,
    OrgView, PROTOCOL_VERSION,
};
use sangdam_signaling::{
    EnterpriseId, ErrorCode, Fair, InstitutionId, Meeting, MeetingId, Participant, Role, Side,
};
use std::time::Duration;
use tracing::{debug, info, warn, Instrument};

/// How often a connection re-reads its status from the store.
const REFRESH: Duration = Duration::from_secs(1);
/// A connection that has not said hello within this time is closed.
const HELLO_TIMEOUT: Duration = Duration::from_secs(15);
/// Idle lobby connections are many; their buffers are kept small (tungstenite's defaults
/// cost about 130 KiB a connection). Lobby messages are a few hundred bytes.
const LOBBY_BUFFER: usize = 4 * 1024;

pub async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    let max = state.settings.server.max_frame_bytes;
    ws.read_buffer_size(LOBBY_BUFFER)
        .write_buffer_size(LOBBY_BUFFER)
        .max_write_buffer_size(max * 4)
        .max_message_size(max * 4)
        .max_frame_size(max * 4)
        .on_upgrade(move |socket| {
            lobby_connection(socket, state).instrument(tracing::info_span!(
                "lobby",
                participant = tracing::field::Empty
            ))
        })
}

/// Maps the store's refusals to protocol errors, once.
pub fn store_error(e: &StoreError) -> (ErrorCode, String) {
    let code = match e {
        StoreError::Unavailable(_) => ErrorCode::TemporarilyUnavailable,
        StoreError::Contention => ErrorCode::Busy,
        StoreError::Corrupt { .. } => ErrorCode::Internal,
        StoreError::Lobby(l) => match l {
            LobbyError::TooEarly { .. } => ErrorCode::TooEarly,
            LobbyError::MeetingOver => ErrorCode::RoomClosed,
            LobbyError::NotYourBooking(_) => ErrorCode::NotYourMeeting,
            LobbyError::NoWalkIns => ErrorCode::NoWalkIns,
            LobbyError::InRoom => ErrorCode::InRoom,
            LobbyError::NotQueued => ErrorCode::NotQueued,
            LobbyError::BoothBusy => ErrorCode::BoothBusy,
            LobbyError::NobodyWaiting => ErrorCode::NobodyWaiting,
            LobbyError::NobodyInRoom => ErrorCode::NobodyInRoom,
        },
    };
    (code, e.to_string())
}

enum Who {
    Vendor(EnterpriseId),
    Buyer(InstitutionId),
}

async fn send(socket: &mut WebSocket, msg: &LobbyServerMessage) -> bool {
    let text = serde_json::to_string(msg).expect("lobby messages serialize");
    socket.send(Message::Text(text.into())).await.is_ok()
}

async fn lobby_connection(mut socket: WebSocket, state: AppState) {
    let max = state.settings.server.max_frame_bytes;
    // Hello first.
    let participant = loop {
        let received = match tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await {
            Ok(r) => r,
            Err(_) => {
                let _ = send(
                    &mut socket,
                    &LobbyServerMessage::Error {
                        code: ErrorCode::NotJoined,
                        message: "no hello within 15 s; closing".into(),
                        fatal: true,
                    },
                )
                .await;
                return;
            }
        };
        match frames::read::<LobbyClientMessage>(received, max) {
            Frame::Message(LobbyClientMessage::Hello { token, .. }) => {
                match state.tokens.authenticate(&state.fair, &token) {
                    Ok((_, p)) => break p.clone(),
                    Err(e) => {
                        let _ = send(
                            &mut socket,
                            &LobbyServerMessage::error(e.code(), e.to_string()),
                        )
                        .await;
                        return;
                    }
                }
            }
            Frame::Message(_) => {
                let _ = send(
                    &mut socket,
                    &LobbyServerMessage::error(
                        ErrorCode::NotJoined,
                        "say hello with your invite token first",
                    ),
                )
                .await;
            }
            Frame::Refused(code, message) => {
                let _ = send(&mut socket, &LobbyServerMessage::error(code, message)).await;
                if code.is_fatal() {
                    return;
                }
            }
            Frame::Ignore => {}
            Frame::Closed => return,
        }
    };
    tracing::Span::current().record("participant", participant.id.as_str());
    let who = match &participant.affiliation {
        Affiliation::Enterprise(e) if participant.role == Role::Vendor => Who::Vendor(e.clone()),
        Affiliation::Institution(i) if participant.role == Role::Buyer => Who::Buyer(i.clone()),
        _ => {
            let _ = send(
                &mut socket,
                &LobbyServerMessage::error(
                    ErrorCode::WrongRole,
                    "the lobby is for vendors and buyers",
                ),
            )
            .await;
            return;
        }
    };
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
    if let Who::Vendor(_) = who {
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

    let mut last: Option<String> = None;
    let mut last_room: Option<MeetingId> = None;
    let mut store_down = false;
    let mut refresh = tokio::time::interval(REFRESH);
    // A slow store must not make refreshes fire back to back to catch up.
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            received = socket.recv() => {
                let op = match frames::read::<LobbyClientMessage>(received, max) {
                    Frame::Closed => break,
                    Frame::Ignore => continue,
                    Frame::Refused(code, message) => {
                        let _ = send(&mut socket, &LobbyServerMessage::refusal(code, message)).await;
                        continue;
                    }
                    Frame::Message(LobbyClientMessage::Ping { t }) => {
                        let _ = send(&mut socket, &LobbyServerMessage::Pong { t, server_time: clock::now() }).await;
                        continue;
                    }
                    Frame::Message(msg) => match op_for(&participant, &who, msg) {
                        Ok(op) => op,
                        Err((code, message)) => {
                            let _ = send(&mut socket, &LobbyServerMessage::refusal(code, message)).await;
                            continue;
                        }
                    },
                };
                if let Err(e) = state.lobby.apply(op, clock::now()).await {
                    let (code, message) = store_error(&e);
                    debug!(%code, "lobby operation refused");
                    let _ = send(&mut socket, &LobbyServerMessage::refusal(code, message)).await;
                    continue;
                }
            }
            _ = refresh.tick() => {}
        }
        // After every message and every second: tell the client if anything changed.
        match status(&state, &participant, &who).await {
            Ok((msg, room)) => {
                store_down = false;
                let text = serde_json::to_string(&msg).expect("serializes");
                // Compare without the clock, which changes every time.
                let key = text
                    .split("\"server_time\"")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                if last.as_deref() != Some(key.as_str()) {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                    last = Some(key);
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
                    let (code, message) = store_error(&e);
                    warn!(error = %e, "lobby status unavailable");
                    let _ = send(&mut socket, &LobbyServerMessage::refusal(code, message)).await;
                }
            }
        }
    }
    if let Who::Vendor(_) = who {
        if let Err(e) = state
            .lobby
            .apply(
                LobbyOp::Disconnect {
                    vendor: participant.id.clone(),
                },
                clock::now(),
            )
            .await
        {
            warn!(error = %e, "disconnect not recorded; the place expires by itself only if it was");
        }
    }
    debug!("lobby connection closed");
}

/// The store operation a client message asks for, if this participant may ask it.
fn op_for(
    p: &Participant,
    who: &Who,
    msg: LobbyClientMessage,
) -> Result<LobbyOp, (ErrorCode, String)> {
    let wrong = |what: &str| Err((ErrorCode::WrongRole, format!("only a {what} may do that")));
    match (msg, who) {
        (LobbyClientMessage::CheckIn { booth, meeting }, Who::Vendor(e)) => Ok(LobbyOp::CheckIn {
            vendor: p.id.clone(),
            enterprise: e.clone(),
            booth,
            booking: meeting,
        }),
        (LobbyClientMessage::LeaveQueue { booth }, Who::Vendor(_)) => Ok(LobbyOp::Leave {
            vendor: p.id.clone(),
            booth,
        }),
        (LobbyClientMessage::AdmitNext, Who::Buyer(i)) => {
            Ok(LobbyOp::AdmitNext { booth: i.clone() })
        }
        (LobbyClientMessage::SendBack, Who::Buyer(i)) => Ok(LobbyOp::SendBack { booth: i.clone() }),
        (LobbyClientMessage::CheckIn { .. } | LobbyClientMessage::LeaveQueue { .. }, _) => {
            wrong("vendor")
        }
        (LobbyClientMessage::AdmitNext | LobbyClientMessage::SendBack, _) => wrong("buyer"),
        (LobbyClientMessage::Hello { .. }, _) => {
            Err((ErrorCode::AlreadyJoined, "already said hello".into()))
        }
        (LobbyClientMessage::Ping { .. }, _) => unreachable!("answered before"),
    }
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
async fn status(
    state: &AppState,
    p: &Participant,
    who: &Who,
) -> Result<(LobbyServerMessage, Option<LobbyRoomView>), StoreError> {
    let now = clock::now();
    let fair = &state.fair;
    match who {
        Who::Vendor(_) => {
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
        Who::Buyer(inst) => {
            state
                .lobby
                .apply(
                    LobbyOp::BuyerHere {
                        booth: inst.clone(),
                    },
                    now,
                )
                .await?;
            let booth = state.lobby.booth(inst.clone()).await?;
            let queue = booth
                .queue
                .iter()
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

/// A room the lobby admitted this participant to that is not in the fair's schedule (free
/// time or the rest of a no-show slot): the meeting to open it as, and their side.
pub async fn admitted_meeting(
    state: &AppState,
    p: &Participant,
    meeting: &MeetingId,
) -> Result<Option<(Meeting, Side)>, StoreError> {
    let now = clock::now();
    let (admission, booth, side) = match &p.affiliation {
        Affiliation::Enterprise(_) if p.role == Role::Vendor => {
            let view = state.lobby.vendor_view(p.id.clone(), now).await?;
            match (view.in_room, view.in_room_at) {
                (Some(a), Some(b)) => (a, b, Side::Vendor),
                _ => return Ok(None),
            }
        }
        Affiliation::Institution(i) if p.role == Role::Buyer => {
            match state.lobby.booth(i.clone()).await?.current {
                Some(a) => (a, i.clone(), Side::Buyer),
                None => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    if &admission.meeting != meeting || !admission.walk_in {
        return Ok(None);
    }
    Ok(Some((
        walk_in_meeting(&state.fair, &booth, &admission),
        side,
    )))
}

/// A walk-in admission as a meeting, so it gets a timed room like any other.
pub fn walk_in_meeting(fair: &Fair, booth: &InstitutionId, a: &Admission) -> Meeting {
    let round = fair
        .rounds()
        .filter(|r| r.starts_at <= a.since)
        .max_by_key(|r| r.starts_at)
        .or_else(|| fair.rounds().next())
        .expect("a fair has rounds");
    Meeting {
        id: a.meeting.clone(),
        round: round.id.clone(),
        slot: sangdam_signaling::fair::Slot {
            index: 0,
            start: a.since,
            end: a.until,
        },
        institution: booth.clone(),
        enterprise: a.enterprise.clone(),
    }
}

/// Advances every booth's clock, on every node: admissions at slot starts, no-shows,
/// expiries and free time happen even when nobody is connected to this node. Concurrent
/// ticks from several nodes are safe: each is one atomic operation, and a tick that finds
/// nothing to do changes nothing.
pub async fn run_ticker(state: AppState) {
    let every = Duration::from_secs(state.settings.lobby.tick_seconds);
    let booths: Vec<InstitutionId> = state.fair.institutions().map(|i| i.id.clone()).collect();
    let mut interval = tokio::time::interval(every);
    let mut failing = false;
    loop {
        interval.tick().await;
        let mut failed = None;
        for b in &booths {
            match state
                .lobby
                .apply(LobbyOp::Tick { booth: b.clone() }, clock::now())
                .await
            {
                Ok(events) => {
                    for e in events {
                        info!(event = ?e, "lobby");
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        match (failed, failing) {
            (Some(e), false) => {
                warn!(error = %e, "lobby ticks failing; rooms already live keep running");
                failing = true;
            }
            (None, true) => {
                info!("lobby ticks working again");
                failing = false;
            }
            _ => {}
        }
    }
}
