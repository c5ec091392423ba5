//! `first-frame`: with a booked buyer's and vendor's pages open before their slot, how long
//! from the slot start until each side shows the other's first video frame (issue 12,
//! item 6: the target is 0.5 s) — on one node, and on two nodes sharing a private Redis
//! (the buyer on node A, the vendor on node B; a fresh `redis-server` each run).
//!
//! ```sh
//! cargo run --release -p sangdam-tests --bin first-frame              # 5 runs a setup
//! cargo run --release -p sangdam-tests --bin first-frame -- --runs 9
//! cargo run --release -p sangdam-tests --bin first-frame -- --relay   # relay-only ICE
//! ```
//!
//! Each run builds a fresh fair whose live slot starts `--lead-s` seconds from now (check-in
//! is already open), starts the real server ([`OwnRuntime`]: the tests' way, each node
//! on its own tokio runtime in this process), and opens two tabs of one headless Chromium
//! (fake camera and microphone) with the buyer's and the vendor's invites. The buyer
//! enters the room from the meeting list, as a person would; the vendor's home page does
//! what it does by itself (auto-enter). Neither is touched again.
//!
//! In each tab, a script from the document's start polls the room's peer connection's
//! stats every 25 ms and notes `Date.now()` once a remote video frame has been decoded;
//! the slot start is the server's (the same machine's wall clock). A run's figure per side is
//! first frame − slot start; the run's "both" figure is the later of the two. `FIGURE`
//! lines (medians, and every run) come last.
//!
//! `--relay` starts the servers with `SANGDAM_WEBRTC__ICE_TRANSPORT_POLICY=relay` (the
//! settings layer reads it as the environment would): the browsers then use only relayed
//! candidates, which needs the embedded TURN. A build without that setting refuses to
//! start and the tool says so.

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;
use sangdam_server::app::settings::{Secret, Settings, Sources};
use sangdam_signaling::Timestamp;
use sangdam_tests::app::{test_fair_at, test_settings, OwnRuntime, TestApp, BUYER_1, VENDOR_1};
use sangdam_tests::cdp::{Browser, Page};
use sangdam_tests::redis_server::RedisServer;
use std::time::Duration;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "first-frame",
    about = "Slot start → first remote video frame in Chromium, booked pair with pages open \
             before the slot; one node and two nodes on Redis; prints FIGURE lines"
)]
struct Args {
    /// Runs per setup.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Seconds from building the fair to its slot start (pages load and settle meanwhile).
    #[arg(long, default_value_t = 10)]
    lead_s: u64,
    /// Only the one-node setup (no Redis needed).
    #[arg(long)]
    one_node: bool,
    /// Relay-only ICE (`SANGDAM_WEBRTC__ICE_TRANSPORT_POLICY=relay`): needs the TURN.
    #[arg(long)]
    relay: bool,
}

/// At the start of every document: every 25 ms, while the page has a room peer connection
/// (`window.sangdam.pc()`), look at its stats and note `Date.now()` (`window.__firstFrame`)
/// once a remote video frame has been decoded. (Decoding is counted rather than painting:
/// a tab in the background of a headless browser decodes but may not paint.)
const FRAME_HOOK: &str = r#"
window.__firstFrame = null;
(async () => {
  while (window.__firstFrame === null) {
    await new Promise((r) => setTimeout(r, 25));
    const pc = window.sangdam && window.sangdam.pc && window.sangdam.pc();
    if (!pc) continue;
    try {
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && (r.framesDecoded || 0) > 0 && window.__firstFrame === null) window.__firstFrame = Date.now();
      });
    } catch (_) {}
  }
})();
"#;

/// The buyer's enter button for `live-1` is there and enabled.
const ENTER_READY: &str = r#"(() => {
  const b = document.querySelector('tr[data-meeting="live-1"] button');
  return !!b && !b.disabled;
})()"#;

/// Starts one node ([`OwnRuntime`]), with relay-only ICE if asked.
fn start_node(
    name: &str,
    redis: Option<&RedisServer>,
    relay: bool,
    fair: sangdam_signaling::Fair,
) -> Result<OwnRuntime> {
    let mut s = if relay {
        let env = vec![(
            "SANGDAM_WEBRTC__ICE_TRANSPORT_POLICY".to_string(),
            "relay".to_string(),
        )];
        let loaded = Settings::load(&Sources { file: None, env }).map_err(|e| {
            anyhow!("--relay: this build's settings refuse the ICE transport policy ({e}); it needs the embedded TURN")
        })?;
        let base = test_settings();
        Settings {
            server: base.server,
            auth: base.auth,
            records: base.records,
            ..loaded
        }
    } else {
        test_settings()
    };
    if let Some(r) = redis {
        s.redis.url = Secret::new(r.url());
    }
    Ok(OwnRuntime::start(name, s, fair)?)
}

/// One run's figures: each side's slot start → first frame, in ms.
#[derive(Clone, Copy, Debug)]
struct Run {
    buyer: f64,
    vendor: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

async fn open(browser: &Browser, url: &str) -> Result<Page> {
    let page = browser.new_page("about:blank").await?;
    page.add_init_script(FRAME_HOOK).await?;
    page.goto(url).await?;
    Ok(page)
}

fn invite(app: &TestApp, who: &str) -> String {
    format!("{}/#token={}", app.base_url, app.token(who))
}

/// The nodes of one run: node A, and node B on two nodes (the vendor's).
fn start_nodes(
    args: &Args,
    redis: Option<&RedisServer>,
) -> Result<(Timestamp, OwnRuntime, Option<OwnRuntime>)> {
    let start = sangdam_tests::app::now() + Duration::from_secs(args.lead_s);
    let fair = test_fair_at(start, Duration::from_secs(20 * 60));
    let a = start_node("A", redis, args.relay, fair.clone())?;
    let b = match redis {
        Some(r) => Some(start_node("B", Some(r), args.relay, fair)?),
        None => None,
    };
    Ok((start, a, b))
}

/// One run: the buyer's page on `buyer_app`, the vendor's on `vendor_app`.
async fn one_run(start: Timestamp, buyer_app: &TestApp, vendor_app: &TestApp) -> Result<Run> {
    let browser = Browser::launch().await?;
    let result = async {
        let buyer = open(&browser, &invite(buyer_app, BUYER_1)).await?;
        let vendor = open(&browser, &invite(vendor_app, VENDOR_1)).await?;
        buyer
            .wait_for(ENTER_READY, Duration::from_secs(20))
            .await
            .context("the buyer's enter button")?;
        buyer.click("tr[data-meeting=\"live-1\"] button").await?;
        let left = start.since(sangdam_tests::app::now());
        if left < Duration::from_secs(2) {
            bail!(
                "the pages took too long to load: {left:?} before the slot start; raise --lead-s"
            );
        }
        let mut got = [None, None];
        let deadline = tokio::time::Instant::now() + left + Duration::from_secs(30);
        while got.iter().any(Option::is_none) {
            for (i, page) in [&buyer, &vendor].into_iter().enumerate() {
                if got[i].is_none() {
                    if let Some(t) = page.eval("window.__firstFrame").await?.as_f64() {
                        got[i] = Some(t - start.as_millis() as f64);
                    }
                }
            }
            if tokio::time::Instant::now() > deadline {
                bail!("no first frame on both sides 30 s after the slot start: {got:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Run {
            buyer: got[0].unwrap_or(f64::NAN),
            vendor: got[1].unwrap_or(f64::NAN),
        })
    }
    .await;
    let tail = browser.stderr_tail();
    browser.close().await.ok();
    result.map_err(|e| e.context(format!("Chromium's stderr (last lines):\n{tail}")))
}

fn report(setup: &str, runs: &[Run]) {
    let b: Vec<f64> = runs.iter().map(|r| r.buyer).collect();
    let v: Vec<f64> = runs.iter().map(|r| r.vendor).collect();
    let both: Vec<f64> = runs.iter().map(|r| r.buyer.max(r.vendor)).collect();
    let list = |x: &[f64]| {
        x.iter()
            .map(|t| format!("{t:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "FIGURE first-frame {setup}: slot start → first remote frame, median of {} runs: \
         both sides {:.0} ms (buyer {:.0} ms, vendor {:.0} ms); runs (later side) [{}] ms",
        runs.len(),
        median(both.clone()),
        median(b),
        median(v),
        list(&both)
    );
}

fn main() -> Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let ice = if args.relay { "relay-only" } else { "direct" };
    let mut setups: Vec<(String, Vec<Run>)> = Vec::new();
    for two in [false, true] {
        if two && args.one_node {
            continue;
        }
        let name = if two {
            format!("two nodes on Redis, {ice}")
        } else {
            format!("one node, {ice}")
        };
        let mut runs = Vec::new();
        for i in 0..args.runs {
            // A fresh Redis each run: the fair's ids are the same every run.
            let redis = two.then(RedisServer::start);
            let (start, a, b) = start_nodes(&args, redis.as_ref())?;
            let vendor_app = b.as_ref().map_or(&a.app, |b| &b.app);
            let r = rt.block_on(one_run(start, &a.app, vendor_app));
            a.stop();
            if let Some(b) = b {
                b.stop();
            }
            let r = r?;
            eprintln!(
                "{name}: run {}: buyer {:.0} ms, vendor {:.0} ms",
                i + 1,
                r.buyer,
                r.vendor
            );
            runs.push(r);
        }
        setups.push((name, runs));
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: {} CPUs, load {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (name, runs) in &setups {
        report(name, runs);
    }
    Ok(())
}
