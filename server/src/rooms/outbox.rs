//! Where a room puts messages for one connection, and how a connection the server gives
//! up on is closed. Bounded: a client that stops reading is closed, never allowed to grow
//! the server's memory — and closed for real, with its reason and a close code of its own,
//! not left open outside its room.
//!
//! Close codes (the table is in `signaling/PROTOCOL.md`): 1000 a normal end, 4000 a fatal
//! refusal (the reason is its error code), 4001 replaced by a newer connection of the same
//! participant, 4002 too slow to read what it was sent. Frames over the socket layer's hard
//! limit are cut by the socket layer itself with 1009.

use sangdam_signaling::protocol::ServerMessage;
use sangdam_signaling::{ErrorCode, Refusal};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, Notify};

/// An outbox's size (`server.outbox_messages`) is split: relayed signaling may fill all
/// but an eighth of it, which stays free for the room's own messages (phases, warnings,
/// `closed`), so a flood from one side fills no more than its share of the other's outbox.
pub fn reserve(capacity: usize) -> usize {
    (capacity / 8).max(1)
}

/// The close code for a connection ending with `refusal` (or normally, with `None`).
pub fn close_code(refusal: Option<ErrorCode>) -> u16 {
    match refusal {
        None => 1000,
        Some(ErrorCode::Replaced) => 4001,
        Some(ErrorCode::TooSlow) => 4002,
        Some(_) => 4000,
    }
}

#[derive(Default)]
struct Shut {
    notify: Notify,
    why: Mutex<Option<Refusal>>,
}

/// The sending half, kept by the room (and the connection itself, for its own answers).
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<ServerMessage>,
    reserve: usize,
    shut: Arc<Shut>,
}

/// The receiving half, for the connection's writer.
pub struct Inbox {
    pub rx: mpsc::Receiver<ServerMessage>,
    pub shut: Shutdown,
}

/// Tells the writer its connection was given up on.
pub struct Shutdown(Arc<Shut>);

/// A new outbox of `capacity` messages and the inbox its writer reads.
pub fn channel(capacity: usize) -> (Outbox, Inbox) {
    let (tx, rx) = mpsc::channel(capacity.max(2));
    let shut = Arc::new(Shut::default());
    (
        Outbox {
            tx,
            reserve: reserve(capacity),
            shut: shut.clone(),
        },
        Inbox {
            rx,
            shut: Shutdown(shut),
        },
    )
}

impl Outbox {
    /// Queues a message without waiting; false if the outbox is full or closed.
    pub fn try_send(&self, msg: ServerMessage) -> bool {
        self.tx.try_send(msg).is_ok()
    }

    /// Whether a relayed message may still go in, leaving the reserve free.
    pub fn has_room_for_relay(&self) -> bool {
        self.tx.capacity() > self.reserve
    }

    /// Gives up on the connection: its writer sends `why` and closes the socket at once,
    /// past whatever is still queued.
    pub fn shut(&self, why: Refusal) {
        self.shut
            .why
            .lock()
            .expect("outbox lock")
            .get_or_insert(why);
        self.shut.notify.notify_one();
    }
}

impl Shutdown {
    /// Resolves when the connection was given up on, with why.
    pub async fn wait(&self) -> Refusal {
        loop {
            if let Some(why) = self.0.why.lock().expect("outbox lock").clone() {
                return why;
            }
            self.0.notify.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_of_ending_has_its_close_code() {
        assert_eq!(close_code(None), 1000);
        assert_eq!(close_code(Some(ErrorCode::TokenInvalid)), 4000);
        assert_eq!(close_code(Some(ErrorCode::Replaced)), 4001);
        assert_eq!(close_code(Some(ErrorCode::TooSlow)), 4002);
    }

    #[tokio::test]
    async fn a_full_outbox_keeps_its_reserve_and_a_shut_one_says_why() {
        let (out, inbox) = channel(256);
        let msg = || ServerMessage::PeerLeft {
            side: sangdam_signaling::Side::Buyer.into(),
        };
        let mut relayed = 0;
        while out.has_room_for_relay() {
            assert!(out.try_send(msg()));
            relayed += 1;
        }
        assert_eq!(relayed, 256 - 32);
        // The room's own messages still fit.
        assert!((0..32).all(|_| out.try_send(msg())));
        assert!(!out.try_send(msg()));
        out.shut(Refusal::new(ErrorCode::TooSlow, "slow"));
        assert_eq!(inbox.shut.wait().await.code, ErrorCode::TooSlow);
    }
}
