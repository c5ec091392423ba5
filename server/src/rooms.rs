//! Live rooms: one tokio task per room drives the core [`Room`] on real time, owns the
//! two sides' outboxes and relays signaling between them. A scheduler opens each room when
//! its check-in starts, so timers run whether or not anybody has come.

use crate::bus::{self, Bus, BusMessage, Envelope};
use crate::clock;
use crate::consultation_log::ConsultationLog;
use sangdam_signaling::protocol::{IceServer, MeetingView, ServerMessage, You};
use sangdam_signaling::record::ConsultationRecord;
use sangdam_signaling::room::{JoinRefusal, Window};
use sangdam_signaling::ParticipantId;
use sangdam_signaling::{
    Fair, Meeting, MeetingId, Phase, Room, RoomEvent, RoomPolicy, Side, Timestamp,
};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn, Instrument};

/// A connection's identity inside the server, for telling a stale connection's messages
/// from the current one's.
pub type ConnId = u64;

/// Where a room puts messages for one connection. Bounded: a client that stops reading is
/// dropped from the room rather than allowed to grow the server's memory.
pub type Outbox = mpsc::Sender<ServerMessage>;

/// How many messages may wait for one slow connection before it is dropped.
pub const OUTBOX_CAPACITY: usize = 256;

/// What a room tells the moderators' overview.
#[derive(Copy, Clone, Debug, Serialize)]
pub struct Presence {
    pub phase: Phase,
    pub buyer_present: bool,
    pub vendor_present: bool,
}

enum Command {
    Join {
        side: Side,
        conn: ConnId,
        you: You,
        outbox: Outbox,
        reply: oneshot::Sender<Result<(), JoinRefusal>>,
    },
    Leave {
        side: Side,
        conn: ConnId,
    },
    Relay {
        side: Side,
        conn: ConnId,
        msg: ServerMessage,
    },
}

enum Entry {
    Open {
        commands: mpsc::Sender<Command>,
        presence: Arc<Mutex<Presence>>,
    },
    Closed {
        at: Timestamp,
    },
}

/// The registry of rooms. Cheap to clone; every clone sees the same rooms.
#[derive(Clone)]
pub struct Rooms {
    inner: Arc<Inner>,
}

struct Inner {
    fair: Arc<Fair>,
    /// Cross-node traffic, when several nodes share a Redis.
    bus: Option<Arc<Bus>>,
    log: Arc<dyn ConsultationLog>,
    policy: RoomPolicy,
    ice_servers: Vec<IceServer>,
    /// A std mutex: it is never held across an await.
    table: Mutex<HashMap<MeetingId, Entry>>,
}

/// A joined connection's handle on its room.
#[derive(Clone)]
pub struct Membership {
    commands: mpsc::Sender<Command>,
    side: Side,
    conn: ConnId,
}

impl Membership {
    /// Passes signaling to the other side; the room answers `not_live` itself if it can't.
    pub async fn relay(&self, msg: ServerMessage) {
        let _ = self
            .commands
            .send(Command::Relay {
                side: self.side,
                conn: self.conn,
                msg,
            })
            .await;
    }

    /// Leaves the room (also when the connection drops).
    pub async fn leave(&self) {
        let _ = self
            .commands
            .send(Command::Leave {
                side: self.side,
                conn: self.conn,
            })
            .await;
    }
}

impl Rooms {
    pub fn new(
        fair: Arc<Fair>,
        policy: RoomPolicy,
        ice_servers: Vec<IceServer>,
        log: Arc<dyn ConsultationLog>,
        bus: Option<Arc<Bus>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                fair,
                bus,
                log,
                policy,
                ice_servers,
                table: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn fair(&self) -> &Arc<Fair> {
        &self.inner.fair
    }

    /// The timing of one meeting's room under this fair's policy.
    pub fn window(&self, meeting: &Meeting) -> Window {
        Window::new(meeting.slot, &self.policy_for(meeting))
    }

    fn policy_for(&self, meeting: &Meeting) -> RoomPolicy {
        self.inner.policy.for_meeting(&self.inner.fair, meeting)
    }

    /// The room's phase and who is in it. Rooms not running report the clock's phase.
    pub fn presence(&self, meeting: &Meeting, now: Timestamp) -> Presence {
        let table = self.inner.table.lock().expect("rooms lock");
        match table.get(&meeting.id) {
            Some(Entry::Open { presence, .. }) => *presence.lock().expect("presence lock"),
            Some(Entry::Closed { .. }) => Presence {
                phase: Phase::Closed,
                buyer_present: false,
                vendor_present: false,
            },
            None => Presence {
                phase: self.window(meeting).phase_at(now),
                buyer_present: false,
                vendor_present: false,
            },
        }
    }

    /// Enters a side into a meeting's room, opening the room if its window has begun. The
    /// room sends `joined` into `outbox` before anything else.
    pub async fn join(
        &self,
        meeting: &Meeting,
        side: Side,
        conn: ConnId,
        you: You,
        outbox: Outbox,
        now: Timestamp,
    ) -> Result<Membership, JoinRefusal> {
        let commands = self.open(meeting, now)?;
        let (reply, answer) = oneshot::channel();
        let closed = JoinRefusal::Closed {
            closed_at: self.window(meeting).closes_at.min(now),
        };
        commands
            .send(Command::Join {
                side,
                conn,
                you,
                outbox,
                reply,
            })
            .await
            .map_err(|_| closed)?;
        answer.await.map_err(|_| closed)??;
        Ok(Membership {
            commands,
            side,
            conn,
        })
    }

    /// The room's command channel, spawning its task if the window is open and it is not
    /// running yet.
    fn open(
        &self,
        meeting: &Meeting,
        now: Timestamp,
    ) -> Result<mpsc::Sender<Command>, JoinRefusal> {
        let mut table = self.inner.table.lock().expect("rooms lock");
        match table.get(&meeting.id) {
            Some(Entry::Open { commands, .. }) if !commands.is_closed() => {
                return Ok(commands.clone())
            }
            Some(Entry::Closed { at }) => return Err(JoinRefusal::Closed { closed_at: *at }),
            _ => {}
        }
        let policy = self.policy_for(meeting);
        Window::new(meeting.slot, &policy).check_join(now)?;
        let (tx, rx) = mpsc::channel(64);
        let presence = Arc::new(Mutex::new(Presence {
            phase: Phase::Scheduled,
            buyer_present: false,
            vendor_present: false,
        }));
        table.insert(
            meeting.id.clone(),
            Entry::Open {
                commands: tx.clone(),
                presence: presence.clone(),
            },
        );
        let link = self.inner.bus.as_ref().map(|bus| {
            let inbox = bus.register(&meeting.id);
            // One ordered publisher per room: the room's loop never waits on Redis, and an
            // offer is never overtaken by its own candidates.
            let (out, mut queue) = mpsc::channel::<BusMessage>(256);
            let (bus2, id) = (bus.clone(), meeting.id.clone());
            tokio::spawn(async move {
                while let Some(m) = queue.recv().await {
                    bus2.publish(&id, m).await;
                }
            });
            BusLink {
                bus: bus.clone(),
                inbox,
                out,
            }
        });
        let task = RoomTask {
            meeting: meeting.clone(),
            view: MeetingView::of(&self.inner.fair, meeting),
            room: Room::new(meeting.slot, &policy),
            sides: [None, None],
            took_side: [None, None],
            presence,
            ice_servers: self.inner.ice_servers.clone(),
            link,
            closing: None,
        };
        let rooms = self.clone();
        let span = tracing::info_span!("room", meeting = %meeting.id);
        tokio::spawn(
            async move {
                let (id, at) = task.run(rx, &rooms.inner.fair, &rooms.inner.log).await;
                rooms
                    .inner
                    .table
                    .lock()
                    .expect("rooms lock")
                    .insert(id, Entry::Closed { at });
            }
            .instrument(span),
        );
        Ok(tx)
    }

    /// Opens every room when its check-in starts, for as long as the fair has rooms to
    /// open. Rooms already past their close are left alone.
    pub async fn run_scheduler(self) {
        let now = clock::now();
        let mut pending: Vec<(Timestamp, Meeting)> = self
            .inner
            .fair
            .meetings()
            .map(|m| (self.window(m), m))
            .filter(|(w, _)| w.closes_at > now)
            .map(|(w, m)| (w.checkin_opens_at, m.clone()))
            .collect();
        // Latest first, so `pop` yields the next room to open.
        pending.sort_by_key(|p| std::cmp::Reverse(p.0));
        info!(rooms = pending.len(), "scheduler started");
        while let Some((opens_at, meeting)) = pending.pop() {
            tokio::time::sleep(clock::until(opens_at)).await;
            if let Err(refusal) = self.open(&meeting, clock::now()) {
                debug!(meeting = %meeting.id, %refusal, "room not opened");
            }
        }
        info!("scheduler finished: every room of the fair has opened");
    }
}

/// Who holds a side of the room: a connection on this node, or one on another node.
enum Holder {
    Local {
        conn: ConnId,
        outbox: Outbox,
        since: Timestamp,
    },
    Remote {
        node: String,
        conn: u64,
        since: Timestamp,
        seen: std::time::Instant,
    },
}

/// A room's link to the other nodes.
struct BusLink {
    bus: Arc<Bus>,
    inbox: mpsc::Receiver<Envelope>,
    out: mpsc::Sender<BusMessage>,
}

/// How long the sides' `closed` waits for the record to be durable. The log is normally
/// far quicker; if it is down, the sides are told anyway and the record keeps retrying.
const CLOSE_WAITS_FOR_RECORD: std::time::Duration = std::time::Duration::from_secs(5);

/// Writes a closed room's record, retrying until the log takes it: a consultation that
/// happened must reach the log.
async fn write_record(log: &dyn ConsultationLog, record: ConsultationRecord) {
    let mut backoff = std::time::Duration::from_millis(100);
    loop {
        match log.append(record.clone()).await {
            Ok(fresh) => {
                info!(ending = ?record.ending, duration_s = record.duration_s, fresh, "consultation recorded");
                return;
            }
            Err(e) => {
                warn!(error = %e, "consultation log refused a record; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(5));
            }
        }
    }
}

/// One room's task state.
struct RoomTask {
    meeting: Meeting,
    view: MeetingView,
    room: Room,
    sides: [Option<Holder>; 2],
    /// Who first took each side, for the record.
    took_side: [Option<ParticipantId>; 2],
    presence: Arc<Mutex<Presence>>,
    ice_servers: Vec<IceServer>,
    link: Option<BusLink>,
    /// The `closed` message, held back until the room's record is durable: a side told
    /// the meeting is over may rely on it being on record.
    closing: Option<ServerMessage>,
}

fn slot(side: Side) -> usize {
    match side {
        Side::Buyer => 0,
        Side::Vendor => 1,
    }
}

impl RoomTask {
    /// Runs until the room closes and its record is written (or, if the log is slow, until
    /// the sides have been told); returns the meeting and when it closed.
    async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        fair: &Fair,
        log: &Arc<dyn ConsultationLog>,
    ) -> (MeetingId, Timestamp) {
        self.room.handle_timeout(clock::now());
        self.dispatch();
        info!(phase = ?self.room.phase(), "room opened");
        let mut heartbeat = tokio::time::interval(bus::HEARTBEAT);
        loop {
            let deadline = self.room.poll_timeout();
            tokio::select! {
                cmd = commands.recv() => match cmd {
                    Some(cmd) => self.handle(cmd),
                    None => break,
                },
                _ = tokio::time::sleep(deadline.map(clock::until).unwrap_or_default()), if deadline.is_some() => {
                    self.room.handle_timeout(clock::now());
                }
                Some(env) = recv_bus(&mut self.link) => self.on_bus(env),
                _ = heartbeat.tick(), if self.link.is_some() => self.heartbeat(),
            }
            self.dispatch();
            if self.room.phase() == Phase::Closed {
                break;
            }
        }
        if let Some(link) = &self.link {
            link.bus.unregister(&self.meeting.id);
        }
        let at = clock::now();
        info!("room closed");
        let [buyer, vendor] = self.took_side.clone();
        let record = ConsultationRecord::of_closed_room(
            fair,
            &self.meeting,
            &self.room,
            buyer,
            vendor,
            Vec::new(),
        );
        if let Some(record) = record {
            let write = write_record(log.as_ref(), record);
            tokio::pin!(write);
            let recorded = tokio::time::timeout(CLOSE_WAITS_FOR_RECORD, &mut write)
                .await
                .is_ok();
            if !recorded {
                warn!("the consultation log is slow: telling the sides the room closed before its record is durable");
            }
            self.finish_closing();
            if !recorded {
                write.await;
            }
        } else {
            self.finish_closing();
        }
        (self.meeting.id.clone(), at)
    }

    /// Sends the held-back `closed` and lets go of both connections.
    fn finish_closing(&mut self) {
        if let Some(msg) = self.closing.take() {
            for side in [Side::Buyer, Side::Vendor] {
                self.send(side, msg.clone());
            }
        }
        // Dropping the outboxes lets each connection's writer finish and close.
        self.sides = [None, None];
    }

    fn publish(&self, msg: BusMessage) {
        if let Some(link) = &self.link {
            if link.out.try_send(msg).is_err() {
                warn!("room bus backlog full; a cross-node message was dropped");
            }
        }
    }

    fn handle(&mut self, cmd: Command) {
        let now = clock::now();
        match cmd {
            Command::Join {
                side,
                conn,
                you,
                outbox,
                reply,
            } => {
                let participant = you.participant.clone();
                match self.sides[slot(side)].take() {
                    Some(Holder::Local {
                        conn: old,
                        outbox: old_outbox,
                        ..
                    }) if old != conn => {
                        kick(&old_outbox);
                        self.room.handle_leave(side, now);
                    }
                    Some(Holder::Remote { .. }) => self.room.handle_leave(side, now),
                    _ => {}
                }
                match self.room.handle_join(side, now) {
                    Ok(()) => {
                        let joined = ServerMessage::Joined {
                            v: sangdam_signaling::protocol::PROTOCOL_VERSION,
                            you,
                            meeting: Box::new(self.view.clone()),
                            window: self.room.window(),
                            phase: self.room.phase(),
                            peer_present: self.room.is_present(side.other()),
                            server_time: now,
                            ice_servers: self.ice_servers.clone(),
                        };
                        if outbox.try_send(joined).is_ok() {
                            self.took_side[slot(side)].get_or_insert(participant.clone());
                            self.sides[slot(side)] = Some(Holder::Local {
                                conn,
                                outbox,
                                since: now,
                            });
                            self.publish(BusMessage::Presence {
                                side,
                                present: true,
                                participant: Some(participant),
                                conn,
                                since: now,
                            });
                            let _ = reply.send(Ok(()));
                        } else {
                            self.room.handle_leave(side, now);
                        }
                    }
                    Err(refusal) => {
                        let _ = reply.send(Err(refusal));
                    }
                }
            }
            Command::Leave { side, conn } => {
                if self.is_current(side, conn) {
                    self.sides[slot(side)] = None;
                    self.room.handle_leave(side, now);
                    self.publish(BusMessage::Presence {
                        side,
                        present: false,
                        participant: None,
                        conn,
                        since: now,
                    });
                }
            }
            Command::Relay { side, conn, msg } => {
                if !self.is_current(side, conn) {
                    return;
                }
                let other = side.other();
                let since = match &self.sides[slot(side)] {
                    Some(Holder::Local { since, .. }) => *since,
                    _ => now,
                };
                match &self.sides[slot(other)] {
                    Some(Holder::Remote { .. }) if self.room.can_relay() => {
                        self.publish(BusMessage::Relay {
                            to: other,
                            msg,
                            from_conn: conn,
                            from_since: since,
                        })
                    }
                    _ if self.room.can_relay() => self.send(other, msg),
                    _ => self.send(
                        side,
                        ServerMessage::error(
                            sangdam_signaling::ErrorCode::NotLive,
                            "nothing was relayed: the other side is not in the room or the slot is not running",
                        ),
                    ),
                }
            }
        }
    }

    /// What another node says about this room.
    fn on_bus(&mut self, env: Envelope) {
        let now = clock::now();
        match env.body {
            BusMessage::Presence {
                side,
                present: true,
                participant,
                conn,
                since,
            } => self.remote_present(&env.node, side, participant, conn, since, now),
            BusMessage::Presence {
                side,
                present: false,
                conn,
                ..
            } => {
                if matches!(&self.sides[slot(side)], Some(Holder::Remote { node, conn: c, .. }) if *node == env.node && *c == conn)
                {
                    self.sides[slot(side)] = None;
                    self.room.handle_leave(side, now);
                }
            }
            BusMessage::Relay {
                to,
                msg,
                from_conn,
                from_since,
            } => {
                if matches!(self.sides[slot(to)], Some(Holder::Local { .. })) {
                    self.remote_present(&env.node, to.other(), None, from_conn, from_since, now);
                    // Peer-joined and call-ready (if this relay is how we learnt of the
                    // sender) must reach the client before the offer they precede.
                    self.dispatch();
                    self.send(to, msg);
                }
            }
        }
    }

    /// Another node holds `side` (by presence, heartbeat or a relay it sent).
    fn remote_present(
        &mut self,
        from: &str,
        side: Side,
        participant: Option<ParticipantId>,
        conn: u64,
        since: Timestamp,
        now: Timestamp,
    ) {
        let i = slot(side);
        let remote = Holder::Remote {
            node: from.to_string(),
            conn,
            since,
            seen: std::time::Instant::now(),
        };
        let mut news = true;
        match &mut self.sides[i] {
            // A heartbeat from the holder we know.
            Some(Holder::Remote {
                node,
                conn: c,
                seen,
                ..
            }) if node == from && *c == conn => {
                *seen = std::time::Instant::now();
                news = false;
            }
            // The same side joined elsewhere: the later join wins, on every node.
            Some(Holder::Local {
                outbox,
                since: ours,
                ..
            }) => {
                if (since, from) > (*ours, self.link.as_ref().map_or("", |l| l.bus.node())) {
                    kick(outbox);
                    self.sides[i] = Some(remote);
                    self.room.handle_leave(side, now);
                    let _ = self.room.handle_join(side, now);
                }
            }
            Some(Holder::Remote { since: theirs, .. }) => {
                if since >= *theirs {
                    self.sides[i] = Some(remote);
                    self.room.handle_leave(side, now);
                    let _ = self.room.handle_join(side, now);
                }
            }
            None => {
                if self.room.handle_join(side, now).is_ok() {
                    self.sides[i] = Some(remote);
                }
            }
        }
        if let Some(p) = participant {
            if self.sides[i].is_some() {
                self.took_side[i].get_or_insert(p);
            }
        }
        // A node we had not heard from about this side may not have heard of ours either
        // (its subscription may be younger than our last announcement): answer at once
        // rather than at the next heartbeat.
        if news {
            self.announce_local();
        }
    }

    /// Tells the other nodes which sides this node holds.
    fn announce_local(&self) {
        for side in [Side::Buyer, Side::Vendor] {
            if let Some(Holder::Local { conn, since, .. }) = &self.sides[slot(side)] {
                self.publish(BusMessage::Presence {
                    side,
                    present: true,
                    participant: self.took_side[slot(side)].clone(),
                    conn: *conn,
                    since: *since,
                });
            }
        }
    }

    /// Tells the other nodes which sides this node holds, and drops remote sides whose node
    /// has gone quiet (died, or lost Redis).
    fn heartbeat(&mut self) {
        let now = clock::now();
        self.announce_local();
        for side in [Side::Buyer, Side::Vendor] {
            match &self.sides[slot(side)] {
                Some(Holder::Remote { seen, .. })
                    if seen.elapsed() > bus::PRESENCE_TTL
                        && self
                            .link
                            .as_ref()
                            .is_some_and(|l| l.bus.silence_is_meaningful()) =>
                {
                    warn!(?side, "the node holding this side went quiet; dropping it");
                    self.sides[slot(side)] = None;
                    self.room.handle_leave(side, now);
                }
                _ => {}
            }
        }
    }

    fn is_current(&self, side: Side, conn: ConnId) -> bool {
        matches!(&self.sides[slot(side)], Some(Holder::Local { conn: c, .. }) if *c == conn)
    }

    /// Sends to one side's local connection; a side whose outbox is full or gone is dropped
    /// from the room. Sides held on other nodes hear from their own node's copy of the room.
    fn send(&mut self, side: Side, msg: ServerMessage) {
        let Some(Holder::Local { outbox, conn, .. }) = &self.sides[slot(side)] else {
            return;
        };
        if outbox.try_send(msg).is_err() {
            warn!(
                ?side,
                "connection too slow or gone; dropping it from the room"
            );
            let conn = *conn;
            self.sides[slot(side)] = None;
            self.room.handle_leave(side, clock::now());
            self.publish(BusMessage::Presence {
                side,
                present: false,
                participant: None,
                conn,
                since: clock::now(),
            });
        }
    }

    /// Turns the core's events into messages for the sides, until none are left.
    fn dispatch(&mut self) {
        let now = clock::now();
        while let Some(event) = self.room.poll_event() {
            debug!(?event, "room event");
            let both = |msg: ServerMessage| [(Side::Buyer, msg.clone()), (Side::Vendor, msg)];
            let out: Vec<(Side, ServerMessage)> = match event {
                RoomEvent::PhaseChanged { phase, at } => both(ServerMessage::Phase {
                    phase,
                    at,
                    server_time: now,
                })
                .into(),
                RoomEvent::Warning { remaining, .. } => both(ServerMessage::Warning {
                    remaining_s: remaining.as_secs(),
                    server_time: now,
                })
                .into(),
                RoomEvent::PeerJoined { side } => {
                    vec![(side.other(), ServerMessage::PeerJoined { side })]
                }
                RoomEvent::PeerLeft { side } => {
                    vec![(side.other(), ServerMessage::PeerLeft { side })]
                }
                RoomEvent::CallReady => vec![
                    (Side::Buyer, ServerMessage::CallReady { offerer: true }),
                    (Side::Vendor, ServerMessage::CallReady { offerer: false }),
                ],
                RoomEvent::NoShow { absent, .. } => {
                    info!(?absent, "no-show");
                    both(ServerMessage::NoShow {
                        absent,
                        server_time: now,
                    })
                    .into()
                }
                RoomEvent::Closed { reason, .. } => {
                    info!(?reason, "room closing");
                    // Sent once the record is written; see `run`.
                    self.closing = Some(ServerMessage::Closed {
                        reason,
                        server_time: now,
                    });
                    Vec::new()
                }
            };
            for (side, msg) in out {
                self.send(side, msg);
            }
        }
        *self.presence.lock().expect("presence lock") = Presence {
            phase: self.room.phase(),
            buyer_present: self.room.is_present(Side::Buyer),
            vendor_present: self.room.is_present(Side::Vendor),
        };
    }
}

/// Tells a connection another window or node took its side, which closes it.
fn kick(outbox: &Outbox) {
    let _ = outbox.try_send(ServerMessage::error(
        sangdam_signaling::ErrorCode::Replaced,
        "you joined this room from another window or device; this one is closed",
    ));
}

/// The next message from other nodes, or never if this node has no bus.
async fn recv_bus(link: &mut Option<BusLink>) -> Option<Envelope> {
    match link {
        Some(l) => l.inbox.recv().await,
        None => std::future::pending().await,
    }
}
