//! A small fair for the core's unit tests: one round of four 20-minute slots from
//! [`at`]`(0)`, institutions i1 and i2 (buyers b1, b2), enterprises e1 (vendors v1, v1b) and e2
//! (v2), staff s1, moderator mod1; meetings m1 (slot 0, i1 × e1), m2 (slot 1, i2 × e1), m3
//! (slot 1, i1 × e2).

use crate::fair::{
    Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType, MeetingSpec,
    Participant,
};
use crate::{
    EnterpriseId, Fair, FairId, InstitutionId, MeetingId, ParticipantId, Role, Round, RoundId,
    Timestamp,
};
use std::time::Duration;

const MIN: i64 = 60_000;
const START: i64 = 1_800_000_000_000;

/// `minutes` after the round's start.
pub fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(START + minutes * MIN)
}

pub fn pid(s: &str) -> ParticipantId {
    ParticipantId::parse(s).unwrap()
}

pub fn fair() -> Fair {
    let round = Round {
        id: RoundId::parse("r1").unwrap(),
        number: 1,
        theme: "공공시장".into(),
        starts_at: at(0),
        slot_len: Duration::from_secs(20 * 60),
        break_len: Duration::from_secs(10 * 60),
        slots: 4,
    };
    let inst = |i: &str| Institution {
        id: InstitutionId::parse(i).unwrap(),
        name: format!("기관 {i}"),
        kind: InstitutionType::District,
    };
    let ent = |e: &str| Enterprise {
        id: EnterpriseId::parse(e).unwrap(),
        name: format!("기업 {e}"),
        kind: EnterpriseType::Cooperative,
    };
    let person = |id: &str, role: Role, aff: Affiliation| Participant {
        id: pid(id),
        name: id.to_uppercase(),
        role,
        affiliation: aff,
    };
    let i = |s: &str| Affiliation::Institution(InstitutionId::parse(s).unwrap());
    let e = |s: &str| Affiliation::Enterprise(EnterpriseId::parse(s).unwrap());
    let meeting = |id: &str, slot: u32, i: &str, e: &str| MeetingSpec {
        id: MeetingId::parse(id).unwrap(),
        round: RoundId::parse("r1").unwrap(),
        slot,
        institution: InstitutionId::parse(i).unwrap(),
        enterprise: EnterpriseId::parse(e).unwrap(),
    };
    Fair::new(
        FairId::parse("t").unwrap(),
        "시험 상담회",
        FairParts {
            rounds: vec![round],
            institutions: vec![inst("i1"), inst("i2")],
            enterprises: vec![ent("e1"), ent("e2")],
            participants: vec![
                person("b1", Role::Buyer, i("i1")),
                person("b2", Role::Buyer, i("i2")),
                person("v1", Role::Vendor, e("e1")),
                person("v1b", Role::Vendor, e("e1")),
                person("v2", Role::Vendor, e("e2")),
                person("s1", Role::Staff, Affiliation::Operator),
                person("mod1", Role::Moderator, Affiliation::Operator),
            ],
            meetings: vec![
                meeting("m1", 0, "i1", "e1"),
                meeting("m2", 1, "i2", "e1"),
                meeting("m3", 1, "i1", "e2"),
            ],
        },
    )
    .unwrap()
}
