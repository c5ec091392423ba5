//! The consultation log as staff read it: one row per meeting on record, with names,
//! types and the survey answers beside the record, filtered, sorted and limited to what
//! the reader may see. Pure: the server hands in the records and answers it read.

use crate::fair::{Affiliation, EnterpriseType, Fair, InstitutionType, Participant, Role};
use crate::ids::{EnterpriseId, InstitutionId, MeetingId, ParticipantId};
use crate::live::room::{Absent, Attendance, Side};
use crate::protocol::OrgView;
use crate::records::record::{ConsultationRecord, Ending, ModeratorAction};
use crate::records::survey::{Answers, Outcome, SurveyAnswer};
use crate::time::Timestamp;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Whose records a reader may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Staff and moderators: every record, both sides' answers.
    All,
    /// A buyer: their institution's records, and only the buyers' answers.
    Institution(InstitutionId),
    /// A vendor: their enterprise's records, and only the vendors' answers.
    Enterprise(EnterpriseId),
    /// A token scoped to one meeting: that meeting's record, as `within` would see it.
    OneMeeting {
        within: Box<Scope>,
        meeting: MeetingId,
    },
}

impl Scope {
    /// The scope a participant reads the log with.
    pub fn of(p: &Participant) -> Scope {
        match (&p.role, &p.affiliation) {
            (Role::Buyer, Affiliation::Institution(i)) => Scope::Institution(i.clone()),
            (Role::Vendor, Affiliation::Enterprise(e)) => Scope::Enterprise(e.clone()),
            _ => Scope::All,
        }
    }

    fn admits(&self, r: &ConsultationRecord) -> bool {
        match self {
            Scope::All => true,
            Scope::Institution(i) => r.institution == *i,
            Scope::Enterprise(e) => r.enterprise == *e,
            Scope::OneMeeting { within, meeting } => r.meeting == *meeting && within.admits(r),
        }
    }

    fn sees_answers_of(&self, side: Side) -> bool {
        match self {
            Scope::All => true,
            Scope::Institution(_) => side == Side::Buyer,
            Scope::Enterprise(_) => side == Side::Vendor,
            Scope::OneMeeting { within, .. } => within.sees_answers_of(side),
        }
    }
}

/// Which meetings' outcome to keep.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OutcomeFilter {
    /// The furthest step either (visible) side reported is this one.
    Is(Outcome),
    /// Nobody answered the survey about it.
    Unanswered,
}

/// What rows to keep. Every field narrows; the default keeps everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub round: Option<u32>,
    /// Scheduled start at or after this instant (e.g. a day's start in Korea).
    pub from: Option<Timestamp>,
    /// Scheduled start before this instant.
    pub until: Option<Timestamp>,
    pub institution: Option<InstitutionId>,
    pub enterprise: Option<EnterpriseId>,
    pub institution_type: Option<InstitutionType>,
    pub enterprise_type: Option<EnterpriseType>,
    pub outcome: Option<OutcomeFilter>,
    /// `Some(true)`: only meetings that did not take place; `Some(false)`: only those that
    /// did.
    pub no_show: Option<bool>,
}

/// The column to sort by.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Scheduled start, then meeting id.
    #[default]
    Time,
    Round,
    Institution,
    Enterprise,
    Duration,
    Outcome,
    /// The lower of the two sides' ratings.
    Rating,
}

impl SortKey {
    pub const ALL: [(SortKey, &'static str); 7] = [
        (SortKey::Time, "time"),
        (SortKey::Round, "round"),
        (SortKey::Institution, "institution"),
        (SortKey::Enterprise, "enterprise"),
        (SortKey::Duration, "duration"),
        (SortKey::Outcome, "outcome"),
        (SortKey::Rating, "rating"),
    ];

    pub fn parse(s: &str) -> Option<SortKey> {
        SortKey::ALL
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(k, _)| *k)
    }
}

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSort {
    pub key: SortKey,
    pub descending: bool,
}

/// A person on a row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonView {
    pub id: ParticipantId,
    pub name: String,
}

/// One meeting on record, as the log table, the CSV and the workbook show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogRow {
    pub meeting: MeetingId,
    pub round: u32,
    pub theme: String,
    pub slot: u32,
    pub scheduled_start: Timestamp,
    pub scheduled_end: Timestamp,
    pub institution: OrgView,
    pub enterprise: OrgView,
    pub buyer: Option<PersonView>,
    pub vendor: Option<PersonView>,
    pub buyer_attendance: Attendance,
    pub vendor_attendance: Attendance,
    /// Seconds both sides spent together.
    pub duration_s: u64,
    pub ending: Ending,
    /// Who was absent at the no-show check, even if they came late.
    pub no_show: Option<Absent>,
    pub moderator_actions: Vec<ModeratorAction>,
    pub closed_at: Timestamp,
    /// A side shared its screen.
    pub screen_shared: bool,
    /// Files the sides sent each other.
    pub files_sent: u32,
    /// The answers the reader may see; `None` if that side did not answer.
    pub buyer_survey: Option<Answers>,
    pub vendor_survey: Option<Answers>,
    /// The furthest step either visible answer reports.
    pub outcome: Option<Outcome>,
}

impl LogRow {
    /// Whether the meeting did not take place (a side, or both, never came).
    pub fn is_no_show(&self) -> bool {
        matches!(self.ending, Ending::NoShow { .. })
    }

    fn min_rating(&self) -> Option<u8> {
        [&self.buyer_survey, &self.vendor_survey]
            .into_iter()
            .flatten()
            .map(|a| a.rating)
            .min()
    }
}

fn org_institution(fair: &Fair, id: &InstitutionId) -> OrgView {
    fair.institution(id)
        .map(OrgView::institution)
        .unwrap_or_else(|| OrgView {
            id: id.to_string(),
            name: id.to_string(),
            kind: String::new(),
            kind_label: String::new(),
        })
}

fn org_enterprise(fair: &Fair, id: &EnterpriseId) -> OrgView {
    fair.enterprise(id)
        .map(OrgView::enterprise)
        .unwrap_or_else(|| OrgView {
            id: id.to_string(),
            name: id.to_string(),
            kind: String::new(),
            kind_label: String::new(),
        })
}

fn person(fair: &Fair, id: &Option<ParticipantId>) -> Option<PersonView> {
    id.as_ref().map(|id| PersonView {
        id: id.clone(),
        name: fair
            .participant(id)
            .map_or_else(|| id.to_string(), |p| p.name.clone()),
    })
}

/// The fair's records (one per meeting, the first written wins) with the answers about
/// them, keyed for lookup. Shared by the log and the report.
pub(crate) struct Indexed<'a> {
    pub records: Vec<&'a ConsultationRecord>,
    /// Answers of this fair, one per participant and meeting.
    pub answers: Vec<&'a SurveyAnswer>,
    by_meeting_side: HashMap<(&'a MeetingId, Side), Vec<&'a SurveyAnswer>>,
    /// Records of this fair naming a meeting the fair does not have.
    pub ignored: usize,
}

impl<'a> Indexed<'a> {
    pub fn new(
        fair: &'a Fair,
        records: &'a [ConsultationRecord],
        answers: &'a [SurveyAnswer],
    ) -> Self {
        // A hash set, not the fair's ordered map: one lookup per record and per answer.
        let known: HashSet<&MeetingId> = fair.meetings().map(|m| &m.id).collect();
        let mut seen = HashSet::new();
        let mut ignored = 0;
        let mut kept = Vec::new();
        for r in records.iter().filter(|r| r.fair == fair.id) {
            if !known.contains(&r.meeting) {
                ignored += 1;
            } else if seen.insert(&r.meeting) {
                kept.push(r);
            }
        }
        let mut answered = HashSet::new();
        let mut kept_answers = Vec::new();
        let mut by_meeting_side: HashMap<(&MeetingId, Side), Vec<&SurveyAnswer>> = HashMap::new();
        for a in answers.iter().filter(|a| a.fair == fair.id) {
            if known.contains(&a.meeting) && answered.insert((&a.meeting, &a.participant)) {
                kept_answers.push(a);
                by_meeting_side
                    .entry((&a.meeting, a.side))
                    .or_default()
                    .push(a);
            }
        }
        Indexed {
            records: kept,
            answers: kept_answers,
            by_meeting_side,
            ignored,
        }
    }

    /// The answer about a meeting from one side: the one of the person who took that side
    /// if they answered, else the first.
    pub fn answer(&self, r: &ConsultationRecord, side: Side) -> Option<&'a SurveyAnswer> {
        let list = self.by_meeting_side.get(&(&r.meeting, side))?;
        let took = match side {
            Side::Buyer => &r.buyer,
            Side::Vendor => &r.vendor,
        };
        list.iter()
            .find(|a| Some(&a.participant) == took.as_ref())
            .or_else(|| list.first())
            .copied()
    }
}

/// The log rows `scope` may see, filtered and sorted.
pub fn log_rows(
    fair: &Fair,
    records: &[ConsultationRecord],
    answers: &[SurveyAnswer],
    scope: &Scope,
    filter: &LogFilter,
    sort: LogSort,
) -> Vec<LogRow> {
    let index = Indexed::new(fair, records, answers);
    let mut rows: Vec<LogRow> = index
        .records
        .iter()
        .filter(|r| scope.admits(r))
        .filter(|r| {
            let f = filter;
            f.round.is_none_or(|n| r.round == n)
                && f.from.is_none_or(|t| r.scheduled_start >= t)
                && f.until.is_none_or(|t| r.scheduled_start < t)
                && f.institution.as_ref().is_none_or(|i| r.institution == *i)
                && f.enterprise.as_ref().is_none_or(|e| r.enterprise == *e)
                && f.institution_type.is_none_or(|k| {
                    fair.institution(&r.institution)
                        .is_some_and(|i| i.kind == k)
                })
                && f.enterprise_type
                    .is_none_or(|k| fair.enterprise(&r.enterprise).is_some_and(|e| e.kind == k))
                && f.no_show
                    .is_none_or(|want| want == matches!(r.ending, Ending::NoShow { .. }))
        })
        .map(|r| {
            let survey = |side: Side| {
                scope
                    .sees_answers_of(side)
                    .then(|| index.answer(r, side))
                    .flatten()
                    .map(|a| a.answers.clone())
            };
            let buyer_survey = survey(Side::Buyer);
            let vendor_survey = survey(Side::Vendor);
            let outcome = [&buyer_survey, &vendor_survey]
                .into_iter()
                .flatten()
                .map(|a| a.outcome)
                .max();
            let theme = fair
                .meeting(&r.meeting)
                .and_then(|m| fair.round(&m.round))
                .map(|round| round.theme.clone())
                .unwrap_or_default();
            LogRow {
                meeting: r.meeting.clone(),
                round: r.round,
                theme,
                slot: r.slot,
                scheduled_start: r.scheduled_start,
                scheduled_end: r.scheduled_end,
                institution: org_institution(fair, &r.institution),
                enterprise: org_enterprise(fair, &r.enterprise),
                buyer: person(fair, &r.buyer),
                vendor: person(fair, &r.vendor),
                buyer_attendance: r.buyer_attendance,
                vendor_attendance: r.vendor_attendance,
                duration_s: r.duration_s,
                ending: r.ending,
                no_show: r.no_show,
                moderator_actions: r.moderator_actions.clone(),
                closed_at: r.closed_at,
                screen_shared: r.screen_shared,
                files_sent: r.files_sent,
                buyer_survey,
                vendor_survey,
                outcome,
            }
        })
        .filter(|row| match filter.outcome {
            None => true,
            Some(OutcomeFilter::Is(o)) => row.outcome == Some(o),
            Some(OutcomeFilter::Unanswered) => row.outcome.is_none(),
        })
        .collect();
    sort_rows(&mut rows, sort);
    rows
}

fn sort_rows(rows: &mut [LogRow], sort: LogSort) {
    let time = |a: &LogRow, b: &LogRow| {
        a.scheduled_start
            .cmp(&b.scheduled_start)
            .then_with(|| a.meeting.cmp(&b.meeting))
    };
    // Rows without a value sort after those with one, in either direction.
    fn last_if_none<T: Ord>(a: Option<T>, b: Option<T>, desc: bool) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) if desc => b.cmp(&a),
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    let desc = sort.descending;
    let dir = |o: Ordering| if desc { o.reverse() } else { o };
    rows.sort_by(|a, b| {
        let primary = match sort.key {
            SortKey::Time => dir(time(a, b)),
            SortKey::Round => dir(a.round.cmp(&b.round)),
            SortKey::Institution => dir(a.institution.name.cmp(&b.institution.name)),
            SortKey::Enterprise => dir(a.enterprise.name.cmp(&b.enterprise.name)),
            SortKey::Duration => dir(a.duration_s.cmp(&b.duration_s)),
            SortKey::Outcome => last_if_none(a.outcome, b.outcome, desc),
            SortKey::Rating => last_if_none(a.min_rating(), b.min_rating(), desc),
        };
        primary.then_with(|| time(a, b))
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fair::{Enterprise, FairParts, Institution, MeetingSpec, Participant, Role, Round};
    use crate::records::survey::Answers;
    use crate::time::minutes;

    pub fn id<T: TryFrom<String>>(s: &str) -> T
    where
        T::Error: std::fmt::Debug,
    {
        T::try_from(s.to_string()).unwrap()
    }

    /// Two institutions (a district and a school) and two enterprises meeting in two rounds.
    pub fn fair() -> Fair {
        let round = |rid: &str, n: u32, day: i64| Round {
            id: id(rid),
            number: n,
            theme: format!("theme {n}"),
            starts_at: Timestamp::from_millis(day * 86_400_000),
            slot_len: minutes(20),
            break_len: minutes(10),
            slots: 4,
        };
        let m = |mid: &str, r: &str, slot, i: &str, e: &str| MeetingSpec {
            id: id(mid),
            round: id(r),
            slot,
            institution: id(i),
            enterprise: id(e),
        };
        let p = |pid: &str, role, aff| Participant {
            id: id(pid),
            name: pid.to_uppercase(),
            role,
            affiliation: aff,
        };
        Fair::new(
            id("f"),
            "fair",
            FairParts {
                rounds: vec![round("r1", 1, 10), round("r2", 2, 40)],
                institutions: vec![
                    Institution {
                        id: id("i1"),
                        name: "나구청".into(),
                        kind: InstitutionType::District,
                    },
                    Institution {
                        id: id("i2"),
                        name: "가학교".into(),
                        kind: InstitutionType::Education,
                    },
                ],
                enterprises: vec![
                    Enterprise {
                        id: id("e1"),
                        name: "다기업".into(),
                        kind: EnterpriseType::SocialEnterprise,
                    },
                    Enterprise {
                        id: id("e2"),
                        name: "라조합".into(),
                        kind: EnterpriseType::Cooperative,
                    },
                ],
                participants: vec![
                    p("b1", Role::Buyer, Affiliation::Institution(id("i1"))),
                    p("b2", Role::Buyer, Affiliation::Institution(id("i2"))),
                    p("v1", Role::Vendor, Affiliation::Enterprise(id("e1"))),
                    p("v2", Role::Vendor, Affiliation::Enterprise(id("e2"))),
                ],
                meetings: vec![
                    m("m1", "r1", 0, "i1", "e1"),
                    m("m2", "r1", 1, "i2", "e1"),
                    m("m3", "r2", 0, "i1", "e2"),
                    m("m4", "r2", 1, "i2", "e2"),
                ],
            },
        )
        .unwrap()
    }

    /// A record of a meeting of [`fair`]; `absent` makes it a no-show.
    pub fn record(
        fair: &Fair,
        meeting: &str,
        minutes_together: u64,
        absent: Option<Absent>,
    ) -> ConsultationRecord {
        let m = fair.meeting(&id(meeting)).unwrap();
        let round = fair.round(&m.round).unwrap().number;
        let here = Attendance {
            first_joined_at: Some(m.slot.start),
            last_left_at: Some(m.slot.end),
        };
        let (b, v) = match absent {
            None => (here, here),
            Some(Absent::Buyer) => (Attendance::default(), here),
            Some(Absent::Vendor) => (here, Attendance::default()),
            Some(Absent::Both) => (Attendance::default(), Attendance::default()),
        };
        let buyer = fair
            .participants()
            .find(|p| p.affiliation == Affiliation::Institution(m.institution.clone()))
            .map(|p| p.id.clone());
        let vendor = fair
            .participants()
            .find(|p| p.affiliation == Affiliation::Enterprise(m.enterprise.clone()))
            .map(|p| p.id.clone());
        ConsultationRecord {
            fair: fair.id.clone(),
            meeting: m.id.clone(),
            round,
            slot: m.slot.index,
            institution: m.institution.clone(),
            enterprise: m.enterprise.clone(),
            buyer: b.first_joined_at.and(buyer),
            vendor: v.first_joined_at.and(vendor),
            scheduled_start: m.slot.start,
            scheduled_end: m.slot.end,
            buyer_attendance: b,
            vendor_attendance: v,
            duration_s: if absent.is_some() {
                0
            } else {
                minutes_together * 60
            },
            ending: match absent {
                Some(absent) => Ending::NoShow { absent },
                None => Ending::Timer,
            },
            no_show: absent,
            moderator_actions: vec![],
            closed_at: m.slot.end,
            screen_shared: false,
            files_sent: 0,
        }
    }

    pub fn answer(
        meeting: &str,
        participant: &str,
        side: Side,
        valued: &str,
        rating: u8,
        outcome: Outcome,
    ) -> SurveyAnswer {
        SurveyAnswer {
            fair: id("f"),
            meeting: id(meeting),
            participant: id(participant),
            side,
            answers: Answers {
                valued: valued.into(),
                rating,
                outcome,
                comment: String::new(),
            },
            answered_at: Timestamp::from_millis(0),
        }
    }

    fn ids(rows: &[LogRow]) -> Vec<&str> {
        rows.iter().map(|r| r.meeting.as_str()).collect()
    }

    #[test]
    fn filters_narrow_and_sorting_orders_the_rows() {
        let f = fair();
        let records = vec![
            record(&f, "m3", 15, None),
            record(&f, "m1", 20, None),
            record(&f, "m2", 0, Some(Absent::Vendor)),
            record(&f, "m4", 5, None),
        ];
        let answers = vec![
            answer(
                "m1",
                "b1",
                Side::Buyer,
                "variety",
                5,
                Outcome::QuoteRequested,
            ),
            answer(
                "m1",
                "v1",
                Side::Vendor,
                "promotion",
                4,
                Outcome::ContractReview,
            ),
            answer("m3", "v2", Side::Vendor, "knowledge", 2, Outcome::None),
        ];
        let all = |filter: LogFilter, sort: LogSort| {
            log_rows(&f, &records, &answers, &Scope::All, &filter, sort)
        };
        assert_eq!(
            ids(&all(LogFilter::default(), LogSort::default())),
            ["m1", "m2", "m3", "m4"]
        );
        let f1 = LogFilter {
            round: Some(2),
            ..Default::default()
        };
        assert_eq!(ids(&all(f1, LogSort::default())), ["m3", "m4"]);
        let school = LogFilter {
            institution_type: Some(InstitutionType::Education),
            ..Default::default()
        };
        assert_eq!(ids(&all(school, LogSort::default())), ["m2", "m4"]);
        let coop = LogFilter {
            enterprise_type: Some(EnterpriseType::Cooperative),
            ..Default::default()
        };
        assert_eq!(ids(&all(coop, LogSort::default())), ["m3", "m4"]);
        let missed = LogFilter {
            no_show: Some(true),
            ..Default::default()
        };
        assert_eq!(ids(&all(missed, LogSort::default())), ["m2"]);
        let held = LogFilter {
            no_show: Some(false),
            ..Default::default()
        };
        assert_eq!(ids(&all(held, LogSort::default())), ["m1", "m3", "m4"]);
        // The furthest step either side reported: the vendor's contract review wins.
        let contract = LogFilter {
            outcome: Some(OutcomeFilter::Is(Outcome::ContractReview)),
            ..Default::default()
        };
        assert_eq!(ids(&all(contract, LogSort::default())), ["m1"]);
        let unanswered = LogFilter {
            outcome: Some(OutcomeFilter::Unanswered),
            ..Default::default()
        };
        assert_eq!(ids(&all(unanswered, LogSort::default())), ["m2", "m4"]);
        let day = LogFilter {
            from: Some(Timestamp::from_millis(40 * 86_400_000)),
            until: Some(Timestamp::from_millis(41 * 86_400_000)),
            ..Default::default()
        };
        assert_eq!(ids(&all(day, LogSort::default())), ["m3", "m4"]);

        let by = |key, descending| all(LogFilter::default(), LogSort { key, descending });
        assert_eq!(ids(&by(SortKey::Duration, true)), ["m1", "m3", "m4", "m2"]);
        assert_eq!(ids(&by(SortKey::Time, true)), ["m4", "m3", "m2", "m1"]);
        // 가학교 (i2) before 나구청 (i1), in Korean dictionary order.
        assert_eq!(
            ids(&by(SortKey::Institution, false)),
            ["m2", "m4", "m1", "m3"]
        );
        // Unanswered rows go last whichever way.
        assert_eq!(ids(&by(SortKey::Rating, false)), ["m3", "m1", "m2", "m4"]);
        assert_eq!(ids(&by(SortKey::Rating, true)), ["m1", "m3", "m2", "m4"]);
    }

    #[test]
    fn buyers_and_vendors_see_their_organisation_and_their_sides_answers_only() {
        let f = fair();
        let records: Vec<_> = ["m1", "m2", "m3", "m4"]
            .iter()
            .map(|m| record(&f, m, 20, None))
            .collect();
        let answers = vec![
            answer(
                "m1",
                "b1",
                Side::Buyer,
                "variety",
                5,
                Outcome::QuoteRequested,
            ),
            answer(
                "m1",
                "v1",
                Side::Vendor,
                "promotion",
                2,
                Outcome::ContractReview,
            ),
        ];
        let rows = |scope: Scope| {
            log_rows(
                &f,
                &records,
                &answers,
                &scope,
                &LogFilter::default(),
                LogSort::default(),
            )
        };
        let buyer = rows(Scope::Institution(id("i1")));
        assert_eq!(ids(&buyer), ["m1", "m3"]);
        assert_eq!(buyer[0].buyer_survey.as_ref().unwrap().rating, 5);
        assert_eq!(buyer[0].vendor_survey, None);
        assert_eq!(buyer[0].outcome, Some(Outcome::QuoteRequested));
        let vendor = rows(Scope::Enterprise(id("e1")));
        assert_eq!(ids(&vendor), ["m1", "m2"]);
        assert_eq!(vendor[0].buyer_survey, None);
        assert_eq!(vendor[0].outcome, Some(Outcome::ContractReview));
        assert_eq!(rows(Scope::All).len(), 4);
    }

    #[test]
    fn other_fairs_records_and_repeats_are_left_out() {
        let f = fair();
        let mut other = record(&f, "m1", 20, None);
        other.fair = id("another");
        let mut unknown = record(&f, "m1", 20, None);
        unknown.meeting = id("m9");
        let records = vec![
            record(&f, "m1", 20, None),
            record(&f, "m1", 3, None),
            other,
            unknown,
        ];
        let rows = log_rows(
            &f,
            &records,
            &[],
            &Scope::All,
            &LogFilter::default(),
            LogSort::default(),
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].duration_s,
            20 * 60,
            "the first record of a meeting wins"
        );
        assert_eq!(Indexed::new(&f, &records, &[]).ignored, 1);
    }
}
