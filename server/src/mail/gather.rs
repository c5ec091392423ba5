//! What a mail needs, gathered from the fair, its preparation and the agenda: the
//! recipient's meetings as lines with the other side's name, and for a change notice what
//! moved. Shared with `/api/timetable.ics`, so the calendar a mail attaches and the one the
//! page offers are the same file.

use super::letter::{ChangeLine, Letter, Line};
use sangdam_signaling::fair::Affiliation;
use sangdam_signaling::notify::agenda::{self, Agenda, Item, Source};
use sangdam_signaling::notify::NoticeKind;
use sangdam_signaling::prep::timetable::{self, Change};
use sangdam_signaling::prep::{Counterpart, Prep};
use sangdam_signaling::{Fair, Participant};

/// The sources one round of mail is rendered from.
pub struct Gather<'a> {
    pub fair: &'a Fair,
    pub prep: &'a Prep,
    pub agenda: &'a Agenda,
    pub base_url: &'a str,
}

/// An organisation's name: as registered, else as the live fair has it, else its id.
pub fn org_name(fair: &Fair, prep: &Prep, who: &Counterpart) -> String {
    match who {
        Counterpart::Institution(i) => prep
            .registry
            .institution(i)
            .map(|e| e.name.clone())
            .or_else(|| fair.institution(i).map(|e| e.name.clone()))
            .unwrap_or_else(|| i.to_string()),
        Counterpart::Enterprise(e) => prep
            .registry
            .enterprise(e)
            .map(|x| x.name.clone())
            .or_else(|| fair.enterprise(e).map(|x| x.name.clone()))
            .unwrap_or_else(|| e.to_string()),
    }
}

impl Gather<'_> {
    fn line(&self, side: &Affiliation, item: &Item) -> Line {
        let round = self.fair.round(&item.round);
        let other = match side {
            Affiliation::Enterprise(_) => Counterpart::Institution(item.institution.clone()),
            _ => Counterpart::Enterprise(item.enterprise.clone()),
        };
        Line {
            meeting: item.meeting.clone(),
            round_number: round.map_or(0, |r| r.number),
            theme: round.map(|r| r.theme.clone()).unwrap_or_default(),
            slot_number: item.slot + 1,
            starts_at: item.starts_at,
            ends_at: item.ends_at,
            counterpart: org_name(self.fair, self.prep, &other),
        }
    }

    /// A participant's meetings, in time order.
    pub fn lines_of(&self, p: &Participant) -> Vec<Line> {
        self.agenda
            .of(&p.affiliation)
            .into_iter()
            .map(|i| self.line(&p.affiliation, i))
            .collect()
    }

    /// What publication `number` changed for the participant's organisation.
    pub fn changes_of(&self, p: &Participant, number: u32) -> Vec<ChangeLine> {
        let old = number
            .checked_sub(1)
            .filter(|n| *n > 0)
            .map(|n| self.prep.timetable_of(&p.affiliation, Some(n)))
            .unwrap_or_default();
        let new = self.prep.timetable_of(&p.affiliation, Some(number));
        let timed = |b: &timetable::Booked| {
            agenda::timed(self.fair, b).map(|i| self.line(&p.affiliation, &i))
        };
        timetable::changes(old, new)
            .iter()
            .filter_map(|c| match c {
                Change::Added { now } => timed(now).map(ChangeLine::Added),
                Change::Removed { was } => timed(was).map(ChangeLine::Removed),
                Change::Moved { was, now } => Some(ChangeLine::Moved {
                    was: timed(was)?,
                    now: timed(now)?,
                }),
            })
            .collect()
    }

    /// `p`'s timetable as calendar entries.
    pub fn calendar_entries(&self, p: &Participant) -> Vec<crate::files::ics::CalendarEntry> {
        self.letter(p, NoticeKind::Invitation { generation: 0 }, String::new())
            .calendar_entries()
    }

    /// The whole mail for `p`.
    pub fn letter(&self, p: &Participant, kind: NoticeKind, link: String) -> Letter {
        let changes = match &kind {
            NoticeKind::Change { publication } => self.changes_of(p, *publication),
            _ => Vec::new(),
        };
        let organisation = match &p.affiliation {
            Affiliation::Institution(i) => {
                org_name(self.fair, self.prep, &Counterpart::Institution(i.clone()))
            }
            Affiliation::Enterprise(e) => {
                org_name(self.fair, self.prep, &Counterpart::Enterprise(e.clone()))
            }
            Affiliation::Operator => self.fair.name.clone(),
        };
        Letter {
            fair_name: self.fair.name.clone(),
            fair_id: self.fair.id.to_string(),
            recipient: p.name.clone(),
            organisation,
            role: p.role,
            link,
            base_url: self.base_url.to_string(),
            kind,
            lines: self.lines_of(p),
            changes,
            sequence: match self.agenda.source {
                Source::Publication(n) => n,
                Source::Fair => 0,
            },
        }
    }
}
