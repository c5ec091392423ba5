//! The moderators' board WebSocket (`/ws/board`): after `hello` with a moderator's token,
//! the whole picture of one round, then only what changed, as the node's board picture
//! (`moderation::board`) is redrawn; and every moderator's action as it happens. Actions
//! themselves go through the HTTP API; this socket only shows.

use crate::app::clock;
use crate::app::state::AppState;
use crate::http::serve::HeldSlot;
use crate::moderation::board::Picture;
use crate::rooms::bus::OpsMessage;
use crate::ws::closing::{self, close, send};
use crate::ws::frames::{self, Frame};
use crate::ws::opening::{self, Before};
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use sangdam_signaling::live::access::Grant;
use sangdam_signaling::live::rate::Inbound;
use sangdam_signaling::protocol::board::{
    Board, BoardBooth, BoardClientMessage, BoardRoom, BoardServerMessage, BoardUpdate,
};
use sangdam_signaling::protocol::{Pong, PROTOCOL_VERSION};
use sangdam_signaling::{ErrorCode, InstitutionId, MeetingId, Participant, Refusal};
use std::collections::HashMap;
use std::sync::Arc;
use tracing::{debug, info, Instrument};

/// How many of the latest actions a fresh board shows.
const ACTIVITY_SHOWN: usize = 100;
const BOARD_BUFFER: usize = 16 * 1024;

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    held: Option<Extension<HeldSlot>>,
) -> Response {
    let max = state.settings.server.max_frame_bytes;
    ws.read_buffer_size(BOARD_BUFFER)
        .write_buffer_size(BOARD_BUFFER)
        .max_message_size(max * 4)
        .max_frame_size(max * 4)
        .on_upgrade(move |socket| {
            async move {
                board_connection(socket, state).await;
                drop(held);
            }
            .instrument(tracing::info_span!(
                "board",
                participant = tracing::field::Empty
            ))
        })
}

async fn refuse(socket: &mut WebSocket, refusal: Refusal) -> bool {
    closing::refuse::<BoardServerMessage>(socket, refusal).await
}

/// Who said hello, the round they asked for, and the link generation of their token.
struct Watcher {
    participant: Participant,
    round: Option<u32>,
    generation: u32,
}

/// Waits for `hello` from a moderator or staff. `None`: the connection is done.
async fn hello(socket: &mut WebSocket, state: &AppState, inbound: &mut Inbound) -> Option<Watcher> {
    opening::hello::<BoardClientMessage, BoardServerMessage, _, _>(
        socket,
        state,
        inbound,
        "say hello with a moderator's or staff invite token first",
        |m| match m {
            BoardClientMessage::Hello { token, round, .. } => Before::Hello(async move {
                state.authenticate(&token).await.and_then(|(claims, p)| {
                    Grant::new(p, claims.mtg.as_deref()).watch_board()?;
                    Ok(Watcher {
                        participant: p.clone(),
                        round,
                        generation: claims.gen,
                    })
                })
            }),
            BoardClientMessage::Ping { t } => Before::Ping(t),
            BoardClientMessage::Watch { .. } => Before::Other,
        },
    )
    .await
}

/// What this connection last sent, to send only what changed.
#[derive(Default)]
struct Sent {
    rooms: HashMap<MeetingId, BoardRoom>,
    booths: HashMap<InstitutionId, BoardBooth>,
    counts: Option<sangdam_signaling::protocol::board::Counts>,
}

impl Sent {
    fn reset(&mut self, picture: &Picture, round: u32) {
        self.rooms = picture
            .rooms(round)
            .iter()
            .map(|r| (r.meeting.id.clone(), r.clone()))
            .collect();
        self.booths = picture
            .booths(round)
            .iter()
            .map(|b| (booth_id(b), b.clone()))
            .collect();
        self.counts = Some(picture.counts(round));
    }

    /// What changed in `picture` since the last message, and remembers it as sent.
    fn update(&mut self, picture: &Picture, round: u32) -> Option<BoardUpdate> {
        let rooms: Vec<BoardRoom> = picture
            .rooms(round)
            .iter()
            .filter(|r| self.rooms.get(&r.meeting.id) != Some(*r))
            .cloned()
            .collect();
        let booths: Vec<BoardBooth> = picture
            .booths(round)
            .iter()
            .filter(|b| self.booths.get(&booth_id(b)) != Some(*b))
            .cloned()
            .collect();
        let shown: std::collections::HashSet<&MeetingId> =
            picture.rooms(round).iter().map(|r| &r.meeting.id).collect();
        let gone: Vec<MeetingId> = self
            .rooms
            .keys()
            .filter(|id| !shown.contains(id))
            .cloned()
            .collect();
        let counts = picture.counts(round);
        if rooms.is_empty()
            && booths.is_empty()
            && gone.is_empty()
            && self.counts.as_ref() == Some(&counts)
        {
            return None;
        }
        for id in &gone {
            self.rooms.remove(id);
        }
        for r in &rooms {
            self.rooms.insert(r.meeting.id.clone(), r.clone());
        }
        for b in &booths {
            self.booths.insert(booth_id(b), b.clone());
        }
        self.counts = Some(counts.clone());
        Some(BoardUpdate {
            round,
            server_time: clock::now(),
            counts,
            rooms,
            booths,
            gone,
        })
    }
}

fn booth_id(b: &BoardBooth) -> InstitutionId {
    InstitutionId::parse(&b.institution.id).expect("booth ids come from the fair")
}

async fn full_board(state: &AppState, picture: &Picture, round: u32) -> BoardServerMessage {
    let activity = state
        .moderation
        .store()
        .activity(ACTIVITY_SHOWN)
        .await
        .unwrap_or_default();
    BoardServerMessage::Board(Box::new(Board {
        v: PROTOCOL_VERSION,
        round,
        rounds: state.board_sources.rounds(),
        server_time: clock::now(),
        counts: picture.counts(round),
        rooms: picture.rooms(round).to_vec(),
        booths: picture.booths(round).to_vec(),
        contacts: state.board_sources.contacts(round),
        activity,
    }))
}

async fn board_connection(mut socket: WebSocket, state: AppState) {
    let max = state.settings.server.max_frame_bytes;
    let mut inbound = Inbound::new(state.settings.server.inbound_limit());
    let Some(Watcher {
        participant,
        round: asked,
        generation,
    }) = hello(&mut socket, &state, &mut inbound).await
    else {
        return;
    };
    tracing::Span::current().record("participant", participant.id.as_str());
    let _watching = state.board_sources.watchers.watch();
    let known = |r: u32| state.fair.rounds().any(|x| x.number == r);
    let mut round = asked
        .filter(|r| known(*r))
        .unwrap_or_else(|| state.board_sources.current_round(clock::now()));
    let mut pictures = state.board.clone();
    // The shared picture is drawn only while someone watches: draw a fresh one now.
    let fresh = state
        .board_sources
        .picture(&mut HashMap::new(), &mut HashMap::new())
        .await;
    let mut picture: Arc<Picture> = Arc::new(fresh);
    pictures.mark_unchanged();
    state.changed.notify_one();
    let mut sent = Sent::default();
    // Listening before the first picture: no action after it is missed.
    let mut news = state.ops.subscribe();
    if !send(&mut socket, &full_board(&state, &picture, round).await).await {
        return;
    }
    sent.reset(&picture, round);
    info!(round, "board connected");
    // Set when the connection is ended for a reason the client must hear (a revoked link).
    let mut ended: Option<Refusal> = None;
    loop {
        tokio::select! {
            changed = pictures.changed() => {
                if changed.is_err() {
                    break;
                }
                let next = pictures.borrow_and_update().clone();
                // A picture drawn before this connection's own is no news.
                if next.at < picture.at {
                    continue;
                }
                picture = next;
                if let Some(update) = sent.update(&picture, round) {
                    if !send(&mut socket, &BoardServerMessage::BoardUpdate(update)).await {
                        break;
                    }
                }
            }
            heard = news.recv() => {
                if let Some(r) = state.revoked_since(&heard, &participant.id, generation).await {
                    info!("board connection closed: the link was revoked");
                    ended = Some(r);
                    break;
                }
                if let Ok(OpsMessage::Activity(entry)) = heard {
                    if !send(&mut socket, &BoardServerMessage::Activity { entry }).await {
                        break;
                    }
                }
            }
            received = socket.recv() => {
                let (id, frame) = frames::read::<BoardClientMessage>(received, max, &mut inbound);
                match frame {
                    Frame::Closed => break,
                    Frame::Ignore => {}
                    Frame::Refused(r) => {
                        let _ = refuse(&mut socket, r.for_request().answering(id)).await;
                    }
                    Frame::Message(BoardClientMessage::Ping { t }) => {
                        let pong = Pong { t, server_time: clock::now() };
                        let _ = send(&mut socket, &BoardServerMessage::Pong(pong)).await;
                    }
                    Frame::Message(BoardClientMessage::Watch { round: r }) if known(r) => {
                        round = r;
                        if !send(&mut socket, &full_board(&state, &picture, round).await).await {
                            break;
                        }
                        sent.reset(&picture, round);
                    }
                    Frame::Message(BoardClientMessage::Watch { round: r }) => {
                        let bad = Refusal::new(ErrorCode::BadMessage, format!("this fair has no round {r}"));
                        let _ = refuse(&mut socket, bad.for_request().answering(id)).await;
                    }
                    Frame::Message(BoardClientMessage::Hello { .. }) => {
                        let again = Refusal::new(ErrorCode::AlreadyJoined, "this board has already said hello");
                        let _ = refuse(&mut socket, again.answering(id)).await;
                    }
                }
            }
        }
    }
    match ended {
        Some(r) => {
            let _ = refuse(&mut socket, r).await;
        }
        None => close(&mut socket, None).await,
    }
    debug!("board connection closed");
}
