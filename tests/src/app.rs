//! `spawn_app`: the server as a user reaches it, on `127.0.0.1:0`, with a fair built for the
//! test relative to now, so each test has its own state.

use sangdam_server::app::settings::{Secret, Settings};
use sangdam_server::app::startup::Application;
use sangdam_server::auth::{Claims, TokenIssuer};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType, MeetingSpec,
};
use sangdam_signaling::{
    Fair, FairId, MeetingId, Participant, ParticipantId, Role, Round, Timestamp,
};
use std::sync::Arc;
use std::time::Duration;

/// The secret every test server signs with, so tests can also sign tokens of their own.
pub const SECRET: &str = "test-secret-that-is-long-enough-0123456789";

/// A running server and what a test needs to reach it.
pub struct TestApp {
    pub base_url: String,
    pub ws_url: String,
    pub fair: Arc<Fair>,
    pub issuer: TokenIssuer,
    pub settings: Settings,
    _server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Settings for tests: port 0, a known secret, no STUN (there is no internet here), quiet
/// logs unless `RUST_LOG` asks.
pub fn test_settings() -> Settings {
    let mut s = Settings::defaults();
    s.server.listen = "127.0.0.1:0".parse().unwrap();
    s.auth.secret = Secret::new(SECRET);
    s.webrtc.ice_servers = vec![];
    // Every test server its own relay, on any free port.
    s.turn.listen = "127.0.0.1:0".into();
    s.records.dir = temp_dir("records").display().to_string();
    s
}

/// A fresh, empty directory under the system's temporary directory, unique to this call:
/// tests never share a consultation log.
pub fn temp_dir(what: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sangdam-test-{}-{what}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

pub async fn spawn_app(fair: Fair) -> TestApp {
    spawn_app_with(test_settings(), fair).await
}

pub async fn spawn_app_with(settings: Settings, fair: Fair) -> TestApp {
    if std::env::var_os("RUST_LOG").is_some() {
        sangdam_server::app::telemetry::init(&settings.log);
    }
    let app = Application::build(settings.clone(), fair)
        .await
        .expect("server binds");
    spawn_built(settings, app)
}

/// Runs an application a test built itself (e.g. with an archive or a survey).
pub fn spawn_built(settings: Settings, app: Application) -> TestApp {
    let addr = app.local_addr();
    let fair = app.state().fair.clone();
    let issuer = issuer(&settings, SECRET);
    TestApp {
        base_url: format!("http://{addr}"),
        ws_url: format!("ws://{addr}/ws"),
        fair,
        issuer,
        settings,
        _server: app.spawn(),
    }
}

/// A server on a tokio runtime of its own, as the measuring tools start one: its tasks are
/// scheduled apart from the tool's clients (as a separate process's would be, on the same
/// cores). The connection caps are lifted: every client of a tool is 127.0.0.1.
pub struct OwnRuntime {
    pub app: TestApp,
    records_dir: String,
    // Dropped after `app`: the server's tasks stop with it.
    rt: tokio::runtime::Runtime,
}

impl OwnRuntime {
    /// Starts the server with `settings` (see [`test_settings`]); `name` names its threads.
    /// Not from inside an async context: it blocks on its own runtime.
    pub fn start(name: &str, mut settings: Settings, fair: Fair) -> std::io::Result<Self> {
        settings.server.max_connections = 0;
        settings.server.max_connections_per_address = 0;
        let records_dir = settings.records.dir.clone();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .thread_name(format!("node-{name}"))
            .enable_all()
            .build()?;
        let app = rt.block_on(spawn_app_with(settings, fair));
        Ok(OwnRuntime {
            app,
            records_dir,
            rt,
        })
    }

    /// Stops the server and its runtime and removes its consultation log.
    pub fn stop(self) {
        let OwnRuntime {
            app,
            records_dir,
            rt,
        } = self;
        drop(app);
        rt.shutdown_timeout(Duration::from_secs(2));
        let _ = std::fs::remove_dir_all(records_dir);
    }
}

/// An issuer like the server's, but with any secret: a different one forges tokens.
pub fn issuer(settings: &Settings, secret: &str) -> TokenIssuer {
    TokenIssuer::new(
        secret.as_bytes(),
        &settings.auth.issuer,
        &settings.auth.audience,
        Duration::from_secs(3600),
    )
}

impl TestApp {
    /// The lobby WebSocket's address.
    pub fn lobby_url(&self) -> String {
        self.ws_url.replace("/ws", "/ws/lobby")
    }

    /// A valid token for a participant of the fair, at link generation 0 (their first link:
    /// valid until staff revoke it).
    pub fn token(&self, participant: &str) -> String {
        let p = self.participant(participant);
        self.issuer.issue(&self.fair, p, None, 0, now())
    }

    /// A valid token scoped to one meeting.
    pub fn token_for_meeting(&self, participant: &str, meeting: &str) -> String {
        let p = self.participant(participant);
        let m = MeetingId::parse(meeting).unwrap();
        self.issuer.issue(&self.fair, p, Some(&m), 0, now())
    }

    /// The claims a valid token for `participant` would carry, to be bent by a test.
    pub fn claims(&self, participant: &str) -> Claims {
        let token = self.token(participant);
        self.issuer.verify(&token).unwrap()
    }

    pub fn participant(&self, id: &str) -> &Participant {
        self.fair
            .participant(&ParticipantId::parse(id).unwrap())
            .unwrap_or_else(|| panic!("no participant {id}"))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = reqwest::Client::new().get(format!("{}{path}", self.base_url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request reaches the server")
    }
}

pub fn now() -> Timestamp {
    sangdam_server::app::clock::now()
}

fn id<T: TryFrom<String>>(s: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s.to_string()).unwrap()
}

/// The test fair's people: two institutions with a buyer each, two enterprises with a vendor
/// each, a moderator and a staff member.
pub const BUYER_1: &str = "buyer-1";
pub const BUYER_2: &str = "buyer-2";
pub const VENDOR_1: &str = "vendor-1";
pub const VENDOR_2: &str = "vendor-2";
pub const MODERATOR: &str = "moderator-1";
pub const STAFF: &str = "staff-1";

/// Meetings of the test fair, relative to when it was built:
/// - `live-1` (institution 1 × enterprise 1) and `live-2` (2 × 2): running now, `slot` long;
/// - `later-1` (1 × 2): tomorrow, so check-in has not opened;
/// - `past-1` (2 × 1): ended two hours ago.
pub fn test_fair(slot: Duration) -> Fair {
    test_fair_at(now(), slot)
}

/// As [`test_fair`], with the live slot starting at `live_start`.
pub fn test_fair_at(live_start: Timestamp, slot: Duration) -> Fair {
    let now = now();
    let round = |rid: &str, n: u32, starts_at: Timestamp, slot_len: Duration| Round {
        id: id(rid),
        number: n,
        theme: "공공시장 진출 지원".into(),
        starts_at,
        slot_len,
        break_len: Duration::from_secs(600),
        slots: 2,
    };
    let meeting = |mid: &str, rid: &str, i: &str, e: &str| MeetingSpec {
        id: id(mid),
        round: id(rid),
        slot: 0,
        institution: id(i),
        enterprise: id(e),
    };
    let person = |pid: &str, name: &str, role, affiliation| Participant {
        id: id(pid),
        name: name.into(),
        role,
        affiliation,
    };
    let parts = FairParts {
        rounds: vec![
            round(
                "r-past",
                1,
                now - Duration::from_secs(3 * 3600),
                Duration::from_secs(1200),
            ),
            round("r-live", 2, live_start, slot),
            round(
                "r-later",
                3,
                now + Duration::from_secs(24 * 3600),
                Duration::from_secs(1200),
            ),
        ],
        institutions: vec![
            Institution {
                id: id("inst-1"),
                name: "서울특별시 종로구".into(),
                kind: InstitutionType::District,
            },
            Institution {
                id: id("inst-2"),
                name: "서울교통공사".into(),
                kind: InstitutionType::CityFunded,
            },
        ],
        enterprises: vec![
            Enterprise {
                id: id("ent-1"),
                name: "(주)함께만드는세상".into(),
                kind: EnterpriseType::SocialEnterprise,
            },
            Enterprise {
                id: id("ent-2"),
                name: "초록협동조합".into(),
                kind: EnterpriseType::Cooperative,
            },
        ],
        participants: vec![
            person(
                BUYER_1,
                "김구매",
                Role::Buyer,
                Affiliation::Institution(id("inst-1")),
            ),
            person(
                BUYER_2,
                "박구매",
                Role::Buyer,
                Affiliation::Institution(id("inst-2")),
            ),
            person(
                VENDOR_1,
                "이판매",
                Role::Vendor,
                Affiliation::Enterprise(id("ent-1")),
            ),
            person(
                VENDOR_2,
                "최판매",
                Role::Vendor,
                Affiliation::Enterprise(id("ent-2")),
            ),
            person(MODERATOR, "정운영", Role::Moderator, Affiliation::Operator),
            person(STAFF, "한직원", Role::Staff, Affiliation::Operator),
        ],
        meetings: vec![
            meeting("live-1", "r-live", "inst-1", "ent-1"),
            meeting("live-2", "r-live", "inst-2", "ent-2"),
            meeting("later-1", "r-later", "inst-1", "ent-2"),
            meeting("past-1", "r-past", "inst-2", "ent-1"),
        ],
    };
    Fair::new(FairId::parse("test-fair").unwrap(), "테스트 상담회", parts).expect("valid test fair")
}
