//! One room's task: drives the core's `Room` on real time, keeps the local seats'
//! outboxes in the core's side table (`Sides`), relays signaling between the seats (over
//! the bus when the other is on another node), applies moderators' changes, keeps the
//! room's status for the moderators' board, and writes the room's record before anyone
//! hears `closed`. The rules — phases, no-shows, who holds a seat, what a moderator may
//! change — are the core's; this task does the IO they decide.

use super::{Command, Heard, Outbox, RoomStatus, SeatStatus};
use crate::app::clock;
use crate::journal::ConsultationLog;
use crate::moderation::store::ModerationStore;
use crate::rooms::bus::{self, Bus, BusMessage, Envelope};
use sangdam_signaling::live::moderation::Adjustments;
use sangdam_signaling::live::room::{JoinRefusal, Seat, Window};
use sangdam_signaling::live::sharing::{FileLimits, RoomSharing, SideSharing};
use sangdam_signaling::live::sides::{Claim, ConnId, Displaced, Holder, Sides};
use sangdam_signaling::protocol::{MeetingView, ServerMessage, PROTOCOL_VERSION};
use sangdam_signaling::records::record::ConsultationRecord;
use sangdam_signaling::turn::IcePlan;
use sangdam_signaling::{
    ErrorCode, Fair, Meeting, MeetingId, ParticipantId, Phase, Refusal, Room, RoomEvent,
    RoomPolicy, Side, Timestamp,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
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

/// A connection that has sent nothing for this long (the web client pings every 20 s)
/// is shown as not keeping up: its network may be gone while its socket is not yet.
const QUIET: Duration = Duration::from_secs(45);

/// How often a room re-reads moderators' changes from the shared store, in case a bus
/// message about them was lost.
const RESYNC: Duration = Duration::from_secs(5);

/// How long the room waits for the shared store when it opens and when it closes; if the
/// store is slow, the room goes on with what it last heard.
const STORE_WAIT: Duration = Duration::from_secs(2);

/// What a room task shares with the rest of the server.
pub(super) struct Shared {
    pub(super) fair: Arc<Fair>,
    pub(super) log: Arc<dyn ConsultationLog>,
    pub(super) moderation: Arc<dyn ModerationStore>,
    /// Poked whenever the room's status changes, for the moderators' board.
    pub(super) changed: Arc<Notify>,
}

/// One room's task state.
pub(super) struct RoomTask {
    meeting: Meeting,
    view: MeetingView,
    room: Room,
    /// The room's window before any moderator's change.
    base: Window,
    /// Who holds each seat: local outboxes, or connections on other nodes.
    sides: Sides<Outbox>,
    /// Who first took each side, for the record.
    took_side: [Option<ParticipantId>; 2],
    /// Who holds each seat now, as far as this node knows.
    holders: [Option<ParticipantId>; 3],
    /// When each local seat's connection last sent anything.
    heard: [Option<Heard>; 3],
    /// Moderators' changes to this room, as last heard from the shared store.
    adjustments: Adjustments,
    status: Arc<Mutex<RoomStatus>>,
    /// Poked when `status` changes.
    changed: Arc<Notify>,
    fair: Arc<Fair>,
    /// What each participant is handed to reach the other: ICE servers with relay
    /// credentials minted per join.
    ice: Arc<IcePlan>,
    link: Option<BusLink>,
    /// The `closed` message, held back until the room's record is durable: a side told
    /// the meeting is over may rely on it being on record.
    closing: Option<ServerMessage>,
    /// When each seat was last told its signaling was not relayed (monotonic): at most
    /// once a second, so the answers to a flood are not a flood.
    told_not_relayed: [Option<Timestamp>; 3],
    /// What the sides reported they shared, for the record; the core checks each report.
    sharing: RoomSharing,
    /// The fair's limits on files, for `joined` and for checking reports.
    files: FileLimits,
}

fn slot(side: Side) -> usize {
    match side {
        Side::Buyer => 0,
        Side::Vendor => 1,
    }
}

/// Where a message from `from` (with the `to` its client named) goes, or why it can't:
/// a side may leave `to` out (the other side); a moderator must name a side.
fn target(from: Seat, to: Option<Seat>) -> Result<Seat, Refusal> {
    let bad = |why: &str| Err(Refusal::new(ErrorCode::BadMessage, why.to_string()).for_request());
    match (from.side(), to) {
        (Some(side), None) => Ok(side.other().into()),
        (None, None) => {
            bad("a moderator's signaling names the side it is for: \"to\": \"buyer\" or \"vendor\"")
        }
        (_, Some(t)) if t == from => bad("signaling cannot go to your own seat"),
        (_, Some(t)) => Ok(t),
    }
}

impl RoomTask {
    pub(super) fn new(
        shared: &Shared,
        meeting: &Meeting,
        policy: &RoomPolicy,
        status: Arc<Mutex<RoomStatus>>,
        ice: Arc<IcePlan>,
        link: Option<BusLink>,
    ) -> Self {
        let fair = &*shared.fair;
        let node = link.as_ref().map_or("", |l| l.bus.node()).to_string();
        let room = Room::new(meeting.slot, policy);
        Self {
            meeting: meeting.clone(),
            view: MeetingView::of(fair, meeting),
            base: room.window(),
            room,
            sides: Sides::new(node),
            took_side: [None, None],
            holders: [None, None, None],
            heard: [None, None, None],
            adjustments: Adjustments::default(),
            status,
            changed: shared.changed.clone(),
            fair: shared.fair.clone(),
            ice,
            link,
            closing: None,
            told_not_relayed: [None, None, None],
            sharing: RoomSharing::default(),
            files: policy.files,
        }
    }

    /// Takes moderators' changes as the shared store holds them: a newer set (it only ever
    /// grows by actions) moves the room's end or closes it.
    fn apply_adjustments(&mut self, adj: Adjustments) {
        if adj.actions.len() < self.adjustments.actions.len() {
            return;
        }
        let now = clock::now();
        let want = adj.window(self.base);
        let have = self.room.window();
        self.adjustments = adj;
        if self.adjustments.ended() {
            // Ended by a moderator: closed as such now, even if this node's clock reads a
            // moment before the close the deciding node stamped.
            if self.room.phase() != Phase::Closed {
                info!("a moderator ended the room");
                self.room
                    .end(sangdam_signaling::live::room::CloseReason::Moderator, now);
            }
        } else if (want.ends_at, want.closes_at) != (have.ends_at, have.closes_at) {
            info!(ends_at = %want.ends_at, closes_at = %want.closes_at, "a moderator moved the room's end");
            self.room.reschedule(want.ends_at, want.closes_at, now);
        }
    }

    /// The name of the moderator who last changed the room, for `rescheduled`.
    fn last_moderator(&self) -> String {
        let fair = &*self.fair;
        self.adjustments
            .actions
            .last()
            .and_then(|a| fair.participant(&a.moderator))
            .map_or_else(String::new, |p| p.name.clone())
    }

    /// Runs until the room closes and its record is written (or, if the log is slow, until
    /// the sides have been told); returns the meeting and when it closed.
    pub(super) async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        me: mpsc::WeakSender<Command>,
        shared: &Shared,
    ) -> (MeetingId, Timestamp) {
        let fair = &*shared.fair;
        self.room.handle_timeout(clock::now());
        // A room opening on this node after a moderator changed it elsewhere starts from
        // that change.
        match tokio::time::timeout(STORE_WAIT, shared.moderation.adjustments(&self.meeting.id))
            .await
        {
            Ok(Ok(adj)) => self.apply_adjustments(adj),
            Ok(Err(r)) => warn!(%r, "moderators' changes unreadable; the room opens as scheduled"),
            Err(_) => warn!("moderators' changes unreadable in time; the room opens as scheduled"),
        }
        self.dispatch();
        info!(phase = ?self.room.phase(), "room opened");
        let mut heartbeat = tokio::time::interval(bus::HEARTBEAT);
        let mut resync = tokio::time::interval(RESYNC);
        resync.reset();
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
                // Also without a bus: the seats' health is refreshed for the board.
                _ = heartbeat.tick() => self.heartbeat(),
                _ = resync.tick() => {
                    let (store, id, me) = (shared.moderation.clone(), self.meeting.id.clone(), me.clone());
                    tokio::spawn(async move {
                        if let Ok(Ok(adj)) = tokio::time::timeout(STORE_WAIT, store.adjustments(&id)).await {
                            if let Some(me) = me.upgrade() {
                                let _ = me.send(Command::Adjusted(adj)).await;
                            }
                        }
                    });
                }
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
        // The record carries every moderator action, including those heard of last.
        if let Ok(Ok(adj)) =
            tokio::time::timeout(STORE_WAIT, shared.moderation.adjustments(&self.meeting.id)).await
        {
            if adj.actions.len() >= self.adjustments.actions.len() {
                self.adjustments = adj;
            }
        }
        // A moderator still in the room when it closes leaves with it, on the record.
        if let (Some(p), Some((_, closed_at))) = (
            self.holders[Seat::Moderator.index()].clone(),
            self.room.closed(),
        ) {
            if self.sides.is_held(Seat::Moderator) {
                self.adjustments.note(&p, "leave", closed_at);
            }
        }
        let [buyer, vendor] = self.took_side.clone();
        let record = ConsultationRecord::of_closed_room(
            fair,
            &self.meeting,
            &self.room,
            buyer,
            vendor,
            self.adjustments.actions.clone(),
        )
        .map(|mut r| {
            r.no_show = self.adjustments.no_show(r.no_show);
            r.with_sharing(&self.sharing)
        });
        if let Some(record) = record {
            let write = write_record(shared.log.as_ref(), record);
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

    /// Sends the held-back `closed` and lets go of every connection.
    fn finish_closing(&mut self) {
        if let Some(msg) = self.closing.take() {
            for seat in Seat::ALL {
                self.send(seat, msg.clone());
            }
        }
        // Dropping the outboxes lets each connection's writer finish and close.
        for seat in Seat::ALL {
            self.sides.release(seat);
        }
        *self.status.lock().expect("status lock") = RoomStatus {
            seats: [None, None, None],
            ..self.status_now(clock::now())
        };
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
                seat,
                conn,
                you,
                outbox,
                heard,
                reply,
            } => self.join(seat, conn, you, outbox, heard, reply, now),
            Command::Leave { seat, conn } => {
                if self.sides.leave_local(seat, conn) {
                    self.local_seat_left(seat, conn, now);
                }
            }
            Command::Relay {
                seat,
                to,
                conn,
                msg,
                id,
            } => self.relay(seat, to, conn, msg, id, now),
            Command::Adjusted(adj) => self.apply_adjustments(adj),
            Command::Sharing {
                seat,
                conn,
                report,
                id,
            } => self.report_sharing(seat, conn, report, id),
        }
    }

    /// A local connection's report of what its side shared: checked by the core, kept for
    /// the record and told to the other nodes' copies of the room.
    fn report_sharing(
        &mut self,
        seat: Seat,
        conn: ConnId,
        report: SideSharing,
        id: Option<sangdam_signaling::error::RequestId>,
    ) {
        if !self.sides.is_current(seat, conn) {
            return;
        }
        match self.sharing.report(seat, report, &self.files) {
            Ok(changed) => {
                if let (true, Some(side)) = (changed, seat.side()) {
                    info!(
                        ?side,
                        screen_shared = report.screen_shared,
                        files_sent = report.files_sent,
                        "sharing reported"
                    );
                    self.publish(BusMessage::Sharing {
                        side,
                        sharing: self.sharing.side(side),
                    });
                }
            }
            Err(r) => self.send(seat, r.answering(id).into()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn join(
        &mut self,
        seat: Seat,
        conn: ConnId,
        you: sangdam_signaling::protocol::You,
        outbox: Outbox,
        heard: Heard,
        reply: tokio::sync::oneshot::Sender<Result<(), JoinRefusal>>,
        now: Timestamp,
    ) {
        let participant = you.participant.clone();
        // One moderator at a time: another moderator's window is refused, the same
        // moderator's replaces their older one (as a side's does).
        let other_moderator =
            |p: &Option<ParticipantId>| p.as_ref().is_some_and(|p| p != &participant);
        // Another node may know of a moderator this copy of the room has not heard yet.
        let elsewhere = self.link.as_ref().is_some_and(|l| {
            other_moderator(
                &l.bus.remote_seats(&self.meeting.id, clock::monotonic())[Seat::Moderator.index()]
                    .as_ref()
                    .and_then(|r| r.participant.clone()),
            )
        });
        if seat == Seat::Moderator
            && ((self.sides.is_held(Seat::Moderator)
                && other_moderator(&self.holders[seat.index()]))
                || elsewhere)
        {
            let _ = reply.send(Err(JoinRefusal::SeatTaken));
            return;
        }
        let joined_outbox = outbox.clone();
        let displaced = self.sides.join_local(seat, conn, now, outbox);
        if !matches!(displaced, Displaced::Nobody) {
            if let Displaced::Local(old) = &displaced {
                kick(old);
            }
            self.room_leave(seat, now);
        }
        let entered = match seat.side() {
            Some(side) => self.room.handle_join(side, now),
            None => self.room.handle_moderator_join(now),
        };
        match entered {
            Ok(()) => {
                let present: Vec<Seat> = Seat::ALL
                    .into_iter()
                    .filter(|s| *s != seat && self.room.seat_present(*s))
                    .collect();
                let names = present
                    .iter()
                    .filter_map(|s| {
                        let p = self.holders[s.index()].as_ref()?;
                        Some((*s, self.fair.participant(p)?.name.clone()))
                    })
                    .collect();
                let peer_present = match seat.side() {
                    Some(side) => self.room.is_present(side.other()),
                    None => present.iter().any(|s| s.side().is_some()),
                };
                let joined = ServerMessage::Joined {
                    v: PROTOCOL_VERSION,
                    you,
                    meeting: Box::new(self.view.clone()),
                    window: self.room.window(),
                    phase: self.room.phase(),
                    peer_present,
                    present,
                    names,
                    server_time: now,
                    ice_servers: self
                        .ice
                        .for_meeting(participant.as_str(), self.room.window().closes_at),
                    ice_transport_policy: self.ice.policy,
                    files: self.files,
                };
                if joined_outbox.try_send(joined) {
                    if let Some(side) = seat.side() {
                        self.took_side[slot(side)].get_or_insert(participant.clone());
                    }
                    self.holders[seat.index()] = Some(participant.clone());
                    self.heard[seat.index()] = Some(heard);
                    self.publish(BusMessage::Presence {
                        side: seat,
                        present: true,
                        participant: Some(participant),
                        conn,
                        since: now,
                        healthy: true,
                    });
                    let _ = reply.send(Ok(()));
                } else {
                    self.sides.release(seat);
                    self.room_leave(seat, now);
                }
            }
            Err(refusal) => {
                self.sides.release(seat);
                let _ = reply.send(Err(refusal));
            }
        }
    }

    fn relay(
        &mut self,
        seat: Seat,
        to: Option<Seat>,
        conn: ConnId,
        msg: ServerMessage,
        id: Option<sangdam_signaling::error::RequestId>,
        now: Timestamp,
    ) {
        if !self.sides.is_current(seat, conn) {
            return;
        }
        let to = match target(seat, to) {
            Ok(t) => t,
            Err(r) => return self.send(seat, r.answering(id).into()),
        };
        let since = match self.sides.holder(seat) {
            Some(Holder::Local { since, .. }) => *since,
            _ => now,
        };
        let open = match (seat.side(), to.side()) {
            (Some(_), Some(_)) => self.room.can_relay(),
            (None, Some(side)) | (Some(side), None) => self.room.can_relay_moderator(side),
            (None, None) => false,
        };
        if !open {
            self.send(
                seat,
                Refusal::new(
                    ErrorCode::NotLive,
                    "nothing was relayed: that peer is not in the room or the slot is not running",
                )
                .answering(id)
                .into(),
            );
        } else if self.sides.is_remote(to) {
            self.publish(BusMessage::Relay {
                to,
                from: Some(seat),
                msg,
                from_conn: conn,
                from_since: since,
            })
        } else if self
            .sides
            .local(to)
            .is_some_and(|o| !o.has_room_for_relay())
        {
            // The peer has not read what it was sent: this is dropped rather than let one
            // seat's volume push another out of the room.
            let heard = clock::monotonic();
            let last = &mut self.told_not_relayed[seat.index()];
            if last.is_none_or(|t| heard.since(t).as_millis() >= 1000) {
                *last = Some(heard);
                self.send(
                    seat,
                    Refusal::new(
                        ErrorCode::RateLimited,
                        "nothing was relayed: the other side is not keeping up; slow down",
                    )
                    .answering(id)
                    .into(),
                );
            }
        } else {
            self.send(to, msg)
        }
    }

    /// The core hears `seat` leave.
    fn room_leave(&mut self, seat: Seat, now: Timestamp) {
        match seat.side() {
            Some(side) => self.room.handle_leave(side, now),
            None => self.room.handle_moderator_leave(now),
        }
    }

    /// The core hears `seat` enter; false if the room refused it.
    fn room_join(&mut self, seat: Seat, now: Timestamp) -> bool {
        match seat.side() {
            Some(side) => self.room.handle_join(side, now).is_ok(),
            None => self.room.handle_moderator_join(now).is_ok(),
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
                ..
            } => self.remote_present(&env.node, side, participant, conn, since, now),
            BusMessage::Presence {
                side,
                present: false,
                conn,
                ..
            } => {
                if self.sides.remote_left(&env.node, side, conn) {
                    self.holders[side.index()] = None;
                    self.room_leave(side, now);
                }
            }
            BusMessage::Adjusted { adjustments } => self.apply_adjustments(adjustments),
            // What another node's copy accepted from its connection: the facts only grow,
            // so taking them together is right whoever holds the side now.
            BusMessage::Sharing { side, sharing } => {
                self.sharing.merge(side, sharing, &self.files);
            }
            BusMessage::Relay {
                to,
                from,
                msg,
                from_conn,
                from_since,
            } => {
                // An older node relays only between the sides, and says no `from`.
                let from = from.or_else(|| to.side().map(|s| s.other().into()));
                if let (Some(from), true) = (from, self.sides.local(to).is_some()) {
                    self.remote_present(&env.node, from, None, from_conn, from_since, now);
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
        side: Seat,
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
                self.room_leave(side, now);
                self.room_join(side, now);
            } else if !self.room_join(side, now) {
                self.sides.release(side);
            }
        }
        if let Some(p) = participant {
            if self.sides.is_held(side) {
                if let Some(s) = side.side() {
                    self.took_side[slot(s)].get_or_insert(p.clone());
                }
                self.holders[side.index()] = Some(p);
            }
        }
        // A node we had not heard from about this side may not have heard of ours either
        // (its subscription may be younger than our last announcement): answer at once
        // rather than at the next heartbeat.
        if news {
            self.announce_local();
        }
    }

    /// Tells the other nodes which sides this node holds (and what those sides shared, if
    /// anything, so a lost report is made good).
    fn announce_local(&self) {
        for (side, conn, since) in self.sides.local_sides() {
            if let Some(s) = side.side() {
                let sharing = self.sharing.side(s);
                if sharing != SideSharing::default() {
                    self.publish(BusMessage::Sharing { side: s, sharing });
                }
            }
            self.publish(BusMessage::Presence {
                side,
                present: true,
                participant: self.holders[side.index()].clone(),
                conn,
                since,
                healthy: self.local_healthy(side, clock::monotonic()),
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
            self.holders[side.index()] = None;
            self.room_leave(side, now);
        }
    }

    /// Sends to one side's local connection. A side whose outbox is full — it has not read
    /// even the reserve kept for the room's own messages — is closed (`too_slow`) and
    /// leaves the room. Sides held on other nodes hear from their own node's copy of the
    /// room.
    fn send(&mut self, side: Seat, msg: ServerMessage) {
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
                self.local_seat_left(side, conn, clock::now());
            }
        }
    }

    /// A connection of this node no longer holds `seat`: the room and the other nodes hear.
    fn local_seat_left(&mut self, seat: Seat, conn: ConnId, now: Timestamp) {
        self.holders[seat.index()] = None;
        self.room_leave(seat, now);
        self.publish(BusMessage::Presence {
            side: seat,
            present: false,
            participant: None,
            conn,
            since: now,
            healthy: true,
        });
    }

    /// Whether this node's connection in `seat` keeps up: it reads what it is sent and has
    /// sent something lately (`now` is [`clock::monotonic`]'s).
    fn local_healthy(&self, seat: Seat, now: Timestamp) -> bool {
        let reads = self
            .sides
            .local(seat)
            .is_some_and(|o| o.has_room_for_relay());
        let quiet = self.heard[seat.index()]
            .as_ref()
            .is_some_and(|h| h.since(now) > QUIET);
        reads && !quiet
    }

    /// The room as the moderators' board shows it, at `now`.
    fn status_now(&self, now: Timestamp) -> RoomStatus {
        let heard = clock::monotonic();
        let seat = |s: Seat| -> Option<SeatStatus> {
            let (since, healthy) = match self.sides.holder(s)? {
                Holder::Local { since, .. } => (*since, self.local_healthy(s, heard)),
                Holder::Remote { since, seen, .. } => {
                    // As its node says, and only while its node keeps saying it.
                    let said = self.link.as_ref().is_none_or(|l| {
                        l.bus.remote_seats(&self.meeting.id, heard)[s.index()]
                            .as_ref()
                            .is_none_or(|r| r.healthy)
                    });
                    (*since, said && heard.since(*seen) <= bus::REMOTE_HEALTHY)
                }
            };
            Some(SeatStatus {
                participant: self.holders[s.index()].clone(),
                since,
                healthy,
            })
        };
        let running = matches!(self.room.phase(), Phase::Live | Phase::Grace);
        let dropped = |side: Side| {
            running
                && !self.room.is_present(side)
                && self.room.attendance(side).first_joined_at.is_some()
        };
        let _ = now;
        RoomStatus {
            phase: self.room.phase(),
            window: self.room.window(),
            seats: [seat(Seat::Buyer), seat(Seat::Vendor), seat(Seat::Moderator)],
            dropped: [dropped(Side::Buyer), dropped(Side::Vendor)],
            no_show: self.adjustments.no_show(self.room.no_show()),
            no_show_marked: self.adjustments.no_show.is_some(),
            actions: self.adjustments.actions.len(),
        }
    }

    /// Turns the core's events into messages for the seats, until none are left, and
    /// refreshes the room's status for the board (poking it if anything changed).
    fn dispatch(&mut self) {
        let now = clock::now();
        let fair = self.fair.clone();
        // The status first, then the messages: whoever hears of a change and asks the
        // server about it finds it already there.
        self.refresh_status(now);
        while let Some(event) = self.room.poll_event() {
            debug!(?event, "room event");
            let all = |msg: ServerMessage| Seat::ALL.map(|s| (s, msg.clone())).to_vec();
            // A side's news goes to the other side and the moderator.
            let others = |side: Side, msg: ServerMessage| {
                vec![(side.other().into(), msg.clone()), (Seat::Moderator, msg)]
            };
            let out: Vec<(Seat, ServerMessage)> = match event {
                RoomEvent::PhaseChanged { phase, at } => all(ServerMessage::Phase {
                    phase,
                    at,
                    server_time: now,
                }),
                RoomEvent::Warning { remaining, .. } => all(ServerMessage::Warning {
                    remaining_s: remaining.as_secs(),
                    server_time: now,
                }),
                RoomEvent::PeerJoined { side } => {
                    let name = self.holders[Seat::from(side).index()]
                        .as_ref()
                        .and_then(|p| fair.participant(p))
                        .map(|p| p.name.clone());
                    others(
                        side,
                        ServerMessage::PeerJoined {
                            side: side.into(),
                            name,
                        },
                    )
                }
                RoomEvent::PeerLeft { side } => {
                    others(side, ServerMessage::PeerLeft { side: side.into() })
                }
                RoomEvent::CallReady => vec![
                    (
                        Seat::Buyer,
                        ServerMessage::CallReady {
                            offerer: true,
                            peer: Seat::Vendor,
                        },
                    ),
                    (
                        Seat::Vendor,
                        ServerMessage::CallReady {
                            offerer: false,
                            peer: Seat::Buyer,
                        },
                    ),
                ],
                RoomEvent::ModeratorJoined => {
                    let name = self.holders[Seat::Moderator.index()]
                        .as_ref()
                        .and_then(|p| fair.participant(p))
                        .map(|p| p.name.clone());
                    info!("a moderator joined the room");
                    let msg = ServerMessage::PeerJoined {
                        side: Seat::Moderator,
                        name,
                    };
                    vec![(Seat::Buyer, msg.clone()), (Seat::Vendor, msg)]
                }
                RoomEvent::ModeratorLeft => {
                    let msg = ServerMessage::PeerLeft {
                        side: Seat::Moderator,
                    };
                    vec![(Seat::Buyer, msg.clone()), (Seat::Vendor, msg)]
                }
                RoomEvent::ModeratorLink { side } => vec![
                    (
                        Seat::Moderator,
                        ServerMessage::CallReady {
                            offerer: true,
                            peer: side.into(),
                        },
                    ),
                    (
                        side.into(),
                        ServerMessage::CallReady {
                            offerer: false,
                            peer: Seat::Moderator,
                        },
                    ),
                ],
                RoomEvent::Rescheduled { window } => {
                    // Each seat's relay credentials are its own, so each gets its own copy.
                    let by = self.last_moderator();
                    Seat::ALL
                        .iter()
                        .map(|&seat| {
                            let ice_servers = self.holders[seat.index()]
                                .as_ref()
                                .map(|p| self.ice.for_meeting(p.as_str(), window.closes_at))
                                .unwrap_or_default();
                            let msg = ServerMessage::Rescheduled {
                                window,
                                by: by.clone(),
                                server_time: now,
                                ice_servers,
                            };
                            (seat, msg)
                        })
                        .collect()
                }
                RoomEvent::NoShow { absent, .. } => {
                    info!(?absent, "no-show");
                    all(ServerMessage::NoShow {
                        absent,
                        server_time: now,
                    })
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
            for (seat, msg) in out {
                self.send(seat, msg);
            }
        }
        // Sending may have let go of a connection too slow to read.
        self.refresh_status(now);
    }

    /// Puts the room's status where the board and the HTTP API read it, poking the board
    /// if it changed.
    fn refresh_status(&mut self, now: Timestamp) {
        let status = self.status_now(now);
        let mut shown = self.status.lock().expect("status lock");
        if *shown != status {
            *shown = status;
            self.changed.notify_one();
        }
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
