//! Short-lived TURN credentials in the TURN REST scheme (draft-uberti-behave-turn-rest),
//! the one coturn's `use-auth-secret` speaks: the username is `expiry:participant` (expiry
//! in Unix seconds), the password the Base64 of HMAC-SHA1 over the username keyed with a
//! secret the relay shares with Sangdam. Nothing is stored: any relay holding the secret
//! can check a credential, so the embedded relay and an external coturn accept the same.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::time::Timestamp;

/// A username and password for one participant's `RTCIceServer` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnCredential {
    pub username: String,
    pub password: String,
}

/// What a checked username says: whose it is and until when it is good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnGrant {
    pub participant: String,
    /// Unix seconds.
    pub expires: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("TURN username is not `expiry:participant`")]
    Malformed,
    #[error("TURN credential expired at {expires} (Unix seconds)")]
    Expired { expires: i64 },
}

/// Issues the credential for `participant`, good until `expires` (rounded up to the second:
/// a credential never dies before the instant it was issued for).
pub fn issue(secret: &str, participant: &str, expires: Timestamp) -> TurnCredential {
    let secs = expires.as_millis().div_euclid(1000) + i64::from(expires.as_millis() % 1000 != 0);
    let username = format!("{secs}:{participant}");
    let password = password(secret, &username);
    TurnCredential { username, password }
}

/// The password belonging to `username`: what the relay computes to check a request's
/// message integrity. A forged or altered username gives another password, so the
/// relay's integrity check refuses it.
pub fn password(secret: &str, username: &str) -> String {
    // HMAC accepts a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Reads a username and refuses it once expired. The participant part is what follows
/// the first `:` (participant ids may contain more).
pub fn check(username: &str, now: Timestamp) -> Result<TurnGrant, CredentialError> {
    let (expiry, participant) = username.split_once(':').ok_or(CredentialError::Malformed)?;
    let expires: i64 = expiry.parse().map_err(|_| CredentialError::Malformed)?;
    if participant.is_empty() {
        return Err(CredentialError::Malformed);
    }
    if expires.saturating_mul(1000) < now.as_millis() {
        return Err(CredentialError::Expired { expires });
    }
    Ok(TurnGrant {
        participant: participant.to_string(),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_coturns_rest_scheme() {
        // The TURN REST draft's scheme, checked against an HMAC-SHA1 computed with
        // `printf %s '1700000000:p-1' | openssl dgst -sha1 -hmac secret -binary | base64`.
        assert_eq!(
            password("secret", "1700000000:p-1"),
            "EGknUEC9fQfON4epF5GrUbmOogI="
        );
    }

    #[test]
    fn an_issued_credential_checks_until_its_expiry_and_not_after() {
        let until = Timestamp::from_millis(1_700_000_000_500);
        let c = issue("s3cret", "buyer-7", until);
        assert_eq!(c.username, "1700000001:buyer-7");
        assert_eq!(c.password, password("s3cret", &c.username));
        let grant = check(&c.username, until).unwrap();
        assert_eq!(grant.participant, "buyer-7");
        assert_eq!(grant.expires, 1_700_000_001);
        assert_eq!(
            check(&c.username, Timestamp::from_millis(1_700_000_001_001)),
            Err(CredentialError::Expired {
                expires: 1_700_000_001
            })
        );
    }

    #[test]
    fn participant_ids_may_contain_colons_and_malformed_names_are_refused() {
        let now = Timestamp::from_millis(0);
        assert_eq!(check("10:a:b", now).unwrap().participant, "a:b");
        for bad in ["", "10", "x:p", "10:", ":p", "1e3:p"] {
            assert_eq!(check(bad, now), Err(CredentialError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn another_secret_or_an_altered_username_gives_another_password() {
        let c = issue("one", "p", Timestamp::from_millis(5_000));
        assert_ne!(password("two", &c.username), c.password);
        assert_ne!(password("one", "6:p"), c.password);
    }
}
