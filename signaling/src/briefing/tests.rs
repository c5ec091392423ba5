//! Briefings on the small test fair: who may watch and when, who presents, questions with
//! their limits and who sees what, and attendance across reloads and two tabs.

use super::attendance::{Attendance, Stretch};
use super::questions::{Handling, Questions, Status, MAX_CHARS, MAX_OPEN};
use super::*;
use crate::test_fair::{at, fair, pid};

fn briefing(audience: Audience) -> Briefing {
    Briefing {
        id: BriefingId::parse("kotra").unwrap(),
        topic: "수출 지원 제도".into(),
        presenter_name: "KOTRA".into(),
        presenter: pid("s1"),
        starts_at: at(60),
        ends_at: at(100),
        audience,
    }
}

fn who<'f>(fair: &'f Fair, id: &str) -> &'f Participant {
    fair.participant(&pid(id)).unwrap()
}

#[test]
fn the_audience_decides_who_may_watch_and_the_doors_when() {
    let f = fair();
    let code =
        |b: &Briefing, id: &str, t: i64| b.may_watch(&f, who(&f, id), at(t)).err().map(|r| r.code);
    let all = briefing(Audience::Everyone);
    assert_eq!(code(&all, "v1", 55), None);
    assert_eq!(code(&all, "b2", 99), None);
    assert_eq!(
        code(&all, "v1", 49),
        Some(ErrorCode::TooEarly),
        "doors open 10 min before"
    );
    assert_eq!(code(&all, "v1", 50), None);
    assert_eq!(code(&all, "v1", 100), Some(ErrorCode::RoomClosed));
    let vendors = briefing(Audience::Vendors);
    assert_eq!(code(&vendors, "v2", 60), None);
    assert_eq!(code(&vendors, "b1", 60), Some(ErrorCode::NotInAudience));
    assert_eq!(code(&vendors, "mod1", 60), None, "moderators run it");
    let buyers = briefing(Audience::Buyers);
    assert_eq!(code(&buyers, "v1", 60), Some(ErrorCode::NotInAudience));
    assert_eq!(code(&buyers, "b1", 60), None);
    // Round r1's participants: every organisation of the test fair has a meeting in it.
    let round = briefing(Audience::Round(RoundId::parse("r1").unwrap()));
    assert_eq!(code(&round, "v1b", 60), None);
    let refusal = buyers.may_watch(&f, who(&f, "v1"), at(60)).unwrap_err();
    assert!(
        refusal.message.contains("수출 지원 제도"),
        "{}",
        refusal.message
    );
}

#[test]
fn the_presenter_or_an_operator_presents() {
    let f = fair();
    let b = briefing(Audience::Everyone);
    assert!(b.may_present(who(&f, "s1")).is_ok());
    assert!(b.may_present(who(&f, "mod1")).is_ok());
    assert_eq!(
        b.may_present(who(&f, "v1")).unwrap_err().code,
        ErrorCode::WrongRole
    );
}

#[test]
fn a_briefing_as_written_is_checked() {
    let f = fair();
    assert_eq!(check(&f, &briefing(Audience::Everyone)), Ok(()));
    let mut b = briefing(Audience::Round(RoundId::parse("r9").unwrap()));
    assert!(check(&f, &b).unwrap_err().contains("no round r9"));
    b.audience = Audience::Everyone;
    b.ends_at = b.starts_at;
    assert!(check(&f, &b).unwrap_err().contains("end after"));
    b.ends_at = at(100);
    b.presenter = pid("nobody");
    assert!(check(&f, &b).unwrap_err().contains("not a participant"));
    b.presenter = pid("s1");
    b.topic = "  ".into();
    assert!(check(&f, &b).unwrap_err().contains("topic"));
}

#[test]
fn questions_have_limits_and_viewers_see_their_own_and_the_highlighted() {
    let mut q = Questions::default();
    let (v1, v2) = (pid("v1"), pid("v2"));
    assert_eq!(
        q.ask(&v1, "   ", at(60)).unwrap_err().code,
        ErrorCode::BadMessage
    );
    let long = "가".repeat(MAX_CHARS + 1);
    assert_eq!(
        q.ask(&v1, &long, at(60)).unwrap_err().code,
        ErrorCode::BadMessage
    );
    assert_eq!(
        q.ask(&v1, " 수출보험은 누가 신청하나요? ", at(60))
            .unwrap()
            .text,
        "수출보험은 누가 신청하나요?"
    );
    let soon = at(60) + Duration::from_secs(5);
    assert_eq!(
        q.ask(&v1, "또 하나", soon).unwrap_err().code,
        ErrorCode::RateLimited
    );
    let mut t = at(61);
    for n in 1..MAX_OPEN {
        q.ask(&v1, &format!("질문 {n}"), t).unwrap();
        t = t + Duration::from_secs(60);
    }
    assert_eq!(
        q.ask(&v1, "하나 더", t).unwrap_err().code,
        ErrorCode::RateLimited,
        "{MAX_OPEN} open"
    );
    let other = q.ask(&v2, "v2의 질문", t).unwrap().id;
    // v1 sees their own, not v2's; once highlighted, everyone sees it.
    assert!(q.for_viewer(&v1).iter().all(|x| x.from == v1));
    q.handle(other, Handling::Highlight).unwrap();
    assert!(q.for_viewer(&v1).iter().any(|x| x.id == other));
    // Answering frees a place for v1.
    q.handle(
        1,
        Handling::Answer {
            text: Some("기업이 직접 신청합니다".into()),
        },
    )
    .unwrap();
    assert!(q
        .ask(&v1, "이제 됩니다", t + Duration::from_secs(30))
        .is_ok());
    q.handle(2, Handling::Dismiss).unwrap();
    let presenter: Vec<(u32, Status)> =
        q.for_presenter().iter().map(|x| (x.id, x.status)).collect();
    assert_eq!(
        presenter.first().map(|p| p.1),
        Some(Status::Open),
        "open first"
    );
    assert!(
        !presenter.iter().any(|p| p.0 == 2),
        "dismissed ones are gone"
    );
    assert_eq!(
        q.handle(99, Handling::Dismiss).unwrap_err().code,
        ErrorCode::BadMessage
    );
}

#[test]
fn attendance_merges_tabs_and_reloads_and_keeps_to_the_briefings_time() {
    let mut a = Attendance::new(at(60), at(100));
    let (v1, v2, b1) = (pid("v1"), pid("v2"), pid("b1"));
    // v1 comes early, opens a second tab, closes one, reloads at 70, leaves at 90.
    a.joined(&v1, at(55));
    a.joined(&v1, at(62));
    a.left(&v1, at(65));
    a.left(&v1, at(70));
    a.joined(&v1, at(70));
    a.left(&v1, at(90));
    // v2 from 80 and still watching; b1 only before the start.
    a.joined(&v2, at(80));
    a.joined(&b1, at(52));
    a.left(&b1, at(58));
    a.left(&b1, at(59)); // a stray close changes nothing
    let s = a.summary(at(95));
    assert_eq!(
        s[&v1],
        vec![Stretch {
            from: at(60),
            until: at(90)
        }]
    );
    assert_eq!(
        s[&v2],
        vec![Stretch {
            from: at(80),
            until: at(95)
        }]
    );
    assert!(!s.contains_key(&b1));
    assert_eq!(a.watched(&v1, at(95)), Duration::from_secs(30 * 60));
    // After the end the open stretch stops at the end.
    assert_eq!(a.watched(&v2, at(200)), Duration::from_secs(20 * 60));
    // A gap stays a gap.
    a.joined(&v1, at(95));
    assert_eq!(a.summary(at(97))[&v1].len(), 2);
}
