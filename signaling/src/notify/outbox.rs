//! Every notice's state, and the only transitions it may take:
//!
//! ```text
//! queued ──claim──▶ sending ──250──▶ sent
//!   ▲                  │ 4xx, no connection: queued again after a backoff
//!   │                  │ 5xx, or too many attempts: failed (staff see the reason)
//!   └──── staff retry ─┘ failed
//! queued/sending past its use (a reminder after its meeting began): expired
//! an invitation whose link generation was revoked before it went: superseded
//! ```
//!
//! A key enters the outbox once and leaves `sent` never, so no participant gets the same
//! notice twice. The one gap SMTP leaves is a crash between the server's `250` and the
//! store's write of `sent`; such an entry, found `sending` at start, goes out again with the
//! same `Message-ID`, which mail systems use to drop duplicates. A restart also ends every
//! backoff: restarting is how an operator says the relay is fixed.

use super::{Notice, NoticeKey, NoticeKind};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Queued,
    Sending,
    Sent,
    Failed,
    Expired,
    Superseded,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Queued,
        State::Sending,
        State::Sent,
        State::Failed,
        State::Expired,
        State::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Sending => "sending",
            State::Sent => "sent",
            State::Failed => "failed",
            State::Expired => "expired",
            State::Superseded => "superseded",
        }
    }

    /// Nothing more will happen to it unless staff ask.
    pub fn is_final(self) -> bool {
        !matches!(self, State::Queued | State::Sending)
    }
}

/// One notice and what has become of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub key: NoticeKey,
    #[serde(flatten)]
    pub notice: Notice,
    pub state: State,
    pub queued_at: Timestamp,
    /// Tries so far (a try is one SMTP transaction begun).
    pub attempts: u32,
    /// When it may next be tried.
    pub next_at: Timestamp,
    /// After this it is pointless (reminders: the meeting's start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The mail server's last refusal, or why it could not be reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it was sent, failed for good, expired or was superseded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<Timestamp>,
}

/// What one try came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The server took the message (`250` after the data).
    Sent,
    /// Worth trying again: a `4xx` reply, no connection, a timeout.
    Transient(String),
    /// Not worth trying again: a `5xx` reply (unknown mailbox, refused sender), an address
    /// that is not one, no address at all.
    Permanent(String),
}

/// How often and how patiently to try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryRules {
    /// The wait after the first failure; each further failure doubles it.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// Tries before giving up.
    pub max_attempts: u32,
}

impl Default for RetryRules {
    fn default() -> Self {
        RetryRules {
            first_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(30 * 60),
            max_attempts: 8,
        }
    }
}

impl RetryRules {
    /// The wait after `attempts` failed tries: 30 s, 1 min, 2 min, … up to the cap.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doubling = attempts.saturating_sub(1).min(20);
        self.first_backoff
            .saturating_mul(1 << doubling)
            .min(self.max_backoff)
    }
}

/// Counts per kind and state, for staff's progress line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts(pub BTreeMap<&'static str, BTreeMap<&'static str, usize>>);

/// Every notice the fair has queued.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    entries: BTreeMap<NoticeKey, Entry>,
    /// Queued entries by when they may go.
    due: BTreeSet<(Timestamp, NoticeKey)>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &NoticeKey) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// A new entry for `notice`, or `None` if its key was queued before (in any state: a
    /// sent notice is not sent again, a failed one waits for staff).
    pub fn queue(
        &mut self,
        notice: Notice,
        now: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> Option<&Entry> {
        let key = notice.key();
        if self.entries.contains_key(&key) {
            return None;
        }
        let entry = Entry {
            key: key.clone(),
            notice,
            state: State::Queued,
            queued_at: now,
            attempts: 0,
            next_at: now,
            expires_at,
            error: None,
            done_at: None,
        };
        self.put(entry);
        self.entries.get(&key)
    }

    /// Puts `entry` as it is (read from a store, or changed by another node), keeping the
    /// due index right.
    pub fn put(&mut self, entry: Entry) {
        if let Some(old) = self.entries.get(&entry.key) {
            self.due.remove(&(old.next_at, old.key.clone()));
        }
        if entry.state == State::Queued {
            self.due.insert((entry.next_at, entry.key.clone()));
        }
        self.entries.insert(entry.key.clone(), entry);
    }

    /// After a restart: what was being sent when the process stopped goes again (same key,
    /// same `Message-ID`), counted as the try it was; what was waiting out a backoff goes
    /// now, since a restart is how an operator says the relay was fixed. Returns the
    /// entries changed.
    pub fn resume(&mut self, now: Timestamp) -> Vec<Entry> {
        let stuck: Vec<Entry> = self
            .entries
            .values()
            .filter(|e| e.state == State::Sending || (e.state == State::Queued && e.next_at > now))
            .cloned()
            .collect();
        stuck
            .into_iter()
            .map(|mut e| {
                e.state = State::Queued;
                e.next_at = now;
                self.put(e.clone());
                e
            })
            .collect()
    }

    /// When the next queued entry may go.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.due.first().map(|(t, _)| *t)
    }

    /// Up to `limit` entries due at `now`, marked `sending` (one try more). Entries past
    /// their use are marked `expired` instead and returned in the second list; invitations
    /// `superseded` says are marked so, also in the second list.
    pub fn claim(
        &mut self,
        now: Timestamp,
        limit: usize,
        superseded: impl Fn(&Notice) -> bool,
    ) -> (Vec<Entry>, Vec<Entry>) {
        let mut sending = Vec::new();
        let mut closed = Vec::new();
        while sending.len() < limit {
            let Some((at, key)) = self.due.first().cloned() else {
                break;
            };
            if at > now {
                break;
            }
            self.due.remove(&(at, key.clone()));
            let Some(e) = self.entries.get_mut(&key) else {
                continue;
            };
            if e.expires_at.is_some_and(|x| x <= now) {
                e.state = State::Expired;
                e.done_at = Some(now);
                closed.push(e.clone());
            } else if superseded(&e.notice) {
                e.state = State::Superseded;
                e.done_at = Some(now);
                closed.push(e.clone());
            } else {
                e.state = State::Sending;
                e.attempts += 1;
                sending.push(e.clone());
            }
        }
        (sending, closed)
    }

    /// Records what a try of `key` came to. `None` if the key is not being sent (a second
    /// report of one try changes nothing).
    pub fn finish(
        &mut self,
        key: &NoticeKey,
        attempt: Attempt,
        now: Timestamp,
        rules: &RetryRules,
    ) -> Option<&Entry> {
        let e = self.entries.get_mut(key)?;
        if e.state != State::Sending {
            return None;
        }
        match attempt {
            Attempt::Sent => {
                e.state = State::Sent;
                e.error = None;
                e.done_at = Some(now);
            }
            Attempt::Permanent(why) => {
                e.state = State::Failed;
                e.error = Some(why);
                e.done_at = Some(now);
            }
            Attempt::Transient(why) if e.attempts >= rules.max_attempts => {
                e.state = State::Failed;
                e.error = Some(format!("gave up after {} tries: {why}", e.attempts));
                e.done_at = Some(now);
            }
            Attempt::Transient(why) => {
                e.state = State::Queued;
                e.next_at = now + rules.backoff(e.attempts);
                e.error = Some(why);
                self.due.insert((e.next_at, e.key.clone()));
            }
        }
        self.entries.get(key)
    }

    /// Staff's "try again": failed entries (all, or those in `only`) queued anew with a
    /// fresh count of tries. Returns the entries changed.
    pub fn retry_failed(&mut self, only: Option<&[NoticeKey]>, now: Timestamp) -> Vec<Entry> {
        let keys: Vec<NoticeKey> = self
            .entries
            .values()
            .filter(|e| e.state == State::Failed)
            .filter(|e| only.is_none_or(|o| o.contains(&e.key)))
            .map(|e| e.key.clone())
            .collect();
        keys.into_iter()
            .filter_map(|k| {
                let mut e = self.entries.get(&k)?.clone();
                e.state = State::Queued;
                e.attempts = 0;
                e.next_at = now;
                e.done_at = None;
                self.put(e.clone());
                Some(e)
            })
            .collect()
    }

    /// How many of each kind are in each state.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for e in self.entries.values() {
            *c.0.entry(e.notice.kind.label())
                .or_default()
                .entry(e.state.as_str())
                .or_default() += 1;
        }
        c
    }

    /// Failed entries, newest first, at most `limit`.
    pub fn failures(&self, limit: usize) -> Vec<&Entry> {
        let mut f: Vec<&Entry> = self
            .entries
            .values()
            .filter(|e| e.state == State::Failed)
            .collect();
        f.sort_by_key(|e| std::cmp::Reverse(e.done_at));
        f.truncate(limit);
        f
    }

    /// Whether `participant` was sent an invitation before `at`.
    pub fn invited_before(&self, participant: &crate::ParticipantId, at: Timestamp) -> bool {
        let prefix = format!("invite/{participant}/");
        self.entries
            .range(NoticeKey(prefix.clone())..)
            .take_while(|(k, _)| k.as_str().starts_with(&prefix))
            .any(|(_, e)| {
                e.state == State::Sent
                    && e.done_at.is_some_and(|d| d < at)
                    && matches!(e.notice.kind, NoticeKind::Invitation { .. })
            })
    }
}
