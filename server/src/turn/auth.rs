//! The relay's side of the credentials a `joined` hands out: the username must be in
//! date, and the request's MESSAGE-INTEGRITY must match the password the core derives
//! from it (the `turn` server checks that with the key returned here). So a forged or
//! altered username, a wrong secret or an expired credential gets 401.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use sangdam_signaling::turn::credentials;
use tracing::info;
use turn::auth::{generate_auth_key, AuthHandler};

use super::RelayCounters;
use crate::app::clock;

pub struct RestAuth {
    secret: String,
    counters: Arc<RelayCounters>,
}

impl RestAuth {
    pub fn new(secret: &str, counters: Arc<RelayCounters>) -> Self {
        Self {
            secret: secret.to_string(),
            counters,
        }
    }
}

impl AuthHandler for RestAuth {
    fn auth_handle(
        &self,
        username: &str,
        realm: &str,
        src_addr: SocketAddr,
    ) -> Result<Vec<u8>, turn::Error> {
        match credentials::check(username, clock::now()) {
            Ok(_) => {
                let password = credentials::password(&self.secret, username);
                Ok(generate_auth_key(username, realm, &password))
            }
            Err(e) => {
                self.counters
                    .refused_credentials
                    .fetch_add(1, Ordering::Relaxed);
                let user: String = username.chars().take(80).collect();
                info!(%src_addr, username = %user.escape_debug(), reason = %e, "TURN credential refused");
                Err(turn::Error::Other(e.to_string()))
            }
        }
    }
}
