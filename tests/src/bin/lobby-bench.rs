//! `lobby-bench`: lobby operations per second against a private local Redis, printed beside
//! `redis-benchmark`'s figures for SET and GET on the same server in the same run.
//!
//! ```sh
//! cargo run --release -p sangdam-tests --bin lobby-bench
//! cargo run --release -p sangdam-tests --bin lobby-bench -- --tasks 16 --rounds 3
//! ```
//!
//! It starts its own `redis-server` on a free port of 127.0.0.1 (nothing saved to disk),
//! builds a `RedisLobby` over a synthetic fair (walk-in booths and vendors, no bookings) and
//! repeats rounds of three phases, each run by `--tasks` concurrent tasks:
//!
//! 1. check-in: every vendor checks in as a walk-in at `--places` booths picked at random;
//! 2. position: every vendor reads their places (`vendor_view`) twice, as the lobby socket
//!    does every second;
//! 3. admit: every booth lets its vendors in one by one (`AdmitNext`, then `Finish` of the
//!    walk-in room) until nobody waits; admission takes the vendor out of their other
//!    queues, so the lobby is empty again at the end of the round.
//!
//! Every phase stops at its item count or after `--phase-seconds`, whichever comes first,
//! and the run stops starting rounds after `--max-seconds`. Then it runs
//! `redis-benchmark -n 100000 -c 32 -t set,get` against the same server and prints
//! `FIGURE` lines with the ratio. The same workload against the in-memory store follows as
//! a reference (the cost of the rules alone). Nothing here is a test: it only prints.

use sangdam_server::lobby::store::{LobbyStore, MemoryLobby, RedisLobby, StoreError};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType,
};
use sangdam_signaling::live::lobby::{LobbyError, LobbyEvent, LobbyOp, LobbyPolicy};
use sangdam_signaling::{
    EnterpriseId, Fair, InstitutionId, Participant, ParticipantId, Role, Round,
};
use sangdam_tests::redis_server::RedisServer;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const USAGE: &str = "lobby-bench [--booths N] [--vendors N] [--places N] [--tasks N] \
[--rounds N] [--phase-seconds S] [--max-seconds S] [--bench-requests N] [--no-memory]";

struct Args {
    booths: usize,
    vendors: usize,
    places: usize,
    tasks: usize,
    rounds: usize,
    phase_cap: Duration,
    max_run: Duration,
    bench_requests: u64,
    memory_reference: bool,
}

impl Args {
    fn parse() -> Result<Args, String> {
        let mut a = Args {
            booths: 200,
            vendors: 2000,
            places: 2,
            tasks: 32,
            rounds: 5,
            phase_cap: Duration::from_secs(30),
            max_run: Duration::from_secs(120),
            bench_requests: 100_000,
            memory_reference: true,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            if flag == "--no-memory" {
                a.memory_reference = false;
                continue;
            }
            if flag == "--help" || flag == "-h" {
                return Err(USAGE.into());
            }
            let value = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            let n: u64 = value
                .parse()
                .map_err(|_| format!("{flag}: not a number: {value}\n{USAGE}"))?;
            match flag.as_str() {
                "--booths" => a.booths = n as usize,
                "--vendors" => a.vendors = n as usize,
                "--places" => a.places = n as usize,
                "--tasks" => a.tasks = n as usize,
                "--rounds" => a.rounds = n as usize,
                "--phase-seconds" => a.phase_cap = Duration::from_secs(n),
                "--max-seconds" => a.max_run = Duration::from_secs(n),
                "--bench-requests" => a.bench_requests = n,
                _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
            }
        }
        if a.booths == 0 || a.vendors == 0 || a.tasks == 0 || a.rounds == 0 {
            return Err(format!("counts must be at least 1\n{USAGE}"));
        }
        if a.places == 0 || a.places > a.booths {
            return Err(format!("--places must be between 1 and --booths\n{USAGE}"));
        }
        // Bounds, so a typo cannot start an endless run.
        a.phase_cap = a.phase_cap.min(Duration::from_secs(300));
        a.max_run = a.max_run.min(Duration::from_secs(900));
        a.bench_requests = a.bench_requests.clamp(1_000, 10_000_000);
        a.tasks = a.tasks.min(1024);
        Ok(a)
    }
}

/// A tiny deterministic generator (splitmix64), so every run uses the same queues.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn id<T: TryFrom<String>>(s: String) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s).expect("generated ids are valid")
}

/// The fair the bench runs over: `booths` institutions, `vendors` enterprises with one
/// vendor each, one round a week away and no booked meetings (everyone is a walk-in).
struct Bench {
    fair: Arc<Fair>,
    booths: Vec<InstitutionId>,
    vendors: Vec<(ParticipantId, EnterpriseId)>,
    /// Check-ins of one round: (vendor index, booth index), place-major.
    check_ins: Vec<(usize, usize)>,
}

impl Bench {
    fn new(a: &Args) -> Bench {
        let booths: Vec<InstitutionId> = (0..a.booths).map(|i| id(format!("i{i:05}"))).collect();
        let vendors: Vec<(ParticipantId, EnterpriseId)> = (0..a.vendors)
            .map(|v| (id(format!("p-v-e{v:05}")), id(format!("e{v:05}"))))
            .collect();
        let parts = FairParts {
            rounds: vec![Round {
                id: id("r1".into()),
                number: 1,
                theme: "벤치마크".into(),
                starts_at: sangdam_server::app::clock::now() + Duration::from_secs(7 * 24 * 3600),
                slot_len: Duration::from_secs(20 * 60),
                break_len: Duration::from_secs(10 * 60),
                slots: 8,
            }],
            institutions: booths
                .iter()
                .enumerate()
                .map(|(i, b)| Institution {
                    id: b.clone(),
                    name: format!("벤치마크 기관 {i}"),
                    kind: InstitutionType::District,
                })
                .collect(),
            enterprises: vendors
                .iter()
                .enumerate()
                .map(|(i, (_, e))| Enterprise {
                    id: e.clone(),
                    name: format!("벤치마크 기업 {i}"),
                    kind: EnterpriseType::Cooperative,
                })
                .collect(),
            participants: vendors
                .iter()
                .enumerate()
                .map(|(i, (p, e))| Participant {
                    id: p.clone(),
                    name: format!("판매자 {i}"),
                    role: Role::Vendor,
                    affiliation: Affiliation::Enterprise(e.clone()),
                })
                .collect(),
            meetings: vec![],
        };
        let fair = Fair::new(id("lobby-bench".into()), "lobby-bench", parts).expect("valid fair");
        let mut mix = Mix(0x5A6D_A4B3);
        let mut chosen: Vec<Vec<usize>> = Vec::with_capacity(a.vendors);
        for _ in 0..a.vendors {
            let mut mine = Vec::with_capacity(a.places);
            while mine.len() < a.places {
                let b = (mix.next() % a.booths as u64) as usize;
                if !mine.contains(&b) {
                    mine.push(b);
                }
            }
            chosen.push(mine);
        }
        let check_ins = (0..a.places)
            .flat_map(|p| chosen.iter().enumerate().map(move |(v, bs)| (v, bs[p])))
            .collect();
        Bench {
            fair: Arc::new(fair),
            booths,
            vendors,
            check_ins,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    CheckIn,
    Position,
    Admit,
    Finish,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::CheckIn, Kind::Position, Kind::Admit, Kind::Finish];

    fn name(self) -> &'static str {
        match self {
            Kind::CheckIn => "check-in",
            Kind::Position => "position",
            Kind::Admit => "admit",
            Kind::Finish => "finish",
        }
    }
}

/// What one task saw: latencies in microseconds, refusals and failures.
#[derive(Default)]
struct Seen {
    lat: BTreeMap<Kind, Vec<u32>>,
    errors: BTreeMap<Kind, u64>,
    first_error: Option<String>,
    /// `AdmitNext` answered `nobody_waiting`: the booth is done (not counted as an admit).
    empty_admits: u64,
}

impl Seen {
    fn record(&mut self, kind: Kind, took: Duration) {
        let us = took.as_micros().min(u32::MAX as u128) as u32;
        self.lat.entry(kind).or_default().push(us);
    }

    fn error(&mut self, kind: Kind, e: &StoreError) {
        *self.errors.entry(kind).or_default() += 1;
        if self.first_error.is_none() {
            self.first_error = Some(format!("{}: {e}", kind.name()));
        }
    }

    fn merge(&mut self, other: Seen) {
        for (k, v) in other.lat {
            self.lat.entry(k).or_default().extend(v);
        }
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
        self.first_error = self.first_error.take().or(other.first_error);
        self.empty_admits += other.empty_admits;
    }
}

/// Totals of one store's run.
#[derive(Default)]
struct Totals {
    seen: Seen,
    /// Wall time of the phases of each kind (admit and finish share the admit phase).
    wall: BTreeMap<Kind, Duration>,
    /// Redis commands seen during the phases of each kind (Redis store only).
    commands: BTreeMap<Kind, BTreeMap<String, u64>>,
    rounds: usize,
    cut_short: bool,
}

impl Totals {
    fn ops(&self, k: Kind) -> usize {
        self.seen.lat.get(&k).map_or(0, Vec::len)
    }

    fn per_second(&self, k: Kind) -> f64 {
        let wall = match k {
            Kind::Finish => Kind::Admit,
            k => k,
        };
        let secs = self.wall.get(&wall).map_or(0.0, Duration::as_secs_f64);
        if secs > 0.0 {
            self.ops(k) as f64 / secs
        } else {
            0.0
        }
    }

    fn percentile(&mut self, k: Kind, p: f64) -> f64 {
        let Some(v) = self.seen.lat.get_mut(&k) else {
            return 0.0;
        };
        if v.is_empty() {
            return 0.0;
        }
        v.sort_unstable();
        let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
        v[i] as f64 / 1000.0
    }
}

/// Runs `work` over `items` with `tasks` tasks, each taking the next item until none are
/// left or `until` has passed. Returns what the tasks saw and whether time ran out.
async fn phase<T, F, Fut>(tasks: usize, items: Vec<T>, until: Instant, work: F) -> (Seen, bool)
where
    T: Send + Sync + 'static,
    F: Fn(Arc<Vec<T>>, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Seen> + Send + 'static,
{
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let mut handles = Vec::with_capacity(tasks);
    for _ in 0..tasks {
        let (items, next, work) = (items.clone(), next.clone(), work.clone());
        handles.push(tokio::spawn(async move {
            let mut seen = Seen::default();
            loop {
                if Instant::now() >= until {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                seen.merge(work(items.clone(), i).await);
            }
            seen
        }));
    }
    let mut all = Seen::default();
    for h in handles {
        all.merge(h.await.expect("bench task"));
    }
    let cut = next.load(Ordering::Relaxed) < items.len();
    (all, cut)
}

/// `INFO commandstats` as command → calls.
async fn command_calls(con: &mut redis::aio::MultiplexedConnection) -> BTreeMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(con)
        .await
        .unwrap_or_default();
    info.lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_string(), calls))
        })
        .filter(|(name, _)| name != "info")
        .collect()
}

async fn run(
    store: Arc<dyn LobbyStore>,
    bench: &Bench,
    a: &Args,
    mut redis_con: Option<redis::aio::MultiplexedConnection>,
) -> Totals {
    let mut t = Totals::default();
    let started = Instant::now();
    let vendors = Arc::new(bench.vendors.clone());
    let booths = Arc::new(bench.booths.clone());
    for _ in 0..a.rounds {
        if started.elapsed() >= a.max_run {
            t.cut_short = true;
            break;
        }
        for kind in [Kind::CheckIn, Kind::Position, Kind::Admit] {
            let before = match redis_con.as_mut() {
                Some(c) => Some(command_calls(c).await),
                None => None,
            };
            let until = Instant::now() + a.phase_cap;
            let began = Instant::now();
            let (seen, cut) = match kind {
                Kind::CheckIn => {
                    let (store, vendors, booths) = (store.clone(), vendors.clone(), booths.clone());
                    phase(a.tasks, bench.check_ins.clone(), until, move |items, i| {
                        let (store, vendors, booths) =
                            (store.clone(), vendors.clone(), booths.clone());
                        async move {
                            let (v, b) = items[i];
                            let (vendor, enterprise) = vendors[v].clone();
                            let op = LobbyOp::CheckIn {
                                vendor,
                                enterprise,
                                booth: booths[b].clone(),
                                booking: None,
                            };
                            let mut seen = Seen::default();
                            let t0 = Instant::now();
                            match store.apply(op, sangdam_server::app::clock::now()).await {
                                Ok(_) => seen.record(Kind::CheckIn, t0.elapsed()),
                                Err(e) => seen.error(Kind::CheckIn, &e),
                            }
                            seen
                        }
                    })
                    .await
                }
                Kind::Position => {
                    let (store, vendors) = (store.clone(), vendors.clone());
                    let reads: Vec<usize> = (0..2).flat_map(|_| 0..bench.vendors.len()).collect();
                    phase(a.tasks, reads, until, move |items, i| {
                        let (store, vendors) = (store.clone(), vendors.clone());
                        async move {
                            let vendor = vendors[items[i]].0.clone();
                            let mut seen = Seen::default();
                            let t0 = Instant::now();
                            match store
                                .vendor_view(vendor, sangdam_server::app::clock::now())
                                .await
                            {
                                Ok(_) => seen.record(Kind::Position, t0.elapsed()),
                                Err(e) => seen.error(Kind::Position, &e),
                            }
                            seen
                        }
                    })
                    .await
                }
                Kind::Admit | Kind::Finish => {
                    let (store, booths) = (store.clone(), booths.clone());
                    let all: Vec<usize> = (0..bench.booths.len()).collect();
                    phase(a.tasks, all, until, move |items, i| {
                        let (store, booths) = (store.clone(), booths.clone());
                        async move { admit_all(&*store, &booths[items[i]], until).await }
                    })
                    .await
                }
            };
            *t.wall.entry(kind).or_default() += began.elapsed();
            if let (Some(c), Some(before)) = (redis_con.as_mut(), before) {
                let after = command_calls(c).await;
                let into = t.commands.entry(kind).or_default();
                for (name, n) in after {
                    let d = n - before.get(&name).copied().unwrap_or(0);
                    if d > 0 {
                        *into.entry(name).or_default() += d;
                    }
                }
            }
            t.seen.merge(seen);
            if cut {
                t.cut_short = true;
            }
        }
        t.rounds += 1;
        if t.cut_short {
            // Empty the lobby so a later run starts clean (not timed).
            for (v, _) in bench.vendors.iter() {
                let op = LobbyOp::Leave {
                    vendor: v.clone(),
                    booth: None,
                };
                let _ = store.apply(op, sangdam_server::app::clock::now()).await;
            }
            break;
        }
    }
    t
}

/// Lets everyone waiting at `booth` in, one after the other, each room finished at once.
async fn admit_all(store: &dyn LobbyStore, booth: &InstitutionId, until: Instant) -> Seen {
    let mut seen = Seen::default();
    let mut failures = 0;
    while Instant::now() < until && failures < 10 {
        let t0 = Instant::now();
        let op = LobbyOp::AdmitNext {
            booth: booth.clone(),
        };
        let meeting = match store.apply(op, sangdam_server::app::clock::now()).await {
            Ok(events) => {
                seen.record(Kind::Admit, t0.elapsed());
                events.into_iter().find_map(|e| match e {
                    LobbyEvent::Admitted { admission, .. } => Some(admission.meeting),
                    _ => None,
                })
            }
            Err(StoreError::Lobby(LobbyError::NobodyWaiting)) => {
                seen.empty_admits += 1;
                return seen;
            }
            Err(e) => {
                seen.error(Kind::Admit, &e);
                failures += 1;
                continue;
            }
        };
        let Some(meeting) = meeting else {
            continue;
        };
        loop {
            let t1 = Instant::now();
            let op = LobbyOp::Finish {
                booth: booth.clone(),
                meeting: meeting.clone(),
            };
            match store.apply(op, sangdam_server::app::clock::now()).await {
                Ok(_) => {
                    seen.record(Kind::Finish, t1.elapsed());
                    break;
                }
                Err(e) => {
                    seen.error(Kind::Finish, &e);
                    failures += 1;
                    if failures >= 10 || Instant::now() >= until {
                        return seen;
                    }
                }
            }
        }
    }
    seen
}

fn print_totals(label: &str, t: &mut Totals) {
    println!(
        "{label}: {} round(s){}",
        t.rounds,
        if t.cut_short {
            " (cut short by the time cap)"
        } else {
            ""
        }
    );
    for k in Kind::ALL {
        let (p50, p99, max) = (
            t.percentile(k, 0.50),
            t.percentile(k, 0.99),
            t.percentile(k, 1.0),
        );
        println!(
            "  {:<9} {:>8} ops {:>10.0} ops/s   p50 {:>7.3} ms   p99 {:>7.3} ms   max {:>8.3} ms   errors {}",
            k.name(),
            t.ops(k),
            t.per_second(k),
            p50,
            p99,
            max,
            t.seen.errors.get(&k).copied().unwrap_or(0),
        );
    }
    if let Some(e) = &t.seen.first_error {
        println!("  first error: {e}");
    }
    for (kind, calls) in &t.commands {
        let ops = match kind {
            Kind::Admit => t.ops(Kind::Admit) + t.ops(Kind::Finish) + t.seen.empty_admits as usize,
            k => t.ops(*k),
        }
        .max(1);
        let per: Vec<String> = calls
            .iter()
            .map(|(name, n)| format!("{name} {:.2}", *n as f64 / ops as f64))
            .collect();
        let total: u64 = calls.values().sum();
        println!(
            "  Redis commands per {} op: {:.2} ({})",
            if *kind == Kind::Admit {
                "admit/finish"
            } else {
                kind.name()
            },
            total as f64 / ops as f64,
            per.join(", ")
        );
    }
}

/// `redis-benchmark --csv` on `port`: test name → requests per second. Killed after 120 s.
fn redis_benchmark(port: u16, requests: u64) -> Result<BTreeMap<String, f64>, String> {
    let mut child = Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args([
            "-n",
            &requests.to_string(),
            "-c",
            "32",
            "-t",
            "set,get",
            "--csv",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("redis-benchmark on PATH: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("redis-benchmark did not finish within 120 s".into());
            }
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rps: BTreeMap<String, f64> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.split(',').map(|s| s.trim_matches('"'));
            let name = f.next()?.to_string();
            let rps = f.next()?.parse().ok()?;
            Some((name, rps))
        })
        .collect();
    if rps.is_empty() {
        return Err(format!("no figures in redis-benchmark's output: {text}"));
    }
    Ok(rps)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let n = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{n} vCPU {cpu}")
}

/// The 1-minute load average: other work on the machine skews every figure.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn main() {
    let a = match Args::parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if cfg!(debug_assertions) {
        println!("note: a debug build; figures are for release builds (cargo run --release ...)");
    }
    let bench = Bench::new(&a);
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let redis = RedisServer::start();
    let version = Command::new("redis-server")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!(
        "machine: {}; {version}; load average {}",
        machine(),
        load_average()
    );
    println!(
        "fair: {} booths, {} vendors, each waiting at {} booth(s) as a walk-in; {} concurrent tasks; \
         private redis-server on 127.0.0.1:{}",
        a.booths,
        a.vendors,
        a.places,
        a.tasks,
        redis.port()
    );
    println!(
        "round: {} check-ins, {} position reads, {} admits (each AdmitNext + Finish)",
        bench.check_ins.len(),
        2 * a.vendors,
        a.vendors
    );

    let mut on_redis = rt.block_on(async {
        let store = RedisLobby::new(&redis.url(), bench.fair.clone(), LobbyPolicy::default())
            .expect("redis url");
        let con = redis::Client::open(redis.url())
            .expect("redis url")
            .get_multiplexed_async_connection()
            .await
            .expect("redis answers");
        run(Arc::new(store), &bench, &a, Some(con)).await
    });
    print_totals("Redis store", &mut on_redis);

    let bench_figures = redis_benchmark(redis.port(), a.bench_requests);
    drop(redis);

    let mut in_memory = a.memory_reference.then(|| {
        rt.block_on(async {
            let store = MemoryLobby::new(bench.fair.clone(), LobbyPolicy::default());
            run(Arc::new(store), &bench, &a, None).await
        })
    });
    if let Some(t) = in_memory.as_mut() {
        print_totals("in-memory store (reference: the rules without Redis)", t);
    }

    let rb = match bench_figures {
        Ok(rb) => rb,
        Err(e) => {
            eprintln!("redis-benchmark failed: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "redis-benchmark -n {} -c 32 -t set,get (same server, same run): {}",
        a.bench_requests,
        rb.iter()
            .map(|(k, v)| format!("{k} {v:.0} ops/s"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let figure = |what: &str, unit: &str, kind: Kind, cmd: &str| {
        let x = on_redis.per_second(kind);
        match rb.get(cmd) {
            Some(z) if *z > 0.0 => println!(
                "FIGURE lobby {what}: {x:.0} {unit}/s = {:.1} % of redis-benchmark {cmd} ({z:.0} ops/s)",
                100.0 * x / z
            ),
            _ => println!("FIGURE lobby {what}: {x:.0} {unit}/s (no redis-benchmark {cmd} figure)"),
        }
    };
    println!("load average at the end: {}", load_average());
    figure("check-in", "ops", Kind::CheckIn, "SET");
    figure("position", "ops", Kind::Position, "GET");
    figure("admit (AdmitNext + Finish)", "admits", Kind::Admit, "SET");
}
