//! Mail to participants: invitations with the personal link and timetable, reminders before
//! each meeting, notices when a published timetable changes. The core decides what is due
//! and keeps each notice's state ([`sangdam_signaling::notify`]); this module renders
//! ([`letter`], [`compose`]), sends over SMTP ([`transport`]), stores the outbox
//! ([`store`]) and runs the sender in the background ([`job`]).

pub mod compose;
pub mod gather;
pub mod job;
pub mod letter;
pub mod store;
pub mod transport;

use crate::app::settings::Settings;
use sangdam_signaling::notify::outbox::{Counts, Entry, Outbox, RetryRules};
use sangdam_signaling::notify::{Notice, NoticeKey};
use sangdam_signaling::{Fair, Refusal, Timestamp};
use std::sync::Arc;
use store::file::FileOutbox;
use store::redis::RedisOutbox;
use store::OutboxStore;

/// The outbox and, when `[mail]` names a relay, the way to it. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    pub(crate) store: Arc<dyn OutboxStore>,
    pub(crate) smtp: Option<transport::Smtp>,
    pub(crate) sender: Option<compose::Sender>,
    pub(crate) rules: RetryRules,
    /// Poked when something was queued, so the sender need not wait for its next tick.
    pub(crate) wake: Arc<tokio::sync::Notify>,
}

/// What staff see of the outbox.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Progress {
    pub enabled: bool,
    pub counts: Counts,
    /// The newest failures, with the relay's reason.
    pub failures: Vec<Entry>,
    pub total: usize,
}

impl Mailer {
    /// The outbox where the other stores are (Redis with `redis.url`, else a file in
    /// `records.dir`), and the relay `[mail]` names, if any.
    pub fn open(settings: &Settings, fair: &Fair) -> Result<Mailer, String> {
        let store: Arc<dyn OutboxStore> = match settings.redis_url() {
            Some(url) => Arc::new(RedisOutbox::new(url, &fair.id)?),
            None => Arc::new(FileOutbox::open(
                &settings
                    .records_dir()
                    .join(format!("mail-{}.jsonl", fair.id)),
            )?),
        };
        let m = &settings.mail;
        let (smtp, sender) = if m.enabled() {
            let from: lettre::message::Mailbox =
                m.from.parse().map_err(|e| format!("mail.from: {e}"))?;
            let reply_to = match m.reply_to.trim() {
                "" => None,
                r => Some(r.parse().map_err(|e| format!("mail.reply_to: {e}"))?),
            };
            let domain = from.email.domain().to_string();
            (
                Some(transport::build(m)?),
                Some(compose::Sender {
                    from,
                    reply_to,
                    domain,
                }),
            )
        } else {
            (None, None)
        };
        Ok(Mailer {
            store,
            smtp,
            sender,
            rules: m.retry_rules(),
            wake: Arc::new(tokio::sync::Notify::new()),
        })
    }

    pub fn enabled(&self) -> bool {
        self.smtp.is_some()
    }

    /// Refuses (`mail_not_configured`) what needs a relay when `[mail]` names none.
    pub fn require_enabled(&self) -> Result<(), Refusal> {
        if self.enabled() {
            Ok(())
        } else {
            Err(Refusal::new(
                sangdam_signaling::ErrorCode::MailNotConfigured,
                "메일 서버가 설정되지 않았습니다 ([mail] host) · no mail relay is configured: set [mail] host, or hand out the links sheet",
            )
            .for_request())
        }
    }

    pub fn location(&self) -> String {
        self.store.location()
    }

    /// Queues notices; returns the ones that are new (a key queued before, in any state,
    /// is not queued again).
    pub async fn queue(
        &self,
        notices: Vec<(Notice, Option<Timestamp>)>,
        now: Timestamp,
    ) -> Result<Vec<Entry>, Refusal> {
        let mut fresh = Outbox::new();
        let entries: Vec<Entry> = notices
            .into_iter()
            .filter_map(|(n, expires)| fresh.queue(n, now, expires).cloned())
            .collect();
        let added = self.store.add(entries).await?;
        if !added.is_empty() {
            self.wake.notify_one();
        }
        Ok(added)
    }

    pub async fn progress(&self, failures: usize) -> Result<Progress, Refusal> {
        let mut ob = Outbox::new();
        for e in self.store.load().await? {
            ob.put(e);
        }
        Ok(Progress {
            enabled: self.enabled(),
            counts: ob.counts(),
            failures: ob.failures(failures).into_iter().cloned().collect(),
            total: ob.len(),
        })
    }

    /// Staff's "try again" for failed notices (all, or the keys given).
    pub async fn retry(
        &self,
        only: Option<Vec<NoticeKey>>,
        now: Timestamp,
    ) -> Result<usize, Refusal> {
        let mut ob = Outbox::new();
        for e in self.store.load().await? {
            ob.put(e);
        }
        let changed = ob.retry_failed(only.as_deref(), now);
        let n = changed.len();
        self.store.change(changed).await?;
        self.wake.notify_one();
        Ok(n)
    }
}
