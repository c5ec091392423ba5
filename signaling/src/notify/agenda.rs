//! A participant's meetings with their times, as mail tells them. The latest publication is
//! the timetable once there is one (staff publish before the fair files are exported); the
//! running fair's own schedule otherwise. One source for invitations, reminders and change
//! notices, so a mail never tells a time another mail contradicts.

use crate::fair::Affiliation;
use crate::prep::timetable::Booked;
use crate::prep::Prep;
use crate::{EnterpriseId, Fair, InstitutionId, MeetingId, RoundId, Timestamp};
use std::collections::BTreeMap;

/// One meeting in a timetable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub meeting: MeetingId,
    pub round: RoundId,
    /// The slot's index in its round (0 is the first).
    pub slot: u32,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub institution: InstitutionId,
    pub enterprise: EnterpriseId,
}

/// Where an agenda's times come from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Publication `n` of the preparation.
    Publication(u32),
    /// The fair files the server runs.
    Fair,
}

/// Every meeting of the fair with its time, indexed by organisation.
#[derive(Clone, Debug)]
pub struct Agenda {
    pub source: Source,
    items: Vec<Item>,
    by_institution: BTreeMap<InstitutionId, Vec<usize>>,
    by_enterprise: BTreeMap<EnterpriseId, Vec<usize>>,
}

/// `booked` with the times of its round's slot; `None` for a round or slot the fair lacks.
pub fn timed(fair: &Fair, b: &Booked) -> Option<Item> {
    let slot = fair.round(&b.round)?.slot(b.slot)?;
    Some(Item {
        meeting: b.meeting.clone(),
        round: b.round.clone(),
        slot: b.slot,
        starts_at: slot.start,
        ends_at: slot.end,
        institution: b.institution.clone(),
        enterprise: b.enterprise.clone(),
    })
}

impl Agenda {
    /// The timetable of publication `number` (the latest if `None`), or the fair's schedule
    /// when nothing is published.
    pub fn new(fair: &Fair, prep: &Prep, number: Option<u32>) -> Agenda {
        let publication = match number {
            Some(n) => n
                .checked_sub(1)
                .and_then(|i| prep.publications.get(i as usize)),
            None => prep.published(),
        };
        let (source, items) = match publication {
            Some(p) => (
                Source::Publication(p.number),
                p.booked.iter().filter_map(|b| timed(fair, b)).collect(),
            ),
            None => (
                Source::Fair,
                fair.meetings()
                    .map(|m| Item {
                        meeting: m.id.clone(),
                        round: m.round.clone(),
                        slot: m.slot.index,
                        starts_at: m.slot.start,
                        ends_at: m.slot.end,
                        institution: m.institution.clone(),
                        enterprise: m.enterprise.clone(),
                    })
                    .collect(),
            ),
        };
        Agenda::from_items(source, items)
    }

    pub fn from_items(source: Source, mut items: Vec<Item>) -> Agenda {
        items.sort_by(|a, b| (a.starts_at, &a.meeting).cmp(&(b.starts_at, &b.meeting)));
        let mut by_institution: BTreeMap<InstitutionId, Vec<usize>> = BTreeMap::new();
        let mut by_enterprise: BTreeMap<EnterpriseId, Vec<usize>> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            by_institution
                .entry(item.institution.clone())
                .or_default()
                .push(i);
            by_enterprise
                .entry(item.enterprise.clone())
                .or_default()
                .push(i);
        }
        Agenda {
            source,
            items,
            by_institution,
            by_enterprise,
        }
    }

    /// Every meeting, in time order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// One organisation's meetings, in time order (none for staff and moderators).
    pub fn of(&self, side: &Affiliation) -> Vec<&Item> {
        let idx = match side {
            Affiliation::Institution(i) => self.by_institution.get(i),
            Affiliation::Enterprise(e) => self.by_enterprise.get(e),
            Affiliation::Operator => None,
        };
        idx.into_iter().flatten().map(|&i| &self.items[i]).collect()
    }

    /// The meetings starting in `[from, until)`, in time order.
    pub fn starting_between(&self, from: Timestamp, until: Timestamp) -> &[Item] {
        let a = self.items.partition_point(|i| i.starts_at < from);
        let b = self.items.partition_point(|i| i.starts_at < until);
        &self.items[a..b.max(a)]
    }
}
