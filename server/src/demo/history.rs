//! The demo's completed fairs, for the staff report (kept in a [`crate::journal::archive`]):
//! two, generated deterministically from seeds:
//!
//! - `seoul-sse-2021`, shaped like the 2021 Seoul social-economy public-procurement online
//!   fair: the demo's 85 institutions and 171 enterprises, 576 consultations over three
//!   themed rounds (May, July, October) plus a few no-shows, and survey answers whose most
//!   valued points come out at the report's shares (institutions: variety of items 39.3 %,
//!   social mission 31.2 %; enterprises: a chance to present 45.9 %, knowledge of the public
//!   market 32.8 %, concrete goals 11.5 %);
//! - `seoul-sse-2020`, the year before, with 67 institutions, 112 enterprises and 443
//!   consultations, so that 2021 is 126.9 %, 152.7 % and 130.0 % of it. (The 2021 report
//!   says 127.5 % for institutions, which no whole number of institutions gives against 85:
//!   it would take 66.67.)
//!
//! Only records and answers are generated; every figure of the report is computed from
//! them, as it is for a live fair.

use crate::demo::seeded::SplitMix64;
use crate::journal::archive::{Archive, ArchivedFair};
use chrono::NaiveDate;
use sangdam_signaling::fair::{
    Affiliation, Enterprise, Fair, FairParts, Institution, MeetingSpec, Participant, Role, Round,
};
use sangdam_signaling::live::room::{Absent, Attendance, Side};
use sangdam_signaling::records::record::{ConsultationRecord, Ending, ModeratorAction};
use sangdam_signaling::records::survey::{Answers, Outcome, SurveyAnswer, SurveyConfig};
use sangdam_signaling::time::kst_offset;
use sangdam_signaling::time::minutes;
use sangdam_signaling::{FairId, ParticipantId, Timestamp};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

pub const HISTORY_2021_ID: &str = "seoul-sse-2021";
pub const HISTORY_2020_ID: &str = "seoul-sse-2020";

/// One round of a generated fair.
#[derive(Clone, Debug)]
pub struct RoundSpec {
    /// Korea date of the round.
    pub date: (i32, u32, u32),
    pub theme: String,
    pub slots: u32,
    /// Meetings where both sides came.
    pub consultations: usize,
    /// Meetings where a side (or both) did not come.
    pub no_shows: usize,
}

/// What to generate: a fair's people, its rounds and how its survey came out.
#[derive(Clone, Debug)]
pub struct HistorySpec {
    pub id: String,
    pub name: String,
    pub seed: u64,
    pub institutions: Vec<Institution>,
    pub enterprises: Vec<Enterprise>,
    /// Buyers, vendors and operators; each institution and enterprise needs one person.
    pub participants: Vec<Participant>,
    pub rounds: Vec<RoundSpec>,
    /// How many institutions (enterprises) come to a second round; `None`: every
    /// organisation comes to every round.
    pub extra_institution_rounds: Option<usize>,
    pub extra_enterprise_rounds: Option<usize>,
    /// How many buyers' answers chose each option (by option id), and the vendors'.
    pub buyer_valued: Vec<(String, usize)>,
    pub vendor_valued: Vec<(String, usize)>,
    pub previous: Option<FairId>,
}

fn id<T: TryFrom<String>>(s: String) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s).expect("generated ids are valid")
}

/// 10:00 in Korea on a date.
fn ten_kst((y, m, d): (i32, u32, u32)) -> Timestamp {
    let offset = kst_offset();
    let t = NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .and_then(|t| t.and_local_timezone(offset).single())
        .expect("a valid date");
    Timestamp::from_millis(t.timestamp_millis())
}

/// Places meetings by rotation: institutions and enterprises are taken in a shuffled order
/// that carries on across rounds, so each organisation has a turn before any has a second;
/// a pair meets at most once; each meeting takes the first slot, from a moving start, where
/// both sides are free.
struct Placer {
    busy: HashSet<(usize, u32, bool, usize)>,
    pairs: HashSet<(usize, usize)>,
    turn: u32,
}

impl Placer {
    /// Places one meeting of `round` between organisations of its rosters.
    fn place(
        &mut self,
        round: usize,
        slots: u32,
        institutions: &mut VecDeque<usize>,
        enterprises: &mut VecDeque<usize>,
    ) -> (usize, usize, u32) {
        for _ in 0..institutions.len() {
            let i = institutions.pop_front().expect("institutions");
            institutions.push_back(i);
            let start = self.turn % slots;
            let busy = &self.busy;
            let pairs = &self.pairs;
            let found = enterprises.iter().enumerate().find_map(|(pos, &e)| {
                if pairs.contains(&(i, e)) {
                    return None;
                }
                (0..slots)
                    .map(|d| (start + d) % slots)
                    .find(|&s| {
                        !busy.contains(&(round, s, true, i))
                            && !busy.contains(&(round, s, false, e))
                    })
                    .map(|s| (pos, e, s))
            });
            if let Some((pos, e, slot)) = found {
                enterprises.remove(pos);
                enterprises.push_back(e);
                self.busy.insert((round, slot, true, i));
                self.busy.insert((round, slot, false, e));
                self.pairs.insert((i, e));
                self.turn += 1;
                return (i, e, slot);
            }
        }
        panic!("round {round} has no room left for another meeting");
    }
}

/// Which organisations (by index) take part in each round, in a shuffled order. With
/// `extra = None` every organisation takes part in every round; otherwise each takes part
/// in one round (the rounds get about equal shares) and `extra` of them in a second one too,
/// as at a real fair where most organisations come to the round whose theme suits them.
fn rosters(
    rng: &mut SplitMix64,
    count: usize,
    rounds: usize,
    extra: Option<usize>,
) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..count).collect();
    rng.shuffle(&mut order);
    let Some(extra) = extra else {
        return (0..rounds)
            .map(|_| {
                let mut o = order.clone();
                rng.shuffle(&mut o);
                o
            })
            .collect();
    };
    let mut rosters = vec![Vec::new(); rounds];
    for (k, org) in order.iter().enumerate() {
        rosters[k * rounds / count.max(1)].push(*org);
    }
    let mut again = order.clone();
    rng.shuffle(&mut again);
    for org in again.into_iter().take(extra) {
        let first = order.iter().position(|o| *o == org).expect("in order") * rounds / count;
        rosters[(first + 1) % rounds].push(org);
    }
    for r in &mut rosters {
        rng.shuffle(r);
    }
    rosters
}

/// Generates a completed fair: its schedule, a record of every meeting and survey answers.
pub fn generate(spec: &HistorySpec) -> ArchivedFair {
    let mut rng = SplitMix64(spec.seed);
    let rounds: Vec<Round> = spec
        .rounds
        .iter()
        .enumerate()
        .map(|(n, r)| Round {
            id: id(format!("r{}", n + 1)),
            number: n as u32 + 1,
            theme: r.theme.clone(),
            starts_at: ten_kst(r.date),
            slot_len: minutes(20),
            break_len: minutes(10),
            slots: r.slots,
        })
        .collect();
    let institution_rosters = rosters(
        &mut rng,
        spec.institutions.len(),
        rounds.len(),
        spec.extra_institution_rounds,
    );
    let enterprise_rosters = rosters(
        &mut rng,
        spec.enterprises.len(),
        rounds.len(),
        spec.extra_enterprise_rounds,
    );
    let mut placer = Placer {
        busy: HashSet::new(),
        pairs: HashSet::new(),
        turn: 0,
    };
    // (meeting spec, absent side if a no-show)
    let mut placed: Vec<(MeetingSpec, Option<Absent>)> = Vec::new();
    for (r, (round, rs)) in rounds.iter().zip(&spec.rounds).enumerate() {
        // Consultations first, so the rotation gives every organisation one.
        let kinds = std::iter::repeat_n(None, rs.consultations).chain((0..rs.no_shows).map(|_| {
            Some(match rng.weighted(&[60, 25, 15]) {
                0 => Absent::Vendor,
                1 => Absent::Buyer,
                _ => Absent::Both,
            })
        }));
        let kinds: Vec<Option<Absent>> = kinds.collect();
        let mut institutions = VecDeque::from(institution_rosters[r].clone());
        let mut enterprises = VecDeque::from(enterprise_rosters[r].clone());
        for absent in kinds {
            let (i, e, slot) = placer.place(r, round.slots, &mut institutions, &mut enterprises);
            let inst = &spec.institutions[i];
            placed.push((
                MeetingSpec {
                    id: id(format!("r{}-s{slot:02}-{}", round.number, inst.id)),
                    round: round.id.clone(),
                    slot,
                    institution: inst.id.clone(),
                    enterprise: spec.enterprises[e].id.clone(),
                },
                absent,
            ));
        }
    }
    let parts = FairParts {
        rounds,
        institutions: spec.institutions.clone(),
        enterprises: spec.enterprises.clone(),
        participants: spec.participants.clone(),
        meetings: placed.iter().map(|(m, _)| m.clone()).collect(),
    };
    let fair = Fair::new(id(spec.id.clone()), spec.name.clone(), parts)
        .expect("a generated history fair is valid");

    let person_of = |aff: Affiliation| -> Option<ParticipantId> {
        fair.participants()
            .find(|p| p.affiliation == aff)
            .map(|p| p.id.clone())
    };
    let buyers: HashMap<_, _> = fair
        .institutions()
        .map(|i| {
            (
                i.id.clone(),
                person_of(Affiliation::Institution(i.id.clone())),
            )
        })
        .collect();
    let vendors: HashMap<_, _> = fair
        .enterprises()
        .map(|e| {
            (
                e.id.clone(),
                person_of(Affiliation::Enterprise(e.id.clone())),
            )
        })
        .collect();
    let moderator = fair.first_with_role(Role::Moderator).map(|p| p.id.clone());

    let mut records = Vec::with_capacity(placed.len());
    for (spec_m, absent) in &placed {
        let m = fair.meeting(&spec_m.id).expect("placed meeting");
        let round = fair.round(&m.round).expect("placed round").number;
        let (start, end) = (m.slot.start, m.slot.end);
        let arrive = |rng: &mut SplitMix64, early_max: u64, late_pct: u64, late_max: u64| {
            if rng.chance(late_pct) {
                start + rng.secs(10, late_max)
            } else {
                start - rng.secs(0, early_max)
            }
        };
        let mut actions = Vec::new();
        let (b, v, ending, together, closed_at) = match absent {
            None => {
                let bj = arrive(&mut rng, 180, 8, 150);
                let vj = arrive(&mut rng, 300, 6, 200);
                let mut bl = end + rng.secs(0, 50);
                let mut vl = end + rng.secs(0, 50);
                let ending = match rng.weighted(&[86, 3, 2, 3, 3, 3]) {
                    0 => Ending::Timer,
                    1 => {
                        vl = end - rng.secs(120, 480);
                        bl = vl + rng.secs(5, 60);
                        Ending::LeftEarly { side: Side::Vendor }
                    }
                    2 => {
                        bl = end - rng.secs(120, 480);
                        vl = bl + rng.secs(5, 60);
                        Ending::LeftEarly { side: Side::Buyer }
                    }
                    3 => {
                        bl = end - rng.secs(60, 300);
                        vl = bl;
                        Ending::Participant
                    }
                    4 => {
                        bl = end - rng.secs(60, 240);
                        vl = bl;
                        if let Some(moderator) = &moderator {
                            actions.push(ModeratorAction {
                                note: None,
                                at: bl,
                                moderator: moderator.clone(),
                                action: "end".into(),
                            });
                        }
                        Ending::Moderator
                    }
                    _ => {
                        // A moderator gave the pair five more minutes.
                        if let Some(moderator) = &moderator {
                            actions.push(ModeratorAction {
                                note: None,
                                at: end - minutes(2),
                                moderator: moderator.clone(),
                                action: "extend:300".into(),
                            });
                        }
                        bl = end + minutes(5) + rng.secs(0, 30);
                        vl = bl;
                        Ending::Timer
                    }
                };
                let from = bj.max(vj).max(start);
                let until = bl.min(vl);
                let together = until.since(from);
                let closed = bl.max(vl);
                (
                    Attendance {
                        first_joined_at: Some(bj),
                        last_left_at: Some(bl),
                    },
                    Attendance {
                        first_joined_at: Some(vj),
                        last_left_at: Some(vl),
                    },
                    ending,
                    together,
                    closed,
                )
            }
            Some(absent) => {
                let came = |rng: &mut SplitMix64| Attendance {
                    first_joined_at: Some(start - rng.secs(0, 120)),
                    last_left_at: Some(end + rng.secs(0, 50)),
                };
                let (b, v) = match absent {
                    Absent::Buyer => (Attendance::default(), came(&mut rng)),
                    Absent::Vendor => (came(&mut rng), Attendance::default()),
                    Absent::Both => (Attendance::default(), Attendance::default()),
                };
                let closed = end + minutes(1);
                (
                    b,
                    v,
                    Ending::NoShow { absent: *absent },
                    Duration::ZERO,
                    closed,
                )
            }
        };
        records.push(ConsultationRecord {
            fair: fair.id.clone(),
            meeting: m.id.clone(),
            round,
            slot: m.slot.index,
            institution: m.institution.clone(),
            enterprise: m.enterprise.clone(),
            buyer: b
                .first_joined_at
                .and_then(|_| buyers.get(&m.institution).cloned().flatten()),
            vendor: v
                .first_joined_at
                .and_then(|_| vendors.get(&m.enterprise).cloned().flatten()),
            scheduled_start: start,
            scheduled_end: end,
            buyer_attendance: b,
            vendor_attendance: v,
            duration_s: together.as_secs(),
            ending,
            no_show: *absent,
            moderator_actions: actions,
            closed_at,
            screen_shared: false,
            files_sent: 0,
        });
    }
    records.sort_by_key(|r| (r.closed_at, r.meeting.clone()));

    let mut answers = Vec::new();
    for (side, valued) in [
        (Side::Buyer, &spec.buyer_valued),
        (Side::Vendor, &spec.vendor_valued),
    ] {
        let mut choices: Vec<&str> = valued
            .iter()
            .flat_map(|(option, n)| std::iter::repeat_n(option.as_str(), *n))
            .collect();
        rng.shuffle(&mut choices);
        let mut held: Vec<&ConsultationRecord> = records
            .iter()
            .filter(|r| !matches!(r.ending, Ending::NoShow { .. }))
            .collect();
        rng.shuffle(&mut held);
        assert!(
            choices.len() <= held.len(),
            "more answers than consultations"
        );
        for (r, valued) in held.into_iter().zip(choices) {
            let participant = match side {
                Side::Buyer => r.buyer.clone(),
                Side::Vendor => r.vendor.clone(),
            };
            let Some(participant) = participant else {
                continue;
            };
            let rating = 5 - rng.weighted(&[46, 34, 14, 4, 2]) as u8;
            let outcome = match rng.weighted(&[60, 22, 11, 7]) {
                0 => Outcome::None,
                1 => Outcome::QuoteRequested,
                2 => Outcome::SampleRequested,
                _ => Outcome::ContractReview,
            };
            answers.push(SurveyAnswer {
                fair: fair.id.clone(),
                meeting: r.meeting.clone(),
                participant,
                side,
                answers: Answers {
                    valued: valued.to_string(),
                    rating,
                    outcome,
                    comment: String::new(),
                },
                answered_at: r.closed_at + rng.secs(60, 3 * 3600),
            });
        }
    }
    answers.sort_by_key(|a| (a.answered_at, a.meeting.clone(), a.participant.clone()));

    ArchivedFair {
        fair: Arc::new(fair),
        records: Arc::new(records),
        answers: Arc::new(answers),
        survey: Arc::new(SurveyConfig::default()),
        previous: spec.previous.clone(),
    }
}

fn counts(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// The demo's organisations and people: the 2021 fair's, as the demo fair has them.
fn demo_people() -> (Vec<Institution>, Vec<Enterprise>, Vec<Participant>) {
    // The live round's time does not matter here; only the organisations and people do.
    let demo = crate::demo::demo_fair(&crate::demo::DemoOptions::starting_at(ten_kst((
        2021, 5, 27,
    ))));
    (
        demo.institutions().cloned().collect(),
        demo.enterprises().cloned().collect(),
        demo.participants().cloned().collect(),
    )
}

/// The completed 2021 fair (85 institutions, 171 enterprises, 576 consultations).
pub fn seoul_2021() -> ArchivedFair {
    let (institutions, enterprises, participants) = demo_people();
    generate(&HistorySpec {
        id: HISTORY_2021_ID.into(),
        name: "2021 서울시 사회적경제 공공구매 온라인상담회".into(),
        seed: 0x2021_5EA6_DA11,
        institutions,
        enterprises,
        participants,
        rounds: vec![
            RoundSpec {
                date: (2021, 5, 27),
                theme: "공공시장 진출 지원".into(),
                slots: 12,
                consultations: 190,
                no_shows: 8,
            },
            RoundSpec {
                date: (2021, 7, 22),
                theme: "전략사업 발굴".into(),
                slots: 12,
                consultations: 190,
                no_shows: 6,
            },
            RoundSpec {
                date: (2021, 10, 21),
                theme: "공공시장 확대 지원".into(),
                slots: 12,
                consultations: 196,
                no_shows: 7,
            },
        ],
        // 95 institution and 185 enterprise participations over the rounds (the report's
        // enterprise breakdown sums to 185).
        extra_institution_rounds: Some(10),
        extra_enterprise_rounds: Some(14),
        // 68/173 = 39.3 %, 54/173 = 31.2 %.
        buyer_valued: counts(&[
            ("variety", 68),
            ("social_value", 54),
            ("quality", 26),
            ("convenience", 17),
            ("other", 8),
        ]),
        // 84/183 = 45.9 %, 60/183 = 32.8 %, 21/183 = 11.5 %.
        vendor_valued: counts(&[
            ("promotion", 84),
            ("knowledge", 60),
            ("goals", 21),
            ("relationship", 12),
            ("other", 6),
        ]),
        previous: Some(id(HISTORY_2020_ID.into())),
    })
}

/// The completed 2020 fair: 67 of the 2021 institutions, 112 of its enterprises, 443
/// consultations.
pub fn seoul_2020() -> ArchivedFair {
    let (institutions, enterprises, participants) = demo_people();
    let mut rng = SplitMix64(0x2020_5EA6_DA11);
    // The city hall took part both years; the rest are drawn.
    let mut rest: Vec<Institution> = institutions[1..].to_vec();
    rng.shuffle(&mut rest);
    let mut institutions: Vec<Institution> = std::iter::once(institutions[0].clone())
        .chain(rest.into_iter().take(66))
        .collect();
    institutions.sort_by(|a, b| a.id.cmp(&b.id));
    let mut enterprises = enterprises;
    rng.shuffle(&mut enterprises);
    enterprises.truncate(112);
    enterprises.sort_by(|a, b| a.id.cmp(&b.id));
    let participants = participants
        .into_iter()
        .filter(|p| match &p.affiliation {
            Affiliation::Institution(i) => institutions.iter().any(|x| x.id == *i),
            Affiliation::Enterprise(e) => enterprises.iter().any(|x| x.id == *e),
            Affiliation::Operator => true,
        })
        .collect();
    generate(&HistorySpec {
        id: HISTORY_2020_ID.into(),
        name: "2020 서울시 사회적경제 공공구매 온라인상담회".into(),
        seed: 0x2020_5EA6_DA11,
        institutions,
        enterprises,
        participants,
        rounds: vec![
            RoundSpec {
                date: (2020, 6, 25),
                theme: "공공시장 진출 지원".into(),
                slots: 12,
                consultations: 148,
                no_shows: 9,
            },
            RoundSpec {
                date: (2020, 9, 17),
                theme: "판로 개척".into(),
                slots: 12,
                consultations: 148,
                no_shows: 7,
            },
            RoundSpec {
                date: (2020, 11, 19),
                theme: "공공구매 확대".into(),
                slots: 12,
                consultations: 147,
                no_shows: 8,
            },
        ],
        extra_institution_rounds: Some(8),
        extra_enterprise_rounds: Some(10),
        buyer_valued: counts(&[
            ("variety", 41),
            ("social_value", 38),
            ("quality", 19),
            ("convenience", 21),
            ("other", 6),
        ]),
        vendor_valued: counts(&[
            ("promotion", 63),
            ("knowledge", 41),
            ("goals", 18),
            ("relationship", 9),
            ("other", 5),
        ]),
        previous: None,
    })
}

/// The demo's history: 2021 and the year before.
pub fn demo_archive() -> Archive {
    Archive::new(vec![seoul_2021(), seoul_2020()])
}

/// A fair of `n` meetings over many rounds, each side answering about one in five, for
/// measuring how the report scales; not a fair anyone held.
pub fn synthetic(n: usize) -> ArchivedFair {
    let per_round = 2000;
    let rounds = n.div_ceil(per_round);
    let institutions: Vec<Institution> = (0..800)
        .map(|i| Institution {
            id: id(format!("i{i:04}")),
            name: format!("기관 {i:04}"),
            kind: sangdam_signaling::fair::InstitutionType::ALL[i % 5],
        })
        .collect();
    let enterprises: Vec<Enterprise> = (0..2400)
        .map(|e| Enterprise {
            id: id(format!("e{e:04}")),
            name: format!("기업 {e:04}"),
            kind: sangdam_signaling::fair::EnterpriseType::ALL[e % 4],
        })
        .collect();
    let mut participants: Vec<Participant> = institutions
        .iter()
        .map(|i| Participant {
            id: id(format!("p-b-{}", i.id)),
            name: format!("구매자 {}", i.id),
            role: Role::Buyer,
            affiliation: Affiliation::Institution(i.id.clone()),
        })
        .collect();
    participants.extend(enterprises.iter().map(|e| Participant {
        id: id(format!("p-v-{}", e.id)),
        name: format!("판매자 {}", e.id),
        role: Role::Vendor,
        affiliation: Affiliation::Enterprise(e.id.clone()),
    }));
    let round_specs: Vec<RoundSpec> = (0..rounds)
        .map(|r| {
            let here = (n - r * per_round).min(per_round);
            let no_shows = here / 30;
            RoundSpec {
                date: (
                    2030 + (r / 300) as i32,
                    1 + (r % 12) as u32,
                    1 + ((r / 12) % 25) as u32,
                ),
                theme: format!("회차 {}", r + 1),
                slots: 16,
                consultations: here - no_shows,
                no_shows,
            }
        })
        .collect();
    let answers = n * 2 / 10;
    let split = |ids: &[&str]| -> Vec<(String, usize)> {
        let each = answers / ids.len();
        ids.iter().map(|k| (k.to_string(), each)).collect()
    };
    generate(&HistorySpec {
        id: "synthetic".into(),
        name: "synthetic".into(),
        seed: 7,
        institutions,
        enterprises,
        participants,
        rounds: round_specs,
        extra_institution_rounds: None,
        extra_enterprise_rounds: None,
        buyer_valued: split(&["variety", "social_value", "quality", "convenience", "other"]),
        vendor_valued: split(&["promotion", "knowledge", "goals", "relationship", "other"]),
        previous: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sangdam_signaling::records::report::{FairReport, ReportInput};

    fn input(a: &ArchivedFair) -> ReportInput<'_> {
        ReportInput {
            fair: &a.fair,
            records: &a.records,
            answers: &a.answers,
            survey: &a.survey,
        }
    }

    fn report(a: &ArchivedFair, previous: Option<&ArchivedFair>) -> FairReport {
        FairReport::compute(input(a), previous.map(input))
    }

    #[test]
    fn the_2021_history_has_the_reports_figures() {
        let (y2021, y2020) = (seoul_2021(), seoul_2020());
        let r = report(&y2021, Some(&y2020));
        let t = &r.totals;
        assert_eq!(
            (t.institutions, t.enterprises, t.consultations),
            (85, 171, 576)
        );
        assert_eq!(t.no_shows, 21);
        let per_round: Vec<u64> = r.rounds.iter().map(|r| r.consultations).collect();
        assert_eq!(per_round, [190, 190, 196]);
        let g = r.growth.as_ref().unwrap();
        assert_eq!(
            (
                g.institutions.previous,
                g.enterprises.previous,
                g.consultations.previous
            ),
            (67, 112, 443)
        );
        assert_eq!(
            (g.institutions.pct, g.enterprises.pct, g.consultations.pct),
            (126.9, 152.7, 130.0)
        );
        let pct = |side: &sangdam_signaling::records::report::SideFigures, code: &str| {
            side.valued.iter().find(|s| s.code == code).unwrap().pct
        };
        assert_eq!(pct(&r.survey.buyer, "variety"), 39.3);
        assert_eq!(pct(&r.survey.buyer, "social_value"), 31.2);
        assert_eq!(pct(&r.survey.vendor, "promotion"), 45.9);
        assert_eq!(pct(&r.survey.vendor, "knowledge"), 32.8);
        assert_eq!(pct(&r.survey.vendor, "goals"), 11.5);
        let kinds: Vec<u64> = r.institution_types.iter().map(|k| k.distinct).collect();
        assert_eq!(kinds, [1, 32, 7, 28, 17]);
        let kinds: Vec<u64> = r.enterprise_types.iter().map(|k| k.distinct).collect();
        assert_eq!(kinds, [135, 25, 6, 5]);
        assert_eq!(
            (t.institution_participations, t.enterprise_participations),
            (95, 185)
        );
    }

    #[test]
    fn the_reports_figures_follow_the_records_not_constants() {
        let (y2021, y2020) = (seoul_2021(), seoul_2020());
        let base = report(&y2021, Some(&y2020));

        // Without round 3's records, round 3's consultations are gone from every figure.
        let mut a = y2021.clone();
        a.records = Arc::new(a.records.iter().filter(|r| r.round != 3).cloned().collect());
        let r = report(&a, Some(&y2020));
        assert_eq!(r.totals.consultations, 576 - 196);
        assert_eq!(r.rounds[2].consultations, 0);
        assert!(
            r.totals.enterprises < 171,
            "round 3's own enterprises are gone"
        );
        assert_eq!(r.growth.as_ref().unwrap().consultations.current, 380);
        assert_eq!(r.growth.as_ref().unwrap().consultations.pct, 85.8);

        // A consultation turned into a vendor no-show moves from one count to the other.
        let mut a = y2021.clone();
        let mut records = (*a.records).clone();
        let held = records
            .iter_mut()
            .find(|r| r.ending == Ending::Timer)
            .unwrap();
        held.ending = Ending::NoShow {
            absent: Absent::Vendor,
        };
        held.vendor_attendance = Attendance::default();
        a.records = Arc::new(records);
        let r = report(&a, None);
        assert_eq!(r.totals.consultations, 575);
        assert_eq!(r.totals.no_show_vendor, base.totals.no_show_vendor + 1);

        // Answers drive the survey shares: without the "variety" answers, the other
        // options share 100 %.
        let mut a = y2021.clone();
        a.answers = Arc::new(
            a.answers
                .iter()
                .filter(|x| x.answers.valued != "variety")
                .cloned()
                .collect(),
        );
        let r = report(&a, None);
        assert_eq!(r.survey.buyer.responses, 173 - 68);
        assert_eq!(r.survey.buyer.valued[0].pct, 0.0);
        assert_eq!(r.survey.buyer.valued[1].pct, 51.4); // 54 / 105

        // Growth is measured against the previous fair's records too.
        let mut prev = y2020.clone();
        prev.records = Arc::new(
            prev.records
                .iter()
                .filter(|r| r.round == 1)
                .cloned()
                .collect(),
        );
        let r = report(&y2021, Some(&prev));
        assert_eq!(r.growth.unwrap().consultations.previous, 148);
    }

    #[test]
    fn the_history_is_the_same_every_time() {
        let (a, b) = (seoul_2021(), seoul_2021());
        assert_eq!(a.records, b.records);
        assert_eq!(a.answers, b.answers);
    }

    #[test]
    fn records_are_consistent_with_their_meetings() {
        let a = seoul_2021();
        for r in a.records.iter() {
            let m = a.fair.meeting(&r.meeting).unwrap();
            assert_eq!(
                (r.scheduled_start, r.scheduled_end),
                (m.slot.start, m.slot.end)
            );
            assert!(r.duration_s <= 30 * 60, "{}", r.meeting);
            match r.ending {
                Ending::NoShow { .. } => assert_eq!(r.duration_s, 0),
                _ => {
                    assert!(r.duration_s >= 60, "{}: {}", r.meeting, r.duration_s);
                    assert!(r.buyer.is_some() && r.vendor.is_some());
                }
            }
        }
        for ans in a.answers.iter() {
            let r = a.records.iter().find(|r| r.meeting == ans.meeting).unwrap();
            assert!(ans.answered_at > r.closed_at);
            assert!(a
                .survey
                .side(ans.side)
                .options
                .iter()
                .any(|o| o.id == ans.answers.valued));
        }
    }
}
