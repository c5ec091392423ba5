//! Building and running the application. The binary and the tests start the server the same
//! way: hand in settings and a fair, get a bound listener back, then run it.

use crate::auth::TokenIssuer;
use crate::bus::Bus;
use crate::consultation_log::{ConsultationLog, MemorySurveys, Stores, SurveyLog};
use crate::history::Archive;
use crate::lobby_store::{LobbyStore, MemoryLobby, RedisLobby};
use crate::rooms::Rooms;
use crate::settings::Settings;
use crate::{api, lobby_ws, records_api, survey_api, web_assets, ws};
use axum::routing::get;
use axum::Router;
use rand::RngCore;
use sangdam_signaling::survey::SurveyConfig;
use sangdam_signaling::{Fair, MeetingId, ParticipantId, Timestamp};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tracing::{info, warn};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub fair: Arc<Fair>,
    pub tokens: Arc<TokenIssuer>,
    pub rooms: Rooms,
    pub log: Arc<dyn ConsultationLog>,
    pub lobby: Arc<dyn LobbyStore>,
    /// Survey answers, kept like the consultation log.
    pub surveys: Arc<dyn SurveyLog>,
    /// The fair's survey questions.
    pub survey: Arc<SurveyConfig>,
    /// Completed fairs kept for reports (the demo's history).
    pub archive: Arc<Archive>,
}

/// A server bound to its address, not yet serving.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    base_url: String,
}

impl Application {
    /// Binds the listener (port 0 picks a free port) and prepares the state. With no secret
    /// configured a random one is made: fine for a demo, but tokens die with the process.
    /// The consultation log and survey answers go where the settings say: Redis Streams
    /// with `redis.url`, else files in `records.dir`.
    pub async fn build(settings: Settings, fair: Fair) -> std::io::Result<Self> {
        let stores = Stores::open(&settings, &fair.id).map_err(std::io::Error::other)?;
        info!(records = %stores.location, "consultation log and survey answers");
        Self::build_with_stores(settings, fair, stores).await
    }

    /// As [`Application::build`], writing consultation records to `log` and survey answers
    /// to memory.
    pub async fn build_with_log(
        settings: Settings,
        fair: Fair,
        log: Arc<dyn ConsultationLog>,
    ) -> std::io::Result<Self> {
        let stores = Stores {
            log,
            surveys: Arc::new(MemorySurveys::default()),
            location: "given".into(),
        };
        Self::build_with_stores(settings, fair, stores).await
    }

    /// As [`Application::build`], with the journals given.
    pub async fn build_with_stores(
        settings: Settings,
        fair: Fair,
        stores: Stores,
    ) -> std::io::Result<Self> {
        let Stores { log, surveys, .. } = stores;
        let listener = TcpListener::bind(settings.server.listen).await?;
        let addr = listener.local_addr()?;
        let secret: Vec<u8> = if settings.auth.secret.is_empty() {
            warn!("no auth.secret configured: using a random signing secret (demo mode); invite links stop working when the server stops");
            let mut s = vec![0u8; 32];
            rand::rng().fill_bytes(&mut s);
            s
        } else {
            settings.auth.secret.expose().as_bytes().to_vec()
        };
        let tokens = TokenIssuer::new(
            &secret,
            &settings.auth.issuer,
            &settings.auth.audience,
            Duration::from_secs(settings.auth.token_ttl_hours * 3600),
        );
        let base_url = match settings.server.public_url.trim() {
            "" => format!("http://{addr}"),
            url => url.trim_end_matches('/').to_string(),
        };
        let fair = Arc::new(fair);
        let lobby: Arc<dyn LobbyStore> = match settings.redis_url() {
            Some(url) => Arc::new(
                RedisLobby::new(url, fair.clone(), settings.lobby_policy())
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
            ),
            None => Arc::new(MemoryLobby::new(fair.clone(), settings.lobby_policy())),
        };
        let bus = match settings.redis_url() {
            Some(url) => Some(
                Bus::start(url, &fair.id)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
            ),
            None => None,
        };
        let rooms = Rooms::new(
            fair.clone(),
            settings.room_policy(),
            settings.webrtc.ice_servers.clone(),
            log.clone(),
            bus,
        );
        Ok(Self {
            listener,
            state: AppState {
                settings: Arc::new(settings),
                fair,
                tokens: Arc::new(tokens),
                rooms,
                log,
                lobby,
                surveys,
                survey: Arc::new(SurveyConfig::default()),
                archive: Arc::new(Archive::default()),
            },
            base_url,
        })
    }

    /// Asks `survey`'s questions instead of the default ones.
    pub fn with_survey(mut self, survey: SurveyConfig) -> Self {
        self.state.survey = Arc::new(survey);
        self
    }

    /// Keeps completed fairs for the staff report.
    pub fn with_archive(mut self, archive: Archive) -> Self {
        self.state.archive = Arc::new(archive);
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener")
    }

    /// Where people reach this server: `server.public_url`, or `http://<bound address>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// An invite link for a participant: the token rides in the fragment, which browsers
    /// never send to a server.
    pub fn invite_link(
        &self,
        participant: &ParticipantId,
        meeting: Option<&MeetingId>,
        now: Timestamp,
    ) -> Option<String> {
        let p = self.state.fair.participant(participant)?;
        let token = self.state.tokens.issue(&self.state.fair, p, meeting, now);
        Some(format!("{}/#token={token}", self.base_url))
    }

    pub fn router(state: AppState) -> Router {
        Router::new()
            .route("/healthz", get(api::healthz))
            .route("/readyz", get(api::readyz))
            .route("/ws/lobby", get(lobby_ws::upgrade))
            .route("/api/me", get(api::me))
            .route("/api/labels", get(crate::labels_api::labels))
            .route("/api/fairs", get(records_api::fairs))
            .route("/api/log", get(records_api::log))
            .route("/api/log.csv", get(records_api::log_csv))
            .route("/api/log.xlsx", get(records_api::log_xlsx))
            .route("/api/report", get(records_api::report))
            .route(
                "/api/survey/{meeting}",
                get(survey_api::questions).post(survey_api::answer),
            )
            .route("/api/rooms", get(api::rooms))
            .route("/api/meetings", get(api::meetings))
            .route("/ws", get(ws::upgrade))
            .fallback(web_assets::serve)
            .with_state(state)
    }

    /// Serves until `shutdown` resolves. The room scheduler runs alongside.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let scheduler = tokio::spawn(self.state.rooms.clone().run_scheduler());
        let ticker = tokio::spawn(lobby_ws::run_ticker(self.state.clone()));
        info!(addr = %self.local_addr(), fair = %self.state.fair.id, "serving");
        let result = axum::serve(self.listener, Self::router(self.state))
            .with_graceful_shutdown(shutdown)
            .await;
        scheduler.abort();
        ticker.abort();
        result
    }

    /// Runs in the background until the returned handle is dropped; for tests.
    pub fn spawn(self) -> tokio::task::JoinHandle<std::io::Result<()>> {
        tokio::spawn(self.run(std::future::pending()))
    }
}
