//! One room's task: drives the core's `Room` on real time, keeps the local sides'
//! outboxes in the core's side table (`Sides`), relays signaling between the sides (over
//! the bus when the other side is on another node) and writes the room's record before
//! either side hears `closed`. The rules — phases, no-shows, who holds a side — are the
//! core's; this task does the IO they decide.

use super::{Command, Outbox, Presence};
use crate::app::clock;
use crate::journal::ConsultationLog;
use crate::rooms::bus::{self, Bus, BusMessage, Envelope};
use sangdam_signaling::live::sides::{Claim, ConnId, Displaced, Holder, Sides};
use sangdam_signaling::protocol::{IceServer, MeetingView, ServerMessage, PROTOCOL_VERSION};
use sangdam_signaling::records::record::ConsultationRecord;
use sangdam_signaling::{
    ErrorCode, Fair, Meeting, MeetingId, ParticipantId, Phase, Refusal, Room, RoomEvent,
    RoomPolicy, Side, Timestamp,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

/// A room's link to the other nodes.
pub(super) struct BusLink {
    pub(super) bus: Arc<Bus>,
    pub(super) inbox: mpsc::Receiver<Envelope>,
    pub(super) out: mpsc::Sender<BusMessage>,
}

/// How long the sides' `closed` waits for the record to be durable. The log is normally
/// far quicker; if it is down, the sides are told anyway and the record keeps retrying.
const CLOSE_WAITS_FOR_RECORD: Duration = Duration::from_secs(5);

/// Writes a closed room's record, retrying until the log takes it: a consultation that
/// happened must reach the log.
async fn write_record(log: &dyn ConsultationLog, record: ConsultationRecord) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match log.append(record.clone()).await {
            Ok(fresh) => {
                info!(ending = ?record.ending, duration_s = record.duration_s, fresh, "consultation recorded");
                return;
            }
            Err(e) => {
                warn!(error = %e, "consultation log refused a record; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// One room's task state.
pub(super) struct RoomTask {
    meeting: Meeting,
    view: MeetingView,
    room: Room,
    /// Who holds each side: local outboxes, or connections on other nodes.
    sides: Sides<Outbox>,
    /// Who first took each side, for the record.
    took_side: [Option<ParticipantId>; 2],
    presence: Arc<Mutex<Presence>>,
    ice_servers: Vec<IceServer>,
    link: Option<BusLink>,
    /// The `closed` message, held back until the room's record is durable: a side told
    /// the meeting is over may rely on it being on record.
    closing: Option<ServerMessage>,
    /// When each side was last told its signaling was not relayed (monotonic): at most
    /// once a second, so the answers to a flood are not a flood.
    told_not_relayed: [Option<Timestamp>; 2],
}

fn slot(side: Side) -> usize {
    match side {
        Side::Buyer => 0,
        Side::Vendor => 1,
    }
}

impl RoomTask {
    pub(super) fn new(
        fair: &Fair,
        meeting: &Meeting,
        policy: &RoomPolicy,
        presence: Arc<Mutex<Presence>>,
        ice_servers: Vec<IceServer>,
        link: Option<BusLink>,
    ) -> Self {
        let node = link.as_ref().map_or("", |l| l.bus.node()).to_string();
        Self {
            meeting: meeting.clone(),
            view: MeetingView::of(fair, meeting),
            room: Room::new(meeting.slot, policy),
            sides: Sides::new(node),
            took_side: [None, None],
            presence,
            ice_servers,
            link,
            closing: None,
            told_not_relayed: [None, None],
        }
    }

    /// Runs until the room closes and its record is written (or, if the log is slow, until
    /// the sides have been told); returns the meeting and when it closed.
    pub(super) async fn run(
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
        for side in [Side::Buyer, Side::Vendor] {
            self.sides.release(side);
        }
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
                let joined_outbox = outbox.clone();
                match self.sides.join_local(side, conn, now, outbox) {
                    Displaced::Local(old) => {
                        kick(&old);
                        self.room.handle_leave(side, now);
                    }
                    Displaced::Remote => self.room.handle_leave(side, now),
                    Displaced::Nobody => {}
                }
                match self.room.handle_join(side, now) {
                    Ok(()) => {
                        let joined = ServerMessage::Joined {
                            v: PROTOCOL_VERSION,
                            you,
                            meeting: Box::new(self.view.clone()),
                            window: self.room.window(),
                            phase: self.room.phase(),
                            peer_present: self.room.is_present(side.other()),
                            server_time: now,
                            ice_servers: self.ice_servers.clone(),
                        };
                        if joined_outbox.try_send(joined) {
                            self.took_side[slot(side)].get_or_insert(participant.clone());
                            self.publish(BusMessage::Presence {
                                side,
                                present: true,
                                participant: Some(participant),
                                conn,
                                since: now,
                            });
                            let _ = reply.send(Ok(()));
                        } else {
                            self.sides.release(side);
                            self.room.handle_leave(side, now);
                        }
                    }
                    Err(refusal) => {
                        self.sides.release(side);
                        let _ = reply.send(Err(refusal));
                    }
                }
            }
            Command::Leave { side, conn } => {
                if self.sides.leave_local(side, conn) {
                    self.local_side_left(side, conn, now);
                }
            }
            Command::Relay {
                side,
                conn,
                msg,
                id,
            } => {
                if !self.sides.is_current(side, conn) {
                    return;
                }
                let other = side.other();
                let since = match self.sides.holder(side) {
                    Some(Holder::Local { since, .. }) => *since,
                    _ => now,
                };
                if !self.room.can_relay() {
                    self.send(
                        side,
                        Refusal::new(
                            ErrorCode::NotLive,
                            "nothing was relayed: the other side is not in the room or the slot is not running",
                        )
                        .answering(id)
                        .into(),
                    );
                } else if self.sides.is_remote(other) {
                    self.publish(BusMessage::Relay {
                        to: other,
                        msg,
                        from_conn: conn,
                        from_since: since,
                    })
                } else if self
                    .sides
                    .local(other)
                    .is_some_and(|o| !o.has_room_for_relay())
                {
                    // The other side has not read what it was sent: this is dropped rather
                    // than let one side's volume push the other out of the room.
                    let heard = clock::monotonic();
                    let last = &mut self.told_not_relayed[slot(side)];
                    if last.is_none_or(|t| heard.since(t).as_millis() >= 1000) {
                        *last = Some(heard);
                        self.send(
                            side,
                            Refusal::new(
                                ErrorCode::RateLimited,
                                "nothing was relayed: the other side is not keeping up; slow down",
                            )
                            .answering(id)
                            .into(),
                        );
                    }
                } else {
                    self.send(other, msg)
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
                if self.sides.remote_left(&env.node, side, conn) {
                    self.room.handle_leave(side, now);
                }
            }
            BusMessage::Relay {
                to,
                msg,
                from_conn,
                from_since,
            } => {
                if self.sides.local(to).is_some() {
                    self.remote_present(&env.node, to.other(), None, from_conn, from_since, now);
                    // Peer-joined and call-ready (if this relay is how we learnt of the
                    // sender) must reach the client before the offer they precede.
                    self.dispatch();
                    // The same reserve as for a sender on this node: a burst relayed from
                    // another node cannot push a slow reader here out of the room.
                    if self.sides.local(to).is_some_and(|o| o.has_room_for_relay()) {
                        self.send(to, msg);
                    } else {
                        debug!(side = ?to, "relay from another node dropped: the side is not keeping up");
                    }
                }
            }
        }
    }

    /// Another node holds `side` (by presence, heartbeat or a relay it sent); the core's
    /// side table decides whether that changes who holds it here.
    fn remote_present(
        &mut self,
        from: &str,
        side: Side,
        participant: Option<ParticipantId>,
        conn: ConnId,
        since: Timestamp,
        now: Timestamp,
    ) {
        // Heard-of times are the monotonic clock's; `since` (a join time compared across
        // nodes) stays the wall clock's.
        let claim = self
            .sides
            .claim(from, side, conn, since, clock::monotonic());
        let news = !matches!(claim, Claim::Refreshed);
        if let Claim::Taken {
            displaced,
            was_held,
        } = claim
        {
            if let Some(outbox) = displaced {
                kick(&outbox);
            }
            if was_held {
                self.room.handle_leave(side, now);
                let _ = self.room.handle_join(side, now);
            } else if self.room.handle_join(side, now).is_err() {
                self.sides.release(side);
            }
        }
        if let Some(p) = participant {
            if self.sides.is_held(side) {
                self.took_side[slot(side)].get_or_insert(p);
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
        for (side, conn, since) in self.sides.local_sides() {
            self.publish(BusMessage::Presence {
                side,
                present: true,
                participant: self.took_side[slot(side)].clone(),
                conn,
                since,
            });
        }
    }

    /// Tells the other nodes which sides this node holds, and drops remote sides whose node
    /// has gone quiet (died, or lost Redis).
    fn heartbeat(&mut self) {
        let now = clock::now();
        self.announce_local();
        let heard_now = clock::monotonic();
        let hearing = self
            .link
            .as_ref()
            .is_some_and(|l| l.bus.silence_is_meaningful(heard_now));
        for side in self.sides.expire(heard_now, bus::PRESENCE_TTL, hearing) {
            warn!(?side, "the node holding this side went quiet; dropping it");
            self.room.handle_leave(side, now);
        }
    }

    /// Sends to one side's local connection. A side whose outbox is full — it has not read
    /// even the reserve kept for the room's own messages — is closed (`too_slow`) and
    /// leaves the room. Sides held on other nodes hear from their own node's copy of the
    /// room.
    fn send(&mut self, side: Side, msg: ServerMessage) {
        let Some(outbox) = self.sides.local(side) else {
            return;
        };
        if !outbox.try_send(msg) {
            warn!(?side, "connection too slow or gone; closing it");
            outbox.shut(Refusal::new(
                ErrorCode::TooSlow,
                "you did not read what the server sent you, so it closed your connection; join again",
            ));
            if let Some(Holder::Local { conn, .. }) = self.sides.release(side) {
                self.local_side_left(side, conn, clock::now());
            }
        }
    }

    /// A connection of this node no longer holds `side`: the room and the other nodes hear.
    fn local_side_left(&mut self, side: Side, conn: ConnId, now: Timestamp) {
        self.room.handle_leave(side, now);
        self.publish(BusMessage::Presence {
            side,
            present: false,
            participant: None,
            conn,
            since: now,
        });
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

/// Tells a connection another window or node took its side, and closes it.
fn kick(outbox: &Outbox) {
    outbox.shut(Refusal::new(
        ErrorCode::Replaced,
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
