//! A signaling client over a real WebSocket, speaking the protocol as JSON values so tests
//! can also send what no well-behaved client would.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for one expected message before failing.
pub const WAIT: Duration = Duration::from_secs(10);

/// What a client sees the server do.
#[derive(Debug, PartialEq)]
pub enum Event {
    Message(Value),
    /// The connection ended: the close frame's code and reason, if one came.
    Closed(Option<(u16, String)>),
    Nothing,
}

pub struct SignalClient {
    ws: Ws,
}

impl SignalClient {
    pub async fn connect(ws_url: &str) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(ws_url)
            .await
            .expect("websocket connects");
        Self { ws }
    }

    /// Connects over a socket with a small receive buffer, so that a client that stops
    /// reading makes the server's writes back up at once rather than after megabytes of
    /// kernel buffering: how a slow laptop on a poor link looks to the server.
    pub async fn connect_small(ws_url: &str) -> Self {
        let addr = ws_url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .expect("host:port")
            .parse()
            .expect("a socket address");
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("connects");
        let (ws, _) = tokio_tungstenite::client_async(ws_url, MaybeTlsStream::Plain(stream))
            .await
            .expect("websocket handshake");
        Self { ws }
    }

    /// Sends without waiting for the server to take it; false if the socket is gone.
    pub async fn try_send(&mut self, v: Value) -> bool {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .is_ok()
    }

    /// Connects and sends `join`; returns the client and the server's first answer.
    pub async fn join(ws_url: &str, token: &str, meeting: &str) -> (Self, Value) {
        let mut c = Self::connect(ws_url).await;
        c.send(json!({"type": "join", "v": 1, "token": token, "meeting": meeting}))
            .await;
        let first = c.recv().await;
        (c, first)
    }

    pub async fn send(&mut self, v: Value) {
        self.send_text(v.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// Sends a text frame and a WebSocket ping frame; false once the server has closed.
    pub async fn try_send_with_ping(&mut self, v: Value) -> bool {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .is_ok()
            && self
                .ws
                .send(Message::Ping(b"hi".to_vec().into()))
                .await
                .is_ok()
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send");
    }

    /// The next JSON message; panics on timeout or close.
    pub async fn recv(&mut self) -> Value {
        self.try_recv(WAIT)
            .await
            .expect("a message arrives before the timeout")
    }

    /// What the server does next within `wait`: a message, a close (with its code and
    /// reason, if it sent a close frame), or nothing.
    pub async fn next_event(&mut self, wait: Duration) -> Event {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return Event::Nothing,
                Ok(None) | Ok(Some(Err(_))) => return Event::Closed(None),
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Event::Closed(frame.map(|f| (u16::from(f.code), f.reason.to_string())))
                }
                Ok(Some(Ok(Message::Text(t)))) => {
                    return Event::Message(serde_json::from_str(&t).expect("server sends JSON"))
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The next JSON message within `wait`, or `None` if the connection closed or nothing came.
    pub async fn try_recv(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()??;
            match msg {
                Ok(Message::Text(t)) => {
                    return Some(serde_json::from_str(&t).expect("server sends JSON"))
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Reads until a message of type `ty` arrives, returning it; panics on timeout.
    pub async fn recv_type(&mut self, ty: &str) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let msg = self
                .try_recv(left)
                .await
                .unwrap_or_else(|| panic!("no {ty} message before the timeout or close"));
            if msg["type"] == ty {
                return msg;
            }
        }
    }

    /// True once the server has closed the connection (within `wait`).
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// Splits for use from two tasks.
    pub fn into_inner(self) -> Ws {
        self.ws
    }
}

/// The buyer and the vendor of a live `meeting`, both in its room and told `call_ready`
/// (the buyer as the offerer): where most signaling tests start.
pub async fn in_a_call(
    ws_url: &str,
    buyer_token: &str,
    vendor_token: &str,
    meeting: &str,
) -> (SignalClient, SignalClient) {
    let (mut buyer, _) = SignalClient::join(ws_url, buyer_token, meeting).await;
    let (mut vendor, _) = SignalClient::join(ws_url, vendor_token, meeting).await;
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    assert_eq!(vendor.recv_type("call_ready").await["offerer"], false);
    (buyer, vendor)
}
