//! What every handler shares. Its own module, so handlers depend on the state and never
//! on how the server is started.

use crate::app::settings::Settings;
use crate::auth::TokenIssuer;
use crate::files::fair::contacts::Contacts;
use crate::journal::archive::Archive;
use crate::journal::{ConsultationLog, SurveyLog};
use crate::lobby::store::LobbyStore;
use crate::mail::Mailer;
use crate::moderation::board::{Picture, Sources};
use crate::moderation::Moderation;
use crate::prep::Preparation;
use crate::rooms::bus::OpsMessage;
use crate::rooms::Rooms;
use crate::turn::Relay;
use sangdam_signaling::records::survey::SurveyConfig;
use sangdam_signaling::turn::IcePlan;
use sangdam_signaling::{Fair, Participant, ParticipantId, Timestamp};
use std::collections::{HashMap, HashSet};
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

    /// A participant's personal link as invitations carry it.
    pub fn invite_link(&self, p: &Participant, now: Timestamp) -> String {
        let token = self
            .tokens
            .issue_until(&self.fair, p, None, now, self.invite_expiry(now));
        format!("{}/#token={token}", self.base_url)
    }

    /// Whether mail can reach `p`.
    pub fn has_address(&self, p: &ParticipantId) -> bool {
        self.contacts.get(p).is_some_and(|c| c.email.is_some())
    }

    /// How long before each meeting people are reminded.
    pub fn reminder_minutes(&self) -> Vec<u32> {
        vec![30, 5]
    }

    /// Who turned reminders off.
    pub async fn reminders_off(&self) -> HashSet<ParticipantId> {
        HashSet::new()
    }

    /// Each participant's current link generation (absent: 0).
    pub async fn link_generations(&self) -> HashMap<ParticipantId, u32> {
        HashMap::new()
    }

    /// A name for a new connection, unique across the nodes: `<node>-<n>`.
    pub(crate) fn conn_key(&self, conn: u64) -> String {
        format!("{}-{conn}", self.node)
    }
}
