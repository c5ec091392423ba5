//! The reminders and change notices due at an instant. Asked again and again by the mailer
//! (every few seconds, and after a restart that may have slept through some marks); the
//! outbox's keys make asking twice harmless, so these functions only say what is due now.

use super::agenda::{Agenda, Item};
use super::{Notice, NoticeKind};
use crate::fair::Affiliation;
use crate::prep::timetable;
use crate::prep::Prep;
use crate::{Fair, ParticipantId, Role, Timestamp};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// How long before a meeting people are reminded, in minutes, largest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderMarks(Vec<u32>);

impl ReminderMarks {
    /// Marks in any order; zeros and repeats are dropped.
    pub fn new(mut minutes: Vec<u32>) -> Self {
        minutes.retain(|m| *m > 0);
        minutes.sort_unstable_by(|a, b| b.cmp(a));
        minutes.dedup();
        ReminderMarks(minutes)
    }

    pub fn minutes(&self) -> &[u32] {
        &self.0
    }

    fn largest(&self) -> Duration {
        Duration::from_secs(u64::from(self.0.first().copied().unwrap_or(0)) * 60)
    }

    /// The reminder to send now for a meeting starting at `starts_at`: the latest mark
    /// already reached. A page or a mailer that slept through the 30-minute mark and wakes
    /// 3 minutes before sends the 5-minute reminder only; nothing once the meeting began.
    pub fn mark_at(&self, starts_at: Timestamp, now: Timestamp) -> Option<u32> {
        if now >= starts_at {
            return None;
        }
        self.0
            .iter()
            .rev()
            .copied()
            .find(|m| starts_at - Duration::from_secs(u64::from(*m) * 60) <= now)
    }
}

/// Who speaks for each organisation in its meetings: the buyers of an institution and the
/// vendors of an enterprise.
pub struct Audience {
    by_side: HashMap<Affiliation, Vec<ParticipantId>>,
}

impl Audience {
    pub fn new(fair: &Fair) -> Self {
        let mut by_side: HashMap<Affiliation, Vec<ParticipantId>> = HashMap::new();
        for p in fair.participants() {
            if matches!(p.role, Role::Buyer | Role::Vendor) {
                by_side
                    .entry(p.affiliation.clone())
                    .or_default()
                    .push(p.id.clone());
            }
        }
        Audience { by_side }
    }

    /// Both sides' people of a meeting.
    pub fn of(&self, item: &Item) -> impl Iterator<Item = &ParticipantId> {
        let i = Affiliation::Institution(item.institution.clone());
        let e = Affiliation::Enterprise(item.enterprise.clone());
        self.by_side
            .get(&i)
            .into_iter()
            .chain(self.by_side.get(&e))
            .flatten()
    }

    pub fn side(&self, side: &Affiliation) -> &[ParticipantId] {
        self.by_side.get(side).map_or(&[], Vec::as_slice)
    }
}

/// A reminder due now and the instant it becomes pointless (the meeting's start).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueReminder {
    pub notice: Notice,
    pub expires_at: Timestamp,
}

/// Every reminder due at `now`, for everyone not in `opted_out`.
pub fn reminders(
    agenda: &Agenda,
    audience: &Audience,
    marks: &ReminderMarks,
    opted_out: &HashSet<ParticipantId>,
    now: Timestamp,
) -> Vec<DueReminder> {
    let mut out = Vec::new();
    // Only meetings whose largest mark has come and whose start has not.
    for item in agenda.starting_between(now + Duration::from_millis(1), now + marks.largest()) {
        let Some(minutes) = marks.mark_at(item.starts_at, now) else {
            continue;
        };
        for p in audience.of(item).filter(|p| !opted_out.contains(*p)) {
            out.push(DueReminder {
                notice: Notice {
                    participant: p.clone(),
                    kind: NoticeKind::Reminder {
                        meeting: item.meeting.clone(),
                        minutes,
                    },
                },
                expires_at: item.starts_at,
            });
        }
    }
    out
}

/// The organisations whose timetable differs between publication `number - 1` (nothing,
/// for the first) and `number`.
pub fn changed_sides(prep: &Prep, number: u32) -> Vec<Affiliation> {
    let Some(new) = number
        .checked_sub(1)
        .and_then(|i| prep.publications.get(i as usize))
    else {
        return Vec::new();
    };
    let old = number
        .checked_sub(2)
        .and_then(|i| prep.publications.get(i as usize));
    type Group<'a> = HashMap<Affiliation, Vec<&'a timetable::Booked>>;
    fn group(booked: &[timetable::Booked]) -> Group<'_> {
        let mut g: Group<'_> = HashMap::new();
        for b in booked {
            g.entry(Affiliation::Institution(b.institution.clone()))
                .or_default()
                .push(b);
            g.entry(Affiliation::Enterprise(b.enterprise.clone()))
                .or_default()
                .push(b);
        }
        g
    }
    let old = old.map(|p| group(&p.booked)).unwrap_or_default();
    let new = group(&new.booked);
    let mut sides: Vec<Affiliation> = old.keys().chain(new.keys()).cloned().collect();
    sides.sort_by_key(Affiliation::code);
    sides.dedup();
    let none = Vec::new();
    sides.retain(|s| {
        let a = old.get(s).unwrap_or(&none);
        let b = new.get(s).unwrap_or(&none);
        !timetable::changes(a.iter().copied(), b.iter().copied()).is_empty()
    });
    sides
}

/// The change notices due for the latest publication: everyone whose timetable it changed
/// and who `was_invited` before it came out. Someone invited later got the new timetable
/// in the invitation itself, so telling them it changed would only confuse.
pub fn changes(
    prep: &Prep,
    audience: &Audience,
    was_invited: impl Fn(&ParticipantId, Timestamp) -> bool,
) -> Vec<Notice> {
    let Some(latest) = prep.published() else {
        return Vec::new();
    };
    changed_sides(prep, latest.number)
        .iter()
        .flat_map(|s| audience.side(s))
        .filter(|p| was_invited(p, latest.at))
        .map(|p| Notice {
            participant: p.clone(),
            kind: NoticeKind::Change {
                publication: latest.number,
            },
        })
        .collect()
}
