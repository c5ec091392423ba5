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
use crate::rooms::bus::{Bus, BusMessage};
use crate::rooms::task::{BusLink, RoomTask};
use sangdam_signaling::error::RequestId;
use sangdam_signaling::live::room::{JoinRefusal, Window};
use sangdam_signaling::protocol::{IceServer, ServerMessage, You};
use sangdam_signaling::{Fair, Meeting, MeetingId, Phase, RoomPolicy, Side, Timestamp};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
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
        /// The request's id, for a refusal to echo.
        id: Option<RequestId>,
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
    /// Passes signaling to the other side; the room answers `not_live` itself (echoing
    /// `id`) if it can't.
    pub async fn relay(&self, msg: ServerMessage, id: Option<RequestId>) {
        let _ = self
            .commands
            .send(Command::Relay {
                side: self.side,
                conn: self.conn,
                msg,
                id,
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
        let task = RoomTask::new(
            &self.inner.fair,
            meeting,
            &policy,
            presence,
            self.inner.ice_servers.clone(),
            link,
        );
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
