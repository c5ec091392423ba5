//! `moderation-bench`: how long a moderator's action takes to reach both sides of a room,
//! and how far the moderators' board lags behind what happens, with many live rooms — on
//! one node and on two nodes sharing a real Redis (issue 9, "Measure and record").
//!
//! ```sh
//! cargo run --release -p sangdam-tests --bin moderation-bench             # 190 rooms, ~1 min
//! cargo run --release -p sangdam-tests --bin moderation-bench -- --quick  # 20 rooms, ~15 s
//! cargo run --release -p sangdam-tests --bin moderation-bench -- --help
//! ```
//!
//! It builds a fair of `--rooms` meetings, all live now (one round of one 30-minute slot
//! that started a minute ago; each meeting its own institution with a buyer and its own
//! enterprise with a vendor, so every room has free time after it and can be extended),
//! and a moderator. Then, twice:
//!
//! 1. **one node** (the in-memory stores, no Redis): every room's buyer and vendor join over
//!    `/ws` and wait for `call_ready` (signaling only, no media); the moderator's board is
//!    connected over `/ws/board`;
//! 2. **two nodes** sharing a private `redis-server` ([`RedisServer::start`]): each room's
//!    buyer on node A, its vendor on node B, the board on node B.
//!
//! Each node is the real server ([`OwnRuntime`]: the integration tests' way of starting
//! it) on its own tokio runtime in this process, with the connection caps lifted (every
//! client here is 127.0.0.1). On each setup it measures, one action at a time, with a
//! pause of `--pause-ms` between them:
//!
//! - **actions**: `--samples` moderator actions over HTTP (one keep-alive connection per
//!   node, as a browser keeps one): extend by one minute, then shorten by one minute, on
//!   one room after another, each carrying the `expect_ends_at` the previous answer gave.
//!   On two nodes, pairs of actions alternate between node A and node B. The delay is from
//!   just before the request is written to the moment *both* sides' sockets have received
//!   the `rescheduled` with the new end (the later of the two); the HTTP answer time (the
//!   whole response read) is reported beside it. The same action's appearance on the board
//!   (a `board_update` holding that room with the new `window.ends_at`) is timed from the
//!   same instant. At the end, `--ends` rooms are ended (`end`): the delay to both sides'
//!   `closed`, and to the board showing the room closed.
//! - **seats**: `--seat-changes` times, a side (buyer and vendor in turn) closes its socket
//!   (a close frame, as a closing tab sends) and then joins again on a new one: the delay
//!   from the close being written, and from the `join` being written, to the first
//!   `board_update` holding that room with the seat emptied or taken. On two nodes the
//!   buyer's seat changes happen on node A while the board is on node B (across nodes), the
//!   vendor's on node B (the board's own node).
//! - **sizes**: the full `board` message (the first after `hello`) and every `board_update`
//!   that answered a measured change, in bytes as sent.
//!
//! Every client runs in this process on the same cores as the servers: the figures are for
//! this machine with both loads on it. It prints `FIGURE` lines last. A change that never
//! arrives within 10 s is reported as missing (and printed), not waited for.

use clap::Parser;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use sangdam_server::app::settings::{Secret, Settings};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType, MeetingSpec,
};
use sangdam_signaling::{Fair, FairId, MeetingId, Participant, ParticipantId, Role, Round};
use sangdam_tests::app::{test_settings, OwnRuntime, TestApp};
use sangdam_tests::procfs;
use sangdam_tests::redis_server::RedisServer;
use sangdam_tests::signal::SignalClient;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Semaphore};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Sink = SplitSink<Ws, Message>;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "moderation-bench",
    about = "Moderator action latency (click → both sides' pages) and the moderators' board's \
             update delay, with many live rooms, on one node and on two nodes over Redis; \
             prints FIGURE lines"
)]
pub struct Args {
    /// Live rooms, each with its buyer and vendor connected over /ws.
    #[arg(long, default_value_t = 190, value_parser = clap::value_parser!(u64).range(2..=2000))]
    rooms: u64,
    /// Extend/shorten actions measured on each setup.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    samples: u64,
    /// Seat changes (a side leaves, then joins again) measured on each setup.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    seat_changes: u64,
    /// Rooms ended by the moderator at the end of each setup.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=1000))]
    ends: u64,
    /// Milliseconds of quiet between two measured changes.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pause_ms: u64,
    /// Rooms opened at once while setting up.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=512))]
    concurrency: u64,
    /// Only the one-node setup (no Redis needed).
    #[arg(long)]
    one_node_only: bool,
    /// A quick run: 20 rooms, 10 actions, 4 seat changes, 2 ends (overrides those options).
    #[arg(long)]
    quick: bool,
}

impl Args {
    /// What `--quick` runs (also the suite's test).
    pub fn quick() -> Args {
        Args::parse_from(["moderation-bench", "--quick"]).resolved()
    }

    fn resolved(mut self) -> Args {
        if self.quick {
            self.rooms = 20;
            self.samples = 10;
            self.seat_changes = 4;
            self.ends = 2;
        }
        self
    }
}

/// How long a change may take to show before it counts as missing.
const MISSING_AFTER: Duration = Duration::from_secs(10);

const MODERATOR: &str = "p-mod-1";
const SIDES: [&str; 2] = ["buyer", "vendor"];

fn meeting_id(room: usize) -> String {
    format!("m-{room:05}")
}
fn buyer_id(room: usize) -> String {
    format!("p-b-{room:05}")
}
fn vendor_id(room: usize) -> String {
    format!("p-v-{room:05}")
}

/// `rooms` meetings live now, each its own institution (with a buyer) and enterprise (with
/// a vendor), in one round whose single 30-minute slot started a minute ago; a moderator.
fn bench_fair(rooms: usize) -> Fair {
    let pid = |s: String| ParticipantId::parse(s).expect("valid id");
    let round = Round {
        id: "r1".to_string().try_into().expect("id"),
        number: 1,
        theme: "운영 벤치마크".into(),
        starts_at: sangdam_server::app::clock::now() - Duration::from_secs(60),
        slot_len: Duration::from_secs(30 * 60),
        break_len: Duration::from_secs(10 * 60),
        slots: 1,
    };
    let mut participants: Vec<Participant> = (0..rooms)
        .flat_map(|i| {
            [
                Participant {
                    id: pid(buyer_id(i)),
                    name: format!("구매자 {i}"),
                    role: Role::Buyer,
                    affiliation: Affiliation::Institution(
                        format!("i{i:05}").try_into().expect("id"),
                    ),
                },
                Participant {
                    id: pid(vendor_id(i)),
                    name: format!("판매자 {i}"),
                    role: Role::Vendor,
                    affiliation: Affiliation::Enterprise(
                        format!("e{i:05}").try_into().expect("id"),
                    ),
                },
            ]
        })
        .collect();
    participants.push(Participant {
        id: pid(MODERATOR.to_string()),
        name: "운영자 김민수".into(),
        role: Role::Moderator,
        affiliation: Affiliation::Operator,
    });
    let parts = FairParts {
        rounds: vec![round],
        institutions: (0..rooms)
            .map(|i| Institution {
                id: format!("i{i:05}").try_into().expect("id"),
                name: format!("벤치마크 기관 {i}"),
                kind: InstitutionType::District,
            })
            .collect(),
        enterprises: (0..rooms)
            .map(|i| Enterprise {
                id: format!("e{i:05}").try_into().expect("id"),
                name: format!("벤치마크 기업 {i}"),
                kind: EnterpriseType::Cooperative,
            })
            .collect(),
        participants,
        meetings: (0..rooms)
            .map(|i| MeetingSpec {
                id: meeting_id(i).try_into().expect("id"),
                round: "r1".to_string().try_into().expect("id"),
                slot: 0,
                institution: format!("i{i:05}").try_into().expect("id"),
                enterprise: format!("e{i:05}").try_into().expect("id"),
            })
            .collect(),
    };
    Fair::new(
        FairId::parse("moderation-bench").expect("id"),
        "moderation-bench",
        parts,
    )
    .expect("a valid fair")
}

/// A server node ([`OwnRuntime`]) and its name in the report.
struct NodeHandle {
    name: &'static str,
    node: OwnRuntime,
}

impl NodeHandle {
    fn start(name: &'static str, redis: Option<&RedisServer>, fair: Fair) -> Result<Self, String> {
        let mut s: Settings = test_settings();
        if let Some(r) = redis {
            s.redis.url = Secret::new(r.url());
        }
        let node = OwnRuntime::start(name, s, fair).map_err(|e| e.to_string())?;
        Ok(NodeHandle { name, node })
    }

    fn app(&self) -> &TestApp {
        &self.node.app
    }

    fn board_url(&self) -> String {
        self.app().ws_url.replace("/ws", "/ws/board")
    }

    fn stop(self) {
        self.node.stop();
    }
}

/// What a side's socket received that the bench waits for, stamped on arrival.
#[derive(Debug)]
enum SideEvent {
    Msg {
        side: usize,
        at: Instant,
        msg: Value,
    },
    Gone,
}

async fn read_side(mut stream: SplitStream<Ws>, side: usize, tx: mpsc::UnboundedSender<SideEvent>) {
    while let Some(m) = stream.next().await {
        match m {
            Ok(Message::Text(t)) => {
                let at = Instant::now();
                let Ok(msg) = serde_json::from_str::<Value>(&t) else {
                    continue;
                };
                if matches!(
                    msg["type"].as_str(),
                    Some("rescheduled" | "closed" | "joined" | "error")
                ) && tx.send(SideEvent::Msg { side, at, msg }).is_err()
                {
                    return;
                }
            }
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let _ = tx.send(SideEvent::Gone);
}

/// One room's two sides, as the bench holds them.
struct RoomClients {
    meeting: String,
    /// Where each side is connected (a node's `/ws`).
    urls: [String; 2],
    tokens: [String; 2],
    sinks: [Option<Sink>; 2],
    tx: mpsc::UnboundedSender<SideEvent>,
    events: mpsc::UnboundedReceiver<SideEvent>,
    /// The slot's end as the last answer gave it.
    ends_at: i64,
}

impl RoomClients {
    fn drain(&mut self) {
        while self.events.try_recv().is_ok() {}
    }

    fn join_text(&self, side: usize) -> String {
        json!({"type": "join", "v": 1, "token": self.tokens[side], "meeting": self.meeting})
            .to_string()
    }

    /// When each side received a message `ok` accepts, waiting until both have or the
    /// deadline passes.
    async fn both_until(&mut self, ok: impl Fn(&Value) -> bool) -> [Option<Instant>; 2] {
        let deadline = tokio::time::Instant::now() + MISSING_AFTER;
        let mut seen = [None, None];
        while seen.iter().any(Option::is_none) {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(SideEvent::Msg { side, at, msg })) => {
                    if seen[side].is_none() && ok(&msg) {
                        seen[side] = Some(at);
                    }
                }
                Ok(Some(SideEvent::Gone)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        seen
    }
}

/// Connects, optionally sends a text frame, and splits with a reader feeding `tx`.
async fn connect_side(url: &str) -> Ws {
    let ws = SignalClient::connect(url).await.into_inner();
    if let MaybeTlsStream::Plain(tcp) = ws.get_ref() {
        // The clients must not add Nagle's delay to what is measured.
        let _ = tcp.set_nodelay(true);
    }
    ws
}

/// Opens every room: buyer and vendor join and wait for `call_ready`.
async fn open_rooms(
    fair: &Fair,
    nodes: [&NodeHandle; 2],
    rooms: usize,
    concurrency: usize,
) -> Result<Vec<RoomClients>, String> {
    let gate = Arc::new(Semaphore::new(concurrency));
    let app = nodes[0].app();
    let opening: Vec<_> = (0..rooms)
        .map(|room| {
            let urls = [nodes[0].app().ws_url.clone(), nodes[1].app().ws_url.clone()];
            let tokens = [app.token(&buyer_id(room)), app.token(&vendor_id(room))];
            let gate = gate.clone();
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.expect("gate");
                let meeting = meeting_id(room);
                let mut socks = Vec::new();
                for side in 0..2 {
                    let mut c = SignalClient::connect(&urls[side]).await;
                    c.send(
                        json!({"type": "join", "v": 1, "token": tokens[side], "meeting": meeting}),
                    )
                    .await;
                    socks.push(c);
                }
                for c in &mut socks {
                    c.recv_type("call_ready").await;
                }
                (urls, tokens, socks)
            })
        })
        .collect();
    let mut out = Vec::with_capacity(rooms);
    for (room, o) in opening.into_iter().enumerate() {
        let (urls, tokens, socks) = o
            .await
            .map_err(|e| format!("room {room} did not open (no call_ready?): {e}"))?;
        let (tx, events) = mpsc::unbounded_channel();
        let mut sinks = [None, None];
        for (side, c) in socks.into_iter().enumerate() {
            let ws = c.into_inner();
            if let MaybeTlsStream::Plain(tcp) = ws.get_ref() {
                let _ = tcp.set_nodelay(true);
            }
            let (sink, stream) = ws.split();
            tokio::spawn(read_side(stream, side, tx.clone()));
            sinks[side] = Some(sink);
        }
        let ends_at = fair
            .meeting(&MeetingId::parse(meeting_id(room)).expect("id"))
            .expect("a meeting of the fair")
            .slot
            .end
            .as_millis();
        out.push(RoomClients {
            meeting: meeting_id(room),
            urls,
            tokens,
            sinks,
            tx,
            events,
            ends_at,
        });
    }
    Ok(out)
}

/// A message on the board, stamped on arrival, with its size as sent.
struct BoardEvent {
    at: Instant,
    bytes: usize,
    msg: Value,
}

struct BoardClient {
    events: mpsc::UnboundedReceiver<BoardEvent>,
    /// The full `board` message's size.
    full_bytes: usize,
    rooms_shown: usize,
    _sink: Sink,
}

impl BoardClient {
    async fn connect(url: &str, token: &str) -> Result<BoardClient, String> {
        let mut ws = connect_side(url).await;
        ws.send(Message::text(
            json!({"type": "hello", "v": 1, "token": token}).to_string(),
        ))
        .await
        .map_err(|e| e.to_string())?;
        let (full_bytes, rooms_shown) = loop {
            match tokio::time::timeout(MISSING_AFTER, ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
                    if v["type"] == "board" {
                        break (t.len(), v["rooms"].as_array().map_or(0, Vec::len));
                    }
                    return Err(format!("the board answered hello with {v}"));
                }
                Ok(Some(Ok(_))) => continue,
                other => return Err(format!("no board after hello: {other:?}")),
            }
        };
        let (sink, mut stream) = ws.split();
        let (tx, events) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Ok(m)) = stream.next().await {
                if let Message::Text(t) = m {
                    let at = Instant::now();
                    let Ok(msg) = serde_json::from_str::<Value>(&t) else {
                        continue;
                    };
                    if tx
                        .send(BoardEvent {
                            at,
                            bytes: t.len(),
                            msg,
                        })
                        .is_err()
                    {
                        return;
                    }
                }
            }
        });
        Ok(BoardClient {
            events,
            full_bytes,
            rooms_shown,
            _sink: sink,
        })
    }

    fn drain(&mut self) {
        while self.events.try_recv().is_ok() {}
    }

    /// The first `board_update` (or `board`) holding `meeting` in a state `ok` accepts:
    /// when it arrived and its size.
    async fn until_room(
        &mut self,
        meeting: &str,
        ok: impl Fn(&Value) -> bool,
    ) -> Option<(Instant, usize)> {
        let deadline = tokio::time::Instant::now() + MISSING_AFTER;
        loop {
            let e = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .ok()??;
            if !matches!(e.msg["type"].as_str(), Some("board_update" | "board")) {
                continue;
            }
            let hit = e.msg["rooms"]
                .as_array()
                .and_then(|rooms| rooms.iter().find(|r| r["meeting"]["id"] == meeting))
                .is_some_and(&ok);
            if hit {
                return Some((e.at, e.bytes));
            }
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A series of delays, in milliseconds.
#[derive(Clone, Debug, Default)]
pub struct Series(pub Vec<f64>);

impl Series {
    fn push(&mut self, d: Duration) {
        self.0.push(ms(d));
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Nearest-rank percentile.
    fn pct(&self, q: f64) -> f64 {
        let mut v = self.0.clone();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let rank = ((q / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1]
    }
    fn max(&self) -> f64 {
        self.0.iter().copied().fold(f64::NAN, f64::max)
    }
    /// `p50 / p95 / p99 / max ms (n)`.
    fn full(&self) -> String {
        if self.0.is_empty() {
            return "no samples".into();
        }
        format!(
            "p50 {:.2} / p95 {:.2} / p99 {:.2} / max {:.2} ms (n={})",
            self.pct(50.0),
            self.pct(95.0),
            self.pct(99.0),
            self.max(),
            self.len()
        )
    }
    /// `p50 / p95 / max ms (n)`.
    fn brief(&self) -> String {
        if self.0.is_empty() {
            return "no samples".into();
        }
        format!(
            "p50 {:.2} / p95 {:.2} / max {:.2} ms (n={})",
            self.pct(50.0),
            self.pct(95.0),
            self.max(),
            self.len()
        )
    }
}

/// What one setup measured.
#[derive(Debug, Default)]
pub struct Report {
    pub label: String,
    pub rooms: usize,
    /// Extend/shorten: request → both sides' `rescheduled`.
    pub action_sides: Series,
    /// The same, by the node the request went to.
    pub action_sides_by_node: Vec<(String, Series)>,
    /// Extend/shorten: request → the whole HTTP answer read.
    pub action_http: Series,
    /// Extend/shorten: request → the board's update with the new end.
    pub action_board: Series,
    /// `end`: request → both sides' `closed`; the HTTP answer; the board showing it closed.
    pub end_sides: Series,
    pub end_http: Series,
    pub end_board: Series,
    /// Seat changes on the board's own node: close → seat empty, join → seat taken.
    pub leave_board: Series,
    pub join_board: Series,
    /// Seat changes on the other node (two nodes only).
    pub leave_board_remote: Series,
    pub join_board_remote: Series,
    pub board_full_bytes: usize,
    pub board_rooms_shown: usize,
    /// Sizes of the `board_update`s that showed a measured change.
    pub update_bytes: Vec<usize>,
    /// Changes that never arrived, refusals: what went wrong, for the report.
    pub failures: Vec<String>,
    pub load_before: String,
    pub load_after: String,
}

impl Report {
    fn update_bytes_median(&self) -> usize {
        let mut v = self.update_bytes.clone();
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    }
}

/// The conductor of one setup: its nodes, clients, board and HTTP client.
struct Setup<'a> {
    nodes: Vec<&'a NodeHandle>,
    /// Which node each side is on (index into `nodes`).
    side_node: [usize; 2],
    board_node: usize,
    rooms: Vec<RoomClients>,
    board: BoardClient,
    http: reqwest::Client,
    moderator: String,
    report: Report,
    pause: Duration,
    run: &'static str,
}

impl Setup<'_> {
    /// POSTs a room action; (when it was sent, when the answer was read, status, body).
    async fn act(
        &self,
        node: usize,
        meeting: &str,
        body: &Value,
    ) -> (Instant, Duration, u16, Value) {
        let url = format!(
            "{}/api/moderation/rooms/{meeting}",
            self.nodes[node].app().base_url
        );
        let req = self
            .http
            .post(url)
            .bearer_auth(&self.moderator)
            .header("content-type", "application/json")
            .body(body.to_string());
        let t0 = Instant::now();
        let (status, answer) = match req.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                let bytes = r.bytes().await.unwrap_or_default();
                (
                    status,
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                )
            }
            Err(e) => (0, json!({"error": e.to_string()})),
        };
        (t0, t0.elapsed(), status, answer)
    }

    async fn warm_up(&mut self) {
        // One extend and one shorten through every node: the HTTP connections open and
        // every path runs once before anything is measured.
        let room = 0;
        for node in 0..self.nodes.len() {
            for extend in [true, false] {
                let r = &self.rooms[room];
                let body = json!({"action": if extend { "extend" } else { "shorten" }, "minutes": 1,
                                  "expect_ends_at": r.ends_at});
                let (_, _, status, answer) = self.act(node, &r.meeting.clone(), &body).await;
                if status == 200 {
                    self.rooms[room].ends_at = answer["window"]["ends_at"]
                        .as_i64()
                        .unwrap_or(self.rooms[room].ends_at);
                } else {
                    self.report
                        .failures
                        .push(format!("warm-up action refused: {status} {answer}"));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        for r in &mut self.rooms {
            r.drain();
        }
        self.board.drain();
    }

    async fn actions(&mut self, samples: usize, usable: usize) {
        let mut by_node: Vec<Series> = vec![Series::default(); self.nodes.len()];
        for k in 0..samples {
            let room = (k / 2) % usable;
            let extend = k % 2 == 0;
            let node = (k / 2) % self.nodes.len();
            self.rooms[room].drain();
            self.board.drain();
            let old = self.rooms[room].ends_at;
            let expected = if extend { old + 60_000 } else { old - 60_000 };
            let body = json!({
                "action": if extend { "extend" } else { "shorten" },
                "minutes": 1,
                "expect_ends_at": old,
                "request": format!("bench-{}-{k}", self.run),
            });
            let meeting = self.rooms[room].meeting.clone();
            let (t0, http, status, answer) = self.act(node, &meeting, &body).await;
            if status != 200 {
                self.report.failures.push(format!(
                    "{} {} {meeting} via node {}: {status} {answer}",
                    self.run, body["action"], self.nodes[node].name
                ));
                // Look again, as a moderator would.
                continue;
            }
            self.report.action_http.push(http);
            let got_end = answer["window"]["ends_at"].as_i64().unwrap_or(expected);
            if got_end != expected {
                self.report.failures.push(format!(
                    "{} {} {meeting}: answered end {got_end}, expected {expected}",
                    self.run, body["action"]
                ));
            }
            self.rooms[room].ends_at = got_end;
            let seen = self.rooms[room]
                .both_until(|m| m["type"] == "rescheduled" && m["window"]["ends_at"] == got_end)
                .await;
            match seen {
                [Some(b), Some(v)] => {
                    let d = b.max(v) - t0;
                    self.report.action_sides.push(d);
                    by_node[node].push(d);
                }
                _ => self.report.failures.push(format!(
                    "{} {} {meeting} via node {}: rescheduled never reached {} within {:?}",
                    self.run,
                    body["action"],
                    self.nodes[node].name,
                    missing_sides(&seen),
                    MISSING_AFTER
                )),
            }
            match self
                .board
                .until_room(&meeting, |r| r["window"]["ends_at"] == got_end)
                .await
            {
                Some((at, bytes)) => {
                    self.report.action_board.push(at - t0);
                    self.report.update_bytes.push(bytes);
                }
                None => self.report.failures.push(format!(
                    "{} {} {meeting}: the board on node {} never showed the new end",
                    self.run, body["action"], self.nodes[self.board_node].name
                )),
            }
            tokio::time::sleep(self.pause).await;
        }
        self.report.action_sides_by_node = self
            .nodes
            .iter()
            .zip(by_node)
            .map(|(n, s)| (n.name.to_string(), s))
            .collect();
    }

    async fn seat_changes(&mut self, changes: usize, usable: usize) {
        for k in 0..changes {
            let room = k % usable;
            let side = k % 2;
            let seat = SIDES[side];
            let remote = self.side_node[side] != self.board_node;
            let meeting = self.rooms[room].meeting.clone();
            // Leave: the socket is closed.
            self.board.drain();
            let Some(mut sink) = self.rooms[room].sinks[side].take() else {
                continue;
            };
            let t0 = Instant::now();
            let _ = sink.close().await;
            drop(sink);
            match self.board.until_room(&meeting, |r| r[seat].is_null()).await {
                Some((at, bytes)) => {
                    let s = if remote {
                        &mut self.report.leave_board_remote
                    } else {
                        &mut self.report.leave_board
                    };
                    s.push(at - t0);
                    self.report.update_bytes.push(bytes);
                }
                None => self.report.failures.push(format!(
                    "{}: {seat} of {meeting} left (node {}), the board on node {} still shows them",
                    self.run,
                    self.nodes[self.side_node[side]].name,
                    self.nodes[self.board_node].name
                )),
            }
            tokio::time::sleep(self.pause).await;
            // Join again, on a new socket to the same node.
            let ws = connect_side(&self.rooms[room].urls[side]).await;
            let (mut sink, stream) = ws.split();
            tokio::spawn(read_side(stream, side, self.rooms[room].tx.clone()));
            self.rooms[room].drain();
            self.board.drain();
            let join = self.rooms[room].join_text(side);
            let t0 = Instant::now();
            if sink.send(Message::text(join)).await.is_err() {
                self.report.failures.push(format!(
                    "{}: {seat} of {meeting} could not send join",
                    self.run
                ));
                continue;
            }
            self.rooms[room].sinks[side] = Some(sink);
            match self.board.until_room(&meeting, |r| !r[seat].is_null()).await {
                Some((at, bytes)) => {
                    let s = if remote {
                        &mut self.report.join_board_remote
                    } else {
                        &mut self.report.join_board
                    };
                    s.push(at - t0);
                    self.report.update_bytes.push(bytes);
                }
                None => self.report.failures.push(format!(
                    "{}: {seat} of {meeting} joined again (node {}), the board on node {} never showed them",
                    self.run,
                    self.nodes[self.side_node[side]].name,
                    self.nodes[self.board_node].name
                )),
            }
            // The join itself must have succeeded.
            let deadline = tokio::time::Instant::now() + MISSING_AFTER;
            let joined = loop {
                match tokio::time::timeout_at(deadline, self.rooms[room].events.recv()).await {
                    Ok(Some(SideEvent::Msg { side: s, msg, .. })) if s == side => {
                        if msg["type"] == "joined" {
                            break Ok(());
                        }
                        if msg["type"] == "error" {
                            break Err(msg.to_string());
                        }
                    }
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break Err("no joined".into()),
                }
            };
            if let Err(e) = joined {
                self.report
                    .failures
                    .push(format!("{}: {seat} of {meeting} rejoining: {e}", self.run));
            }
            tokio::time::sleep(self.pause).await;
        }
    }

    async fn ends(&mut self, ends: usize) {
        let n = self.rooms.len();
        for e in 0..ends {
            let room = n - 1 - e;
            let node = e % self.nodes.len();
            let meeting = self.rooms[room].meeting.clone();
            self.rooms[room].drain();
            self.board.drain();
            let (t0, http, status, answer) = self
                .act(
                    node,
                    &meeting,
                    &json!({"action": "end", "note": "벤치마크"}),
                )
                .await;
            if status != 200 {
                self.report.failures.push(format!(
                    "{} end {meeting} via node {}: {status} {answer}",
                    self.run, self.nodes[node].name
                ));
                continue;
            }
            self.report.end_http.push(http);
            let seen = self.rooms[room]
                .both_until(|m| m["type"] == "closed" && m["reason"] == "moderator")
                .await;
            match seen {
                [Some(b), Some(v)] => self.report.end_sides.push(b.max(v) - t0),
                _ => self.report.failures.push(format!(
                    "{} end {meeting} via node {}: closed never reached {} within {:?}",
                    self.run,
                    self.nodes[node].name,
                    missing_sides(&seen),
                    MISSING_AFTER
                )),
            }
            match self
                .board
                .until_room(&meeting, |r| r["phase"] == "closed")
                .await
            {
                Some((at, bytes)) => {
                    self.report.end_board.push(at - t0);
                    self.report.update_bytes.push(bytes);
                }
                None => self.report.failures.push(format!(
                    "{} end {meeting}: the board on node {} never showed it closed",
                    self.run, self.nodes[self.board_node].name
                )),
            }
            tokio::time::sleep(self.pause).await;
        }
    }
}

fn missing_sides(seen: &[Option<Instant>; 2]) -> String {
    SIDES
        .iter()
        .zip(seen)
        .filter(|(_, s)| s.is_none())
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// One setup: nodes started, rooms opened, the board connected, everything measured.
async fn measure(
    run: &'static str,
    label: String,
    args: &Args,
    fair: &Fair,
    nodes: Vec<&NodeHandle>,
    side_node: [usize; 2],
    board_node: usize,
) -> Result<Report, String> {
    let rooms = args.rooms as usize;
    let ends = (args.ends as usize).min(rooms - 1);
    let usable = rooms - ends;
    let started = Instant::now();
    let clients = open_rooms(
        fair,
        [nodes[side_node[0]], nodes[side_node[1]]],
        rooms,
        args.concurrency as usize,
    )
    .await?;
    let moderator = nodes[0].app().token(MODERATOR);
    let board = BoardClient::connect(&nodes[board_node].board_url(), &moderator).await?;
    println!(
        "{label}: {rooms} rooms open ({} sockets) in {:.1} s; the board shows {} rooms, {} bytes",
        2 * rooms,
        started.elapsed().as_secs_f64(),
        board.rooms_shown,
        board.full_bytes
    );
    let http = reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(4)
        .build()
        .map_err(|e| e.to_string())?;
    let mut s = Setup {
        nodes,
        side_node,
        board_node,
        rooms: clients,
        board,
        http,
        moderator,
        report: Report {
            label,
            rooms,
            load_before: procfs::load_average(),
            ..Report::default()
        },
        pause: Duration::from_millis(args.pause_ms),
        run,
    };
    s.report.board_full_bytes = s.board.full_bytes;
    s.report.board_rooms_shown = s.board.rooms_shown;
    // Let the joins' own board updates pass.
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.board.drain();
    s.warm_up().await;
    s.actions(args.samples as usize, usable).await;
    s.seat_changes(args.seat_changes as usize, usable).await;
    s.ends(ends).await;
    s.report.load_after = procfs::load_average();
    let r = std::mem::take(&mut s.report);
    print_report(&r);
    Ok(r)
}

fn print_report(r: &Report) {
    println!(
        "  actions (extend/shorten) → both sides' rescheduled: {}",
        r.action_sides.full()
    );
    for (node, s) in &r.action_sides_by_node {
        println!("    request to node {node}: {}", s.full());
    }
    println!("  actions, HTTP answer: {}", r.action_http.full());
    println!(
        "  actions → board_update with the new end: {}",
        r.action_board.brief()
    );
    println!(
        "  end → both sides' closed: {}; HTTP answer {}; board {}",
        r.end_sides.brief(),
        r.end_http.brief(),
        r.end_board.brief()
    );
    println!(
        "  seat on the board's node: leave → board {}; join → board {}",
        r.leave_board.brief(),
        r.join_board.brief()
    );
    if !r.leave_board_remote.is_empty() || !r.join_board_remote.is_empty() {
        println!(
            "  seat on the other node: leave → board {}; join → board {}",
            r.leave_board_remote.brief(),
            r.join_board_remote.brief()
        );
    }
    println!(
        "  sizes: board {} bytes ({} rooms); board_update median {} bytes (max {}, n={})",
        r.board_full_bytes,
        r.board_rooms_shown,
        r.update_bytes_median(),
        r.update_bytes.iter().max().copied().unwrap_or(0),
        r.update_bytes.len()
    );
    println!("  load average {} → {}", r.load_before, r.load_after);
    for f in &r.failures {
        println!("  MISSING/REFUSED: {f}");
    }
}

/// Runs both setups (or one) and returns what each measured.
pub fn run(args: &Args) -> Result<Vec<Report>, String> {
    procfs::raise_open_files();
    let rooms = args.rooms as usize;
    println!(
        "moderation-bench: {rooms} rooms, {} actions, {} seat changes, {} ends per setup; \
         load average {} at start; {} cores",
        args.samples,
        args.seat_changes,
        args.ends,
        procfs::load_average(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let clients_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("bench-clients")
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut reports = Vec::new();

    // One node, in-memory stores.
    let fair = bench_fair(rooms);
    let node = NodeHandle::start("A", None, fair.clone())?;
    let r = clients_rt.block_on(measure(
        "one-node",
        format!("one node, {rooms} live rooms"),
        args,
        &fair,
        vec![&node],
        [0, 0],
        0,
    ));
    // The clients' tasks hold sockets to the node: stop them before the node.
    reports.push(r?);
    node.stop();

    if !args.one_node_only {
        let redis = RedisServer::start();
        let fair = bench_fair(rooms);
        let a = NodeHandle::start("A", Some(&redis), fair.clone())?;
        let b = NodeHandle::start("B", Some(&redis), fair.clone())?;
        let r = clients_rt.block_on(measure(
            "two-nodes",
            format!(
                "two nodes on Redis, {rooms} live rooms (buyers on A, vendors and the board on B)"
            ),
            args,
            &fair,
            vec![&a, &b],
            [0, 1],
            1,
        ));
        reports.push(r?);
        a.stop();
        b.stop();
        drop(redis);
    }
    clients_rt.shutdown_timeout(Duration::from_secs(2));
    Ok(reports)
}

fn figures(reports: &[Report]) {
    for r in reports {
        println!(
            "FIGURE moderator action, {}: click → both sides' rescheduled {}; HTTP answer {}; \
             end → both sides' closed {} (load {} → {})",
            r.label,
            r.action_sides.full(),
            r.action_http.full(),
            r.end_sides.brief(),
            r.load_before,
            r.load_after
        );
        if r.action_sides_by_node.len() > 1 {
            let parts: Vec<String> = r
                .action_sides_by_node
                .iter()
                .map(|(n, s)| format!("request to node {n}: {}", s.full()))
                .collect();
            println!(
                "FIGURE moderator action, {}, by node: {}",
                r.label,
                parts.join("; ")
            );
        }
        println!(
            "FIGURE board update delay, {}: action → board_update {}; end → board {}; \
             seat leave → board {}; seat join → board {}",
            r.label,
            r.action_board.brief(),
            r.end_board.brief(),
            r.leave_board.brief(),
            r.join_board.brief()
        );
        if !r.leave_board_remote.is_empty() || !r.join_board_remote.is_empty() {
            println!(
                "FIGURE board update delay across nodes, {}: buyer on A leaves → board on B {}; \
                 buyer on A joins → board on B {}",
                r.label,
                r.leave_board_remote.brief(),
                r.join_board_remote.brief()
            );
        }
        println!(
            "FIGURE board sizes, {}: full board {} bytes ({} rooms); board_update median {} bytes \
             (max {}, n={})",
            r.label,
            r.board_full_bytes,
            r.board_rooms_shown,
            r.update_bytes_median(),
            r.update_bytes.iter().max().copied().unwrap_or(0),
            r.update_bytes.len()
        );
        if !r.failures.is_empty() {
            println!(
                "FIGURE {}: {} changes missing or refused (see MISSING/REFUSED above)",
                r.label,
                r.failures.len()
            );
        }
    }
}

fn main() {
    let args = Args::parse().resolved();
    match run(&args) {
        Ok(reports) => {
            println!("load average {} at the end", procfs::load_average());
            figures(&reports);
        }
        Err(e) => {
            eprintln!("moderation-bench: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick mode's whole run, once: every series gets samples. Timings are printed,
    /// never judged.
    #[test]
    fn the_quick_mode_measures_every_series_on_one_and_two_nodes() {
        let reports = run(&Args::quick()).expect("the bench runs");
        assert_eq!(reports.len(), 2);
        for r in &reports {
            for (what, s) in [
                ("actions → sides", &r.action_sides),
                ("actions, HTTP", &r.action_http),
                ("actions → board", &r.action_board),
                ("end → sides", &r.end_sides),
                ("end → board", &r.end_board),
            ] {
                assert!(
                    !s.is_empty(),
                    "{}: no samples of {what}; {:?}",
                    r.label,
                    r.failures
                );
            }
            assert!(
                !r.leave_board.is_empty() || !r.leave_board_remote.is_empty(),
                "{}: no seat samples; {:?}",
                r.label,
                r.failures
            );
            assert!(r.board_full_bytes > 0 && r.board_rooms_shown == r.rooms);
        }
        assert!(
            !reports[1].join_board_remote.is_empty(),
            "{:?}",
            reports[1].failures
        );
        figures(&reports);
    }
}
