//! Configuration, layered: the embedded `config/default.toml`, then an environment's file,
//! then `SANGDAM_` variables. Raw layers are merged as TOML and validated once into
//! [`Settings`]; nothing else reads the environment.

use sangdam_signaling::live::lobby::LobbyPolicy;
use sangdam_signaling::live::policy::Timing;
use sangdam_signaling::live::rate::InboundLimit;
use sangdam_signaling::live::sharing::FileLimits;
use sangdam_signaling::protocol::{IceServer, IceTransportPolicy};
use sangdam_signaling::RoomPolicy;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The defaults, built into the binary.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub auth: AuthSettings,
    pub rooms: RoomSettings,
    pub webrtc: WebrtcSettings,
    pub turn: TurnSettings,
    pub redis: RedisSettings,
    pub lobby: LobbySettings,
    pub records: RecordsSettings,
    pub mail: MailSettings,
    pub reminders: ReminderSettings,
    pub fair: FairSettings,
    pub demo: DemoSettings,
    pub log: LogSettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    pub public_url: String,
    pub max_frame_bytes: usize,
    /// A socket must authenticate (`join`, `hello`) this long after it opens, whatever
    /// else it sends meanwhile.
    pub first_message_seconds: u64,
    /// What one connection may send, per second and in a burst (messages and bytes).
    pub inbound_messages_per_second: f64,
    pub inbound_message_burst: f64,
    pub inbound_bytes_per_second: f64,
    pub inbound_byte_burst: f64,
    /// How many messages may wait for one signaling connection that is slow to read.
    pub outbox_messages: usize,
    /// A request's headers must arrive within this many seconds.
    pub header_read_timeout_seconds: u64,
    /// A request's body must arrive within this many seconds.
    pub body_read_timeout_seconds: u64,
    /// The largest request body taken (the survey answer is the only one).
    pub max_body_bytes: usize,
    /// The largest registration file `POST /api/prep/import` takes.
    pub max_import_bytes: usize,
    /// Open connections at most (0: no cap); beyond, new ones are closed unread.
    pub max_connections: usize,
    /// Open connections at most from one IP address (0: no cap). Behind a reverse proxy,
    /// where every client has the proxy's address, set 0 and let the proxy cap.
    pub max_connections_per_address: usize,
}

impl ServerSettings {
    /// What the accept loop enforces.
    pub fn connection_limits(&self) -> crate::http::serve::Limits {
        crate::http::serve::Limits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_seconds),
            max_connections: self.max_connections,
            max_connections_per_address: self.max_connections_per_address,
        }
    }

    /// Each connection's allowance.
    pub fn inbound_limit(&self) -> InboundLimit {
        InboundLimit {
            messages_per_s: self.inbound_messages_per_second,
            message_burst: self.inbound_message_burst,
            bytes_per_s: self.inbound_bytes_per_second,
            byte_burst: self.inbound_byte_burst,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub secret: Secret,
    pub issuer: String,
    pub audience: String,
    pub token_ttl_hours: u64,
    /// Invitation links (`sangdam invites`, `/api/invites.*`) last until the fair's last
    /// slot ends and this many hours more.
    pub invite_margin_hours: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomSettings {
    pub checkin_minutes: u64,
    pub warning_minutes: Vec<u64>,
    pub grace_seconds: u64,
    pub no_show_minutes: u64,
    pub file_max_bytes: u64,
    pub files_per_meeting: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebrtcSettings {
    pub ice_servers: Vec<IceServer>,
    pub ice_transport_policy: IceTransportPolicy,
}

/// The embedded TURN relay, and an external one speaking the same credentials.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnSettings {
    pub enabled: bool,
    /// UDP and TCP, one address; empty: the server's listen IP, port 3478.
    pub listen: String,
    /// TURN over TLS; empty: off.
    pub tls_listen: String,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    /// The name clients are given in `turn:` URLs; empty: `public_url`'s host, else the
    /// listen IP.
    pub host: String,
    /// The address in relay candidates, for a host behind NAT; empty: the relay IP.
    pub public_ip: String,
    /// Where relay sockets are bound; empty: the listen IP.
    pub relay_ip: String,
    pub relay_min_port: u16,
    pub relay_max_port: u16,
    pub realm: String,
    pub secret: Secret,
    pub credential_margin_seconds: u64,
    /// Ranges of the refused peer classes the relay may reach anyway (CIDR).
    pub allow_peers: Vec<String>,
    /// An external TURN server with coturn's `use-auth-secret`.
    pub external_urls: Vec<String>,
    pub external_secret: Secret,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    pub url: Secret,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LobbySettings {
    pub disconnect_grace_seconds: u64,
    pub connection_ttl_seconds: u64,
    pub walk_ins: bool,
    pub walk_in_minutes: u64,
    pub buyer_presence_seconds: u64,
    pub tick_seconds: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordsSettings {
    pub dir: String,
}

/// Invitations, reminders and timetable-change notices by e-mail (`[mail]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// The SMTP relay; empty: no mail is sent (staff use the links sheet).
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
    pub user: String,
    /// From the environment: `SANGDAM_MAIL__PASSWORD` (or `SANGDAM_SMTP_PASSWORD`).
    pub password: Secret,
    /// `이름 <address>`.
    pub from: String,
    pub reply_to: String,
    /// Extra certificate authorities to trust (PEM), for a relay with a private CA.
    pub ca_file: PathBuf,
    /// Mails in flight at once.
    pub concurrency: usize,
    /// At most this many mails a second (0: as fast as the relay takes them).
    pub per_second: u32,
    pub first_backoff_seconds: u64,
    pub max_backoff_seconds: u64,
    pub max_attempts: u32,
    pub timeout_seconds: u64,
}

/// How the SMTP connection is protected.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// Plain connection upgraded with `STARTTLS`, required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS: only for a relay on this machine, or a test's.
    None,
}

impl MailSettings {
    pub fn enabled(&self) -> bool {
        !self.host.trim().is_empty()
    }

    pub fn retry_rules(&self) -> sangdam_signaling::notify::outbox::RetryRules {
        sangdam_signaling::notify::outbox::RetryRules {
            first_backoff: Duration::from_secs(self.first_backoff_seconds),
            max_backoff: Duration::from_secs(self.max_backoff_seconds),
            max_attempts: self.max_attempts,
        }
    }
}
/// Reminders before each meeting (participants may turn them off).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    /// How many minutes before a meeting's start each reminder goes: 1 to 1440, distinct,
    /// at most [`MAX_REMINDERS`].
    pub minutes: Vec<u32>,
}

/// More reminders than this per meeting would be noise.
pub const MAX_REMINDERS: usize = 4;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairSettings {
    pub dir: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSettings {
    pub start_delay_seconds: u64,
    pub slot_minutes: u64,
    pub break_minutes: u64,
    pub no_show_minutes: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// A secret that never prints: `Debug` and `Display` show only whether it is set.
#[derive(Clone, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(unset)"
        } else {
            "Secret(***)"
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Parse { origin: String, message: String },
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Where the layers come from. Tests build this by hand instead of touching the process
/// environment.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// An explicit file (`--config`), or the environment's file (`config/$SANGDAM_ENV.toml`).
    pub file: Option<PathBuf>,
    /// `SANGDAM_*` variables as (name, value).
    pub env: Vec<(String, String)>,
}

impl Sources {
    /// The process's own sources: `--config` if given, else `config/$SANGDAM_ENV.toml` if
    /// that variable is set, and every `SANGDAM_` variable.
    pub fn from_process(explicit: Option<PathBuf>) -> Self {
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("SANGDAM_"))
            .collect();
        let file = explicit.or_else(|| {
            env.iter()
                .find(|(k, _)| k == "SANGDAM_ENV")
                .map(|(_, v)| Path::new("config").join(format!("{v}.toml")))
        });
        Self { file, env }
    }
}

/// Short names for the settings people change most; any other key is
/// `SANGDAM_<SECTION>__<KEY>`.
const ALIASES: &[(&str, &str)] = &[
    ("SANGDAM_LISTEN", "server.listen"),
    ("SANGDAM_PUBLIC_URL", "server.public_url"),
    ("SANGDAM_SECRET", "auth.secret"),
    ("SANGDAM_FAIR_DIR", "fair.dir"),
    ("SANGDAM_REDIS_URL", "redis.url"),
    ("SANGDAM_DATA_DIR", "records.dir"),
    ("SANGDAM_LOG", "log.filter"),
    ("SANGDAM_LOG_FORMAT", "log.format"),
    ("SANGDAM_SMTP_PASSWORD", "mail.password"),
];

impl Settings {
    /// Only the embedded defaults.
    pub fn defaults() -> Self {
        Self::load(&Sources::default()).expect("the embedded defaults are valid")
    }

    pub fn load(sources: &Sources) -> Result<Self, SettingsError> {
        let mut merged = parse_toml("config/default.toml (embedded)", DEFAULT_TOML)?;
        if let Some(path) = &sources.file {
            let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
                path: path.clone(),
                source,
            })?;
            let layer = parse_toml(&path.display().to_string(), &text)?;
            merge(&mut merged, layer);
        }
        for (name, value) in &sources.env {
            if name == "SANGDAM_ENV" || name == "SANGDAM_CONFIG" {
                continue;
            }
            let Some(path) = env_key(name) else { continue };
            set_path(&mut merged, &path, env_value(value));
        }
        let settings: Settings =
            merged
                .try_into()
                .map_err(|e: toml::de::Error| SettingsError::Parse {
                    origin: "configuration".into(),
                    message: e.message().to_string(),
                })?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let bad = |m: &str| Err(SettingsError::Invalid(m.to_string()));
        if !self.auth.secret.is_empty() && self.auth.secret.expose().len() < 32 {
            return bad("auth.secret must be at least 32 characters (or empty for a random one)");
        }
        if self.server.max_frame_bytes < 1024 {
            return bad("server.max_frame_bytes must be at least 1024");
        }
        if self.demo.slot_minutes == 0 {
            return bad("demo.slot_minutes must be at least 1");
        }
        if self.lobby.tick_seconds == 0 {
            return bad("lobby.tick_seconds must be at least 1");
        }
        if self.mail.enabled() {
            if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
                return bad("mail.from must be an address, optionally with a name: 상담회 사무국 <fair@example.org>");
            }
            if !self.mail.reply_to.is_empty()
                && self
                    .mail
                    .reply_to
                    .parse::<lettre::message::Mailbox>()
                    .is_err()
            {
                return bad("mail.reply_to must be empty or an address");
            }
            if self.mail.concurrency == 0 || self.mail.concurrency > 64 {
                return bad("mail.concurrency must be 1 to 64");
            }
            if self.mail.max_attempts == 0 || self.mail.first_backoff_seconds == 0 {
                return bad("mail.max_attempts and mail.first_backoff_seconds must be at least 1");
            }
        }
        if self.auth.token_ttl_hours == 0 {
            return bad("auth.token_ttl_hours must be at least 1");
        }
        if self.rooms.file_max_bytes == 0 {
            return bad(
                "rooms.file_max_bytes must be at least 1 (files_per_meeting = 0 turns files off)",
            );
        }
        let minutes = &self.reminders.minutes;
        if minutes.len() > MAX_REMINDERS {
            return Err(SettingsError::Invalid(format!(
                "reminders.minutes may list at most {MAX_REMINDERS} times, not {}",
                minutes.len()
            )));
        }
        if let Some(m) = minutes.iter().find(|m| !(1..=1440).contains(*m)) {
            return Err(SettingsError::Invalid(format!(
                "reminders.minutes: {m} is not between 1 and 1440 (a day)"
            )));
        }
        if let Some(m) = minutes
            .iter()
            .enumerate()
            .find_map(|(i, m)| minutes[..i].contains(m).then_some(m))
        {
            return Err(SettingsError::Invalid(format!(
                "reminders.minutes lists {m} twice"
            )));
        }
        if self.turn.enabled {
            crate::turn::TurnPlan::resolve(&self.turn, self.server.listen, &self.server.public_url)
                .map_err(|e| SettingsError::Invalid(e.to_string()))?;
        }
        Ok(())
    }

    /// Check-in, no-show and grace timings: one policy for the rooms and the lobby.
    pub fn timing(&self) -> Timing {
        Timing {
            checkin_before: Duration::from_secs(self.rooms.checkin_minutes * 60),
            no_show_after: Duration::from_secs(self.rooms.no_show_minutes * 60),
            grace: Duration::from_secs(self.rooms.grace_seconds),
        }
    }

    pub fn room_policy(&self) -> RoomPolicy {
        RoomPolicy {
            timing: self.timing(),
            warnings: self
                .rooms
                .warning_minutes
                .iter()
                .map(|m| Duration::from_secs(m * 60))
                .collect(),
            files: FileLimits {
                max_bytes: self.rooms.file_max_bytes,
                max_count: self.rooms.files_per_meeting,
            },
        }
    }

    pub fn lobby_policy(&self) -> LobbyPolicy {
        LobbyPolicy {
            timing: self.timing(),
            disconnect_grace: Duration::from_secs(self.lobby.disconnect_grace_seconds),
            connection_ttl: Duration::from_secs(self.lobby.connection_ttl_seconds),
            walk_in_len: Duration::from_secs(self.lobby.walk_in_minutes * 60),
            buyer_presence_ttl: Duration::from_secs(self.lobby.buyer_presence_seconds),
            walk_ins: self.lobby.walk_ins,
        }
    }

    /// The Redis URL, if several nodes share state; `None` is the embedded default.
    pub fn redis_url(&self) -> Option<&str> {
        let url = self.redis.url.expose().trim();
        (!url.is_empty()).then_some(url)
    }

    /// Where the consultation log and survey answers are kept when Redis is not
    /// configured.
    pub fn records_dir(&self) -> PathBuf {
        match self.records.dir.trim() {
            "" => PathBuf::from("data"),
            dir => PathBuf::from(dir),
        }
    }

    /// The fair directory, if one is configured; `None` means the demo fair.
    pub fn fair_dir(&self) -> Option<PathBuf> {
        (!self.fair.dir.trim().is_empty()).then(|| PathBuf::from(self.fair.dir.trim()))
    }
}

fn parse_toml(origin: &str, text: &str) -> Result<toml::Table, SettingsError> {
    text.parse::<toml::Table>().map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        SettingsError::Parse {
            origin: match line {
                Some(l) => format!("{origin} line {l}"),
                None => origin.to_string(),
            },
            message: e.message().to_string(),
        }
    })
}

fn merge(base: &mut toml::Table, layer: toml::Table) {
    for (k, v) in layer {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(l)) => merge(b, l),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn env_key(name: &str) -> Option<Vec<String>> {
    if let Some((_, path)) = ALIASES.iter().find(|(n, _)| *n == name) {
        return Some(path.split('.').map(String::from).collect());
    }
    let rest = name.strip_prefix("SANGDAM_")?;
    let parts: Vec<String> = rest.split("__").map(|p| p.to_ascii_lowercase()).collect();
    (parts.len() >= 2 && parts.iter().all(|p| !p.is_empty())).then_some(parts)
}

/// A variable's value as TOML if it reads as one (`30`, `true`, `[5, 1]`), else a string.
fn env_value(raw: &str) -> toml::Value {
    format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) {
    let (last, parents) = path.split_last().expect("non-empty path");
    let mut t = table;
    for p in parents {
        let entry = t
            .entry(p.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        t = entry.as_table_mut().expect("just made a table");
    }
    t.insert(last.clone(), value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_embedded_defaults_load() {
        let s = Settings::defaults();
        assert_eq!(s.server.listen.to_string(), "127.0.0.1:8080");
        assert!(s.auth.secret.is_empty());
        assert_eq!(s.room_policy().warnings.len(), 2);
        assert_eq!(s.fair_dir(), None);
    }

    #[test]
    fn a_file_then_variables_override_the_defaults() {
        let dir = std::env::temp_dir().join(format!("sangdam-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("staging.toml");
        std::fs::write(
            &file,
            "[server]\nlisten = \"0.0.0.0:9000\"\n[rooms]\ngrace_seconds = 5\n",
        )
        .unwrap();
        let s = Settings::load(&Sources {
            file: Some(file),
            env: env(&[
                ("SANGDAM_LISTEN", "127.0.0.1:7000"),
                ("SANGDAM_ROOMS__WARNING_MINUTES", "[2]"),
                ("SANGDAM_FAIR_DIR", "/srv/fair"),
            ]),
        })
        .unwrap();
        assert_eq!(s.server.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(s.rooms.grace_seconds, 5);
        assert_eq!(s.rooms.warning_minutes, vec![2]);
        assert_eq!(s.fair_dir(), Some(PathBuf::from("/srv/fair")));
    }

    #[test]
    fn mistakes_are_named() {
        let err = Settings::load(&Sources {
            file: None,
            env: env(&[("SANGDAM_SERVER__LISTEN", "not an address")]),
        })
        .unwrap_err();
        assert!(err.to_string().contains("invalid socket address"), "{err}");

        let err = Settings::load(&Sources {
            file: None,
            env: env(&[("SANGDAM_SECRET", "short")]),
        })
        .unwrap_err();
        assert!(err.to_string().contains("at least 32"), "{err}");

        let err = Settings::load(&Sources {
            file: None,
            env: env(&[("SANGDAM_ROOMS__COLOUR", "blue")]),
        })
        .unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn reminder_times_are_checked() {
        assert_eq!(Settings::defaults().reminders.minutes, vec![30, 5]);
        let load = |v: &str| {
            Settings::load(&Sources {
                file: None,
                env: env(&[("SANGDAM_REMINDERS__MINUTES", v)]),
            })
        };
        assert_eq!(
            load("[60, 10, 1]").unwrap().reminders.minutes,
            vec![60, 10, 1]
        );
        assert!(load("[]").unwrap().reminders.minutes.is_empty());
        for (bad, why) in [
            ("[0]", "between 1 and 1440"),
            ("[1441]", "between 1 and 1440"),
            ("[5, 30, 5]", "5 twice"),
            ("[1, 2, 3, 4, 5]", "at most 4"),
        ] {
            let err = load(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn mail_comes_from_the_environment_and_a_bad_sender_is_refused() {
        let load = |vars: &[(&str, &str)]| {
            Settings::load(&Sources {
                file: None,
                env: env(vars),
            })
        };
        let d = Settings::defaults();
        assert!(!d.mail.enabled(), "no relay by default");
        assert_eq!(d.mail.security, MailSecurity::Starttls);
        let s = load(&[
            ("SANGDAM_MAIL__HOST", "smtp.example.kr"),
            ("SANGDAM_MAIL__PORT", "465"),
            ("SANGDAM_MAIL__SECURITY", "tls"),
            ("SANGDAM_SMTP_PASSWORD", "pw-from-env"),
        ])
        .unwrap();
        assert!(s.mail.enabled());
        assert_eq!((s.mail.port, s.mail.security), (465, MailSecurity::Tls));
        assert_eq!(s.mail.password.expose(), "pw-from-env");
        assert!(!format!("{:?}", s.mail).contains("pw-from-env"));
        for (k, v, why) in [
            ("SANGDAM_MAIL__FROM", "not an address", "mail.from"),
            ("SANGDAM_MAIL__REPLY_TO", "nope", "mail.reply_to"),
            ("SANGDAM_MAIL__CONCURRENCY", "0", "mail.concurrency"),
            (
                "SANGDAM_MAIL__SECURITY",
                "ssl",
                "expected one of `starttls`, `tls`, `none`",
            ),
        ] {
            let err = load(&[("SANGDAM_MAIL__HOST", "smtp.example.kr"), (k, v)])
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{k}={v}: {err}");
        }
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("x".repeat(40));
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }
}
