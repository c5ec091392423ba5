//! Building and running the application. The binary and the tests start the server the same
//! way: hand in settings and a fair, get a bound listener back, then run it.

use crate::app::settings::Settings;
use crate::app::state::AppState;
use crate::auth::TokenIssuer;
use crate::files::fair::contacts::Contacts;
use crate::journal::archive::Archive;
use crate::journal::{ConsultationLog, MemorySurveys, Stores};
use crate::lobby::store::{LobbyStore, MemoryLobby, RedisLobby};
use crate::moderation::board;
use crate::moderation::store::{MemoryModeration, ModerationStore, RedisModeration};
use crate::moderation::Moderation;
use crate::people::file::FilePeople;
use crate::people::redis::RedisPeople;
use crate::people::People;
use crate::prep::file::FilePrep;
use crate::prep::redis::RedisPrep;
use crate::prep::Preparation;
use crate::rooms::bus::{Bus, OpsMessage};
use crate::rooms::Rooms;
use crate::turn::{Relay, TurnPlan};
use crate::{http, lobby};
use rand::RngCore;
use sangdam_signaling::protocol::IceTransportPolicy;
use sangdam_signaling::records::survey::SurveyConfig;
use sangdam_signaling::turn::{credentials, ice, IcePlan};
use sangdam_signaling::{Fair, MeetingId, ParticipantId, Refusal, Timestamp};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tracing::{info, warn};

/// Starts the embedded relay if `[turn]` wants it, and makes the ICE plan every join is
/// answered from: the relay's URLs (and an external relay's) with credentials minted per
/// participant, then the fixed servers of `[webrtc]`.
async fn start_relay(
    settings: &Settings,
    auth_secret: &[u8],
    addr: SocketAddr,
) -> std::io::Result<(Option<Arc<Relay>>, Arc<IcePlan>)> {
    let t = &settings.turn;
    let mut relays = Vec::new();
    let mut relay = None;
    if t.enabled {
        // Not a key of its own: derived, so nodes sharing auth.secret agree, and a TURN
        // credential is no use as an invite token (or the other way round).
        let secret = if !t.secret.is_empty() {
            t.secret.expose().to_string()
        } else {
            credentials::password(&String::from_utf8_lossy(auth_secret), "sangdam turn secret")
        };
        let plan = TurnPlan::resolve(t, addr, &settings.server.public_url)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let started = Relay::start(&plan, &secret)
            .await
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::AddrInUse, e))?;
        relays.push(ice::Relay {
            urls: started.urls(),
            secret,
        });
        relay = Some(Arc::new(started));
    }
    if !t.external_urls.is_empty() {
        relays.push(ice::Relay {
            urls: t.external_urls.clone(),
            secret: t.external_secret.expose().to_string(),
        });
    }
    let plan = IcePlan {
        fixed: settings.webrtc.ice_servers.clone(),
        relays,
        margin: Duration::from_secs(t.credential_margin_seconds),
        policy: settings.webrtc.ice_transport_policy,
    };
    if plan.policy == IceTransportPolicy::Relay && !plan.has_relay() {
        warn!("webrtc.ice_transport_policy = \"relay\" but no TURN relay is configured: calls cannot connect");
    }
    Ok((relay, Arc::new(plan)))
}

/// A server bound to its address, not yet serving.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    base_url: String,
}

/// The preparation document: in Redis with `redis.url`, else a file in `records.dir`
/// named for the fair.
pub fn open_preparation(settings: &Settings, fair: &Fair) -> Result<Preparation, String> {
    let rounds: Vec<_> = fair.rounds().cloned().collect();
    Ok(match settings.redis_url() {
        Some(url) => Preparation::new(
            Arc::new(RedisPrep::new(url, &fair.id)?),
            rounds,
            "Redis".to_string(),
        ),
        None => {
            let path = settings
                .records_dir()
                .join(format!("prep-{}.json", fair.id));
            let location = path.display().to_string();
            Preparation::new(Arc::new(FilePrep::open(&path)?), rounds, location)
        }
    })
}

/// The participants' access settings (link generations, reminder opt-outs), kept where
/// the preparation is: in Redis with `redis.url`, else `people-<fair>.json` in
/// `records.dir`.
pub fn open_people(settings: &Settings, fair: &Fair) -> Result<People, String> {
    Ok(match settings.redis_url() {
        Some(url) => People::new(Arc::new(RedisPeople::new(url, &fair.id)?), "Redis".into()),
        None => {
            let path = settings
                .records_dir()
                .join(format!("people-{}.json", fair.id));
            let location = path.display().to_string();
            People::new(Arc::new(FilePeople::open(&path)?), location)
        }
    })
}

/// Notes every revocation this node hears of (its own and other nodes'), so that while
/// the store is out of reach the node still knows the generations it was told.
async fn note_revocations(people: People, mut news: tokio::sync::broadcast::Receiver<OpsMessage>) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match news.recv().await {
            Ok(OpsMessage::Revoked {
                participant,
                generation,
            }) => people.heard(&participant, generation),
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
    }
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
        let node: String = {
            let mut id = [0u8; 6];
            rand::rng().fill_bytes(&mut id);
            id.iter().map(|b| format!("{b:02x}")).collect()
        };
        let lobby: Arc<dyn LobbyStore> = match settings.redis_url() {
            Some(url) => Arc::new(
                RedisLobby::new(url, fair.clone(), settings.lobby_policy())
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
            ),
            None => Arc::new(MemoryLobby::new(fair.clone(), settings.lobby_policy())),
        };
        let (ops, _) = tokio::sync::broadcast::channel(256);
        let changed = Arc::new(tokio::sync::Notify::new());
        let bad_url = |e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
        let bus = match settings.redis_url() {
            Some(url) => Some(
                Bus::start(url, &fair.id, &node, ops.clone(), changed.clone()).map_err(bad_url)?,
            ),
            None => None,
        };
        let moderation_store: Arc<dyn ModerationStore> = match settings.redis_url() {
            Some(url) => Arc::new(RedisModeration::new(url, &fair.id).map_err(bad_url)?),
            None => Arc::new(MemoryModeration::default()),
        };
        let (relay, ice) = start_relay(&settings, &secret, addr).await?;
        let rooms = Rooms::new(
            fair.clone(),
            settings.room_policy(),
            ice.clone(),
            log.clone(),
            moderation_store.clone(),
            bus.clone(),
            changed.clone(),
        );
        let moderation = Moderation::new(
            fair.clone(),
            moderation_store.clone(),
            rooms.clone(),
            lobby.clone(),
            bus,
            ops.clone(),
            changed.clone(),
        );
        let contacts = Arc::new(Contacts::default());
        let board_sources = board::Sources {
            fair: fair.clone(),
            rooms: rooms.clone(),
            lobby: lobby.clone(),
            moderation: moderation_store,
            contacts: contacts.clone(),
            watchers: board::Watchers::default(),
            lobby_policy: settings.lobby_policy(),
        };
        let board = board::start(board_sources.clone(), changed.clone());
        let prep = open_preparation(&settings, &fair).map_err(std::io::Error::other)?;
        info!(preparation = %prep.location, "fair preparation");
        let mail = crate::mail::Mailer::open(&settings, &fair).map_err(std::io::Error::other)?;
        info!(outbox = %mail.location(), enabled = mail.enabled(), relay = %settings.mail.host, "mail");
        let people = open_people(&settings, &fair).map_err(std::io::Error::other)?;
        info!(people = %people.location, "participants' link generations and reminder settings");
        tokio::spawn(note_revocations(people.clone(), ops.subscribe()));
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
                node: node.into(),
                connections: Arc::new(AtomicU64::new(0)),
                moderation,
                ops,
                board,
                board_sources,
                contacts,
                changed,
                ice,
                relay,
                prep,
                people,
                base_url: base_url.clone().into(),
                mail,
            },
            base_url,
        })
    }

    /// Asks `survey`'s questions instead of the default ones.
    pub fn with_survey(mut self, survey: SurveyConfig) -> Self {
        self.state.survey = Arc::new(survey);
        self
    }

    /// Gives moderators the participants' phones and e-mails.
    pub fn with_contacts(mut self, contacts: Contacts) -> Self {
        let contacts = Arc::new(contacts);
        self.state.board_sources.contacts = contacts.clone();
        self.state.contacts = contacts;
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

    /// An invite link for a participant (`None` if the fair has no such participant), at
    /// their current link generation: the token rides in the fragment, which browsers
    /// never send to a server.
    pub async fn invite_link(
        &self,
        participant: &ParticipantId,
        meeting: Option<&MeetingId>,
        now: Timestamp,
    ) -> Result<Option<String>, Refusal> {
        let Some(p) = self.state.fair.participant(participant) else {
            return Ok(None);
        };
        let generation = self.state.people.generation(participant).await?;
        let token = self
            .state
            .tokens
            .issue(&self.state.fair, p, meeting, generation, now);
        Ok(Some(format!("{}/#token={token}", self.base_url)))
    }

    /// Serves until `shutdown` resolves. The room scheduler runs alongside.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let scheduler = tokio::spawn(self.state.rooms.clone().run_scheduler());
        let ticker = tokio::spawn(lobby::ticker::run(self.state.clone()));
        let mailer = tokio::spawn(crate::mail::job::run(self.state.clone()));
        info!(addr = %self.local_addr(), fair = %self.state.fair.id, "serving");
        let limits = self.state.settings.server.connection_limits();
        let router = http::router(self.state);
        let result = http::serve::serve(self.listener, router, limits, shutdown).await;
        scheduler.abort();
        ticker.abort();
        mailer.abort();
        result
    }

    /// Runs in the background until the returned handle is dropped; for tests.
    pub fn spawn(self) -> tokio::task::JoinHandle<std::io::Result<()>> {
        tokio::spawn(self.run(std::future::pending()))
    }
}
