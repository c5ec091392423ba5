//! `ws-memory`: the server's resident memory per idle lobby WebSocket.
//!
//! ```sh
//! deploy/measure-lobby-ws.sh            # builds both binaries, then runs this
//! target/release/ws-memory --connections 10000 --settle 10
//! ```
//!
//! It writes a fair directory (the demo fair plus one extra vendor per connection, so every
//! connection is a different vendor), starts the real `sangdam` release binary on it as a
//! separate process on a free port of 127.0.0.1 with a known `SANGDAM_SECRET`, reads the
//! server's VmRSS from /proc, opens `--connections` WebSockets to `/ws/lobby`, says `hello`
//! on each with that vendor's token (idle vendors: welcome, one `vendor_status`, then
//! nothing), waits `--settle` seconds and reads VmRSS again. The figure is the growth
//! divided by the connections. The clients live in this process, so their memory is not in
//! the figure. With `--no-hello` the sockets stay silent (the server closes those after
//! 15 s, so keep `--settle` short). With `--redis` the lobby lives in a private
//! `redis-server` (as on a multi-node deployment: every refresh reads Redis). Everything is bounded in time; it stops the server and
//! removes its directory at the end. It only prints.

use sangdam_server::app::settings::Settings;
use sangdam_server::auth::TokenIssuer;
use sangdam_server::demo::{demo_fair, DemoOptions};
use sangdam_server::files::fair::{load_fair_dir, write_fair_dir};
use sangdam_signaling::fair::{Affiliation, FairParts, MeetingSpec};
use sangdam_signaling::time::KST_OFFSET_MINUTES;
use sangdam_signaling::{Fair, Participant, ParticipantId, Role};
use sangdam_tests::procfs::{open_files_limit, raise_open_files, sample};
use sangdam_tests::redis_server::RedisServer;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

const USAGE: &str = "ws-memory [--connections N] [--settle SECONDS] [--concurrency N] \
[--server PATH] [--no-hello] [--redis]";
const SECRET: &str = "ws-memory-benchmark-secret-0123456789abcdef";
/// How long opening all connections may take before the tool gives up.
const CONNECT_DEADLINE: Duration = Duration::from_secs(300);

struct Args {
    connections: usize,
    settle: Duration,
    concurrency: usize,
    server: PathBuf,
    hello: bool,
    /// Serve the lobby from a private redis-server instead of memory.
    redis: bool,
}

impl Args {
    fn parse() -> Result<Args, String> {
        let sibling = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join("sangdam")))
            .unwrap_or_else(|| PathBuf::from("target/release/sangdam"));
        let mut a = Args {
            connections: 10_000,
            settle: Duration::from_secs(10),
            concurrency: 64,
            server: sibling,
            hello: true,
            redis: false,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            match flag.as_str() {
                "--no-hello" => {
                    a.hello = false;
                    continue;
                }
                "--redis" => {
                    a.redis = true;
                    continue;
                }
                "--help" | "-h" => return Err(USAGE.into()),
                _ => {}
            }
            let value = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{flag}: not a number: {value}\n{USAGE}"))
            };
            match flag.as_str() {
                "--connections" => a.connections = number()? as usize,
                "--settle" => a.settle = Duration::from_secs(number()?),
                "--concurrency" => a.concurrency = number()? as usize,
                "--server" => a.server = PathBuf::from(&value),
                _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
            }
        }
        if a.connections == 0 || a.connections > 50_000 {
            return Err(format!("--connections must be 1 to 50000\n{USAGE}"));
        }
        a.concurrency = a.concurrency.clamp(1, 1024);
        a.settle = a.settle.min(Duration::from_secs(600));
        Ok(a)
    }
}

/// The demo fair plus `extra` vendors (`p-ws-v00001`, ...) spread over its enterprises.
fn fair_with_vendors(extra: usize) -> Fair {
    let demo = demo_fair(&DemoOptions::starting_at(
        sangdam_server::app::clock::now() + Duration::from_secs(3600),
    ));
    let enterprises: Vec<_> = demo.enterprises().map(|e| e.id.clone()).collect();
    let mut participants: Vec<Participant> = demo.participants().cloned().collect();
    participants.extend((0..extra).map(|i| Participant {
        id: ParticipantId::parse(format!("p-ws-v{:05}", i + 1)).expect("valid id"),
        name: format!("대기판매자 {}", i + 1),
        role: Role::Vendor,
        affiliation: Affiliation::Enterprise(enterprises[i % enterprises.len()].clone()),
    }));
    let parts = FairParts {
        rounds: demo.rounds().cloned().collect(),
        institutions: demo.institutions().cloned().collect(),
        enterprises: demo.enterprises().cloned().collect(),
        participants,
        meetings: demo
            .meetings()
            .map(|m| MeetingSpec {
                id: m.id.clone(),
                round: m.round.clone(),
                slot: m.slot.index,
                institution: m.institution.clone(),
                enterprise: m.enterprise.clone(),
            })
            .collect(),
    };
    Fair::new(demo.id.clone(), demo.name.clone(), parts).expect("the demo fair plus vendors")
}

/// The server process; killed and reaped when dropped.
struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// TCP sockets of this machine towards `port` on loopback: (established, time-wait).
fn sockets_to(port: u16) -> (usize, usize) {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let (mut established, mut time_wait) = (0, 0);
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let remote_port = f
            .get(2)
            .and_then(|a| a.rsplit_once(':'))
            .and_then(|(_, p)| u16::from_str_radix(p, 16).ok());
        if remote_port == Some(port) {
            match f.get(3).copied() {
                Some("01") => established += 1,
                Some("06") => time_wait += 1,
                _ => {}
            }
        }
    }
    (established, time_wait)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn start_server(
    a: &Args,
    dir: &Path,
    port: u16,
    redis_url: Option<&str>,
) -> Result<Server, String> {
    if !a.server.exists() {
        return Err(format!(
            "no server binary at {} (build it: cargo build --release -p sangdam-server, or pass --server)",
            a.server.display()
        ));
    }
    // Absolute, since the server runs in `dir`.
    let program = std::fs::canonicalize(&a.server).map_err(|e| e.to_string())?;
    let child = Command::new(program)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--fair")
        .arg(dir.join("fair"))
        .current_dir(dir)
        .env("SANGDAM_SECRET", SECRET)
        .env("SANGDAM_DATA_DIR", dir.join("data"))
        .env("SANGDAM_REDIS_URL", redis_url.unwrap_or(""))
        // Every client here is 127.0.0.1: lift the per-address and overall caps, which
        // would otherwise close most of the ten thousand.
        .env("SANGDAM_SERVER__MAX_CONNECTIONS_PER_ADDRESS", "0")
        .env("SANGDAM_SERVER__MAX_CONNECTIONS", "0")
        .env("SANGDAM_TURN__LISTEN", "127.0.0.1:0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", a.server.display()))?;
    let server = Server { child };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
            let mut buf = [0u8; 64];
            if s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .is_ok()
                && s.read(&mut buf)
                    .is_ok_and(|n| buf[..n].starts_with(b"HTTP/1.1 200"))
            {
                return Ok(server);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the server did not answer /healthz within 30 s".into())
}

/// Counters shared by the client tasks.
#[derive(Default)]
struct Counts {
    ready: AtomicUsize,
    failed: AtomicUsize,
    /// Connections the server closed (or that broke) after they were ready.
    dropped: AtomicUsize,
}

/// One idle client: connect, say hello, take the welcome and the first status, then read
/// whatever comes until told to stop.
async fn hold(
    url: String,
    token: Option<String>,
    gate: Arc<tokio::sync::Semaphore>,
    counts: Arc<Counts>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    first_error: Arc<std::sync::Mutex<Option<String>>>,
) {
    use futures_util::{SinkExt, StreamExt};
    let fail = |e: String| {
        counts.failed.fetch_add(1, Ordering::Relaxed);
        first_error.lock().expect("lock").get_or_insert(e);
    };
    let permit = gate.acquire_owned().await.expect("gate open");
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let setup = async {
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(&url, Some(config), true)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        if let Some(token) = token {
            let hello = format!(r#"{{"type":"hello","v":1,"token":"{token}"}}"#);
            ws.send(Message::text(hello))
                .await
                .map_err(|e| format!("hello: {e}"))?;
            let mut seen_status = false;
            while !seen_status {
                match ws.next().await {
                    Some(Ok(Message::Text(t))) => {
                        if t.contains(r#""type":"error""#) {
                            return Err(format!("refused: {t}"));
                        }
                        seen_status = t.contains(r#""type":"vendor_status""#);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(format!("read: {e}")),
                    None => return Err("closed before the first status".into()),
                }
            }
        }
        Ok::<_, String>(ws)
    };
    let mut ws = match tokio::time::timeout(Duration::from_secs(60), setup).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => return fail(e),
        Err(_) => return fail("no welcome and status within 60 s".into()),
    };
    drop(permit);
    counts.ready.fetch_add(1, Ordering::Relaxed);
    loop {
        tokio::select! {
            m = ws.next() => match m {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    counts.dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Some(Ok(_)) => {}
            },
            _ = stop.changed() => return,
        }
    }
}

fn main() {
    let a = match Args::parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = measure(&a) {
        eprintln!("ws-memory: {e}");
        std::process::exit(1);
    }
}

fn measure(a: &Args) -> Result<(), String> {
    raise_open_files();
    let limit = open_files_limit().unwrap_or(0);
    let needed = a.connections as u64 + 256;
    if limit < needed {
        return Err(format!(
            "open-file limit {limit} is below the {needed} needed; run `ulimit -n 65536` first"
        ));
    }
    let dir = std::env::temp_dir().join(format!("sangdam-ws-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = measure_in(a, &dir, limit);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure_in(a: &Args, dir: &Path, limit: u64) -> Result<(), String> {
    let vendors = if a.hello { a.connections } else { 0 };
    let fair = fair_with_vendors(vendors);
    write_fair_dir(&fair, KST_OFFSET_MINUTES, &dir.join("fair")).map_err(|e| e.to_string())?;
    // The fair exactly as the server reads it.
    let fair = load_fair_dir(&dir.join("fair")).map_err(|e| e.to_string())?;
    let settings = Settings::defaults();
    let issuer = TokenIssuer::new(
        SECRET.as_bytes(),
        &settings.auth.issuer,
        &settings.auth.audience,
        Duration::from_secs(6 * 3600),
    );
    let now = sangdam_server::app::clock::now();
    let tokens: Vec<Option<String>> = (0..a.connections)
        .map(|i| {
            a.hello.then(|| {
                let id = ParticipantId::parse(format!("p-ws-v{:05}", i + 1)).expect("id");
                let p = fair.participant(&id).expect("extra vendor");
                issuer.issue(&fair, p, None, 0, now)
            })
        })
        .collect();

    let redis = a.redis.then(RedisServer::start);
    let redis_url = redis.as_ref().map(RedisServer::url);
    let port = free_port();
    let server = start_server(a, dir, port, redis_url.as_deref())?;
    let pid = server.child.id();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average {}",
        load.split_whitespace().next().unwrap_or("?")
    );
    println!(
        "server: {} (pid {pid}) on 127.0.0.1:{port}, fair with {} participants, lobby in {}; open-file limit {limit}",
        a.server.display(),
        fair.participants().count(),
        redis_url.as_deref().unwrap_or("memory"),
    );
    // Let start-up allocations and the first scheduler ticks settle.
    std::thread::sleep(Duration::from_secs(3));
    let before = sample(pid).ok_or("cannot read the server's /proc entry")?;
    println!(
        "before: VmRSS {} KiB (RssAnon {} KiB), {} threads",
        before.rss_kib, before.anon_kib, before.threads
    );

    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let counts = Arc::new(Counts::default());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let first_error = Arc::new(std::sync::Mutex::new(None));
    let url = format!("ws://127.0.0.1:{port}/ws/lobby");
    let opening = Instant::now();
    let handles: Vec<_> = {
        let gate = Arc::new(tokio::sync::Semaphore::new(a.concurrency));
        tokens
            .into_iter()
            .map(|token| {
                rt.spawn(hold(
                    url.clone(),
                    token,
                    gate.clone(),
                    counts.clone(),
                    stop_rx.clone(),
                    first_error.clone(),
                ))
            })
            .collect()
    };
    let deadline = Instant::now() + CONNECT_DEADLINE;
    loop {
        let ready = counts.ready.load(Ordering::Relaxed);
        let failed = counts.failed.load(Ordering::Relaxed);
        if ready + failed >= a.connections || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let opened_in = opening.elapsed();
    let ready = counts.ready.load(Ordering::Relaxed);
    let failed = counts.failed.load(Ordering::Relaxed);
    println!(
        "opened {ready} of {} lobby connections{} in {:.1} s ({failed} failed{})",
        a.connections,
        if a.hello {
            ", each after hello as its own vendor"
        } else {
            " without hello"
        },
        opened_in.as_secs_f64(),
        first_error
            .lock()
            .expect("lock")
            .as_ref()
            .map(|e| format!("; first: {e}"))
            .unwrap_or_default()
    );

    // Idle: sample once a second.
    let settle_start = sample(pid).ok_or("the server exited")?;
    let mut last = settle_start;
    let mut peak_rss = last.rss_kib;
    let secs = a.settle.as_secs().max(1);
    for s in 1..=secs {
        std::thread::sleep(Duration::from_secs(1));
        last = sample(pid).ok_or("the server exited")?;
        peak_rss = peak_rss.max(last.rss_kib);
        if s == 1 || s == secs || s % 5 == 0 {
            let to_redis = redis
                .as_ref()
                .map(|r| {
                    let (est, tw) = sockets_to(r.port());
                    format!("; sockets to Redis: {est} open, {tw} in TIME_WAIT")
                })
                .unwrap_or_default();
            println!(
                "  +{s:>3} s idle: VmRSS {} KiB, {} connections open{to_redis}",
                last.rss_kib,
                ready - counts.dropped.load(Ordering::Relaxed)
            );
        }
    }
    let dropped = counts.dropped.load(Ordering::Relaxed);
    let open = ready - dropped;
    let ticks_per_s = 100.0; // USER_HZ on Linux
    let cpu = (last.cpu_ticks - settle_start.cpu_ticks) as f64 / ticks_per_s / secs as f64;
    println!(
        "after: VmRSS {} KiB (RssAnon {} KiB, peak VmHWM {} KiB), {} threads; {open} open, {dropped} closed while idle",
        last.rss_kib, last.anon_kib, last.hwm_kib, last.threads
    );
    println!(
        "server CPU while the {open} connections idled: {:.1} % of one core",
        100.0 * cpu
    );
    if open > 0 {
        let per = (last.rss_kib as f64 - before.rss_kib as f64) / open as f64;
        let anon = (last.anon_kib as f64 - before.anon_kib as f64) / open as f64;
        println!(
            "FIGURE lobby WebSocket memory: {per:.1} KiB per idle lobby connection \
             ({open} {}; server VmRSS {} → {} KiB after {secs} s idle; anonymous {anon:.1} KiB each)",
            if a.hello {
                "vendors after hello"
            } else {
                "connections without hello"
            },
            before.rss_kib,
            last.rss_kib,
        );
    }

    // Stop the clients, then the server.
    let _ = stop_tx.send(true);
    rt.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(10), async {
            for h in handles {
                let _ = h.await;
            }
        })
        .await;
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    drop(server);
    drop(redis);
    Ok(())
}
