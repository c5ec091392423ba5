//! The fair's report, computed from the log: how many institutions and enterprises took
//! part, how many consultations took place, per round and per organisation type, growth
//! against a previous fair, and the survey's answers in percent. A pure function of the
//! records, the fair and the answers, so every figure can be traced to rows of the log.
//!
//! What is counted, as the report states it:
//! - a **consultation** is a meeting on record whose two sides both came (not a no-show);
//! - an organisation **took part** if its side came to at least one of its meetings;
//!   `institutions` and `enterprises` count *distinct* organisations;
//! - a **participation** is an organisation taking part in one round, so an enterprise
//!   that came in all three rounds is one organisation and three participations (the
//!   2021 Seoul report's type breakdowns, 83 and 185, count something like these rather
//!   than its 85 and 171 distinct organisations);
//! - percentages have one decimal, rounded half up.

use crate::fair::{EnterpriseType, Fair, InstitutionType};
use crate::ids::{EnterpriseId, FairId, InstitutionId};
use crate::live::room::{Absent, Side};
use crate::records::log_view::Indexed;
use crate::records::record::{ConsultationRecord, Ending};
use crate::records::survey::{Outcome, SurveyAnswer, SurveyConfig};
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// `part` of `whole` in percent with one decimal, rounded half up; 0 when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let tenths = (2 * part as u128 * 1000 + whole as u128) / (2 * whole as u128);
    tenths as f64 / 10.0
}

/// What the report is computed from.
#[derive(Copy, Clone)]
pub struct ReportInput<'a> {
    pub fair: &'a Fair,
    /// The log; records of other fairs are left out.
    pub records: &'a [ConsultationRecord],
    /// Survey answers; answers about other fairs are left out.
    pub answers: &'a [SurveyAnswer],
    pub survey: &'a SurveyConfig,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FairRef {
    pub id: FairId,
    pub name: String,
}

/// The headline figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Distinct institutions that came to at least one meeting.
    pub institutions: u64,
    /// Distinct enterprises that came to at least one meeting.
    pub enterprises: u64,
    /// Meetings on record where both sides came.
    pub consultations: u64,
    /// Institution–round pairs: an institution that came in two rounds counts twice.
    pub institution_participations: u64,
    pub enterprise_participations: u64,
    /// Meetings in the fair's schedule.
    pub meetings_scheduled: u64,
    /// Meetings on record (consultations and no-shows).
    pub meetings_recorded: u64,
    /// Meetings on record that did not take place, by who was missing.
    pub no_shows: u64,
    pub no_show_buyer: u64,
    pub no_show_vendor: u64,
    pub no_show_both: u64,
    /// Minutes both sides spent together, over all consultations.
    pub minutes_together: u64,
    /// Per consultation, one decimal.
    pub average_minutes: f64,
    /// Records naming a meeting the fair does not have (left out of every figure).
    pub records_ignored: u64,
    /// Consultations in which a side shared its screen.
    pub screen_shares: u64,
    /// Files the sides sent each other, over all consultations.
    pub files_sent: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoundFigures {
    pub number: u32,
    pub theme: String,
    pub starts_at: Timestamp,
    pub meetings_scheduled: u64,
    pub consultations: u64,
    pub no_shows: u64,
    /// Distinct institutions and enterprises that came in this round.
    pub institutions: u64,
    pub enterprises: u64,
}

/// One organisation type's line: distinct organisations and per-round participations,
/// stated separately.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeFigures {
    /// The type's code, e.g. `district`.
    pub kind: &'static str,
    /// The Korean label, e.g. `자치구`.
    pub label: &'static str,
    pub distinct: u64,
    /// Share of the distinct organisations of this side.
    pub distinct_pct: f64,
    pub participations: u64,
    pub consultations: u64,
}

/// A count with its share.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    pub code: String,
    pub label: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label_en: String,
    pub count: u64,
    pub pct: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrowthFigure {
    pub previous: u64,
    pub current: u64,
    /// This fair's figure as a percentage of the previous fair's (130.0 = 30 % more).
    pub pct: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Growth {
    pub previous: FairRef,
    pub institutions: GrowthFigure,
    pub enterprises: GrowthFigure,
    pub consultations: GrowthFigure,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RatingFigures {
    /// Mean of the ratings, two decimals; 0 with no answers.
    pub average: f64,
    /// How many answered 1, 2, 3, 4 and 5.
    pub counts: [u64; 5],
}

/// One side's survey in figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideFigures {
    pub responses: u64,
    /// Distinct people who answered at least once.
    pub respondents: u64,
    pub question: String,
    pub question_en: String,
    /// The "most valuable" question's options in configured order, then any answered
    /// option the configuration no longer has.
    pub valued: Vec<Share>,
    pub rating: RatingFigures,
    pub outcomes: Vec<Share>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SurveyFigures {
    pub buyer: SideFigures,
    pub vendor: SideFigures,
}

/// The fair's report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FairReport {
    pub fair: FairRef,
    pub totals: Totals,
    pub rounds: Vec<RoundFigures>,
    pub institution_types: Vec<TypeFigures>,
    pub enterprise_types: Vec<TypeFigures>,
    /// How the meetings on record ended.
    pub endings: Vec<Share>,
    /// Per consultation, the furthest step either side reported (answered ones only).
    pub outcomes: Vec<Share>,
    pub growth: Option<Growth>,
    pub survey: SurveyFigures,
}

fn came(a: &crate::live::room::Attendance) -> bool {
    a.first_joined_at.is_some()
}

fn is_consultation(r: &ConsultationRecord) -> bool {
    !matches!(r.ending, Ending::NoShow { .. })
}

/// Only the totals: what growth compares.
pub fn totals(input: ReportInput<'_>) -> Totals {
    let index = Indexed::new(input.fair, input.records, input.answers);
    totals_of(input.fair, &index)
}

fn totals_of(fair: &Fair, index: &Indexed<'_>) -> Totals {
    let mut t = Totals {
        meetings_scheduled: fair.meetings().count() as u64,
        records_ignored: index.ignored as u64,
        ..Totals::default()
    };
    let mut inst: HashSet<&InstitutionId> = HashSet::new();
    let mut ent: HashSet<&EnterpriseId> = HashSet::new();
    let mut inst_round: HashSet<(u32, &InstitutionId)> = HashSet::new();
    let mut ent_round: HashSet<(u32, &EnterpriseId)> = HashSet::new();
    let mut seconds = 0u64;
    for r in &index.records {
        t.meetings_recorded += 1;
        if came(&r.buyer_attendance) {
            inst.insert(&r.institution);
            inst_round.insert((r.round, &r.institution));
        }
        if came(&r.vendor_attendance) {
            ent.insert(&r.enterprise);
            ent_round.insert((r.round, &r.enterprise));
        }
        match r.ending {
            Ending::NoShow { absent } => {
                t.no_shows += 1;
                match absent {
                    Absent::Buyer => t.no_show_buyer += 1,
                    Absent::Vendor => t.no_show_vendor += 1,
                    Absent::Both => t.no_show_both += 1,
                }
            }
            _ => {
                t.consultations += 1;
                seconds += r.duration_s;
                t.screen_shares += u64::from(r.screen_shared);
                t.files_sent += u64::from(r.files_sent);
            }
        }
    }
    t.institutions = inst.len() as u64;
    t.enterprises = ent.len() as u64;
    t.institution_participations = inst_round.len() as u64;
    t.enterprise_participations = ent_round.len() as u64;
    t.minutes_together = seconds / 60;
    t.average_minutes = if t.consultations == 0 {
        0.0
    } else {
        // One decimal, rounded half up, in whole arithmetic.
        let tenths = (seconds * 10 * 2 / 60 + t.consultations) / (2 * t.consultations);
        tenths as f64 / 10.0
    };
    t
}

impl FairReport {
    /// The report of `current`; with `previous`, growth against it.
    pub fn compute(current: ReportInput<'_>, previous: Option<ReportInput<'_>>) -> FairReport {
        let fair = current.fair;
        let index = Indexed::new(fair, current.records, current.answers);
        let totals = totals_of(fair, &index);

        // One pass over the records, grouped by round number (records carry it).
        #[derive(Default)]
        struct RoundAcc<'r> {
            records: u64,
            consultations: u64,
            institutions: HashSet<&'r InstitutionId>,
            enterprises: HashSet<&'r EnterpriseId>,
        }
        let mut by_round: HashMap<u32, RoundAcc<'_>> = HashMap::new();
        for r in &index.records {
            let acc = by_round.entry(r.round).or_default();
            acc.records += 1;
            if is_consultation(r) {
                acc.consultations += 1;
            }
            if came(&r.buyer_attendance) {
                acc.institutions.insert(&r.institution);
            }
            if came(&r.vendor_attendance) {
                acc.enterprises.insert(&r.enterprise);
            }
        }
        let mut scheduled: HashMap<&crate::ids::RoundId, u64> = HashMap::new();
        for m in fair.meetings() {
            *scheduled.entry(&m.round).or_default() += 1;
        }
        let rounds = fair
            .rounds()
            .map(|round| {
                let acc = by_round.remove(&round.number).unwrap_or_default();
                RoundFigures {
                    number: round.number,
                    theme: round.theme.clone(),
                    starts_at: round.starts_at,
                    meetings_scheduled: scheduled.get(&round.id).copied().unwrap_or(0),
                    consultations: acc.consultations,
                    no_shows: acc.records - acc.consultations,
                    institutions: acc.institutions.len() as u64,
                    enterprises: acc.enterprises.len() as u64,
                }
            })
            .collect();

        // Per type: distinct organisations, round participations, consultations.
        let mut i_distinct: HashMap<InstitutionType, HashSet<&InstitutionId>> = HashMap::new();
        let mut i_part: HashMap<InstitutionType, HashSet<(u32, &InstitutionId)>> = HashMap::new();
        let mut i_cons: HashMap<InstitutionType, u64> = HashMap::new();
        let mut e_distinct: HashMap<EnterpriseType, HashSet<&EnterpriseId>> = HashMap::new();
        let mut e_part: HashMap<EnterpriseType, HashSet<(u32, &EnterpriseId)>> = HashMap::new();
        let mut e_cons: HashMap<EnterpriseType, u64> = HashMap::new();
        let i_kind: HashMap<&InstitutionId, InstitutionType> =
            fair.institutions().map(|i| (&i.id, i.kind)).collect();
        let e_kind: HashMap<&EnterpriseId, EnterpriseType> =
            fair.enterprises().map(|e| (&e.id, e.kind)).collect();
        for r in &index.records {
            if let Some(&kind) = i_kind.get(&r.institution) {
                if came(&r.buyer_attendance) {
                    i_distinct.entry(kind).or_default().insert(&r.institution);
                    i_part
                        .entry(kind)
                        .or_default()
                        .insert((r.round, &r.institution));
                }
                if is_consultation(r) {
                    *i_cons.entry(kind).or_default() += 1;
                }
            }
            if let Some(&kind) = e_kind.get(&r.enterprise) {
                if came(&r.vendor_attendance) {
                    e_distinct.entry(kind).or_default().insert(&r.enterprise);
                    e_part
                        .entry(kind)
                        .or_default()
                        .insert((r.round, &r.enterprise));
                }
                if is_consultation(r) {
                    *e_cons.entry(kind).or_default() += 1;
                }
            }
        }
        let institution_types = InstitutionType::ALL
            .iter()
            .map(|k| {
                let distinct = i_distinct.get(k).map_or(0, |s| s.len() as u64);
                TypeFigures {
                    kind: k.code(),
                    label: k.label_ko(),
                    distinct,
                    distinct_pct: percent(distinct, totals.institutions),
                    participations: i_part.get(k).map_or(0, |s| s.len() as u64),
                    consultations: i_cons.get(k).copied().unwrap_or(0),
                }
            })
            .collect();
        let enterprise_types = EnterpriseType::ALL
            .iter()
            .map(|k| {
                let distinct = e_distinct.get(k).map_or(0, |s| s.len() as u64);
                TypeFigures {
                    kind: k.code(),
                    label: k.label_ko(),
                    distinct,
                    distinct_pct: percent(distinct, totals.enterprises),
                    participations: e_part.get(k).map_or(0, |s| s.len() as u64),
                    consultations: e_cons.get(k).copied().unwrap_or(0),
                }
            })
            .collect();

        let endings = endings(&index, totals.meetings_recorded);
        let outcomes = meeting_outcomes(&index);
        let growth = previous.map(|p| {
            let prev = self::totals(p);
            let g = |previous: u64, current: u64| GrowthFigure {
                previous,
                current,
                pct: percent(current, previous),
            };
            Growth {
                previous: FairRef {
                    id: p.fair.id.clone(),
                    name: p.fair.name.clone(),
                },
                institutions: g(prev.institutions, totals.institutions),
                enterprises: g(prev.enterprises, totals.enterprises),
                consultations: g(prev.consultations, totals.consultations),
            }
        });
        let survey = SurveyFigures {
            buyer: side_figures(&index, current.survey, Side::Buyer),
            vendor: side_figures(&index, current.survey, Side::Vendor),
        };
        FairReport {
            fair: FairRef {
                id: fair.id.clone(),
                name: fair.name.clone(),
            },
            totals,
            rounds,
            institution_types,
            enterprise_types,
            endings,
            outcomes,
            growth,
            survey,
        }
    }
}

fn share(code: &str, label: &str, label_en: &str, count: u64, whole: u64) -> Share {
    Share {
        code: code.into(),
        label: label.into(),
        label_en: label_en.into(),
        count,
        pct: percent(count, whole),
    }
}

fn endings(index: &Indexed<'_>, whole: u64) -> Vec<Share> {
    const KINDS: [(&str, &str, &str); 8] = [
        ("timer", "시간 종료", "Ended on time"),
        (
            "left_early_buyer",
            "기관 조기 퇴장",
            "Institution left early",
        ),
        (
            "left_early_vendor",
            "기업 조기 퇴장",
            "Enterprise left early",
        ),
        ("participant", "참가자 종료", "Ended by a participant"),
        ("moderator", "운영자 종료", "Ended by a moderator"),
        ("no_show_buyer", "기관 불참", "Institution absent"),
        ("no_show_vendor", "기업 불참", "Enterprise absent"),
        ("no_show_both", "양측 불참", "Both absent"),
    ];
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &index.records {
        let code = match r.ending {
            Ending::Timer => "timer",
            Ending::LeftEarly { side: Side::Buyer } => "left_early_buyer",
            Ending::LeftEarly { side: Side::Vendor } => "left_early_vendor",
            Ending::Participant => "participant",
            Ending::Moderator => "moderator",
            Ending::NoShow {
                absent: Absent::Buyer,
            } => "no_show_buyer",
            Ending::NoShow {
                absent: Absent::Vendor,
            } => "no_show_vendor",
            Ending::NoShow {
                absent: Absent::Both,
            } => "no_show_both",
        };
        *counts.entry(code).or_default() += 1;
    }
    KINDS
        .iter()
        .map(|(code, ko, en)| share(code, ko, en, counts.get(code).copied().unwrap_or(0), whole))
        .collect()
}

fn outcome_shares(counts: &HashMap<Outcome, u64>, whole: u64) -> Vec<Share> {
    Outcome::ALL
        .iter()
        .map(|o| {
            share(
                o.code(),
                o.label_ko(),
                o.label_en(),
                counts.get(o).copied().unwrap_or(0),
                whole,
            )
        })
        .collect()
}

fn meeting_outcomes(index: &Indexed<'_>) -> Vec<Share> {
    let mut counts: HashMap<Outcome, u64> = HashMap::new();
    let mut answered = 0;
    for r in index.records.iter().filter(|r| is_consultation(r)) {
        let furthest = [Side::Buyer, Side::Vendor]
            .into_iter()
            .filter_map(|s| index.answer(r, s))
            .map(|a| a.answers.outcome)
            .max();
        if let Some(o) = furthest {
            answered += 1;
            *counts.entry(o).or_default() += 1;
        }
    }
    outcome_shares(&counts, answered)
}

fn side_figures(index: &Indexed<'_>, survey: &SurveyConfig, side: Side) -> SideFigures {
    let config = survey.side(side);
    let answers: Vec<&SurveyAnswer> = index
        .answers
        .iter()
        .filter(|a| a.side == side)
        .copied()
        .collect();
    let whole = answers.len() as u64;
    let mut by_option: HashMap<&str, u64> = HashMap::new();
    let mut outcomes: HashMap<Outcome, u64> = HashMap::new();
    let mut counts = [0u64; 5];
    let mut people = HashSet::new();
    for a in &answers {
        *by_option.entry(a.answers.valued.as_str()).or_default() += 1;
        *outcomes.entry(a.answers.outcome).or_default() += 1;
        if (1..=5).contains(&a.answers.rating) {
            counts[a.answers.rating as usize - 1] += 1;
        }
        people.insert(&a.participant);
    }
    let mut valued: Vec<Share> = config
        .options
        .iter()
        .map(|o| {
            share(
                &o.id,
                &o.label,
                &o.label_en,
                by_option.get(o.id.as_str()).copied().unwrap_or(0),
                whole,
            )
        })
        .collect();
    // Answers to options since removed from the configuration still count.
    let mut stray: Vec<(&str, u64)> = by_option
        .iter()
        .filter(|(id, _)| !config.options.iter().any(|o| o.id == **id))
        .map(|(id, n)| (*id, *n))
        .collect();
    stray.sort();
    valued.extend(stray.into_iter().map(|(id, n)| share(id, id, "", n, whole)));
    let rated: u64 = counts.iter().sum();
    let sum: u64 = counts
        .iter()
        .enumerate()
        .map(|(i, n)| (i as u64 + 1) * n)
        .sum();
    let average = if rated == 0 {
        0.0
    } else {
        ((sum * 100 * 2 + rated) / (2 * rated)) as f64 / 100.0
    };
    SideFigures {
        responses: whole,
        respondents: people.len() as u64,
        question: config.question.clone(),
        question_en: config.question_en.clone(),
        valued,
        rating: RatingFigures { average, counts },
        outcomes: outcome_shares(&outcomes, whole),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::log_view::tests::{answer, fair, record};

    #[test]
    fn percent_rounds_half_up_to_one_decimal() {
        assert_eq!(percent(68, 173), 39.3);
        assert_eq!(percent(54, 173), 31.2);
        assert_eq!(percent(84, 183), 45.9);
        assert_eq!(percent(171, 112), 152.7);
        assert_eq!(percent(576, 443), 130.0);
        assert_eq!(percent(1, 8), 12.5);
        assert_eq!(percent(1, 0), 0.0);
    }

    #[test]
    fn figures_count_distinct_organisations_and_round_participations_apart() {
        let f = fair();
        // i1 meets in rounds 1 and 2; e1 in round 1 twice; m4's vendor never came.
        let records = vec![
            record(&f, "m1", 20, None),
            record(&f, "m2", 18, None),
            record(&f, "m3", 10, None),
            record(&f, "m4", 0, Some(Absent::Vendor)),
        ];
        let survey = SurveyConfig::default();
        let input = ReportInput {
            fair: &f,
            records: &records,
            answers: &[],
            survey: &survey,
        };
        let r = FairReport::compute(input, None);
        let t = &r.totals;
        assert_eq!((t.institutions, t.enterprises, t.consultations), (2, 2, 3));
        // i1 r1, i2 r1, i1 r2, i2 r2 (i2 came to m4 though e2 did not).
        assert_eq!(t.institution_participations, 4);
        // e1 r1, e2 r2.
        assert_eq!(t.enterprise_participations, 2);
        assert_eq!((t.no_shows, t.no_show_vendor), (1, 1));
        assert_eq!(t.minutes_together, 48);
        assert_eq!(t.average_minutes, 16.0);
        assert_eq!(r.rounds[0].consultations, 2);
        assert_eq!(r.rounds[1].no_shows, 1);
        let district = r
            .institution_types
            .iter()
            .find(|k| k.kind == "district")
            .unwrap();
        assert_eq!(
            (
                district.distinct,
                district.participations,
                district.consultations
            ),
            (1, 2, 2)
        );
        assert_eq!(district.distinct_pct, 50.0);
        let coop = r
            .enterprise_types
            .iter()
            .find(|k| k.kind == "cooperative")
            .unwrap();
        assert_eq!(
            (coop.distinct, coop.participations, coop.consultations),
            (1, 1, 1)
        );
        let no_show = r
            .endings
            .iter()
            .find(|e| e.code == "no_show_vendor")
            .unwrap();
        assert_eq!((no_show.count, no_show.pct), (1, 25.0));
    }

    #[test]
    fn survey_shares_and_growth_follow_the_data() {
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
            answer("m3", "b1", Side::Buyer, "variety", 4, Outcome::None),
            answer("m2", "b2", Side::Buyer, "social_value", 3, Outcome::None),
            // The same person answering the same meeting again is not counted twice.
            answer("m2", "b2", Side::Buyer, "variety", 1, Outcome::None),
            answer(
                "m1",
                "v1",
                Side::Vendor,
                "promotion",
                5,
                Outcome::ContractReview,
            ),
        ];
        let survey = SurveyConfig::default();
        let input = ReportInput {
            fair: &f,
            records: &records,
            answers: &answers,
            survey: &survey,
        };
        let prev_records = vec![record(&f, "m1", 20, None)];
        let previous = ReportInput {
            fair: &f,
            records: &prev_records,
            answers: &[],
            survey: &survey,
        };
        let r = FairReport::compute(input, Some(previous));
        let b = &r.survey.buyer;
        assert_eq!((b.responses, b.respondents), (3, 2));
        assert_eq!(b.valued[0].code, "variety");
        assert_eq!((b.valued[0].count, b.valued[0].pct), (2, 66.7));
        assert_eq!((b.valued[1].count, b.valued[1].pct), (1, 33.3));
        assert_eq!(b.rating.counts, [0, 0, 1, 1, 1]);
        assert_eq!(b.rating.average, 4.0);
        assert_eq!(r.survey.vendor.responses, 1);
        // m1: buyer quote, vendor contract → contract; m2, m3: none.
        let contract = r
            .outcomes
            .iter()
            .find(|o| o.code == "contract_review")
            .unwrap();
        assert_eq!((contract.count, contract.pct), (1, 33.3));
        let g = r.growth.unwrap();
        assert_eq!((g.consultations.previous, g.consultations.current), (1, 4));
        assert_eq!(g.consultations.pct, 400.0);
        assert_eq!(g.institutions.pct, 200.0);
    }
}
