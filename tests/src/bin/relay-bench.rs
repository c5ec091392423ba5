//! `relay-bench`: how fast Sangdam relays signaling from one side of a room to the other,
//! beside a plain tokio-tungstenite relay measured in the same run, and what a flood from
//! one side costs the others.
//!
//! ```sh
//! cargo build --release -p sangdam-server -p sangdam-tests --bin relay-bench
//! target/release/relay-bench                 # about two minutes
//! target/release/relay-bench --rooms 100 --seconds 3
//! ```
//!
//! It writes a fair of `--rooms` meetings, all live now (one institution and one enterprise
//! each, a buyer and a vendor), and starts three servers one after the other, each as its
//! own process on a free port of 127.0.0.1 (started the way the integration tests start a
//! node, [`sangdam_tests::node::Node`]):
//!
//! 1. the baseline: this tool's own `serve` command, a plain tokio-tungstenite server that
//!    pairs two sockets by the `meeting` of their first frame and forwards every text frame
//!    of one to the other as it is (no JSON, no rules; a bounded queue of 256 per socket,
//!    written one message at a time, as Sangdam's outbox is);
//! 2. the release `sangdam` with the per-connection allowance lifted
//!    (`server.inbound_*` = 1e12), for the relay's own speed;
//! 3. the release `sangdam` with its default allowance (50 messages a second, burst 200).
//!
//! On each it opens every room's buyer and vendor (each waits for `call_ready`), then
//! measures the vendor sending `ice` as fast as its socket takes them while the buyer
//! counts what arrives: first in one room (the others idle), then in every room at once.
//! A figure is what the buyers received per second over `--seconds`, after a second of
//! warm-up (3 s). On the first two servers each vendor keeps at most `--window` candidates in
//! flight: Sangdam drops what would overflow a reader's outbox and answers every dropped
//! message with `rate_limited`, which, open loop, overflows the flooder's own outbox and
//! closes it as `too_slow` (one open-loop second on the second server shows it). Under the
//! default allowance the vendors flood open loop: what exceeds it is dropped as it is read. On the third server it then measures a flood: the buyers of room A (the
//! flooder's) and room B (a neighbour) send a timestamped `offer` and a `ping` every
//! `--interval-ms`, B's vendor a timestamped `answer`; the latency of each (one way, both
//! ends in this process) is sampled for `--flood-seconds` without a flood and again while
//! A's vendor (and `--flooders` − 1 more rooms' vendors) floods `ice` at full speed, with
//! the server's CPU (from /proc/PID/stat) and VmRSS.
//!
//! The clients run in this process, on the same two cores as the server: the figures are
//! for this machine with both loads on it, and the tool prints its own CPU beside the
//! server's. Nothing here is a test: it only prints, `FIGURE` lines last.

use clap::{Parser, Subcommand};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use sangdam_server::app::settings::Settings;
use sangdam_server::files::fair::{load_fair_dir, write_fair_dir};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType, MeetingSpec,
};
use sangdam_signaling::time::KST_OFFSET_MINUTES;
use sangdam_signaling::{Fair, FairId, Participant, ParticipantId, Role, Round};
use sangdam_tests::app::{issuer, temp_dir, SECRET};
use sangdam_tests::node::Node;
use sangdam_tests::procfs::{self, Sample};
use sangdam_tests::signal::SignalClient;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Notify, Semaphore};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

#[derive(Parser)]
#[command(
    name = "relay-bench",
    about = "Signaling relay throughput through Sangdam beside a plain tokio-tungstenite \
             relay, and the latency and server cost of a flood; prints FIGURE lines",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    bench: BenchArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run only the baseline: a plain tokio-tungstenite relay that pairs two sockets by the
    /// `meeting` of their first frame and forwards each one's text frames to the other.
    Serve {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Rooms (buyer and vendor pairs, each its own live meeting) for the many-rooms figure.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(2..=5000))]
    rooms: u64,
    /// Seconds each throughput figure is measured over, after three seconds of warm-up.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60))]
    seconds: u64,
    /// Seconds of latency sampling without the flood, and again during it.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    flood_seconds: u64,
    /// Rooms whose vendor floods during the flood measurement (room A is the first).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    flooders: u64,
    /// Milliseconds between the victims' timestamped messages.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(10..=10_000))]
    interval_ms: u64,
    /// With the allowance lifted and on the baseline, a flooding vendor keeps at most this
    /// many candidates on their way to its buyer (sent, not yet received), so the buyer's
    /// share of its outbox (224 of 256) never overflows; 0 floods without a window, and
    /// Sangdam's per-message `rate_limited` answers then overflow the flooder's own
    /// outbox and it is closed as `too_slow`.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    window: u64,
    /// Candidates a flooding vendor writes before each flush of its socket.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=1024))]
    batch: u64,
    /// Pairs opened at once while setting up.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=512))]
    concurrency: u64,
    /// The release `sangdam` binary (default: `sangdam` beside this tool).
    #[arg(long, value_name = "PATH")]
    server: Option<PathBuf>,
    /// Skip the baseline (the ratios are then not printed).
    #[arg(long)]
    no_baseline: bool,
}

/// How long a flood runs before it is measured: long enough for a thousand flooders to
/// reach their pace and for the allowance's bursts to be spent.
const WARM_UP: Duration = Duration::from_secs(3);

/// One side's queue on the baseline relay, as Sangdam's `server.outbox_messages`.
const BASELINE_OUTBOX: usize = 256;

/// The candidate every flooding vendor sends: a browser's host candidate.
const ICE: &str = r#"{"type":"ice","candidate":{"candidate":"candidate:1 1 udp 2130706431 192.0.2.10 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#;

/// The allowance lifted, as `SANGDAM_` variables.
const LIFTED: &[(&str, &str)] = &[
    ("SANGDAM_SERVER__INBOUND_MESSAGES_PER_SECOND", "1e12"),
    ("SANGDAM_SERVER__INBOUND_MESSAGE_BURST", "1e12"),
    ("SANGDAM_SERVER__INBOUND_BYTES_PER_SECOND", "1e15"),
    ("SANGDAM_SERVER__INBOUND_BYTE_BURST", "1e15"),
];

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Serve { listen }) => tokio::runtime::Runtime::new()
            .map_err(|e| e.to_string())
            .and_then(|rt| {
                rt.block_on(baseline::serve(listen))
                    .map_err(|e| e.to_string())
            }),
        None => run(&cli.bench),
    };
    if let Err(e) = result {
        eprintln!("relay-bench: {e}");
        std::process::exit(1);
    }
}

/// The plain relay the figures are compared with.
mod baseline {
    use super::*;
    use tokio::net::TcpListener;

    /// A socket waiting for its partner: where to send to it, and how to hand it the
    /// partner's queue.
    struct Waiting {
        outbox: mpsc::Sender<Message>,
        partner: oneshot::Sender<mpsc::Sender<Message>>,
    }

    type Lobby = Arc<Mutex<HashMap<String, Waiting>>>;

    /// Serves until killed; prints its address as `sangdam serve` does, so
    /// [`Node::start`] can start either.
    pub async fn serve(listen: SocketAddr) -> std::io::Result<()> {
        let listener = TcpListener::bind(listen).await?;
        println!("plain tokio-tungstenite relay");
        println!("  http://{}", listener.local_addr()?);
        let lobby: Lobby = Arc::default();
        loop {
            let (tcp, _) = listener.accept().await?;
            tokio::spawn(connection(tcp, lobby.clone()));
        }
    }

    async fn connection(tcp: TcpStream, lobby: Lobby) {
        let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
            return;
        };
        let (mut sink, mut stream) = ws.split();
        let room = loop {
            match stream.next().await {
                Some(Ok(Message::Text(t))) => {
                    break serde_json::from_str::<Value>(&t)
                        .ok()
                        .and_then(|v| v["meeting"].as_str().map(str::to_string))
                }
                Some(Ok(_)) => continue,
                _ => return,
            }
        };
        let Some(room) = room else { return };
        let (tx, mut rx) = mpsc::channel::<Message>(BASELINE_OUTBOX);
        let waiting = {
            let mut lobby = lobby.lock().expect("lobby lock");
            match lobby.remove(&room) {
                Some(first) => {
                    let _ = first.partner.send(tx.clone());
                    Ok(first.outbox)
                }
                None => {
                    let (partner, later) = oneshot::channel();
                    lobby.insert(
                        room,
                        Waiting {
                            outbox: tx.clone(),
                            partner,
                        },
                    );
                    Err(later)
                }
            }
        };
        let partner = match waiting {
            Ok(p) => p,
            Err(later) => match later.await {
                Ok(p) => p,
                Err(_) => return,
            },
        };
        let writer = tokio::spawn(async move {
            while let Some(m) = rx.recv().await {
                if sink.send(m).await.is_err() {
                    break;
                }
            }
        });
        let _ = tx.send(Message::text(r#"{"type":"call_ready"}"#)).await;
        drop(tx);
        while let Some(Ok(m)) = stream.next().await {
            let forward = match m {
                Message::Text(_) => partner.send(m).await.is_ok(),
                Message::Close(_) => false,
                _ => true,
            };
            if !forward {
                break;
            }
        }
        writer.abort();
    }
}

/// Microseconds since the tool started: the timestamps in the victims' messages.
fn micros() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// What one room's two clients do and count. Flags are set by the conductor; counters
/// only grow.
#[derive(Default)]
struct Pair {
    /// The vendor floods `ice`.
    flood: AtomicBool,
    /// At most this many candidates in flight while flooding; 0: no limit.
    window: AtomicU64,
    /// Told each time the buyer receives a candidate, for a vendor waiting on its window.
    progress: Notify,
    /// Told when the flags change, for an idle writer.
    wake_buyer: Notify,
    wake_vendor: Notify,
    /// The buyer sends a timestamped `offer` and a `ping` every interval.
    buyer_probes: AtomicBool,
    /// The vendor sends a timestamped `answer` every interval.
    vendor_probes: AtomicBool,
    /// `ice` frames the vendor's socket took.
    sent: AtomicU64,
    /// `ice` frames the buyer received.
    delivered: AtomicU64,
    /// `rate_limited` errors the vendor received.
    refused: AtomicU64,
    /// Any other `error` either side received.
    errors: AtomicU64,
    /// Sockets of this pair that ended while measuring.
    closed: AtomicU64,
    /// The first error or close seen, for the report.
    first_trouble: Mutex<Option<String>>,
    /// Latencies, in microseconds: offer buyer → vendor, answer vendor → buyer, ping round
    /// trip of the buyer.
    offer_us: Mutex<Vec<u64>>,
    answer_us: Mutex<Vec<u64>>,
    ping_us: Mutex<Vec<u64>>,
}

impl Pair {
    /// Sets what the pair does and wakes its writers.
    fn set(&self, flood: bool, buyer_probes: bool, vendor_probes: bool) {
        self.flood.store(flood, Ordering::Relaxed);
        self.buyer_probes.store(buyer_probes, Ordering::Relaxed);
        self.vendor_probes.store(vendor_probes, Ordering::Relaxed);
        self.wake_buyer.notify_one();
        self.wake_vendor.notify_one();
    }

    fn trouble(&self, what: String) {
        self.first_trouble.lock().expect("lock").get_or_insert(what);
    }
}

/// The servers the tool measures, and how a client joins each.
enum Target {
    Baseline,
    Sangdam {
        /// (buyer token, vendor token) per room.
        tokens: Vec<(String, String)>,
    },
}

impl Target {
    fn join(&self, room: usize, buyer: bool) -> String {
        let meeting = meeting_id(room);
        match self {
            Target::Baseline => format!(r#"{{"type":"join","meeting":"{meeting}"}}"#),
            Target::Sangdam { tokens } => {
                let t = if buyer {
                    &tokens[room].0
                } else {
                    &tokens[room].1
                };
                format!(r#"{{"type":"join","v":1,"token":"{t}","meeting":"{meeting}"}}"#)
            }
        }
    }
}

fn meeting_id(room: usize) -> String {
    format!("m-{room:05}")
}

/// `rooms` meetings live now, each its own institution (with a buyer) and enterprise (with
/// a vendor), in one round whose single slot started a minute ago and lasts half an hour.
fn bench_fair(rooms: usize) -> Fair {
    let id = |s: String| ParticipantId::parse(s).expect("valid id");
    let round = Round {
        id: "r1".to_string().try_into().expect("id"),
        number: 1,
        theme: "중계 벤치마크".into(),
        starts_at: sangdam_server::app::clock::now() - Duration::from_secs(60),
        slot_len: Duration::from_secs(30 * 60),
        break_len: Duration::from_secs(10 * 60),
        slots: 1,
    };
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
        participants: (0..rooms)
            .flat_map(|i| {
                [
                    Participant {
                        id: id(format!("p-b-{i:05}")),
                        name: format!("구매자 {i}"),
                        role: Role::Buyer,
                        affiliation: Affiliation::Institution(
                            format!("i{i:05}").try_into().expect("id"),
                        ),
                    },
                    Participant {
                        id: id(format!("p-v-{i:05}")),
                        name: format!("판매자 {i}"),
                        role: Role::Vendor,
                        affiliation: Affiliation::Enterprise(
                            format!("e{i:05}").try_into().expect("id"),
                        ),
                    },
                ]
            })
            .collect(),
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
        FairId::parse("relay-bench").expect("id"),
        "relay-bench",
        parts,
    )
    .expect("a valid fair")
}

/// Tokens for every room's buyer and vendor, for the fair as the server reads it.
fn tokens(fair: &Fair, rooms: usize) -> Vec<(String, String)> {
    let issuer = issuer(&Settings::defaults(), SECRET);
    let now = sangdam_server::app::clock::now();
    let token = |pid: String| {
        let p = fair
            .participant(&ParticipantId::parse(pid).expect("id"))
            .expect("a participant of the bench fair");
        issuer.issue(fair, p, None, 0, now)
    };
    (0..rooms)
        .map(|i| (token(format!("p-b-{i:05}")), token(format!("p-v-{i:05}"))))
        .collect()
}

/// Connects, joins and waits for `call_ready`.
async fn open_side(url: &str, join: String) -> Ws {
    let mut c = SignalClient::connect(url).await;
    c.send_text(join).await;
    c.recv_type("call_ready").await;
    let ws = c.into_inner();
    if let MaybeTlsStream::Plain(tcp) = ws.get_ref() {
        // The clients must not add Nagle's delay to what is measured.
        let _ = tcp.set_nodelay(true);
    }
    ws
}

/// Every room's two clients, running.
struct Clients {
    pairs: Vec<Arc<Pair>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Clients {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn open_all(
    url: &str,
    target: Arc<Target>,
    rooms: usize,
    a: &BenchArgs,
) -> Result<Clients, String> {
    let gate = Arc::new(Semaphore::new(a.concurrency as usize));
    let opening: Vec<_> = (0..rooms)
        .map(|room| {
            let (url, target, gate) = (url.to_string(), target.clone(), gate.clone());
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.expect("gate");
                let buyer = open_side(&url, target.join(room, true));
                let vendor = open_side(&url, target.join(room, false));
                tokio::join!(buyer, vendor)
            })
        })
        .collect();
    let interval = Duration::from_millis(a.interval_ms);
    let mut clients = Clients {
        pairs: Vec::with_capacity(rooms),
        tasks: Vec::with_capacity(4 * rooms),
    };
    for (room, o) in opening.into_iter().enumerate() {
        let (buyer, vendor) = o
            .await
            .map_err(|e| format!("room {room} did not open (no call_ready?): {e}"))?;
        let pair = Arc::new(Pair::default());
        let (b_sink, b_stream) = buyer.split();
        let (v_sink, v_stream) = vendor.split();
        clients.tasks.extend([
            tokio::spawn(read_side(b_stream, pair.clone(), true)),
            tokio::spawn(read_side(v_stream, pair.clone(), false)),
            tokio::spawn(buyer_writer(b_sink, pair.clone(), interval)),
            tokio::spawn(vendor_writer(v_sink, pair.clone(), interval, a.batch)),
        ]);
        clients.pairs.push(pair);
    }
    Ok(clients)
}

/// The sdp of a timestamped probe.
fn probe_sdp(v: &Value) -> Option<u64> {
    v["sdp"].as_str()?.strip_prefix("bench ")?.parse().ok()
}

async fn read_side(mut stream: SplitStream<Ws>, pair: Arc<Pair>, buyer: bool) {
    let side = if buyer { "buyer" } else { "vendor" };
    while let Some(m) = stream.next().await {
        let text = match m {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(frame)) => {
                pair.trouble(format!("{side} closed by the server: {frame:?}"));
                break;
            }
            Ok(_) => continue,
            Err(e) => {
                pair.trouble(format!("{side}: {e}"));
                break;
            }
        };
        if text.starts_with(r#"{"type":"ice""#) {
            pair.delivered.fetch_add(1, Ordering::Relaxed);
            pair.progress.notify_one();
            continue;
        }
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let now = micros();
        match v["type"].as_str() {
            Some("offer") => {
                if let Some(t) = probe_sdp(&v) {
                    pair.offer_us.lock().expect("lock").push(now - t);
                }
            }
            Some("answer") => {
                if let Some(t) = probe_sdp(&v) {
                    pair.answer_us.lock().expect("lock").push(now - t);
                }
            }
            Some("pong") => {
                if let Some(t) = v["t"].as_u64() {
                    pair.ping_us.lock().expect("lock").push(now - t);
                }
            }
            Some("error") if v["code"] == "rate_limited" => {
                pair.refused.fetch_add(1, Ordering::Relaxed);
            }
            Some("error") => {
                pair.errors.fetch_add(1, Ordering::Relaxed);
                pair.trouble(format!("{side} got {text}"));
            }
            _ => {}
        }
    }
    pair.closed.fetch_add(1, Ordering::Relaxed);
}

async fn buyer_writer(mut sink: SplitSink<Ws, Message>, pair: Arc<Pair>, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if !pair.buyer_probes.load(Ordering::Relaxed) {
            pair.wake_buyer.notified().await;
            continue;
        }
        tokio::select! {
            _ = tick.tick() => {}
            _ = pair.wake_buyer.notified() => continue,
        }
        let offer = format!(r#"{{"type":"offer","sdp":"bench {}"}}"#, micros());
        let ping = format!(r#"{{"type":"ping","t":{}}}"#, micros());
        if sink.send(Message::text(offer)).await.is_err()
            || sink.send(Message::text(ping)).await.is_err()
        {
            return;
        }
    }
}

async fn vendor_writer(
    mut sink: SplitSink<Ws, Message>,
    pair: Arc<Pair>,
    interval: Duration,
    batch: u64,
) {
    let ice = Message::text(ICE);
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if pair.flood.load(Ordering::Relaxed) {
            let window = pair.window.load(Ordering::Relaxed);
            let batch = if window > 0 { batch.min(window) } else { batch };
            if window > 0 {
                let in_flight = pair.sent.load(Ordering::Relaxed)
                    - pair
                        .delivered
                        .load(Ordering::Relaxed)
                        .min(pair.sent.load(Ordering::Relaxed));
                if in_flight + batch > window {
                    // Wake at the buyer's next candidate, or soon anyway.
                    let _ =
                        tokio::time::timeout(Duration::from_millis(5), pair.progress.notified())
                            .await;
                    continue;
                }
            }
            for _ in 0..batch {
                if sink.feed(ice.clone()).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
            pair.sent.fetch_add(batch, Ordering::Relaxed);
            continue;
        }
        if !pair.vendor_probes.load(Ordering::Relaxed) {
            pair.wake_vendor.notified().await;
            continue;
        }
        tokio::select! {
            _ = tick.tick() => {
                let answer = format!(r#"{{"type":"answer","sdp":"bench {}"}}"#, micros());
                if sink.send(Message::text(answer)).await.is_err() {
                    return;
                }
            }
            _ = pair.wake_vendor.notified() => {}
        }
    }
}

/// Counters summed over some pairs.
#[derive(Clone, Copy, Default, Debug)]
struct Totals {
    sent: u64,
    delivered: u64,
    refused: u64,
    errors: u64,
    closed: u64,
}

fn totals(pairs: &[Arc<Pair>]) -> Totals {
    let mut t = Totals::default();
    for p in pairs {
        t.sent += p.sent.load(Ordering::Relaxed);
        t.delivered += p.delivered.load(Ordering::Relaxed);
        t.refused += p.refused.load(Ordering::Relaxed);
        t.errors += p.errors.load(Ordering::Relaxed);
        t.closed += p.closed.load(Ordering::Relaxed);
    }
    t
}

/// One throughput figure.
#[derive(Clone, Copy, Debug)]
struct Rate {
    delivered_per_s: f64,
    sent_per_s: f64,
    refused: u64,
    server_cpu: f64,
    tool_cpu: f64,
    rss_kib: u64,
}

impl Rate {
    /// Server CPU time per delivered message, in microseconds.
    fn cpu_per_message_us(&self) -> f64 {
        1e6 * self.server_cpu / self.delivered_per_s.max(1.0)
    }
}

/// The server's and this tool's /proc readings.
fn samples(server: u32) -> Result<(Sample, Sample), String> {
    let s = procfs::sample(server).ok_or("the server exited")?;
    let me = procfs::sample(std::process::id()).ok_or("cannot read /proc/self")?;
    Ok((s, me))
}

/// Waits until nothing more arrives at the buyers (the queues drained), at most 10 s.
async fn drain(pairs: &[Arc<Pair>]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = totals(pairs).delivered;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = totals(pairs).delivered;
        if now == last {
            return;
        }
        last = now;
    }
}

/// The vendors of `pairs[..flooding]` flood (within `window`, if not 0) for [`WARM_UP`] and `seconds` of measurement; what the buyers received per second over the
/// measurement.
async fn throughput(
    what: &str,
    clients: &Clients,
    flooding: usize,
    window: u64,
    seconds: u64,
    server: u32,
) -> Result<Rate, String> {
    let pairs = &clients.pairs[..flooding];
    let closed_before = totals(&clients.pairs).closed;
    for p in pairs {
        p.window.store(window, Ordering::Relaxed);
        p.set(true, false, false);
    }
    tokio::time::sleep(WARM_UP).await;
    let (t0, (s0, me0), i0) = (totals(pairs), samples(server)?, Instant::now());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let (t1, (s1, me1), secs) = (totals(pairs), samples(server)?, i0.elapsed().as_secs_f64());
    for p in pairs {
        p.set(false, false, false);
    }
    drain(&clients.pairs).await;
    let rate = Rate {
        delivered_per_s: (t1.delivered - t0.delivered) as f64 / secs,
        sent_per_s: (t1.sent - t0.sent) as f64 / secs,
        refused: t1.refused - t0.refused,
        server_cpu: s1.cpu_since(&s0, secs),
        tool_cpu: me1.cpu_since(&me0, secs),
        rss_kib: s1.rss_kib,
    };
    let closed = totals(&clients.pairs).closed - closed_before;
    let how = if window > 0 {
        format!("within a window of {window}")
    } else {
        "open loop".to_string()
    };
    println!(
        "  {what}, {flooding} room{} flooding {how}: {:.0} msgs/s delivered, {:.0} msgs/s sent, \
         {} rate_limited answers, {closed} sockets closed; server CPU {:.0} %, tool CPU {:.0} % \
         of one core; server VmRSS {} KiB",
        if flooding == 1 { "" } else { "s" },
        rate.delivered_per_s,
        rate.sent_per_s,
        rate.refused,
        100.0 * rate.server_cpu,
        100.0 * rate.tool_cpu,
        rate.rss_kib,
    );
    if closed > 0 {
        if let Some(t) = clients
            .pairs
            .iter()
            .find_map(|p| p.first_trouble.lock().expect("lock").clone())
        {
            println!("    first trouble: {t}");
        }
    }
    Ok(rate)
}

/// p50, p99 and the count of a latency series, in milliseconds.
#[derive(Clone, Copy, Debug, Default)]
struct Latency {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    n: usize,
    /// Samples over 10 ms.
    slow: usize,
}

impl Latency {
    fn of(mut us: Vec<u64>) -> Latency {
        if us.is_empty() {
            return Latency::default();
        }
        us.sort_unstable();
        let at = |q: usize| us[(us.len() * q / 100).min(us.len() - 1)] as f64 / 1000.0;
        Latency {
            p50_ms: at(50),
            p99_ms: at(99),
            max_ms: *us.last().expect("non-empty") as f64 / 1000.0,
            n: us.len(),
            slow: us.iter().filter(|&&u| u > 10_000).count(),
        }
    }
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {:.2} ms, p99 {:.2} ms (max {:.2}, {} of {} over 10 ms)",
            self.p50_ms, self.p99_ms, self.max_ms, self.slow, self.n
        )
    }
}

/// The victims' latencies over one window.
#[derive(Clone, Copy, Debug)]
struct Victims {
    a_offer: Latency,
    a_ping: Latency,
    b_offer: Latency,
    b_answer: Latency,
    b_ping: Latency,
    server_cpu: f64,
    tool_cpu: f64,
    rss_kib: u64,
    /// Flood frames the flooders' sockets took per second, and what reached their buyers.
    flood_sent_per_s: f64,
    flood_delivered_per_s: f64,
}

async fn victims_window(
    clients: &Clients,
    flooders: usize,
    flood: bool,
    seconds: u64,
    server: u32,
) -> Result<Victims, String> {
    let (a, b) = (&clients.pairs[0], &clients.pairs[flooders]);
    for p in [a, b] {
        p.offer_us.lock().expect("lock").clear();
        p.answer_us.lock().expect("lock").clear();
        p.ping_us.lock().expect("lock").clear();
    }
    for p in &clients.pairs[1..flooders] {
        p.set(flood, false, false);
    }
    a.set(flood, true, false);
    b.set(false, true, true);
    // Let the flood reach its pace and the allowance its steady state.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for p in [a, b] {
        p.offer_us.lock().expect("lock").clear();
        p.answer_us.lock().expect("lock").clear();
        p.ping_us.lock().expect("lock").clear();
    }
    let flooding = &clients.pairs[..flooders];
    let (t0, (s0, me0), i0) = (totals(flooding), samples(server)?, Instant::now());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let (t1, (s1, me1), secs) = (
        totals(flooding),
        samples(server)?,
        i0.elapsed().as_secs_f64(),
    );
    for p in clients.pairs[..flooders].iter().chain([b]) {
        p.set(false, false, false);
    }
    let take = |m: &Mutex<Vec<u64>>| Latency::of(std::mem::take(&mut *m.lock().expect("lock")));
    let v = Victims {
        a_offer: take(&a.offer_us),
        a_ping: take(&a.ping_us),
        b_offer: take(&b.offer_us),
        b_answer: take(&b.answer_us),
        b_ping: take(&b.ping_us),
        server_cpu: s1.cpu_since(&s0, secs),
        tool_cpu: me1.cpu_since(&me0, secs),
        rss_kib: s1.rss_kib,
        flood_sent_per_s: (t1.sent - t0.sent) as f64 / secs,
        flood_delivered_per_s: (t1.delivered - t0.delivered) as f64 / secs,
    };
    drain(&clients.pairs).await;
    println!(
        "  {}: room A buyer → vendor offer {}; buyer ping round trip {}",
        if flood {
            "during the flood"
        } else {
            "no flood"
        },
        v.a_offer,
        v.a_ping
    );
    println!(
        "    room B offer {}; answer {}; buyer ping round trip {}",
        v.b_offer, v.b_answer, v.b_ping
    );
    println!(
        "    server CPU {:.0} %, tool CPU {:.0} % of one core; server VmRSS {} KiB; \
         flooders sent {:.0} msgs/s, {:.0} msgs/s reached their buyers",
        100.0 * v.server_cpu,
        100.0 * v.tool_cpu,
        v.rss_kib,
        v.flood_sent_per_s,
        v.flood_delivered_per_s
    );
    Ok(v)
}

/// The throughput figures from one server.
struct Throughputs {
    one: Rate,
    all: Rate,
}

/// On a started server: opens every room, measures one room flooding then all of them
/// (within `window`, if not 0); hands the clients on, still connected.
async fn measure_server(
    what: &str,
    node: &Node,
    target: Target,
    window: u64,
    a: &BenchArgs,
) -> Result<(Throughputs, Clients), String> {
    let rooms = a.rooms as usize;
    let pid = node.pid();
    let idle = procfs::sample(pid).ok_or("the server exited")?;
    let start = Instant::now();
    let clients = open_all(&node.ws_url(), Arc::new(target), rooms, a).await?;
    let open = procfs::sample(pid).ok_or("the server exited")?;
    println!(
        "{what} (pid {pid}, {}): {rooms} rooms opened in {:.1} s; VmRSS {} KiB idle → {} KiB with {} sockets",
        node.base_url,
        start.elapsed().as_secs_f64(),
        idle.rss_kib,
        open.rss_kib,
        2 * rooms
    );
    let one = throughput(what, &clients, 1, window, a.seconds, pid).await?;
    let all = throughput(what, &clients, rooms, window, a.seconds, pid).await?;
    Ok((Throughputs { one, all }, clients))
}

fn run(a: &BenchArgs) -> Result<(), String> {
    procfs::raise_open_files();
    let rooms = a.rooms as usize;
    if a.flooders as usize >= rooms {
        return Err("--flooders must leave at least one room without a flood".into());
    }
    let needed = 4 * rooms as u64 + 256;
    let limit = procfs::open_files_limit().unwrap_or(0);
    if limit < needed {
        return Err(format!(
            "open-file limit {limit} is below the {needed} needed; run `ulimit -n 65536` first"
        ));
    }
    let sangdam = a.server.clone().unwrap_or_else(|| sibling("sangdam"));
    if !sangdam.exists() {
        return Err(format!(
            "no server binary at {} (build it: cargo build --release -p sangdam-server, or pass --server)",
            sangdam.display()
        ));
    }
    let sangdam = std::fs::canonicalize(&sangdam).map_err(|e| e.to_string())?;
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = temp_dir("relay-bench");
    let result = run_in(a, &dir, &sangdam, &me);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn sibling(name: &str) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join(name)))
        .unwrap_or_else(|| PathBuf::from("target/release").join(name))
}

fn run_in(a: &BenchArgs, dir: &Path, sangdam: &Path, me: &Path) -> Result<(), String> {
    let rooms = a.rooms as usize;
    let fair_dir = dir.join("fair");
    write_fair_dir(&bench_fair(rooms), KST_OFFSET_MINUTES, &fair_dir).map_err(|e| e.to_string())?;
    // The fair exactly as the server reads it.
    let fair = load_fair_dir(&fair_dir).map_err(|e| e.to_string())?;
    let tokens = tokens(&fair, rooms);
    let fair_arg = fair_dir.display().to_string();
    let data_arg = dir.join("data").display().to_string();
    let sangdam_args = ["--fair", fair_arg.as_str(), "--data-dir", data_arg.as_str()];
    let quiet = ("SANGDAM_LOG", "warn");
    // Every client here is 127.0.0.1: the per-address and overall connection caps would
    // close most of the 2,000 sockets.
    let uncapped = [
        ("SANGDAM_SERVER__MAX_CONNECTIONS_PER_ADDRESS", "0"),
        ("SANGDAM_SERVER__MAX_CONNECTIONS", "0"),
    ];
    println!(
        "relay-bench: {rooms} rooms, {} s per figure, load average {} at start; {} cores",
        a.seconds,
        procfs::load_average(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let prog = |p: &Path| p.display().to_string();

    let baseline = if a.no_baseline {
        None
    } else {
        let node = Node::start(&prog(me), dir, &[], &[]);
        let (t, clients) = rt.block_on(measure_server(
            "plain relay",
            &node,
            Target::Baseline,
            a.window,
            a,
        ))?;
        drop(clients);
        drop(node);
        Some(t)
    };

    let mut lifted_env = LIFTED.to_vec();
    lifted_env.push(quiet);
    lifted_env.extend(uncapped);
    let node = Node::start(&prog(sangdam), dir, &sangdam_args, &lifted_env);
    let (lifted, clients) = rt.block_on(measure_server(
        "Sangdam, allowance lifted",
        &node,
        Target::Sangdam {
            tokens: tokens.clone(),
        },
        a.window,
        a,
    ))?;
    // What the window avoids: one vendor flooding open loop, for a moment.
    rt.block_on(throughput(
        "Sangdam, allowance lifted",
        &clients,
        1,
        0,
        2,
        node.pid(),
    ))?;
    drop(clients);
    drop(node);

    let node = Node::start(
        &prog(sangdam),
        dir,
        &sangdam_args,
        &[quiet, uncapped[0], uncapped[1]],
    );
    let flooders = a.flooders as usize;
    let (capped, before, during) = rt.block_on(async {
        let (t, clients) = measure_server(
            "Sangdam, default allowance",
            &node,
            Target::Sangdam { tokens },
            0,
            a,
        )
        .await?;
        println!(
            "flood: room A = {}, room B = {}; {flooders} vendor(s) flooding, default allowance",
            meeting_id(0),
            meeting_id(flooders)
        );
        let before = victims_window(&clients, flooders, false, a.flood_seconds, node.pid()).await?;
        let during = victims_window(&clients, flooders, true, a.flood_seconds, node.pid()).await?;
        let after = totals(&clients.pairs);
        if after.closed > 0 || after.errors > 0 {
            println!(
                "  {} sockets closed, {} errors other than rate_limited; first: {}",
                after.closed,
                after.errors,
                clients
                    .pairs
                    .iter()
                    .find_map(|p| p.first_trouble.lock().expect("lock").clone())
                    .unwrap_or_default()
            );
        }
        Ok::<_, String>((t, before, during))
    })?;
    drop(node);
    rt.shutdown_timeout(Duration::from_secs(2));

    println!("load average {} at the end", procfs::load_average());
    let ratio = |s: &Rate, b: Option<&Rate>| {
        b.map(|b| {
            format!(
                " = {:.0} % of the plain tokio-tungstenite relay ({:.0} msgs/s); server CPU \
                 {:.1} µs a message = {:.1} × the relay's {:.1} µs",
                100.0 * s.delivered_per_s / b.delivered_per_s,
                b.delivered_per_s,
                s.cpu_per_message_us(),
                s.cpu_per_message_us() / b.cpu_per_message_us(),
                b.cpu_per_message_us(),
            )
        })
        .unwrap_or_default()
    };
    println!(
        "FIGURE signaling relay, 1 room: {:.0} msgs/s vendor → buyer with the allowance lifted{}; \
         {:.0} msgs/s under the default allowance (server CPU {:.0} % / {:.0} %)",
        lifted.one.delivered_per_s,
        ratio(&lifted.one, baseline.as_ref().map(|b| &b.one)),
        capped.one.delivered_per_s,
        100.0 * lifted.one.server_cpu,
        100.0 * capped.one.server_cpu,
    );
    println!(
        "FIGURE signaling relay, {rooms} rooms at once: {:.0} msgs/s summed with the allowance lifted{}; \
         {:.0} msgs/s under the default allowance (server CPU {:.0} % / {:.0} %)",
        lifted.all.delivered_per_s,
        ratio(&lifted.all, baseline.as_ref().map(|b| &b.all)),
        capped.all.delivered_per_s,
        100.0 * lifted.all.server_cpu,
        100.0 * capped.all.server_cpu,
    );
    println!(
        "FIGURE flood, room A (the flooder's own room), buyer → vendor offer: {} before, {} during; \
         buyer ping round trip p50 {:.2} / p99 {:.2} ms before, {:.2} / {:.2} ms during",
        brief(&before.a_offer),
        brief(&during.a_offer),
        before.a_ping.p50_ms,
        before.a_ping.p99_ms,
        during.a_ping.p50_ms,
        during.a_ping.p99_ms,
    );
    println!(
        "FIGURE flood, room B (a neighbour): offer {} before, {} during; answer {} before, {} during",
        brief(&before.b_offer),
        brief(&during.b_offer),
        brief(&before.b_answer),
        brief(&during.b_answer),
    );
    println!(
        "FIGURE flood, server: CPU {:.0} % → {:.0} % of one core, VmRSS {} → {} KiB \
         ({flooders} flooder(s) sending {:.0} msgs/s, {:.0} msgs/s let through)",
        100.0 * before.server_cpu,
        100.0 * during.server_cpu,
        before.rss_kib,
        during.rss_kib,
        during.flood_sent_per_s,
        during.flood_delivered_per_s,
    );
    Ok(())
}

fn brief(l: &Latency) -> String {
    format!("p50 {:.2} / p99 {:.2} ms", l.p50_ms, l.p99_ms)
}
