//! Cross-node room traffic over Redis pub/sub, so a buyer on one node and a vendor on
//! another meet in one room. Every node that has a meeting's room runs its own copy of the
//! room's state machine (its clock is the same everywhere); what nodes tell each other is
//! only who holds which side (with a heartbeat, so a dead node's side is dropped) and the
//! signaling a side sends to a side held elsewhere. No election, no ownership: each node
//! speaks for its own connections.

use crate::app::clock;
use crate::redis_keys::Keys;
use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use sangdam_signaling::protocol::ServerMessage;
use sangdam_signaling::{FairId, MeetingId, ParticipantId, Side, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

/// A node announces a side it holds this often; a side not heard of for
/// [`PRESENCE_TTL`] is gone (its node died or lost Redis).
pub const HEARTBEAT: Duration = Duration::from_secs(1);
pub const PRESENCE_TTL: Duration = Duration::from_secs(5);

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BusMessage {
    /// The sending node holds (`present`) or let go of a side of the room.
    Presence {
        side: Side,
        present: bool,
        participant: Option<ParticipantId>,
        /// Which connection on that node, so a reconnect is told from a heartbeat.
        conn: u64,
        /// When that connection joined: if one side is held on two nodes at once, the
        /// later join wins everywhere.
        since: Timestamp,
    },
    /// For the node holding side `to`: pass this signaling message to its connection.
    /// It also vouches for the sender's side (its connection and join time), so a node
    /// that has not yet heard that side's presence does not refuse the answer.
    Relay {
        to: Side,
        msg: ServerMessage,
        from_conn: u64,
        from_since: Timestamp,
    },
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
    rooms: Mutex<HashMap<MeetingId, mpsc::Sender<Envelope>>>,
    /// Since when the subscription has been up; `None` while it is down.
    subscribed_since: Mutex<Option<Timestamp>>,
}

impl Bus {
    /// A bus for one fair over the Redis at `url`. Starts its subscriber, which reconnects
    /// by itself whenever Redis goes away and comes back.
    /// `node` is this node's id, as the other nodes see it in messages.
    pub fn start(url: &str, fair: &FairId, node: &str) -> redis::RedisResult<Arc<Bus>> {
        let bus = Arc::new(Bus {
            node: node.to_string(),
            client: redis::Client::open(url)?,
            channel: Keys::new(fair).rooms_channel(),
            publisher: tokio::sync::Mutex::new(None),
            rooms: Mutex::new(HashMap::new()),
            subscribed_since: Mutex::new(None),
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

    /// Sends to the other nodes; failures are logged, not returned: a room keeps working
    /// for its local sides whatever Redis does.
    pub async fn publish(&self, meeting: &MeetingId, body: BusMessage) {
        let env = Envelope {
            node: self.node.clone(),
            meeting: meeting.clone(),
            body,
        };
        let payload = serde_json::to_string(&env).expect("envelopes serialize");
        let result = tokio::time::timeout(Duration::from_secs(2), async {
            let mut guard = self.publisher.lock().await;
            if guard.is_none() {
                *guard = Some(self.client.get_connection_manager().await?);
            }
            let con = guard.as_mut().expect("just set");
            redis::cmd("PUBLISH")
                .arg(&self.channel)
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
                Ok(mut pubsub) => match pubsub.subscribe(&self.channel).await {
                    Ok(()) => {
                        info!("room bus subscribed");
                        *self.subscribed_since.lock().expect("bus lock") = Some(clock::monotonic());
                        backoff = Duration::from_millis(100);
                        let mut messages = pubsub.on_message();
                        while let Some(msg) = messages.next().await {
                            let Ok(payload) = msg.get_payload::<String>() else {
                                continue;
                            };
                            self.deliver(&payload);
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
        let rooms = self.rooms.lock().expect("bus lock");
        if let Some(tx) = rooms.get(&env.meeting) {
            if tx.try_send(env).is_err() {
                warn!("room bus: a room is not keeping up; message dropped");
            }
        }
    }
}
