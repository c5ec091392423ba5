//! The relay's settings resolved once into addresses: what `[turn]` says, checked when the
//! configuration loads, so a typo stops the server at start with the key to fix.

use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::PathBuf;

use ipnet::IpNet;
use sangdam_signaling::turn::PeerPolicy;

use crate::app::settings::TurnSettings;

/// The relay's default port (RFC 5766's, coturn's).
pub const DEFAULT_PORT: u16 = 3478;

#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error("turn.{key}: {message}")]
    Setting { key: &'static str, message: String },
    #[error("TURN cannot listen for {what} on {addr}: {source} (set turn.listen, or turn.enabled = false)")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("TURN TLS: {0}")]
    Tls(String),
    #[error("TURN relay did not start: {0}")]
    Start(String),
}

#[derive(Clone, Debug)]
pub struct TlsPlan {
    pub listen: SocketAddr,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Everything the relay binds and tells, resolved.
#[derive(Clone, Debug)]
pub struct TurnPlan {
    pub listen: SocketAddr,
    pub tls: Option<TlsPlan>,
    /// The name in the URLs clients get.
    pub host: String,
    pub relay_bind: IpAddr,
    /// The address relay candidates carry (the public one behind NAT).
    pub relay_public: IpAddr,
    pub ports: RangeInclusive<u16>,
    pub realm: String,
    pub allowed: Vec<IpNet>,
}

impl TurnPlan {
    /// Resolves `[turn]` against the server's own listen address and public URL.
    pub fn resolve(
        t: &TurnSettings,
        server_listen: SocketAddr,
        public_url: &str,
    ) -> Result<TurnPlan, TurnError> {
        let bad = |key, message: String| TurnError::Setting { key, message };
        let listen = match t.listen.trim() {
            "" => SocketAddr::new(server_listen.ip(), DEFAULT_PORT),
            s => s
                .parse()
                .map_err(|e| bad("listen", format!("{s:?} is not an address:port ({e})")))?,
        };
        let ip = |key, s: &str| -> Result<Option<IpAddr>, TurnError> {
            match s.trim() {
                "" => Ok(None),
                s => s
                    .parse()
                    .map(Some)
                    .map_err(|e| bad(key, format!("{s:?} is not an IP address ({e})"))),
            }
        };
        let relay_bind = ip("relay_ip", &t.relay_ip)?.unwrap_or(listen.ip());
        let relay_public = match ip("public_ip", &t.public_ip)? {
            Some(ip) => ip,
            None if relay_bind.is_unspecified() => {
                return Err(bad(
                    "public_ip",
                    format!(
                        "the relay binds {relay_bind} (all addresses), so it cannot tell \
                         clients where it is: set turn.public_ip (the host's public address) \
                         or turn.relay_ip"
                    ),
                ))
            }
            None => relay_bind,
        };
        let host = match t.host.trim() {
            "" => match url_host(public_url) {
                Some(h) => h,
                None if listen.ip().is_unspecified() => relay_public.to_string(),
                None => listen.ip().to_string(),
            },
            h => h.to_string(),
        };
        if t.relay_min_port == 0 || t.relay_min_port > t.relay_max_port {
            return Err(bad(
                "relay_min_port",
                format!(
                    "the relay port range {}..={} is empty or starts at 0",
                    t.relay_min_port, t.relay_max_port
                ),
            ));
        }
        let tls = match t.tls_listen.trim() {
            "" => None,
            s => {
                let listen = s.parse().map_err(|e| {
                    bad("tls_listen", format!("{s:?} is not an address:port ({e})"))
                })?;
                if t.tls_cert.as_os_str().is_empty() || t.tls_key.as_os_str().is_empty() {
                    return Err(bad(
                        "tls_cert",
                        "TURN over TLS needs turn.tls_cert and turn.tls_key (PEM files)".into(),
                    ));
                }
                Some(TlsPlan {
                    listen,
                    cert: t.tls_cert.clone(),
                    key: t.tls_key.clone(),
                })
            }
        };
        let allowed = t
            .allow_peers
            .iter()
            .map(|s| {
                s.trim()
                    .parse::<IpNet>()
                    .or_else(|_| s.trim().parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| bad("allow_peers", format!("{s:?} is not a CIDR range")))
            })
            .collect::<Result<_, _>>()?;
        if t.realm.trim().is_empty() {
            return Err(bad("realm", "must not be empty".into()));
        }
        Ok(TurnPlan {
            listen,
            tls,
            host,
            relay_bind,
            relay_public,
            ports: t.relay_min_port..=t.relay_max_port,
            realm: t.realm.clone(),
            allowed,
        })
    }

    /// The core's peer rule for this relay: the allowed ranges.
    pub fn peer_policy(&self) -> PeerPolicy {
        PeerPolicy::new(self.allowed.clone())
    }
}

/// The host of `http(s)://host[:port]/...`, if there is one.
fn url_host(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?.to_string()
    } else {
        authority.split(':').next()?.to_string()
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::settings::Settings;

    fn turn() -> TurnSettings {
        Settings::defaults().turn
    }

    fn listen(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn by_default_the_relay_sits_beside_the_server_on_3478() {
        let plan = TurnPlan::resolve(&turn(), listen("127.0.0.1:8080"), "").unwrap();
        assert_eq!(plan.listen, listen("127.0.0.1:3478"));
        assert_eq!(plan.host, "127.0.0.1");
        assert_eq!(plan.relay_public, plan.relay_bind);
        assert!(plan.tls.is_none());
        assert_eq!(plan.ports, 49152..=65535);
    }

    #[test]
    fn the_public_urls_host_and_the_public_ip_are_what_clients_are_told() {
        let mut t = turn();
        t.public_ip = "203.0.113.7".into();
        let plan =
            TurnPlan::resolve(&t, listen("0.0.0.0:8080"), "https://fair.example.kr/x").unwrap();
        assert_eq!(plan.host, "fair.example.kr");
        assert_eq!(plan.relay_public.to_string(), "203.0.113.7");
        assert_eq!(
            url_host("http://[2001:db8::1]:8080/").as_deref(),
            Some("2001:db8::1")
        );
    }

    #[test]
    fn a_relay_on_all_addresses_without_a_public_ip_is_refused_with_the_key_to_set() {
        let err = TurnPlan::resolve(&turn(), listen("0.0.0.0:8080"), "").unwrap_err();
        assert!(err.to_string().starts_with("turn.public_ip:"), "{err}");
    }

    #[test]
    fn bad_values_name_their_key() {
        type Change = fn(&mut TurnSettings);
        let cases: [(Change, &str); 5] = [
            (|t| t.listen = "nowhere".into(), "turn.listen:"),
            (|t| t.relay_min_port = 0, "turn.relay_min_port:"),
            (
                |t| t.allow_peers = vec!["10.0.0.0/33".into()],
                "turn.allow_peers:",
            ),
            (|t| t.tls_listen = "127.0.0.1:5349".into(), "turn.tls_cert:"),
            (|t| t.public_ip = "1.2.3".into(), "turn.public_ip:"),
        ];
        for (change, key) in cases {
            let mut t = turn();
            change(&mut t);
            let err = TurnPlan::resolve(&t, listen("127.0.0.1:8080"), "").unwrap_err();
            assert!(err.to_string().starts_with(key), "{err}");
        }
    }

    #[test]
    fn allowed_ranges_open_exactly_those_peers() {
        let mut t = turn();
        t.allow_peers = vec!["10.0.0.0/8".into(), "127.0.0.1".into()];
        let plan = TurnPlan::resolve(&t, listen("127.0.0.1:8080"), "").unwrap();
        let policy = plan.peer_policy();
        let check = |s: &str| policy.check(s.parse().unwrap(), false);
        assert!(check("10.9.9.9:1").is_ok());
        assert!(check("127.0.0.1:1").is_ok());
        assert!(check("127.0.0.2:1").is_err());
        assert!(check("192.168.0.1:1").is_err());
    }
}
