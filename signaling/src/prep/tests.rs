//! The preparation rules end to end on one small fair: requests both ways, caps, expiry,
//! staff matches, stale versions, publishing and what changed for a participant.

use super::registry::*;
use super::timetable::*;
use super::*;
use crate::fair::{EnterpriseType, InstitutionType};

fn pid(s: &str) -> ParticipantId {
    ParticipantId::parse(s).unwrap()
}
fn iid(s: &str) -> InstitutionId {
    InstitutionId::parse(s).unwrap()
}
fn eid(s: &str) -> EnterpriseId {
    EnterpriseId::parse(s).unwrap()
}
fn rid(s: &str) -> RoundId {
    RoundId::parse(s).unwrap()
}

const HOUR: i64 = 3_600_000;

fn rounds() -> Vec<Round> {
    ["r1", "r2"]
        .iter()
        .enumerate()
        .map(|(n, id)| Round {
            id: rid(id),
            number: n as u32 + 1,
            theme: if n == 0 {
                "공공시장".into()
            } else {
                "그린뉴딜".into()
            },
            starts_at: Timestamp::from_millis(1000 * HOUR),
            slot_len: Duration::from_secs(1200),
            break_len: Duration::from_secs(600),
            slots: 8,
        })
        .collect()
}

fn staff() -> Actor {
    Actor {
        participant: pid("s1"),
        role: Role::Staff,
    }
}
fn buyer(i: &str) -> Actor {
    Actor {
        participant: pid(&format!("b-{i}")),
        role: Role::Buyer,
    }
}
fn vendor(e: &str) -> Actor {
    Actor {
        participant: pid(&format!("v-{e}")),
        role: Role::Vendor,
    }
}

fn registration() -> Registration {
    let inst = |id: &str, rounds: Vec<RoundId>| InstitutionEntry {
        id: iid(id),
        name: format!("기관{id}"),
        kind: InstitutionType::District,
        contact: Contact::default(),
        wanted: vec!["청소".into()],
        booths: 1,
        rounds,
        unavailable: vec![],
    };
    let ent = |id: &str| EnterpriseEntry {
        id: eid(id),
        name: format!("기업{id}"),
        kind: EnterpriseType::Cooperative,
        contact: Contact::default(),
        categories: vec!["청소".into()],
        certifications: vec![],
        green: false,
        max_meetings: 4,
        rounds: vec![],
        unavailable: vec![],
    };
    let person = |id: String, role, affiliation| ParticipantEntry {
        id: pid(&id),
        name: id.clone(),
        role,
        affiliation,
        phone: None,
        email: None,
    };
    Registration {
        institutions: vec![inst("i1", vec![]), inst("i2", vec![rid("r2")])],
        enterprises: vec![ent("e1"), ent("e2"), ent("e3")],
        participants: ["i1", "i2"]
            .iter()
            .map(|i| {
                person(
                    format!("b-{i}"),
                    Role::Buyer,
                    Affiliation::Institution(iid(i)),
                )
            })
            .chain(["e1", "e2", "e3"].iter().map(|e| {
                person(
                    format!("v-{e}"),
                    Role::Vendor,
                    Affiliation::Enterprise(eid(e)),
                )
            }))
            .collect(),
    }
}

fn prep() -> Prep {
    let mut p = Prep::default();
    p.apply(
        &staff(),
        Edit::Import {
            registration: registration(),
        },
        t(0),
        &rounds(),
    )
    .unwrap();
    p
}

fn t(hours: i64) -> Timestamp {
    Timestamp::from_millis(hours * HOUR)
}

fn ask(p: &mut Prep, who: &Actor, to: Counterpart, at: Timestamp) -> Result<Request, PrepError> {
    match p.apply(
        who,
        Edit::Request {
            round: rid("r1"),
            to,
            reason: "청소 용역 소개".into(),
        },
        at,
        &rounds(),
    )? {
        Outcome::Request { request } => Ok(request),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_vendors_request_becomes_a_match_when_the_buyer_accepts() {
    let mut p = prep();
    let r = ask(
        &mut p,
        &vendor("e1"),
        Counterpart::Institution(iid("i1")),
        t(1),
    )
    .unwrap();
    assert_eq!(r.status, RequestStatus::Pending);
    assert!(
        p.matches.is_empty(),
        "opt-in: nothing until the other side says yes"
    );
    assert_eq!(p.requests_of(&pid("b-i1")).len(), 1, "the buyer sees it");
    assert_eq!(p.requests_of(&pid("v-e1")).len(), 1, "the vendor sees it");
    assert!(p.requests_of(&pid("v-e2")).is_empty());

    // The vendor cannot answer their own request; another buyer cannot either.
    let answer = |p: &mut Prep, who: &Actor, version, accept| {
        p.apply(
            who,
            Edit::Answer {
                request: r.id,
                expected_version: version,
                accept,
            },
            t(2),
            &rounds(),
        )
    };
    assert!(matches!(
        answer(&mut p, &vendor("e1"), 1, true),
        Err(PrepError::NotYours(_))
    ));
    assert!(matches!(
        answer(&mut p, &buyer("i2"), 1, true),
        Err(PrepError::NotYours(_))
    ));
    assert!(matches!(
        answer(&mut p, &buyer("i1"), 0, true),
        Err(PrepError::Stale { current: 1, .. })
    ));
    match answer(&mut p, &buyer("i1"), 1, true).unwrap() {
        Outcome::Request { request } => {
            assert_eq!(request.status, RequestStatus::Accepted);
            let m = &p.matches[&request.made_match.unwrap()];
            assert_eq!((&m.institution, &m.enterprise), (&iid("i1"), &eid("e1")));
            assert_eq!(m.origin, Origin::Request(r.id));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        answer(&mut p, &buyer("i1"), 2, false),
        Err(PrepError::Closed { .. })
    ));
    // Asking again for a pair that is matched is refused.
    assert!(matches!(
        ask(
            &mut p,
            &vendor("e1"),
            Counterpart::Institution(iid("i1")),
            t(3)
        ),
        Err(PrepError::Duplicate(_))
    ));
}

#[test]
fn invitations_expire_caps_hold_and_auto_accept_makes_matches_at_once() {
    let mut p = prep();
    let r = ask(
        &mut p,
        &buyer("i1"),
        Counterpart::Enterprise(eid("e2")),
        t(1),
    )
    .unwrap();
    assert_eq!(r.direction, Direction::InstitutionInvites);
    // 72 hours later the invitation has expired: the vendor's yes is refused, and the
    // pair may be asked again.
    let late = p.apply(
        &vendor("e2"),
        Edit::Answer {
            request: r.id,
            expected_version: 1,
            accept: true,
        },
        t(1 + 72),
        &rounds(),
    );
    assert!(
        matches!(
            late,
            Err(PrepError::Closed {
                status: RequestStatus::Expired,
                ..
            })
        ),
        "{late:?}"
    );
    ask(
        &mut p,
        &buyer("i1"),
        Counterpart::Enterprise(eid("e2")),
        t(80),
    )
    .unwrap();

    // A cap of 2 sent requests: the third is refused with the limit named.
    let mut settings = p.settings.clone();
    settings.requests.max_sent = 2;
    p.apply(
        &staff(),
        Edit::Settings {
            expected_version: 0,
            settings: settings.clone(),
        },
        t(80),
        &rounds(),
    )
    .unwrap();
    ask(
        &mut p,
        &buyer("i1"),
        Counterpart::Enterprise(eid("e1")),
        t(81),
    )
    .unwrap();
    let third = ask(
        &mut p,
        &buyer("i1"),
        Counterpart::Enterprise(eid("e3")),
        t(81),
    );
    assert!(matches!(third, Err(PrepError::Limit(_))), "{third:?}");
    // A second staff member's settings edit from the old version is refused, not lost.
    let stale = p.apply(
        &staff(),
        Edit::Settings {
            expected_version: 0,
            settings: PrepSettings::default(),
        },
        t(82),
        &rounds(),
    );
    assert!(matches!(stale, Err(PrepError::Stale { .. })));
    assert_eq!(p.settings.requests.max_sent, 2);

    settings.requests.auto_accept = true;
    p.apply(
        &staff(),
        Edit::Settings {
            expected_version: 1,
            settings,
        },
        t(82),
        &rounds(),
    )
    .unwrap();
    let r = ask(
        &mut p,
        &vendor("e3"),
        Counterpart::Institution(iid("i1")),
        t(83),
    )
    .unwrap();
    assert_eq!(r.status, RequestStatus::Accepted);
    assert!(p.matches.contains_key(&r.made_match.unwrap()));
}

#[test]
fn wrong_sides_and_rounds_are_refused_with_their_reason() {
    let mut p = prep();
    // i2 only attends round 2.
    let r = ask(
        &mut p,
        &vendor("e1"),
        Counterpart::Institution(iid("i2")),
        t(1),
    );
    assert!(matches!(r, Err(PrepError::NotAttending(_))), "{r:?}");
    let r = ask(
        &mut p,
        &vendor("e1"),
        Counterpart::Enterprise(eid("e2")),
        t(1),
    );
    assert!(matches!(r, Err(PrepError::WrongRole(_))));
    let r = ask(&mut p, &staff(), Counterpart::Enterprise(eid("e2")), t(1));
    assert!(matches!(r, Err(PrepError::NotRegistered(_))));
    let stranger = Actor {
        participant: pid("nobody"),
        role: Role::Vendor,
    };
    let r = ask(&mut p, &stranger, Counterpart::Institution(iid("i1")), t(1));
    assert!(matches!(r, Err(PrepError::NotRegistered(_))));
    let r = ask(
        &mut p,
        &vendor("e1"),
        Counterpart::Institution(iid("i9")),
        t(1),
    );
    assert!(matches!(r, Err(PrepError::UnknownOrganisation(..))));
    let long = p.apply(
        &vendor("e1"),
        Edit::Request {
            round: rid("r1"),
            to: Counterpart::Institution(iid("i1")),
            reason: "가".repeat(301),
        },
        t(1),
        &rounds(),
    );
    assert!(matches!(long, Err(PrepError::BadInput(_))));
    let refusal: Refusal = long.unwrap_err().into();
    assert_eq!(refusal.code, ErrorCode::BadMessage);
    // A buyer may not make matches directly.
    let r = p.apply(
        &buyer("i1"),
        Edit::CreateMatches {
            round: rid("r1"),
            pairs: vec![(iid("i1"), eid("e1"))],
            from_proposal: false,
            note: String::new(),
        },
        t(1),
        &rounds(),
    );
    assert!(matches!(r, Err(PrepError::WrongRole(_))));
}

fn create(p: &mut Prep, pairs: &[(&str, &str)], proposal: bool) -> Result<Outcome, PrepError> {
    p.apply(
        &staff(),
        Edit::CreateMatches {
            round: rid("r1"),
            pairs: pairs.iter().map(|(i, e)| (iid(i), eid(e))).collect(),
            from_proposal: proposal,
            note: String::new(),
        },
        t(1),
        &rounds(),
    )
}

#[test]
fn staff_make_and_edit_matches_and_a_stale_edit_is_refused() {
    let mut p = prep();
    let v0 = p.version;
    create(&mut p, &[("i1", "e1"), ("i1", "e2")], false).unwrap();
    assert_eq!(p.version, v0 + 1);
    assert!(matches!(
        create(&mut p, &[("i1", "e1")], false),
        Err(PrepError::Duplicate(_))
    ));
    // Accepting a proposal that overlaps what exists adds only the new pairs.
    match create(&mut p, &[("i1", "e1"), ("i1", "e3")], true).unwrap() {
        Outcome::Matches { matches } => {
            assert_eq!(matches.len(), 1);
            assert_eq!(matches[0].origin, Origin::Proposal);
        }
        other => panic!("{other:?}"),
    }
    let update = |p: &mut Prep, version, cancelled| {
        p.apply(
            &staff(),
            Edit::UpdateMatch {
                id: 1,
                expected_version: version,
                round: None,
                note: Some("전화로 확인".into()),
                cancelled: Some(cancelled),
            },
            t(2),
            &rounds(),
        )
    };
    update(&mut p, 1, true).unwrap();
    assert_eq!(p.matches[&1].status, MatchStatus::Cancelled);
    // A second staff member who saw version 1 is refused; the first edit stands.
    assert!(matches!(
        update(&mut p, 1, false),
        Err(PrepError::Stale { current: 2, .. })
    ));
    assert_eq!(p.matches[&1].status, MatchStatus::Cancelled);
    assert_eq!(p.accepted_in(&rid("r1")).len(), 2);
    // Moving a match to a round the institution does not attend is refused.
    let r = p.apply(
        &staff(),
        Edit::UpdateMatch {
            id: 2,
            expected_version: 1,
            round: Some(rid("r9")),
            note: None,
            cancelled: None,
        },
        t(2),
        &rounds(),
    );
    assert!(matches!(r, Err(PrepError::UnknownRound(_))));
}

fn booked(m: MatchId, slot: u32, e: &str) -> Booked {
    Booked {
        meeting: Booked::meeting_id(&rid("r1"), slot, 0, &iid("i1")),
        match_id: m,
        round: rid("r1"),
        slot,
        booth: 0,
        institution: iid("i1"),
        enterprise: eid(e),
    }
}

fn draft(version: u64, booked: Vec<Booked>) -> Draft {
    Draft {
        round: rid("r1"),
        version,
        made_at: t(3),
        booked,
        not_placed: vec![],
        lower_bound: 2,
        slots_used: 2,
        moved: 0,
    }
}

#[test]
fn publishing_takes_the_reviewed_draft_and_participants_see_what_changed() {
    let mut p = prep();
    create(&mut p, &[("i1", "e1"), ("i1", "e2")], false).unwrap();
    let publish = |p: &mut Prep, version| {
        p.apply(
            &staff(),
            Edit::Publish {
                kind: PublicationKind::Preliminary,
                drafts: [(rid("r1"), version)].into(),
            },
            t(4),
            &rounds(),
        )
    };
    assert!(matches!(publish(&mut p, 1), Err(PrepError::NoDraft(_))));
    let keep = |p: &mut Prep, d| p.apply(&staff(), Edit::KeepDraft { draft: d }, t(3), &rounds());
    keep(
        &mut p,
        draft(1, vec![booked(1, 0, "e1"), booked(2, 1, "e2")]),
    )
    .unwrap();
    // Two staff members drafting from the same state: the second is stale.
    assert!(matches!(
        keep(&mut p, draft(1, vec![])),
        Err(PrepError::Stale { .. })
    ));
    assert!(matches!(publish(&mut p, 0), Err(PrepError::Stale { .. })));
    publish(&mut p, 1).unwrap();
    let e1 = Affiliation::Enterprise(eid("e1"));
    assert_eq!(p.timetable_of(&e1, None).len(), 1);
    let first = p.changes_for(&pid("v-e1"), &e1);
    assert!(matches!(first.as_slice(), [Change::Added { .. }]));
    p.apply(&vendor("e1"), Edit::Seen { number: 1 }, t(5), &rounds())
        .unwrap();
    assert!(p.changes_for(&pid("v-e1"), &e1).is_empty());
    let v = p.version;
    p.apply(&vendor("e1"), Edit::Seen { number: 1 }, t(5), &rounds())
        .unwrap();
    assert_eq!(p.version, v, "looking again writes nothing");

    // A late change: e1's meeting moves; the vendor is told where it was and is now.
    keep(
        &mut p,
        draft(2, vec![booked(1, 3, "e1"), booked(2, 1, "e2")]),
    )
    .unwrap();
    publish(&mut p, 2).unwrap();
    let moved = p.changes_for(&pid("v-e1"), &e1);
    assert!(
        matches!(moved.as_slice(), [Change::Moved { was, now }] if was.slot == 0 && now.slot == 3),
        "{moved:?}"
    );
    assert!(
        p.changes_for(&pid("v-e2"), &Affiliation::Enterprise(eid("e2")))
            .iter()
            .all(|c| matches!(c, Change::Added { .. })),
        "e2 never looked: all of it is new"
    );
    assert_eq!(p.publications.len(), 2);
}

#[test]
fn importing_the_same_registrations_again_leaves_the_version() {
    let mut p = prep();
    let v = p.version;
    let out = p
        .apply(
            &staff(),
            Edit::Import {
                registration: registration(),
            },
            t(1),
            &rounds(),
        )
        .unwrap();
    assert!(!out.changed());
    assert_eq!(p.version, v);
}

#[test]
fn suggestions_rank_by_fit_and_spread_meetings() {
    use super::suggest::suggestions;
    let mut p = prep();
    // e1..e3 all fit i1 equally (청소); once e1 has a match it drops below the others.
    let round = &rounds()[0];
    let of = Counterpart::Institution(iid("i1"));
    let first = suggestions(&p, round, &of, 10, false).unwrap();
    assert_eq!(first.len(), 3);
    assert!(first.iter().all(|s| s.score == first[0].score));
    create(&mut p, &[("i1", "e1")], false).unwrap();
    let after = suggestions(&p, round, &of, 10, false).unwrap();
    let last = after.last().unwrap();
    assert_eq!(last.who, Counterpart::Enterprise(eid("e1")));
    assert!(last.matched && last.matches_in_round == 1);
    assert!(last.score < after[0].score);
    // i2 does not attend round 1: an enterprise's suggestions leave it out.
    let for_e2 = suggestions(&p, round, &Counterpart::Enterprise(eid("e2")), 10, false).unwrap();
    assert_eq!(for_e2.len(), 1);
    assert_eq!(for_e2[0].who, Counterpart::Institution(iid("i1")));
    assert!(matches!(
        suggestions(&p, round, &Counterpart::Institution(iid("i9")), 10, false),
        Err(PrepError::UnknownOrganisation(..))
    ));
}
