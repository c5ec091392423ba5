//! A minimal Chrome DevTools Protocol client: launch headless Chromium, open pages, evaluate
//! JavaScript, wait for conditions, take screenshots. Just enough for the browser tests,
//! with no dependency beyond tokio, tokio-tungstenite and serde_json.
//!
//! Everything stays on this machine: the DevTools socket listens on 127.0.0.1, the pages
//! are the test server's on 127.0.0.1, host name resolution is switched off for any other
//! host, and the browser's own background traffic (updates, sync, metrics) is disabled.

use anyhow::{anyhow, bail, Context, Result};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value>>>>>;

/// Where Chromium is unless `CHROMIUM` says otherwise (Debian's `chromium` package).
pub const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// How long one CDP command may take before it counts as lost.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// How long Chromium may take to start and print its DevTools address.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// How many of Chromium's last stderr lines are kept for error messages.
const STDERR_KEEP: usize = 60;

/// The Chromium binary to use: `$CHROMIUM`, else [`DEFAULT_CHROMIUM`]; an error that says how
/// to install it when it is not there.
pub fn chromium_path() -> Result<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMIUM));
    if !path.is_file() {
        bail!(
            "Chromium not found at {}; install it with `apt-get install -y chromium` \
             (the test suite needs it)",
            path.display()
        );
    }
    Ok(path)
}

/// The command-line flags of a test browser: headless, fake camera and microphone granted
/// without a prompt, and no traffic to any host but this one.
pub fn chromium_args(user_data_dir: &Path) -> Vec<String> {
    [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        "--remote-debugging-port=0",
        // Beyond the essentials: no other host is ever resolved, WebRTC may use loopback
        // candidates (so a call connects on a machine with no other interface), background
        // tabs are not throttled (two pages of one browser are both "in front"), and the
        // profile lives in /tmp rather than a small /dev/shm.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--allow-loopback-in-peer-connection",
        "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
        "--disable-renderer-backgrounding",
        "--disable-features=MediaRouter,OptimizationHints,Translate",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        format!("--user-data-dir={}", user_data_dir.display()),
        "about:blank".to_string(),
    ])
    .collect()
}

/// The connection to the browser: numbered requests, answers routed back by id.
struct Conn {
    sink: tokio::sync::Mutex<SplitSink<Ws, Message>>,
    pending: Pending,
    next_id: AtomicU64,
}

impl Conn {
    async fn call(&self, method: &str, params: Value, session: Option<&str>) -> Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = Value::String(s.to_string());
        }
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let sent = self
            .sink
            .lock()
            .await
            .send(Message::Text(msg.to_string().into()))
            .await;
        if let Err(e) = sent {
            self.pending.lock().unwrap().remove(&id);
            return Err(anyhow!("CDP {method}: sending failed: {e}"));
        }
        match tokio::time::timeout(CALL_TIMEOUT, rx).await {
            Ok(Ok(answer)) => answer.with_context(|| format!("CDP {method}")),
            Ok(Err(_)) => bail!("CDP {method}: the browser connection closed"),
            Err(_) => {
                self.pending.lock().unwrap().remove(&id);
                bail!("CDP {method}: no answer within {CALL_TIMEOUT:?}")
            }
        }
    }
}

/// A headless Chromium with its own fresh profile, killed and cleaned up on drop.
pub struct Browser {
    conn: Arc<Conn>,
    child: Child,
    user_data_dir: PathBuf,
    stderr: Arc<Mutex<VecDeque<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// One tab, reached through a flattened CDP session.
pub struct Page {
    conn: Arc<Conn>,
    pub target_id: String,
    pub session_id: String,
}

fn fresh_dir() -> Result<PathBuf> {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "sangdam-chromium-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

impl Browser {
    /// Starts Chromium (see [`chromium_path`] and [`chromium_args`]) and connects to it.
    pub async fn launch() -> Result<Browser> {
        Self::launch_with(&[]).await
    }

    /// As [`Browser::launch`], with `extra` flags after the usual ones.
    pub async fn launch_with(extra: &[&str]) -> Result<Browser> {
        let path = chromium_path()?;
        let user_data_dir = fresh_dir()?;
        let mut child = match Command::new(&path)
            .args(chromium_args(&user_data_dir))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&user_data_dir);
                bail!("starting {}: {e}", path.display());
            }
        };
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let mut lines = BufReader::new(child.stderr.take().expect("stderr is piped")).lines();

        // Read stderr until the DevTools address; keep what came before for error messages.
        let found = tokio::time::timeout(LAUNCH_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.split("DevTools listening on ").nth(1) {
                    return Ok(Some(rest.trim().to_string()));
                }
                keep(&stderr, line);
            }
            Ok::<_, std::io::Error>(None)
        })
        .await;
        let ws_url = match found {
            Ok(Ok(Some(url))) => url,
            other => {
                let why = match other {
                    Err(_) => format!("no DevTools address within {LAUNCH_TIMEOUT:?}"),
                    Ok(Err(e)) => format!("reading its stderr failed: {e}"),
                    _ => "it exited before printing a DevTools address".to_string(),
                };
                let _ = child.kill().await;
                let _ = std::fs::remove_dir_all(&user_data_dir);
                bail!(
                    "Chromium at {} did not start: {why}\n--- its stderr ---\n{}",
                    path.display(),
                    tail(&stderr)
                );
            }
        };
        if !ws_url.starts_with("ws://127.0.0.1:") {
            let _ = child.kill().await;
            let _ = std::fs::remove_dir_all(&user_data_dir);
            bail!("Chromium's DevTools address is not on 127.0.0.1: {ws_url}");
        }

        // Keep draining stderr so Chromium never blocks on a full pipe.
        let drain = {
            let stderr = stderr.clone();
            tokio::spawn(async move {
                while let Ok(Some(line)) = lines.next_line().await {
                    keep(&stderr, line);
                }
            })
        };

        let mut config = WebSocketConfig::default();
        config.max_message_size = Some(256 << 20);
        config.max_frame_size = Some(256 << 20);
        let ws = match tokio_tungstenite::connect_async_with_config(&ws_url, Some(config), false)
            .await
        {
            Ok((ws, _)) => ws,
            Err(e) => {
                drain.abort();
                let _ = child.kill().await;
                let _ = std::fs::remove_dir_all(&user_data_dir);
                bail!("connecting to Chromium's DevTools at {ws_url}: {e}");
            }
        };
        let (sink, mut stream) = ws.split();
        let pending: Pending = Arc::default();
        let reader = {
            let pending = pending.clone();
            tokio::spawn(async move {
                while let Some(Ok(msg)) = stream.next().await {
                    let text = match msg {
                        Message::Text(t) => t,
                        Message::Close(_) => break,
                        _ => continue,
                    };
                    let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                        continue;
                    };
                    // Answers carry an id; events (with a method and no id) are ignored.
                    let Some(id) = v.get("id").and_then(Value::as_u64) else {
                        continue;
                    };
                    let Some(tx) = pending.lock().unwrap().remove(&id) else {
                        continue;
                    };
                    let answer = match v.get("error") {
                        Some(err) => Err(anyhow!("error from the browser: {err}")),
                        None => Ok(v.get("result").cloned().unwrap_or(Value::Null)),
                    };
                    let _ = tx.send(answer);
                }
                // Whoever still waits learns that the connection is gone.
                pending.lock().unwrap().clear();
            })
        };
        Ok(Browser {
            conn: Arc::new(Conn {
                sink: tokio::sync::Mutex::new(sink),
                pending,
                next_id: AtomicU64::new(1),
            }),
            child,
            user_data_dir,
            stderr,
            tasks: vec![drain, reader],
        })
    }

    /// A browser-level CDP command.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.conn.call(method, params, None).await
    }

    /// Opens a new tab at `url` and attaches to it.
    pub async fn new_page(&self, url: &str) -> Result<Page> {
        let created = self
            .call("Target.createTarget", json!({"url": url}))
            .await?;
        let target_id = created["targetId"]
            .as_str()
            .ok_or_else(|| anyhow!("Target.createTarget gave no targetId: {created}"))?
            .to_string();
        let attached = self
            .call(
                "Target.attachToTarget",
                json!({"targetId": target_id, "flatten": true}),
            )
            .await?;
        let session_id = attached["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("Target.attachToTarget gave no sessionId: {attached}"))?
            .to_string();
        let page = Page {
            conn: self.conn.clone(),
            target_id,
            session_id,
        };
        // Init scripts (`add_init_script`) and navigation need the Page domain on.
        page.call("Page.enable", json!({})).await?;
        Ok(page)
    }

    /// Chromium's last lines on stderr, for diagnosing a failure.
    pub fn stderr_tail(&self) -> String {
        tail(&self.stderr)
    }

    /// Closes the browser politely, waits for it to exit, and removes its profile.
    pub async fn close(mut self) -> Result<()> {
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            self.conn.call("Browser.close", json!({}), None),
        )
        .await;
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
        Ok(())
        // Drop removes the profile directory.
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        // Kill it if still running, give it a moment to let go of its files, then remove
        // the profile.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.start_kill();
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        for _ in 0..5 {
            match std::fs::remove_dir_all(&self.user_data_dir) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                // A helper process may still be writing; try again shortly.
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

fn keep(buf: &Mutex<VecDeque<String>>, line: String) {
    let mut b = buf.lock().unwrap();
    if b.len() == STDERR_KEEP {
        b.pop_front();
    }
    b.push_back(line);
}

fn tail(buf: &Mutex<VecDeque<String>>) -> String {
    buf.lock()
        .unwrap()
        .iter()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

impl Page {
    /// A CDP command in this page's session.
    pub async fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.conn.call(method, params, Some(&self.session_id)).await
    }

    /// Navigates this tab to `url` and waits for the navigation to be committed.
    pub async fn goto(&self, url: &str) -> Result<()> {
        let r = self.call("Page.navigate", json!({"url": url})).await?;
        if let Some(err) = r.get("errorText").and_then(Value::as_str) {
            bail!("navigating to {url}: {err}");
        }
        Ok(())
    }

    /// Runs `js` at the start of every document this tab loads from now on, before the
    /// page's own scripts.
    pub async fn add_init_script(&self, js: &str) -> Result<()> {
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": js}),
        )
        .await?;
        Ok(())
    }

    /// Clicks the first element matching the CSS `selector` with real mouse events at its
    /// centre, as a user would: it must exist, be visible and be enabled. The tab is brought
    /// to the front first.
    pub async fn click(&self, selector: &str) -> Result<()> {
        let sel = serde_json::to_string(selector)?;
        let js = format!(
            "(() => {{ const el = document.querySelector({sel}); if (!el) return 'missing'; \
             if (el.disabled) return 'disabled'; el.scrollIntoView({{block: 'center'}}); \
             const r = el.getBoundingClientRect(); \
             if (r.width === 0 || r.height === 0) return 'invisible'; \
             return {{x: r.left + r.width / 2, y: r.top + r.height / 2}}; }})()"
        );
        // Input goes to the tab in front; a tab behind gets it only after a long delay.
        self.call("Page.bringToFront", json!({})).await?;
        let at = self.eval(&js).await?;
        let (Some(x), Some(y)) = (at["x"].as_f64(), at["y"].as_f64()) else {
            bail!("cannot click `{selector}`: {at}");
        };
        for (kind, button, count) in [
            ("mouseMoved", "none", 0),
            ("mousePressed", "left", 1),
            ("mouseReleased", "left", 1),
        ] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": button, "clickCount": count}),
            )
            .await?;
        }
        Ok(())
    }

    /// Evaluates `js` in the page (awaiting a promise it returns) and gives its value as JSON;
    /// an exception in the page is an error.
    pub async fn eval(&self, js: &str) -> Result<Value> {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": js, "awaitPromise": true, "returnByValue": true}),
            )
            .await?;
        if let Some(ex) = r.get("exceptionDetails") {
            let text = ex["exception"]["description"]
                .as_str()
                .or_else(|| ex["text"].as_str())
                .unwrap_or("exception");
            bail!("JavaScript threw: {text}\n  in: {js}");
        }
        Ok(r["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// Polls `predicate` (a JavaScript expression) every 100 ms until it is truthy; an error
    /// after `timeout`, naming the predicate and its last value. An exception while polling
    /// counts as "not yet" (the page may be navigating).
    pub async fn wait_for(&self, predicate: &str, timeout: Duration) -> Result<Value> {
        let start = Instant::now();
        loop {
            let last = match self.eval(predicate).await {
                Ok(v) if truthy(&v) => return Ok(v),
                Ok(v) => v,
                Err(e) => Value::String(format!("{e:#}")),
            };
            if start.elapsed() >= timeout {
                bail!("timed out after {timeout:?} waiting for `{predicate}`; last value: {last}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Brings the tab to the front and saves a PNG screenshot of its viewport to `path`
    /// (creating its directory).
    pub async fn screenshot(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        // A tab behind another may not have painted its latest frame.
        self.call("Page.bringToFront", json!({})).await?;
        let r = self
            .call("Page.captureScreenshot", json!({"format": "png"}))
            .await?;
        let data = r["data"]
            .as_str()
            .ok_or_else(|| anyhow!("Page.captureScreenshot gave no data"))?;
        let png = base64_decode(data)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// JavaScript's truthiness, for values that came back as JSON.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Standard base64 (RFC 4648, with or without padding; whitespace ignored).
pub fn base64_decode(s: &str) -> Result<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (i, c) in s.bytes().enumerate() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        let v = val(c).ok_or_else(|| anyhow!("invalid base64 byte {c:#04x} at {i}"))?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64_decode("Zm9vYg").unwrap(), b"foob");
        assert_eq!(base64_decode("Zm9v\nYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert_eq!(base64_decode("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
        assert!(base64_decode("Zm9v!").is_err());
    }

    #[test]
    fn truthiness_follows_javascript() {
        assert!(!truthy(&Value::Null));
        assert!(!truthy(&json!(0)));
        assert!(!truthy(&json!("")));
        assert!(truthy(&json!("x")));
        assert!(truthy(&json!({})));
        assert!(truthy(&json!(1.5)));
    }
}
