//! Who is asking: the participant behind a request's bearer token, what the token grants,
//! and the time the request is answered at — the opening every handler shares, as one
//! extractor.

use crate::app::clock;
use crate::app::state::AppState;
use crate::http::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use sangdam_signaling::live::access::Grant;
use sangdam_signaling::{ErrorCode, Participant, Role, Timestamp};

/// An authenticated request.
pub struct Caller {
    pub participant: Participant,
    /// The one meeting the token is scoped to, if any.
    pub scope: Option<String>,
    /// When the request is answered: one clock reading per request.
    pub now: Timestamp,
}

impl Caller {
    /// What the token lets the caller do, for the core's access rules.
    pub fn grant(&self) -> Grant<'_> {
        Grant::new(&self.participant, self.scope.as_deref())
    }

    /// Refuses (`wrong_role`) unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        Ok(self.grant().require(roles)?)
    }

    /// Refuses unless the caller is a moderator or staff.
    pub fn require_operator(&self) -> Result<(), ApiError> {
        self.require(&[Role::Staff, Role::Moderator])
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::TokenInvalid,
                    "send your invite token as 'Authorization: Bearer <token>'",
                )
            })?;
        let (claims, participant) = state.authenticate(token.trim()).await?;
        Ok(Caller {
            participant: participant.clone(),
            scope: claims.mtg,
            now: clock::now(),
        })
    }
}
