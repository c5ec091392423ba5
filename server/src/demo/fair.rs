//! The demo fair: a fair shaped like the 2021 Seoul social-economy public-procurement online
//! fair (85 institutions, 171 enterprises, 576 meetings over 3 themed rounds), generated
//! deterministically, so that `sangdam` with no configuration serves something real-looking
//! and tests can rely on exact ids.
//!
//! Round 1 is the *live* round: it starts when the caller says (e.g. a minute after the
//! server starts) with short slots, and the demo buyer ([`DEMO_BUYER`]) and demo vendor
//! ([`DEMO_VENDOR`]) meet in its first slot. Rounds 2 and 3 lie one and two weeks later.

use crate::demo::seeded::SplitMix64;
use crate::files::fair::contacts::{ContactInfo, Contacts};
use chrono::{DateTime, Days, Utc};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, Fair, FairParts, Institution, InstitutionType,
    MeetingSpec, Participant, Role, Round,
};
use sangdam_signaling::time::kst_offset;
use sangdam_signaling::time::minutes;
use sangdam_signaling::{EnterpriseId, FairId, InstitutionId, MeetingId, RoundId, Timestamp};
use std::collections::{HashSet, VecDeque};
use std::time::Duration;

pub const DEMO_FAIR_ID: &str = "seoul-sse-2021-demo";
pub const DEMO_FAIR_NAME: &str = "2021 서울시 사회적경제 공공구매 온라인상담회 (시연)";
/// The buyer of institution `i001` (서울특별시), who meets [`DEMO_VENDOR`] in round 1 slot 0.
pub const DEMO_BUYER: &str = "p-b-i001";
/// The vendor of enterprise `e001` ((주)함께만드는세상).
pub const DEMO_VENDOR: &str = "p-v-e001";
pub const DEMO_MODERATOR: &str = "p-mod-01";
pub const DEMO_STAFF: &str = "p-staff-01";
/// The meeting of the demo buyer and vendor, the first of the live round.
pub const DEMO_MEETING: &str = "r1-s00-i001";
pub const LIVE_ROUND_ID: &str = "r1";
pub const LIVE_ROUND_SLOTS: u32 = 12;

/// When the live round runs. Everything else about the demo fair is fixed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    /// Start of the live round's first slot.
    pub live_round_starts_at: Timestamp,
    pub live_slot: Duration,
    pub live_break: Duration,
}

impl DemoOptions {
    /// The demo's usual pace: 5-minute slots with 1-minute breaks.
    pub fn starting_at(live_round_starts_at: Timestamp) -> Self {
        DemoOptions {
            live_round_starts_at,
            live_slot: minutes(5),
            live_break: minutes(1),
        }
    }
}

const THEMES: [&str; 3] = ["공공시장 진출 지원", "전략사업 발굴", "공공시장 확대 지원"];
/// 576 in all, as in the 2021 report.
const ROUND_MEETINGS: [usize; 3] = [190, 190, 196];
const LATER_ROUND_SLOTS: u32 = 8;
/// Any fixed seed: the demo only needs to be the same every time.
const SEED: u64 = 0x5EA6_DA11_2021;

// Institutions by the report's types, 83 scaled to 85: 본청 1, 자치구 32, 투자출연기관 7,
// 서울시교육청 28, 기타 17. The 25 real districts come first; the seven more are district
// departments that took a booth of their own.
const DISTRICTS: [&str; 25] = [
    "종로구",
    "중구",
    "용산구",
    "성동구",
    "광진구",
    "동대문구",
    "중랑구",
    "성북구",
    "강북구",
    "도봉구",
    "노원구",
    "은평구",
    "서대문구",
    "마포구",
    "양천구",
    "강서구",
    "구로구",
    "금천구",
    "영등포구",
    "동작구",
    "관악구",
    "서초구",
    "강남구",
    "송파구",
    "강동구",
];
const DISTRICT_DEPARTMENTS: [&str; 7] = [
    "강남구 사회적경제과",
    "송파구 일자리정책과",
    "노원구 사회적경제과",
    "마포구 일자리경제과",
    "성북구 사회적경제과",
    "은평구 사회적경제과",
    "영등포구 일자리정책과",
];
const CITY_FUNDED: [&str; 7] = [
    "서울교통공사",
    "서울주택도시공사(SH)",
    "서울시설공단",
    "서울에너지공사",
    "서울의료원",
    "서울물재생시설공단",
    "서울신용보증재단",
];
const EDUCATION: [&str; 28] = [
    "서울특별시교육청",
    "서울특별시동부교육지원청",
    "서울특별시서부교육지원청",
    "서울특별시남부교육지원청",
    "서울특별시북부교육지원청",
    "서울특별시중부교육지원청",
    "서울대도초등학교",
    "서울신림초등학교",
    "서울양진초등학교",
    "서울가락초등학교",
    "서울숭례초등학교",
    "서울창경초등학교",
    "서울미동초등학교",
    "서울교동초등학교",
    "서울은빛초등학교",
    "서울가재울초등학교",
    "서울목동초등학교",
    "서울상계초등학교",
    "서울염리초등학교",
    "서울한강초등학교",
    "서울도림초등학교",
    "서울수송초등학교",
    "서울성수중학교",
    "서울마포중학교",
    "서울영등포고등학교",
    "서울공업고등학교",
    "서울여자고등학교",
    "서울용산고등학교",
];
const OTHER_INSTITUTIONS: [&str; 17] = [
    "한국건강증진개발원",
    "한국언론진흥재단",
    "한국재정정보원",
    "대한건설기계안전관리원",
    "농업정책보험금융원",
    "한국보육진흥원",
    "한국건설기술연구원",
    "한국환경산업기술원",
    "한국산업인력공단 전남지사",
    "한국사회적기업진흥원",
    "한국소비자원",
    "한국장애인고용공단",
    "국민연금공단 서울북부지역본부",
    "한국사회보장정보원",
    "한국교육학술정보원",
    "한국청소년활동진흥원",
    "한국국토정보공사 서울지역본부",
];

// Enterprises by the report's types, 185 scaled to 171.
const ENTERPRISE_MIX: [(EnterpriseType, usize); 4] = [
    (EnterpriseType::SocialEnterprise, 135),
    (EnterpriseType::Cooperative, 25),
    (EnterpriseType::VillageEnterprise, 6),
    (EnterpriseType::Other, 5),
];
/// e001, the demo vendor, has a fixed name so that the demo script can say it.
const DEMO_ENTERPRISE_NAME: &str = "(주)함께만드는세상";
// Name stems are a first word and a second word: 20 × 20 distinct stems, more than needed,
// drawn without replacement so that every name is unique.
const STEM_FIRST: [&str; 20] = [
    "함께하는",
    "푸른",
    "행복한",
    "따뜻한",
    "희망",
    "이로운",
    "새로운",
    "모두의",
    "착한",
    "좋은",
    "밝은",
    "초록",
    "나눔",
    "우리",
    "한울",
    "살림",
    "더불어",
    "다함께",
    "꿈꾸는",
    "맑은",
];
const STEM_SECOND: [&str; 20] = [
    "세상",
    "일터",
    "마을",
    "손길",
    "공방",
    "디자인",
    "식탁",
    "나무",
    "에너지",
    "인쇄",
    "청소",
    "교육",
    "돌봄",
    "도시락",
    "생활",
    "소리",
    "햇살",
    "숲",
    "정원",
    "공간",
];
/// Village enterprises usually carry a short native word as their name.
const VILLAGE_WORDS: [&str; 10] = [
    "도담",
    "마중물",
    "두레",
    "품앗이",
    "온새미",
    "다솜",
    "나래",
    "가온",
    "한빛",
    "해밀",
];

const SURNAMES: [&str; 20] = [
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황",
    "안", "송", "류", "홍",
];
const GIVEN_NAMES: [&str; 40] = [
    "민준", "서연", "지훈", "수아", "예준", "하은", "도윤", "지우", "시우", "서윤", "주원", "하윤",
    "지호", "지민", "준서", "채원", "건우", "수빈", "현우", "지유", "우진", "예은", "선우", "다은",
    "연우", "소율", "유준", "예린", "정우", "시은", "승현", "민서", "은우", "윤서", "동현", "지원",
    "성민", "혜진", "영호", "미경",
];
/// The people a demo visitor plays, with fixed names so that the web client's hints match.
const FIXED_PEOPLE: [(&str, &str); 6] = [
    (DEMO_BUYER, "김민준"),
    (DEMO_VENDOR, "이서연"),
    (DEMO_MODERATOR, "박지훈"),
    ("p-mod-02", "최수아"),
    (DEMO_STAFF, "정예준"),
    ("p-staff-02", "강하은"),
];

/// Ids are generated from constants here, so a bad one is a bug in this file.
fn id<T: TryFrom<String>>(s: String) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s).expect("demo ids are valid")
}

fn institution_id(index: usize) -> InstitutionId {
    id(format!("i{:03}", index + 1))
}

fn enterprise_id(index: usize) -> EnterpriseId {
    id(format!("e{:03}", index + 1))
}

/// The demo fair for `opts`. The same options always give the same fair.
pub fn demo_fair(opts: &DemoOptions) -> Fair {
    let mut rng = SplitMix64(SEED);
    let institutions = institutions();
    let enterprises = enterprises(&mut rng);
    let participants = participants(&mut rng, &institutions, &enterprises);
    let rounds = rounds(opts);
    let meetings = meetings(&mut rng, &rounds, institutions.len(), enterprises.len());
    let parts = FairParts {
        rounds,
        institutions,
        enterprises,
        participants,
        meetings,
    };
    Fair::new(demo_fair_id_for(opts), DEMO_FAIR_NAME, parts)
        .expect("the demo fair is built to be valid; its tests check it")
}

fn institutions() -> Vec<Institution> {
    let groups: [(InstitutionType, &[&str]); 6] = [
        (InstitutionType::CityHall, &["서울특별시"]),
        (InstitutionType::District, &DISTRICTS),
        (InstitutionType::District, &DISTRICT_DEPARTMENTS),
        (InstitutionType::CityFunded, &CITY_FUNDED),
        (InstitutionType::Education, &EDUCATION),
        (InstitutionType::Other, &OTHER_INSTITUTIONS),
    ];
    groups
        .iter()
        .flat_map(|(kind, names)| names.iter().map(move |n| (*kind, *n)))
        .enumerate()
        .map(|(i, (kind, name))| Institution {
            id: institution_id(i),
            name: name.to_string(),
            kind,
        })
        .collect()
}

fn enterprises(rng: &mut SplitMix64) -> Vec<Enterprise> {
    let mut kinds: Vec<EnterpriseType> = ENTERPRISE_MIX
        .iter()
        .flat_map(|(kind, n)| std::iter::repeat_n(*kind, *n))
        .collect();
    // e001 is the demo vendor, a social enterprise; the others are mixed so that the ids
    // do not sort by type.
    rng.shuffle(&mut kinds[1..]);
    let mut stems: Vec<String> = STEM_FIRST
        .iter()
        .flat_map(|a| STEM_SECOND.iter().map(move |b| format!("{a}{b}")))
        .collect();
    rng.shuffle(&mut stems);
    let mut stems = stems.into_iter();
    let mut villages = VILLAGE_WORDS.to_vec();
    rng.shuffle(&mut villages);
    let mut villages = villages.into_iter();

    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| {
            let name = if i == 0 {
                DEMO_ENTERPRISE_NAME.to_string()
            } else if kind == EnterpriseType::VillageEnterprise {
                let w = villages.next().expect("enough village words");
                let form = rng.pick(&["마을기업 {}", "{} 마을기업", "{}마을"]);
                form.replace("{}", w)
            } else {
                let s = stems.next().expect("enough name stems");
                let forms: &[&str] = match kind {
                    EnterpriseType::SocialEnterprise => {
                        &["(주){}", "(주){}", "{}(주)", "주식회사 {}", "{} 사회적기업"]
                    }
                    EnterpriseType::Cooperative => {
                        &["{}협동조합", "{} 사회적협동조합", "협동조합 {}"]
                    }
                    _ => &["(사){}", "{} 자활기업", "사단법인 {}"],
                };
                rng.pick(forms).replace("{}", &s)
            };
            Enterprise {
                id: enterprise_id(i),
                name,
                kind,
            }
        })
        .collect()
}

fn participants(
    rng: &mut SplitMix64,
    institutions: &[Institution],
    enterprises: &[Enterprise],
) -> Vec<Participant> {
    let fixed: Vec<&str> = FIXED_PEOPLE.iter().map(|(_, n)| *n).collect();
    let mut names: Vec<String> = SURNAMES
        .iter()
        .flat_map(|s| GIVEN_NAMES.iter().map(move |g| format!("{s}{g}")))
        .filter(|n| !fixed.contains(&n.as_str()))
        .collect();
    rng.shuffle(&mut names);
    let mut names = names.into_iter();
    let mut name_for = |pid: &str| -> String {
        FIXED_PEOPLE
            .iter()
            .find(|(p, _)| *p == pid)
            .map(|(_, n)| n.to_string())
            .unwrap_or_else(|| names.next().expect("enough person names"))
    };

    let mut people = Vec::new();
    for i in institutions {
        let pid = format!("p-b-{}", i.id);
        people.push(Participant {
            name: name_for(&pid),
            id: id(pid),
            role: Role::Buyer,
            affiliation: Affiliation::Institution(i.id.clone()),
        });
    }
    for e in enterprises {
        let pid = format!("p-v-{}", e.id);
        people.push(Participant {
            name: name_for(&pid),
            id: id(pid),
            role: Role::Vendor,
            affiliation: Affiliation::Enterprise(e.id.clone()),
        });
    }
    for (pid, role) in [
        (DEMO_MODERATOR, Role::Moderator),
        ("p-mod-02", Role::Moderator),
        (DEMO_STAFF, Role::Staff),
        ("p-staff-02", Role::Staff),
    ] {
        people.push(Participant {
            name: name_for(pid),
            id: id(pid.to_string()),
            role,
            affiliation: Affiliation::Operator,
        });
    }
    people
}

/// 10:00 KST, `days` after the live round's day in Korea.
fn later_day_at_ten(live: Timestamp, days: u64) -> Timestamp {
    let kst = kst_offset();
    DateTime::<Utc>::from_timestamp_millis(live.as_millis())
        .map(|t| t.with_timezone(&kst).date_naive())
        .and_then(|d| d.checked_add_days(Days::new(days)))
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .and_then(|t| t.and_local_timezone(kst).single())
        .map(|t| Timestamp::from_millis(t.timestamp_millis()))
        // Only for instants chrono cannot represent, far outside any real fair.
        .unwrap_or_else(|| live + Duration::from_secs(days * 86_400))
}

fn rounds(opts: &DemoOptions) -> Vec<Round> {
    THEMES
        .iter()
        .enumerate()
        .map(|(i, theme)| {
            let number = i as u32 + 1;
            let (starts_at, slot_len, break_len, slots) = if i == 0 {
                (
                    opts.live_round_starts_at,
                    opts.live_slot,
                    opts.live_break,
                    LIVE_ROUND_SLOTS,
                )
            } else {
                let day = later_day_at_ten(opts.live_round_starts_at, 7 * i as u64);
                (day, minutes(20), minutes(10), LATER_ROUND_SLOTS)
            };
            Round {
                id: id(format!("r{number}")),
                number,
                theme: theme.to_string(),
                starts_at,
                slot_len,
                break_len,
                slots,
            }
        })
        .collect()
}

/// Who is booked when, by index: the same rules [`Fair::new`] checks, kept while placing.
struct Schedule<'a> {
    rounds: &'a [Round],
    busy_institution: HashSet<(usize, u32, usize)>,
    busy_enterprise: HashSet<(usize, u32, usize)>,
    /// A pair meets at most once in the whole fair: staff match a vendor to a buyer once.
    pairs: HashSet<(usize, usize)>,
    specs: Vec<MeetingSpec>,
    per_round: Vec<usize>,
}

impl Schedule<'_> {
    fn free(&self, round: usize, slot: u32, institution: usize, enterprise: usize) -> bool {
        !self.busy_institution.contains(&(round, slot, institution))
            && !self.busy_enterprise.contains(&(round, slot, enterprise))
    }

    fn place(&mut self, round: usize, slot: u32, institution: usize, enterprise: usize) {
        debug_assert!(self.free(round, slot, institution, enterprise));
        self.busy_institution.insert((round, slot, institution));
        self.busy_enterprise.insert((round, slot, enterprise));
        self.pairs.insert((institution, enterprise));
        self.per_round[round] += 1;
        let r = &self.rounds[round];
        let inst = institution_id(institution);
        self.specs.push(MeetingSpec {
            id: id::<MeetingId>(format!("r{}-s{slot:02}-{inst}", r.number)),
            round: r.id.clone(),
            slot,
            institution: inst,
            enterprise: enterprise_id(enterprise),
        });
    }
}

/// Places 576 meetings. Round 1 opens with the demo pair, then the demo buyer and vendor
/// each meet two others later that round. The rest is matched by rotation: institutions
/// and enterprises are taken in a shuffled order that continues across rounds, so each
/// organisation has a turn before any has a second one (every one meets at least once), and
/// each meeting goes to the first slot from a moving start where both sides are free, which
/// spreads meetings evenly over the day.
fn meetings(
    rng: &mut SplitMix64,
    rounds: &[Round],
    institution_count: usize,
    enterprise_count: usize,
) -> Vec<MeetingSpec> {
    let mut s = Schedule {
        rounds,
        busy_institution: HashSet::new(),
        busy_enterprise: HashSet::new(),
        pairs: HashSet::new(),
        specs: Vec::new(),
        per_round: vec![0; rounds.len()],
    };
    // (slot, institution index, enterprise index) in the live round.
    let city_hall = 0;
    let demo_enterprise = 0;
    let seoul_metro = DISTRICTS.len() + DISTRICT_DEPARTMENTS.len() + 1; // 서울교통공사
    for (slot, i, e) in [
        (0, city_hall, demo_enterprise),
        (1, city_hall, 1),
        (3, city_hall, 2),
        (2, 1, demo_enterprise), // 종로구
        (4, seoul_metro, demo_enterprise),
    ] {
        s.place(0, slot, i, e);
    }

    let mut institutions: Vec<usize> = (0..institution_count).collect();
    rng.shuffle(&mut institutions);
    let mut institutions = VecDeque::from(institutions);
    let mut enterprises: Vec<usize> = (0..enterprise_count).collect();
    rng.shuffle(&mut enterprises);
    let mut enterprises = VecDeque::from(enterprises);

    for (r, round) in rounds.iter().enumerate() {
        let mut turn = 0u32;
        let mut idle = 0;
        while s.per_round[r] < ROUND_MEETINGS[r] {
            let i = institutions.pop_front().expect("institutions");
            institutions.push_back(i);
            // The demo pair's live-round day is the fixed one above, so the demo script
            // knows exactly what they see.
            if r == 0 && i == city_hall {
                continue;
            }
            let start = turn % round.slots;
            let found = enterprises.iter().enumerate().find_map(|(pos, &e)| {
                if (r == 0 && e == demo_enterprise) || s.pairs.contains(&(i, e)) {
                    return None;
                }
                (0..round.slots)
                    .map(|d| (start + d) % round.slots)
                    .find(|&slot| s.free(r, slot, i, e))
                    .map(|slot| (pos, e, slot))
            });
            match found {
                Some((pos, e, slot)) => {
                    enterprises.remove(pos);
                    enterprises.push_back(e);
                    s.place(r, slot, i, e);
                    turn += 1;
                    idle = 0;
                }
                None => {
                    idle += 1;
                    // With the constants above this cannot happen; the tests build the fair.
                    assert!(idle <= institution_count, "round {} is full", round.id);
                }
            }
        }
    }
    s.specs
}

/// Contact details for every participant of `fair` (the demo fair, usually), so that the
/// moderators' board has someone to call: phone `02-0000-0001`, `02-0000-0002`, … in id
/// order, and e-mail `<id>@example.org`. Obviously fake on purpose: `0000` is no Seoul
/// exchange and `example.org` is reserved (RFC 2606), so a demo never reaches a real
/// person. The same fair always gives the same contacts.
pub fn demo_contacts(fair: &Fair) -> Contacts {
    Contacts(
        fair.participants()
            .enumerate()
            .map(|(i, p)| {
                let info = ContactInfo {
                    phone: Some(format!("02-0000-{:04}", i + 1)),
                    email: Some(format!("{}@example.org", p.id)),
                };
                (p.id.clone(), info)
            })
            .collect(),
    )
}

/// The demo person who plays `role`: the invite links a newcomer is shown.
pub fn demo_participant(role: Role) -> &'static str {
    match role {
        Role::Buyer => DEMO_BUYER,
        Role::Vendor => DEMO_VENDOR,
        Role::Moderator => DEMO_MODERATOR,
        Role::Staff => DEMO_STAFF,
    }
}

/// The live round's id, typed.
pub fn live_round_id() -> RoundId {
    id(LIVE_ROUND_ID.to_string())
}

/// The demo fair's id for a live round starting at `opts.live_round_starts_at`:
/// [`DEMO_FAIR_ID`] and that start in Korea time, e.g. `seoul-sse-2021-demo-20260520-140317`.
/// Each start of the demo serves a new schedule with the same meeting ids, so it is a new
/// fair: its consultation records never clash with an earlier run's in the same log.
pub fn demo_fair_id_for(opts: &DemoOptions) -> FairId {
    let kst = kst_offset();
    let stamp = DateTime::<Utc>::from_timestamp_millis(opts.live_round_starts_at.as_millis())
        .map(|t| t.with_timezone(&kst).format("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_else(|| opts.live_round_starts_at.as_millis().to_string());
    id(format!("{DEMO_FAIR_ID}-{stamp}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::fair::contacts::{check_email, check_phone};
    use crate::files::fair::{
        load_fair_dir, load_fair_dir_with_contacts, write_fair_dir, write_fair_dir_with_contacts,
    };
    use sangdam_signaling::time::KST_OFFSET_MINUTES;
    use sangdam_signaling::ParticipantId;
    use std::collections::{BTreeMap, HashMap};

    /// 2026-05-20 14:03:17.5 KST: an odd start, as "a minute after the server started" is.
    const LIVE: i64 = 1_779_253_397_500;

    fn pid(s: &str) -> ParticipantId {
        id(s.to_string())
    }

    fn opts() -> DemoOptions {
        DemoOptions::starting_at(Timestamp::from_millis(LIVE))
    }

    #[test]
    fn the_demo_has_the_2021_fair_s_size() {
        let fair = demo_fair(&opts());
        assert_eq!(fair.institutions().count(), 85);
        assert_eq!(fair.enterprises().count(), 171);
        assert_eq!(fair.meetings().count(), 576);
        assert_eq!(fair.rounds().count(), 3);
        assert_eq!(fair.participants().count(), 85 + 171 + 4);
        let per_round: Vec<usize> = fair
            .rounds()
            .map(|r| fair.meetings().filter(|m| m.round == r.id).count())
            .collect();
        assert_eq!(per_round, ROUND_MEETINGS);
        let themes: Vec<&str> = fair.rounds().map(|r| r.theme.as_str()).collect();
        assert_eq!(themes, THEMES);
    }

    #[test]
    fn the_type_mix_follows_the_report() {
        let fair = demo_fair(&opts());
        let mut inst: BTreeMap<InstitutionType, usize> = BTreeMap::new();
        for i in fair.institutions() {
            *inst.entry(i.kind).or_default() += 1;
        }
        assert_eq!(
            inst.into_iter().collect::<Vec<_>>(),
            [
                (InstitutionType::CityHall, 1),
                (InstitutionType::District, 32),
                (InstitutionType::CityFunded, 7),
                (InstitutionType::Education, 28),
                (InstitutionType::Other, 17),
            ]
        );
        let mut ent: BTreeMap<EnterpriseType, usize> = BTreeMap::new();
        for e in fair.enterprises() {
            *ent.entry(e.kind).or_default() += 1;
        }
        assert_eq!(ent.into_iter().collect::<Vec<_>>(), ENTERPRISE_MIX.to_vec());
        let i001 = fair.institution(&id("i001".into())).unwrap();
        assert_eq!(
            (i001.name.as_str(), i001.kind),
            ("서울특별시", InstitutionType::CityHall)
        );
    }

    #[test]
    fn names_are_unique_and_korean() {
        let fair = demo_fair(&opts());
        let names: HashSet<&str> = fair.enterprises().map(|e| e.name.as_str()).collect();
        assert_eq!(names.len(), 171);
        let names: HashSet<&str> = fair.institutions().map(|i| i.name.as_str()).collect();
        assert_eq!(names.len(), 85);
        assert!(names.contains("강남구 사회적경제과") && names.contains("서울교통공사"));
        for p in fair.participants() {
            assert_eq!(p.name.chars().count(), 3, "{}", p.name);
        }
        assert_eq!(fair.participant(&pid(DEMO_BUYER)).unwrap().name, "김민준");
    }

    #[test]
    fn each_start_of_the_demo_is_its_own_fair() {
        let a = demo_fair(&opts());
        assert_eq!(a.id.as_str(), "seoul-sse-2021-demo-20260520-140317");
        let b = demo_fair(&DemoOptions::starting_at(Timestamp::from_millis(
            LIVE + 60_000,
        )));
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn the_same_options_give_the_same_fair() {
        let a = demo_fair(&opts());
        let b = demo_fair(&opts());
        assert_eq!(
            a.institutions().collect::<Vec<_>>(),
            b.institutions().collect::<Vec<_>>()
        );
        assert_eq!(
            a.enterprises().collect::<Vec<_>>(),
            b.enterprises().collect::<Vec<_>>()
        );
        assert_eq!(
            a.participants().collect::<Vec<_>>(),
            b.participants().collect::<Vec<_>>()
        );
        assert_eq!(
            a.rounds().collect::<Vec<_>>(),
            b.rounds().collect::<Vec<_>>()
        );
        assert_eq!(
            a.meetings().collect::<Vec<_>>(),
            b.meetings().collect::<Vec<_>>()
        );
        // Another start moves the times, not the matches.
        let c = demo_fair(&DemoOptions::starting_at(Timestamp::from_millis(
            LIVE + 3_600_000,
        )));
        let pairs = |f: &Fair| -> Vec<(String, u32)> {
            f.meetings()
                .map(|m| (m.id.to_string(), m.slot.index))
                .collect()
        };
        assert_eq!(pairs(&a), pairs(&c));
    }

    #[test]
    fn the_demo_pair_meets_first_in_the_live_round() {
        let o = opts();
        let fair = demo_fair(&o);
        let live = fair.round(&live_round_id()).unwrap();
        assert_eq!(live.starts_at, o.live_round_starts_at);
        assert_eq!((live.slot_len, live.break_len), (minutes(5), minutes(1)));
        let m = fair.meeting(&id(DEMO_MEETING.into())).unwrap();
        assert_eq!(m.round, live.id);
        assert_eq!(m.slot.index, 0);
        assert_eq!(m.slot.start, o.live_round_starts_at);
        assert_eq!(m.institution.as_str(), "i001");
        assert_eq!(m.enterprise.as_str(), "e001");

        let buyer = fair.participant(&pid(DEMO_BUYER)).unwrap();
        let vendor = fair.participant(&pid(DEMO_VENDOR)).unwrap();
        for p in [buyer, vendor] {
            let mine = fair.meetings_of(p);
            assert_eq!(mine[0].id, m.id, "{}", p.id);
            let later_live = mine.iter().filter(|x| x.round == live.id).count();
            assert_eq!(later_live, 3, "{}: slot 0 and two more", p.id);
        }
        for role in Role::ALL {
            let p = fair.participant(&pid(demo_participant(role))).unwrap();
            assert_eq!(p.role, role);
        }
    }

    #[test]
    fn later_rounds_are_a_week_apart_at_ten_in_korea() {
        let fair = demo_fair(&opts());
        let starts: Vec<i64> = fair.rounds().map(|r| r.starts_at.as_millis()).collect();
        // 2026-05-27 and 2026-06-03, 10:00 KST.
        assert_eq!(starts[1], 1_779_843_600_000);
        assert_eq!(starts[2], 1_780_448_400_000);
        // Just after midnight in Korea is still the Korean day, though UTC is a day behind.
        let early = later_day_at_ten(Timestamp::from_millis(1_779_202_800_000 + 60_000), 7);
        assert_eq!(early.as_millis(), 1_779_843_600_000);
        let r2 = fair.round(&id("r2".into())).unwrap();
        assert_eq!(
            (r2.slot_len, r2.break_len, r2.slots),
            (minutes(20), minutes(10), 8)
        );
    }

    #[test]
    fn everyone_meets_and_slots_are_spread() {
        let fair = demo_fair(&opts());
        let met_i: HashSet<_> = fair.meetings().map(|m| &m.institution).collect();
        let met_e: HashSet<_> = fair.meetings().map(|m| &m.enterprise).collect();
        assert_eq!(met_i.len(), 85);
        assert_eq!(met_e.len(), 171);
        for r in fair.rounds() {
            let mut per_slot: HashMap<u32, usize> = HashMap::new();
            for m in fair.meetings().filter(|m| m.round == r.id) {
                *per_slot.entry(m.slot.index).or_default() += 1;
                assert_eq!(
                    m.id.as_str(),
                    format!("{}-s{:02}-{}", r.id, m.slot.index, m.institution)
                );
            }
            assert_eq!(
                per_slot.len() as u32,
                r.slots,
                "every slot of {} is used",
                r.id
            );
            let (lo, hi) = (
                per_slot.values().min().unwrap(),
                per_slot.values().max().unwrap(),
            );
            assert!(hi - lo <= 4, "{}: {per_slot:?}", r.id);
        }
        let pairs: HashSet<_> = fair
            .meetings()
            .map(|m| (&m.institution, &m.enterprise))
            .collect();
        assert_eq!(pairs.len(), 576, "no pair meets twice");
    }

    #[test]
    fn the_demo_survives_its_fair_files() {
        let dir = std::env::temp_dir().join(format!("sangdam-demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let fair = demo_fair(&opts());
        write_fair_dir(&fair, KST_OFFSET_MINUTES, &dir).unwrap();
        let back = load_fair_dir(&dir).unwrap();
        assert_eq!(
            fair.meetings().collect::<Vec<_>>(),
            back.meetings().collect::<Vec<_>>()
        );
        assert_eq!(
            fair.rounds().collect::<Vec<_>>(),
            back.rounds().collect::<Vec<_>>()
        );
        assert_eq!(
            fair.participants().collect::<Vec<_>>(),
            back.participants().collect::<Vec<_>>()
        );
        assert_eq!(
            fair.enterprises().collect::<Vec<_>>(),
            back.enterprises().collect::<Vec<_>>()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_demo_participant_has_fake_contacts_that_survive_the_fair_files() {
        let fair = demo_fair(&opts());
        let contacts = demo_contacts(&fair);
        assert_eq!(
            contacts,
            demo_contacts(&demo_fair(&opts())),
            "deterministic"
        );
        assert_eq!(contacts.0.len(), fair.participants().count());
        let buyer = contacts.get(&pid(DEMO_BUYER)).unwrap();
        assert_eq!(buyer.phone.as_deref(), Some("02-0000-0001"));
        assert_eq!(buyer.email.as_deref(), Some("p-b-i001@example.org"));
        let mut phones = HashSet::new();
        for (p, info) in &contacts.0 {
            let phone = info.phone.as_deref().unwrap();
            let email = info.email.as_deref().unwrap();
            assert!(phone.starts_with("02-0000-"), "{phone}");
            assert!(email.ends_with("@example.org"), "{email}");
            assert_eq!(check_phone(phone), Ok(()), "{p}");
            assert_eq!(check_email(email), Ok(()), "{p}");
            assert!(phones.insert(phone), "{phone} given twice");
        }

        let dir =
            std::env::temp_dir().join(format!("sangdam-demo-contacts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_fair_dir_with_contacts(&fair, &contacts, KST_OFFSET_MINUTES, &dir).unwrap();
        let (back, back_contacts) = load_fair_dir_with_contacts(&dir).unwrap();
        assert_eq!(back_contacts, contacts);
        assert_eq!(
            fair.participants().collect::<Vec<_>>(),
            back.participants().collect::<Vec<_>>()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
