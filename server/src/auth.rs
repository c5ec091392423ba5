//! Invite tokens: JWTs the server signs for one participant, checked with a pinned
//! algorithm (HS256), expiry, audience and issuer. A token proves who a connection is;
//! nothing a client sends later can change that.

use crate::app::clock;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sangdam_signaling::{ErrorCode, Fair, MeetingId, Participant, Refusal, Role, Timestamp};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The only algorithm accepted. Pinning it closes `alg: none` and algorithm-confusion
/// attacks: a token whose header says anything else is refused before its claims are read.
const ALGORITHM: Algorithm = Algorithm::HS256;

/// How far the clocks of the server that signed a token and the one checking it may
/// disagree: expiry, not-before and issued-at are each allowed this much, no more.
pub const CLOCK_SKEW_LEEWAY_S: u64 = 5;

/// What an invite token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The participant id.
    pub sub: String,
    pub role: Role,
    /// The participant's organisation, as `Affiliation::code` writes it.
    pub org: String,
    pub fair: String,
    /// If set, the token admits to this one meeting only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtg: Option<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Not valid before this time, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The participant's link generation when the token was signed: staff revoking a link
    /// raise the participant's generation, and every token signed at a lower one stops
    /// working. Omitted while it is 0, so tokens of a participant never revoked look as
    /// they always did.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub gen: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Why a token was refused. Each maps to one protocol error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the invite token has expired; ask the fair's staff for a new link")]
    Expired,
    #[error("the invite token is not valid: {0}")]
    Invalid(&'static str),
    #[error("the invite token names {0}, which this fair does not have")]
    UnknownParticipant(String),
    #[error("the invite token was issued for another fair")]
    OtherFair,
    #[error("the invite token's role or organisation does not match the participant")]
    Mismatch,
    #[error("this invite link was revoked by the fair's staff; ask them for your new link")]
    Revoked,
}

impl AuthError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AuthError::Expired => ErrorCode::TokenExpired,
            AuthError::Invalid(_) => ErrorCode::TokenInvalid,
            AuthError::UnknownParticipant(_) | AuthError::OtherFair | AuthError::Mismatch => {
                ErrorCode::UnknownParticipant
            }
            AuthError::Revoked => ErrorCode::TokenRevoked,
        }
    }
}

/// Signs and checks invite tokens with one secret.
pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl TokenIssuer {
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl: Duration) -> Self {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = CLOCK_SKEW_LEEWAY_S;
        validation.validate_nbf = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl,
        }
    }

    /// A token for `participant` at link generation `generation` (their current one, from
    /// the people store), valid from `now` for the configured lifetime.
    pub fn issue(
        &self,
        fair: &Fair,
        participant: &Participant,
        meeting: Option<&MeetingId>,
        generation: u32,
        now: Timestamp,
    ) -> String {
        self.issue_until(fair, participant, meeting, generation, now, now + self.ttl)
    }

    /// A token for `participant` at link generation `generation`, valid from `now` until
    /// `expires_at` (an invitation lasts until the fair's end and a margin, however long
    /// that is).
    pub fn issue_until(
        &self,
        fair: &Fair,
        participant: &Participant,
        meeting: Option<&MeetingId>,
        generation: u32,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> String {
        let iat = now.as_millis() / 1000;
        self.sign(&Claims {
            sub: participant.id.to_string(),
            role: participant.role,
            org: participant.affiliation.code(),
            fair: fair.id.to_string(),
            mtg: meeting.map(|m| m.to_string()),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat,
            exp: (expires_at.as_millis() / 1000).max(iat + 60),
            nbf: None,
            gen: generation,
        })
    }

    /// Signs any claims; tests use it to make tokens that must be refused.
    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(ALGORITHM), claims, &self.encoding)
            .expect("HMAC signing cannot fail")
    }

    /// Checks signature, algorithm, expiry, not-before, issue time, issuer and audience.
    /// A token issued in the future (beyond the leeway) is refused: no honest issuer makes
    /// one, and it would outlive its stated lifetime.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::ImmatureSignature => AuthError::Invalid("it is not valid yet"),
                ErrorKind::InvalidSignature => AuthError::Invalid("its signature does not match"),
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                    AuthError::Invalid("it is not signed with the accepted algorithm")
                }
                ErrorKind::InvalidAudience => AuthError::Invalid("it is for another audience"),
                ErrorKind::InvalidIssuer => AuthError::Invalid("it was issued by someone else"),
                ErrorKind::MissingRequiredClaim(_) => {
                    AuthError::Invalid("a required claim is missing")
                }
                _ => AuthError::Invalid("it is malformed"),
            })?;
        let now_s = clock::now().as_millis() / 1000;
        if claims.iat > now_s + CLOCK_SKEW_LEEWAY_S as i64 {
            return Err(AuthError::Invalid("it was issued in the future"));
        }
        Ok(claims)
    }

    /// Verifies a token and finds its participant in `fair`, checking that the role and
    /// organisation the token states are still the participant's. Whether the token's link
    /// generation is still current needs the people store: see `AppState::authenticate`,
    /// the one path every surface takes.
    pub fn authenticate<'f>(
        &self,
        fair: &'f Fair,
        token: &str,
    ) -> Result<(Claims, &'f Participant), AuthError> {
        let claims = self.verify(token)?;
        if claims.fair != fair.id.as_str() {
            return Err(AuthError::OtherFair);
        }
        let participant = sangdam_signaling::ParticipantId::parse(claims.sub.clone())
            .ok()
            .and_then(|id| fair.participant(&id))
            .ok_or_else(|| AuthError::UnknownParticipant(claims.sub.clone()))?;
        if participant.role != claims.role || participant.affiliation.code() != claims.org {
            return Err(AuthError::Mismatch);
        }
        Ok((claims, participant))
    }
}

impl From<AuthError> for Refusal {
    fn from(e: AuthError) -> Self {
        Refusal::new(e.code(), e.to_string())
    }
}
