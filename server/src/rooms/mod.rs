//! Live rooms. This module is the registry: it opens each meeting's room (when its
//! check-in starts, by the scheduler, or at the first join), hands joining connections a
//! [`Membership`], and answers the overview's questions. Each room is one tokio task
//! ([`task`]) driving the core's `Room` on real time; rooms shared by several nodes talk
//! over the [`bus`].

pub mod bus;
pub mod outbox;
mod task;

use crate::app::clock;
use crate::journal::ConsultationLog;
use crate::moderation::store::ModerationStore;
use crate::rooms::bus::{Bus, BusMessage};
use crate::rooms::task::{BusLink, RoomTask, Shared};
use sangdam_signaling::error::RequestId;
use sangdam_signaling::live::moderation::Adjustments;
use sangdam_signaling::live::room::{Absent, JoinRefusal, Seat, Window};
use sangdam_signaling::live::sharing::SideSharing;
use sangdam_signaling::protocol::{ServerMessage, You};
use sangdam_signaling::turn::IcePlan;
use sangdam_signaling::{Fair, Meeting, MeetingId, ParticipantId, Phase, RoomPolicy, Timestamp};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot, Notify};
use tracing::{debug, info, Instrument};

pub use sangdam_signaling::live::sides::ConnId;

pub use outbox::Outbox;

/// What a room tells the moderators' overview.
#[derive(Copy, Clone, Debug, Serialize)]
pub struct Presence {
    pub phase: Phase,
    pub buyer_present: bool,
    pub vendor_present: bool,
}

/// A connection asking to enter a room: where it sits, who it is, where its messages go.
pub struct Joining {
    pub seat: Seat,
    pub conn: ConnId,
    pub you: You,
    pub outbox: Outbox,
    pub heard: Heard,
}

/// When a connection last sent anything (ms of [`clock::monotonic`]): its reader notes
/// every frame, the room reads it for the board ("is this connection still there?").
#[derive(Clone, Debug, Default)]
pub struct Heard(Arc<std::sync::atomic::AtomicI64>);

impl Heard {
    pub fn new() -> Self {
        let h = Heard::default();
        h.now();
        h
    }

    /// The connection was heard from just now.
    pub fn now(&self) {
        self.0.store(
            clock::monotonic().as_millis(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// How long ago it was heard, at `now` ([`clock::monotonic`]'s).
    pub fn since(&self, now: Timestamp) -> std::time::Duration {
        let at = Timestamp::from_millis(self.0.load(std::sync::atomic::Ordering::Relaxed));
        now.since(at)
    }
}

/// Someone in a seat, as the room on this node knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatStatus {
    pub participant: Option<ParticipantId>,
    pub since: Timestamp,
    pub healthy: bool,
}

/// A running room as the moderators' board shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomStatus {
    pub phase: Phase,
    pub window: Window,
    /// By [`Seat::index`].
    pub seats: [Option<SeatStatus>; 3],
    /// Whether each side was in and left while the slot runs.
    pub dropped: [bool; 2],
    pub no_show: Option<Absent>,
    pub no_show_marked: bool,
    pub actions: usize,
}

enum Command {
    Join {
        seat: Seat,
        conn: ConnId,
        you: You,
        outbox: Outbox,
        heard: Heard,
        reply: oneshot::Sender<Result<(), JoinRefusal>>,
    },
    Leave {
        seat: Seat,
        conn: ConnId,
    },
    Relay {
        seat: Seat,
        to: Option<Seat>,
        conn: ConnId,
        msg: ServerMessage,
        /// The request's id, for a refusal to echo.
        id: Option<RequestId>,
    },
    /// Moderators changed the room (on this node; other nodes' changes come by the bus).
    Adjusted(Adjustments),
    /// The connection in `seat` reports what its side shared, for the record.
    Sharing {
        seat: Seat,
        conn: ConnId,
        report: SideSharing,
        id: Option<RequestId>,
    },
}

enum Entry {
    Open {
        commands: mpsc::Sender<Command>,
        status: Arc<Mutex<RoomStatus>>,
        meeting: Meeting,
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
    /// What every room task shares: the fair, the log, the moderators' store, the board's
    /// change signal.
    shared: Arc<Shared>,
    fair: Arc<Fair>,
    /// Cross-node traffic, when several nodes share a Redis.
    bus: Option<Arc<Bus>>,
    policy: RoomPolicy,
    ice: Arc<IcePlan>,
    /// A std mutex: it is never held across an await.
    table: Mutex<HashMap<MeetingId, Entry>>,
}

/// A joined connection's handle on its room.
#[derive(Clone)]
pub struct Membership {
    commands: mpsc::Sender<Command>,
    seat: Seat,
    conn: ConnId,
    /// The meeting's round, for announcements to one round.
    pub round: u32,
    pub meeting: MeetingId,
}

impl Membership {
    pub fn seat(&self) -> Seat {
        self.seat
    }

    /// Passes signaling to the seat `to` (a side may leave it out: the other side); the
    /// room answers `not_live` itself (echoing `id`) if it can't.
    pub async fn relay(&self, msg: ServerMessage, to: Option<Seat>, id: Option<RequestId>) {
        let _ = self
            .commands
            .send(Command::Relay {
                seat: self.seat,
                to,
                conn: self.conn,
                msg,
                id,
            })
            .await;
    }

    /// Reports what this connection's side shared (a screen, files), for the record; the
    /// room answers a refusal itself (echoing `id`).
    pub async fn report_sharing(&self, report: SideSharing, id: Option<RequestId>) {
        let _ = self
            .commands
            .send(Command::Sharing {
                seat: self.seat,
                conn: self.conn,
                report,
                id,
            })
            .await;
    }

    /// Leaves the room (also when the connection drops).
    pub async fn leave(&self) {
        let _ = self
            .commands
            .send(Command::Leave {
                seat: self.seat,
                conn: self.conn,
            })
            .await;
    }
}

impl Rooms {
    pub fn new(
        fair: Arc<Fair>,
        policy: RoomPolicy,
        ice: Arc<IcePlan>,
        log: Arc<dyn ConsultationLog>,
        moderation: Arc<dyn ModerationStore>,
        bus: Option<Arc<Bus>>,
        changed: Arc<Notify>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                shared: Arc::new(Shared {
                    fair: fair.clone(),
                    log,
                    moderation,
                    changed,
                }),
                fair,
                bus,
                policy,
                ice,
                table: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The timing of one meeting's room under this fair's policy.
    pub fn window(&self, meeting: &Meeting) -> Window {
        Window::new(meeting.slot, &self.policy_for(meeting))
    }

    fn policy_for(&self, meeting: &Meeting) -> RoomPolicy {
        self.inner.policy.for_meeting(&self.inner.fair, meeting)
    }

    /// The fair's grace after a slot, before the booth's next meeting clips it.
    pub fn grace(&self) -> std::time::Duration {
        self.inner.policy.timing.grace
    }

    /// The cross-node bus, when several nodes share a Redis.
    pub fn bus(&self) -> Option<&Arc<Bus>> {
        self.inner.bus.as_ref()
    }

    /// A running room's status, if this node runs it.
    pub fn status(&self, meeting: &MeetingId) -> Option<RoomStatus> {
        match self.inner.table.lock().expect("rooms lock").get(meeting) {
            Some(Entry::Open { status, .. }) => Some(status.lock().expect("status lock").clone()),
            _ => None,
        }
    }

    /// The rooms this node runs that are not in the fair's schedule (walk-ins).
    pub fn open_walk_ins(&self) -> Vec<Meeting> {
        self.inner
            .table
            .lock()
            .expect("rooms lock")
            .values()
            .filter_map(|e| match e {
                Entry::Open { meeting, .. } if self.inner.fair.meeting(&meeting.id).is_none() => {
                    Some(meeting.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// Whether this node ran the room and it has closed.
    pub fn closed_at(&self, meeting: &MeetingId) -> Option<Timestamp> {
        match self.inner.table.lock().expect("rooms lock").get(meeting) {
            Some(Entry::Closed { at }) => Some(*at),
            _ => None,
        }
    }

    /// Hands moderators' new changes to the room if it runs on this node (other nodes
    /// hear them over the bus).
    pub async fn adjusted(&self, meeting: &MeetingId, adjustments: Adjustments) {
        let commands = match self.inner.table.lock().expect("rooms lock").get(meeting) {
            Some(Entry::Open { commands, .. }) => Some(commands.clone()),
            _ => None,
        };
        if let Some(c) = commands {
            let _ = c.send(Command::Adjusted(adjustments.clone())).await;
        }
        if let Some(bus) = &self.inner.bus {
            bus.publish(meeting, BusMessage::Adjusted { adjustments })
                .await;
        }
    }

    /// The room's phase and who is in it. Rooms not running report the clock's phase.
    pub fn presence(&self, meeting: &Meeting, now: Timestamp) -> Presence {
        let table = self.inner.table.lock().expect("rooms lock");
        match table.get(&meeting.id) {
            Some(Entry::Open { status, .. }) => {
                let s = status.lock().expect("status lock");
                Presence {
                    phase: s.phase,
                    buyer_present: s.seats[0].is_some(),
                    vendor_present: s.seats[1].is_some(),
                }
            }
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

    /// Enters a connection into a meeting's room, opening the room if its window has
    /// begun. The room sends `joined` into its outbox before anything else.
    pub async fn join(
        &self,
        meeting: &Meeting,
        joining: Joining,
        now: Timestamp,
    ) -> Result<Membership, JoinRefusal> {
        let Joining {
            seat,
            conn,
            you,
            outbox,
            heard,
        } = joining;
        // A room a moderator kept open past its scheduled close still takes joins, also
        // on a node that was not running it yet.
        let adjusted = match self.window(meeting).check_join(now) {
            Err(JoinRefusal::Closed { .. }) => self
                .inner
                .shared
                .moderation
                .adjustments(&meeting.id)
                .await
                .ok()
                .map(|a| a.window(self.window(meeting))),
            _ => None,
        };
        let commands = self.open_adjusted(meeting, now, adjusted)?;
        let (reply, answer) = oneshot::channel();
        let closed = JoinRefusal::Closed {
            closed_at: self.window(meeting).closes_at.min(now),
        };
        commands
            .send(Command::Join {
                seat,
                conn,
                you,
                outbox,
                heard,
                reply,
            })
            .await
            .map_err(|_| closed)?;
        answer.await.map_err(|_| closed)??;
        Ok(Membership {
            commands,
            seat,
            conn,
            round: self
                .inner
                .fair
                .round(&meeting.round)
                .map_or(0, |r| r.number),
            meeting: meeting.id.clone(),
        })
    }

    /// The room's command channel, spawning its task if the window is open and it is not
    /// running yet.
    fn open(
        &self,
        meeting: &Meeting,
        now: Timestamp,
    ) -> Result<mpsc::Sender<Command>, JoinRefusal> {
        self.open_adjusted(meeting, now, None)
    }

    /// [`Rooms::open`], checking the join against `adjusted` (the window with moderators'
    /// changes) if given.
    fn open_adjusted(
        &self,
        meeting: &Meeting,
        now: Timestamp,
        adjusted: Option<Window>,
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
        adjusted
            .unwrap_or_else(|| Window::new(meeting.slot, &policy))
            .check_join(now)?;
        let (tx, rx) = mpsc::channel(64);
        let window = Window::new(meeting.slot, &policy);
        let status = Arc::new(Mutex::new(RoomStatus {
            phase: Phase::Scheduled,
            window,
            seats: [None, None, None],
            dropped: [false, false],
            no_show: None,
            no_show_marked: false,
            actions: 0,
        }));
        table.insert(
            meeting.id.clone(),
            Entry::Open {
                commands: tx.clone(),
                status: status.clone(),
                meeting: meeting.clone(),
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
        // The room asks the shared store for moderators' changes by itself now and then
        // (a bus message may be lost); it hands the answer to itself as a command. Weak:
        // the room's own handle does not keep its channel open.
        let tx_self = tx.downgrade();
        let task = RoomTask::new(
            &self.inner.shared,
            meeting,
            &policy,
            status,
            self.inner.ice.clone(),
            link,
        );
        let rooms = self.clone();
        let span = tracing::info_span!("room", meeting = %meeting.id);
        tokio::spawn(
            async move {
                let (id, at) = task.run(rx, tx_self, &rooms.inner.shared).await;
                rooms
                    .inner
                    .table
                    .lock()
                    .expect("rooms lock")
                    .insert(id, Entry::Closed { at });
                rooms.inner.shared.changed.notify_one();
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
