//! Cross-node room traffic over Redis pub/sub, so a buyer on one node and a vendor on
//! another meet in one room. Every node that has a meeting's room runs its own copy of the
//! room's state machine (its clock is the same everywhere); what nodes tell each other is
//! only who holds which side (with a heartbeat, so a dead node's side is dropped) and the
//! signaling a side sends to a side held elsewhere, and moderators' changes to a room.
//! No election, no ownership: each node speaks for its own connections.
//!
//! Beside the rooms' channel, a fair-wide one carries what every node passes on to all
//! its connections (announcements, revoked links) and to its moderators' boards (activity). Every node
//! also keeps a table of who other nodes hold in every room, from the same presence
//! messages, so a moderator's board shows the whole fair whichever node they reached.

use crate::app::clock;
use crate::redis_keys::Keys;
use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use sangdam_signaling::live::moderation::Adjustments;
use sangdam_signaling::live::room::Seat;
use sangdam_signaling::live::sharing::SideSharing;
use sangdam_signaling::protocol::board::ActivityEntry;
use sangdam_signaling::protocol::{Announcement, ServerMessage};
use sangdam_signaling::Side;
use sangdam_signaling::{FairId, MeetingId, ParticipantId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, Notify};
use tracing::{debug, info, warn};

/// A node announces a side it holds this often; a side not heard of for
/// [`PRESENCE_TTL`] is gone (its node died or lost Redis).
pub const HEARTBEAT: Duration = Duration::from_secs(1);
pub const PRESENCE_TTL: Duration = Duration::from_secs(5);
/// A remote seat not heard of for this long is shown as not keeping up (it is dropped
/// altogether after [`PRESENCE_TTL`]).
pub const REMOTE_HEALTHY: Duration = Duration::from_secs(3);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BusMessage {
    /// The sending node holds (`present`) or let go of a seat of the room.
    Presence {
        side: Seat,
        present: bool,
        participant: Option<ParticipantId>,
        /// Which connection on that node, so a reconnect is told from a heartbeat.
        conn: u64,
        /// When that connection joined: if one side is held on two nodes at once, the
        /// later join wins everywhere.
        since: Timestamp,
        /// Whether that connection keeps up with what it is sent.
        #[serde(default = "yes")]
        healthy: bool,
    },
    /// For the node holding side `to`: pass this signaling message to its connection.
    /// It also vouches for the sender's side (its connection and join time), so a node
    /// that has not yet heard that side's presence does not refuse the answer.
    Relay {
        to: Seat,
        /// The sender's seat (older nodes sent only between the two sides).
        #[serde(default)]
        from: Option<Seat>,
        msg: ServerMessage,
        from_conn: u64,
        from_since: Timestamp,
    },
    /// A moderator changed the room: its adjustments as the shared store now holds them.
    Adjusted { adjustments: Adjustments },
    /// What a side this node holds reported it shared (a screen, how many files), so every
    /// node's copy of the room writes the same record. Sent at each report and with the
    /// side's heartbeat, so a lost message is made good.
    Sharing { side: Side, sharing: SideSharing },
}

fn yes() -> bool {
    true
}

/// Fair-wide news, on the ops channel, for every node to pass on.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OpsMessage {
    /// For every lobby and room connection in the audience.
    Announcement(Announcement),
    /// For every moderator's board.
    Activity(ActivityEntry),
    /// Staff revoked a participant's link: every connection of theirs authenticated at a
    /// lower generation closes with `token_revoked`.
    Revoked {
        participant: ParticipantId,
        generation: u32,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct OpsEnvelope {
    node: String,
    body: OpsMessage,
}

/// Someone another node holds in a room, as its presence messages say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteSeat {
    pub node: String,
    pub participant: Option<ParticipantId>,
    pub since: Timestamp,
    /// When this node last heard of it ([`clock::monotonic`]).
    pub seen: Timestamp,
    pub healthy: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub node: String,
    pub meeting: MeetingId,
    pub body: BusMessage,
}

pub struct Bus {
    node: String,
    client: redis::Client,
    channel: String,
    publisher: tokio::sync::Mutex<Option<ConnectionManager>>,
    ops_channel: String,
    rooms: Mutex<HashMap<MeetingId, mpsc::Sender<Envelope>>>,
    /// Since when the subscription has been up; `None` while it is down.
    subscribed_since: Mutex<Option<Timestamp>>,
    /// Who other nodes hold in every room of the fair, for the moderators' board.
    remote: Mutex<HashMap<MeetingId, [Option<RemoteSeat>; 3]>>,
    /// Fair-wide news from other nodes (and this one's own, sent through [`Bus::ops`]).
    ops: broadcast::Sender<OpsMessage>,
    /// Poked when what the board shows may have changed.
    changed: Arc<Notify>,
}

impl Bus {
    /// A bus for one fair over the Redis at `url`. Starts its subscriber, which reconnects
    /// by itself whenever Redis goes away and comes back.
    /// `node` is this node's id, as the other nodes see it in messages.
    /// `ops` is where fair-wide news from other nodes goes; `changed` is poked when the
    /// moderators' board may need redrawing.
    pub fn start(
        url: &str,
        fair: &FairId,
        node: &str,
        ops: broadcast::Sender<OpsMessage>,
        changed: Arc<Notify>,
    ) -> redis::RedisResult<Arc<Bus>> {
        let keys = Keys::new(fair);
        let bus = Arc::new(Bus {
            node: node.to_string(),
            client: redis::Client::open(url)?,
            channel: keys.rooms_channel(),
            ops_channel: keys.ops_channel(),
            publisher: tokio::sync::Mutex::new(None),
            rooms: Mutex::new(HashMap::new()),
            subscribed_since: Mutex::new(None),
            remote: Mutex::new(HashMap::new()),
            ops,
            changed,
        });
        info!(node = %bus.node, "cross-node room bus on Redis");
        tokio::spawn(bus.clone().subscribe_forever());
        Ok(bus)
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// Whether silence from another node means it is gone: only if this node has been
    /// hearing the bus for a full presence TTL. While Redis is away nobody hears anybody,
    /// and rooms keep the sides they had, so peers already connected stay connected.
    /// `now` is [`clock::monotonic`]'s.
    pub fn silence_is_meaningful(&self, now: Timestamp) -> bool {
        self.subscribed_since
            .lock()
            .expect("bus lock")
            .is_some_and(|t| now.since(t) >= PRESENCE_TTL)
    }

    /// Messages for `meeting`'s room from other nodes.
    pub fn register(&self, meeting: &MeetingId) -> mpsc::Receiver<Envelope> {
        let (tx, rx) = mpsc::channel(256);
        self.rooms
            .lock()
            .expect("bus lock")
            .insert(meeting.clone(), tx);
        rx
    }

    pub fn unregister(&self, meeting: &MeetingId) {
        self.rooms.lock().expect("bus lock").remove(meeting);
    }

    /// Who other nodes hold in `meeting`'s room, by seat, as last heard within
    /// [`PRESENCE_TTL`] (`now` is [`clock::monotonic`]'s).
    pub fn remote_seats(&self, meeting: &MeetingId, now: Timestamp) -> [Option<RemoteSeat>; 3] {
        let remote = self.remote.lock().expect("bus lock");
        let mut seats = remote.get(meeting).cloned().unwrap_or_default();
        for s in seats.iter_mut() {
            if s.as_ref().is_some_and(|r| now.since(r.seen) > PRESENCE_TTL) {
                *s = None;
            }
        }
        seats
    }

    /// Every meeting another node has told of, e.g. walk-in rooms this node never opened.
    pub fn remote_meetings(&self) -> Vec<MeetingId> {
        self.remote
            .lock()
            .expect("bus lock")
            .keys()
            .cloned()
            .collect()
    }

    /// Sends to the other nodes; failures are logged, not returned: a room keeps working
    /// for its local sides whatever Redis does.
    pub async fn publish(&self, meeting: &MeetingId, body: BusMessage) {
        let env = Envelope {
            node: self.node.clone(),
            meeting: meeting.clone(),
            body,
        };
        let payload = serde_json::to_string(&env).expect("envelopes serialize");
        self.send(&self.channel, payload).await;
    }

    /// Sends fair-wide news to the other nodes (this node passes its own on itself).
    pub async fn publish_ops(&self, body: OpsMessage) {
        let env = OpsEnvelope {
            node: self.node.clone(),
            body,
        };
        let payload = serde_json::to_string(&env).expect("envelopes serialize");
        self.send(&self.ops_channel, payload).await;
    }

    async fn send(&self, channel: &str, payload: String) {
        let result = tokio::time::timeout(Duration::from_secs(2), async {
            let mut guard = self.publisher.lock().await;
            if guard.is_none() {
                *guard = Some(self.client.get_connection_manager().await?);
            }
            let con = guard.as_mut().expect("just set");
            redis::cmd("PUBLISH")
                .arg(channel)
                .arg(payload)
                .query_async::<i64>(con)
                .await
        })
        .await;
        match result {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => warn!(error = %e, "room bus: publish failed"),
            Err(_) => warn!("room bus: publish timed out"),
        }
    }

    async fn subscribe_forever(self: Arc<Self>) {
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.client.get_async_pubsub().await {
                Ok(mut pubsub) => match pubsub
                    .subscribe(&[self.channel.as_str(), self.ops_channel.as_str()])
                    .await
                {
                    Ok(()) => {
                        info!("room bus subscribed");
                        *self.subscribed_since.lock().expect("bus lock") = Some(clock::monotonic());
                        backoff = Duration::from_millis(100);
                        let mut messages = pubsub.on_message();
                        while let Some(msg) = messages.next().await {
                            let Ok(payload) = msg.get_payload::<String>() else {
                                continue;
                            };
                            if msg.get_channel_name() == self.ops_channel {
                                self.deliver_ops(&payload);
                            } else {
                                self.deliver(&payload);
                            }
                        }
                        *self.subscribed_since.lock().expect("bus lock") = None;
                        warn!("room bus: subscription lost; reconnecting");
                    }
                    Err(e) => warn!(error = %e, "room bus: subscribe failed"),
                },
                Err(e) => debug!(error = %e, "room bus: Redis unreachable"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }

    fn deliver_ops(&self, payload: &str) {
        match serde_json::from_str::<OpsEnvelope>(payload) {
            Ok(env) if env.node != self.node => {
                // Nobody listening is fine: no connection needs it on this node.
                let _ = self.ops.send(env.body);
                self.changed.notify_one();
            }
            Ok(_) => {}
            Err(e) => warn!(error = %e, "room bus: unreadable fair-wide message dropped"),
        }
    }

    fn deliver(&self, payload: &str) {
        let env: Envelope = match serde_json::from_str(payload) {
            Ok(e) => e,
            Err(e) => {
                warn!(error = %e, "room bus: unreadable message dropped");
                return;
            }
        };
        if env.node == self.node {
            return;
        }
        if let BusMessage::Presence {
            side,
            present,
            participant,
            since,
            healthy,
            ..
        } = &env.body
        {
            let mut remote = self.remote.lock().expect("bus lock");
            let seats = remote.entry(env.meeting.clone()).or_default();
            let slot = &mut seats[side.index()];
            let before = slot.clone();
            // Only the node holding a seat may let go of it here.
            if !present && before.as_ref().is_some_and(|b| b.node != env.node) {
                return self.deliver_to_room(env);
            }
            *slot = present.then(|| RemoteSeat {
                node: env.node.clone(),
                participant: participant
                    .clone()
                    .or_else(|| before.as_ref().and_then(|b| b.participant.clone())),
                since: *since,
                seen: clock::monotonic(),
                healthy: *healthy,
            });
            let news = match (&before, &*slot) {
                (Some(b), Some(a)) => {
                    (&b.node, b.since, b.healthy) != (&a.node, a.since, a.healthy)
                }
                (None, None) => false,
                _ => true,
            };
            if seats.iter().all(Option::is_none) {
                remote.remove(&env.meeting);
            }
            if news {
                self.changed.notify_one();
            }
        }
        self.deliver_to_room(env);
    }

    fn deliver_to_room(&self, env: Envelope) {
        let rooms = self.rooms.lock().expect("bus lock");
        if let Some(tx) = rooms.get(&env.meeting) {
            if tx.try_send(env).is_err() {
                warn!("room bus: a room is not keeping up; message dropped");
            }
        }
    }
}
