//! What every handler shares. Its own module, so handlers depend on the state and never
//! on how the server is started.

use crate::app::settings::Settings;
use crate::auth::{AuthError, Claims, TokenIssuer};
use crate::files::fair::contacts::Contacts;
use crate::journal::archive::Archive;
use crate::journal::{ConsultationLog, SurveyLog};
use crate::lobby::store::LobbyStore;
use crate::mail::Mailer;
use crate::moderation::board::{Picture, Sources};
use crate::moderation::Moderation;
use crate::people::People;
use crate::prep::Preparation;
use crate::rooms::bus::OpsMessage;
use crate::rooms::Rooms;
use crate::turn::Relay;
use sangdam_signaling::records::survey::SurveyConfig;
use sangdam_signaling::turn::IcePlan;
use sangdam_signaling::{Fair, Participant, ParticipantId, Refusal, Timestamp};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub fair: Arc<Fair>,
    pub tokens: Arc<TokenIssuer>,
    pub(crate) rooms: Rooms,
    pub log: Arc<dyn ConsultationLog>,
    pub lobby: Arc<dyn LobbyStore>,
    /// Survey answers, kept like the consultation log.
    pub surveys: Arc<dyn SurveyLog>,
    /// The fair's survey questions.
    pub survey: Arc<SurveyConfig>,
    /// Completed fairs kept for reports (the demo's history).
    pub archive: Arc<Archive>,
    /// This node's id among the nodes sharing a Redis (random per start).
    pub(crate) node: Arc<str>,
    /// Numbers this node's connections.
    pub(crate) connections: Arc<AtomicU64>,
    pub(crate) moderation: Moderation,
    /// Fair-wide news (announcements, moderator activity) for this node's connections.
    pub(crate) ops: tokio::sync::broadcast::Sender<OpsMessage>,
    /// The moderators' board, kept up to date while anyone watches.
    pub(crate) board: tokio::sync::watch::Receiver<Arc<Picture>>,
    pub(crate) board_sources: Sources,
    /// Participants' phones and e-mails, for moderators.
    pub contacts: Arc<Contacts>,
    /// Poked when the board may need redrawing.
    pub(crate) changed: Arc<tokio::sync::Notify>,
    /// The ICE servers (relay credentials minted per participant) clients are handed.
    pub ice: Arc<IcePlan>,
    /// The embedded TURN relay, when `[turn]` runs one.
    pub relay: Option<Arc<Relay>>,
    /// The fair's preparation (registrations to a published timetable).
    pub prep: Preparation,
    /// Participants' link generations (revocation) and reminder opt-outs.
    pub people: People,
    /// Where people reach this server (`server.public_url`, or the bound address), for
    /// links in calendar files.
    pub base_url: Arc<str>,
    /// Invitations, reminders and change notices by mail.
    pub mail: Mailer,
}

impl AppState {
    /// A number for a new connection, unique on this node.
    pub(crate) fn next_conn(&self) -> u64 {
        self.connections.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Until when an invitation link works: the fair's end and `auth.invite_margin_hours`.
    pub fn invite_expiry(&self, now: Timestamp) -> Timestamp {
        self.fair.ends_at().unwrap_or(now)
            + std::time::Duration::from_secs(self.settings.auth.invite_margin_hours * 3600)
    }

    /// Whether mail can reach `p`.
    pub fn has_address(&self, p: &ParticipantId) -> bool {
        self.contacts.get(p).is_some_and(|c| c.email.is_some())
    }

    /// A name for a new connection, unique across the nodes: `<node>-<n>`.
    pub(crate) fn conn_key(&self, conn: u64) -> String {
        format!("{}-{conn}", self.node)
    }

    /// Who a token is: the one path every surface (the HTTP API, `/ws`, `/ws/lobby`,
    /// `/ws/board`) authenticates by. The token's signature, claims and participant
    /// ([`TokenIssuer::authenticate`]), then its link generation against the
    /// participant's current one: a token older than the participant's last revocation is
    /// `token_revoked`. With the store out of reach, `temporarily_unavailable` (unless
    /// this node knows the generation, see [`People`]).
    pub async fn authenticate(&self, token: &str) -> Result<(Claims, &Participant), Refusal> {
        let (claims, participant) = self.tokens.authenticate(&self.fair, token)?;
        let current = self.people.generation(&participant.id).await?;
        if claims.gen < current {
            return Err(AuthError::Revoked.into());
        }
        Ok((claims, participant))
    }

    /// Whether what a connection of `participant`, authenticated at link generation
    /// `generation`, heard on the ops channel ends it: a revocation of that participant
    /// since. If the connection fell behind and missed news, the store is asked instead
    /// (a store out of reach ends nothing: the revocation's own news will).
    pub(crate) async fn revoked_since(
        &self,
        heard: &Result<OpsMessage, tokio::sync::broadcast::error::RecvError>,
        participant: &ParticipantId,
        generation: u32,
    ) -> Option<Refusal> {
        let current = match heard {
            Ok(OpsMessage::Revoked {
                participant: p,
                generation: g,
            }) if p == participant => *g,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                self.people.generation(participant).await.ok()?
            }
            _ => return None,
        };
        (current > generation).then(|| Refusal::from(AuthError::Revoked))
    }
}
