//! What a client is handed to find a way through: the `RTCIceServer` list of a `joined`
//! (and of the pre-join check), with each relay's credential minted for this participant
//! and good until the meeting closes, plus a margin so a call running into a moderator's
//! extension or a slow goodbye keeps its relay.

use std::time::Duration;

use super::credentials;
use crate::protocol::{IceServer, IceTransportPolicy};
use crate::time::Timestamp;

/// A TURN relay speaking the REST scheme: the embedded one, or an external coturn with
/// `use-auth-secret`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relay {
    /// `turn:` and `turns:` URLs (with `?transport=udp|tcp`), and `stun:` ones the same
    /// server answers.
    pub urls: Vec<String>,
    pub secret: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IcePlan {
    /// Configured servers handed out as they are (e.g. a STUN server).
    pub fixed: Vec<IceServer>,
    pub relays: Vec<Relay>,
    /// How long credentials outlive what they were issued for.
    pub margin: Duration,
    pub policy: IceTransportPolicy,
}

impl IcePlan {
    /// For a participant joining a meeting that closes at `closes_at`.
    pub fn for_meeting(&self, participant: &str, closes_at: Timestamp) -> Vec<IceServer> {
        self.servers(participant, closes_at + self.margin)
    }

    /// For a participant's pre-join check at `now`: good for the margin only.
    pub fn for_check(&self, participant: &str, now: Timestamp) -> Vec<IceServer> {
        self.servers(participant, now + self.margin)
    }

    /// Whether any relay is configured (with none, `relay`-only policy cannot connect).
    pub fn has_relay(&self) -> bool {
        self.relays.iter().any(|r| !r.urls.is_empty())
            || self
                .fixed
                .iter()
                .any(|s| s.urls.iter().any(|u| u.starts_with("turn")))
    }

    fn servers(&self, participant: &str, expires: Timestamp) -> Vec<IceServer> {
        let relays = self
            .relays
            .iter()
            .filter(|r| !r.urls.is_empty())
            .map(|relay| {
                let c = credentials::issue(&relay.secret, participant, expires);
                IceServer {
                    urls: relay.urls.clone(),
                    username: Some(c.username),
                    credential: Some(c.password),
                }
            });
        relays.chain(self.fixed.iter().cloned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turn::credentials::check;

    #[test]
    fn a_meetings_credentials_last_until_its_close_plus_the_margin() {
        let plan = IcePlan {
            fixed: vec![IceServer {
                urls: vec!["stun:stun.example:3478".into()],
                username: None,
                credential: None,
            }],
            relays: vec![Relay {
                urls: vec!["turn:relay.example:3478?transport=udp".into()],
                secret: "k".into(),
            }],
            margin: Duration::from_secs(300),
            policy: IceTransportPolicy::All,
        };
        let closes = Timestamp::from_millis(1_000_000);
        let servers = plan.for_meeting("vendor-3", closes);
        assert_eq!(servers.len(), 2);
        let turn = &servers[0];
        let user = turn.username.as_deref().unwrap();
        assert_eq!(user, "1300:vendor-3");
        assert_eq!(
            turn.credential.as_deref(),
            Some(credentials::password("k", user).as_str())
        );
        assert!(check(user, closes + Duration::from_secs(300)).is_ok());
        assert!(check(user, closes + Duration::from_secs(301)).is_err());
        assert_eq!(
            servers[1].username, None,
            "fixed servers are handed out as configured"
        );
        assert!(plan.has_relay());
    }

    #[test]
    fn a_check_credential_is_good_for_the_margin_from_now() {
        let plan = IcePlan {
            fixed: vec![],
            relays: vec![Relay {
                urls: vec!["turns:relay.example:443?transport=tcp".into()],
                secret: "k".into(),
            }],
            margin: Duration::from_secs(60),
            policy: IceTransportPolicy::Relay,
        };
        let servers = plan.for_check("p", Timestamp::from_millis(10_000));
        assert_eq!(servers[0].username.as_deref(), Some("70:p"));
        assert!(!IcePlan::default().has_relay());
    }
}
