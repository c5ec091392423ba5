//! The mail rules on a small fair: which reminder is due when, who hears of a changed
//! timetable, and the outbox's promise that a key goes once, retried with backoff.

use super::agenda::{Agenda, Source};
use super::due::{self, Audience, ReminderMarks};
use super::outbox::{Attempt, Outbox, RetryRules, State};
use super::*;
use crate::fair::Affiliation;
use crate::prep::timetable::{Booked, Publication, PublicationKind};
use crate::prep::Prep;
use crate::test_fair::{at, fair, pid};
use crate::{EnterpriseId, InstitutionId, RoundId, Timestamp};
use std::collections::HashSet;
use std::time::Duration;

fn booked(m: &str, slot: u32, i: &str, e: &str, match_id: u64) -> Booked {
    Booked {
        meeting: MeetingId::parse(m).unwrap(),
        match_id: match_id as _,
        round: RoundId::parse("r1").unwrap(),
        slot,
        booth: 0,
        institution: InstitutionId::parse(i).unwrap(),
        enterprise: EnterpriseId::parse(e).unwrap(),
    }
}

fn publish(prep: &mut Prep, at_: Timestamp, booked: Vec<Booked>) {
    prep.publications.push(Publication {
        number: prep.publications.len() as u32 + 1,
        kind: PublicationKind::Preliminary,
        at: at_,
        booked,
    });
}

#[test]
fn the_agenda_is_the_fairs_until_something_is_published() {
    let fair = fair();
    let mut prep = Prep::default();
    let agenda = Agenda::new(&fair, &prep, None);
    assert_eq!(agenda.source, Source::Fair);
    let e1 = Affiliation::Enterprise(EnterpriseId::parse("e1").unwrap());
    let of_e1: Vec<&str> = agenda.of(&e1).iter().map(|i| i.meeting.as_str()).collect();
    assert_eq!(of_e1, ["m1", "m2"]);
    assert_eq!(agenda.of(&e1)[1].starts_at, at(30));

    publish(&mut prep, at(-600), vec![booked("x1", 3, "i2", "e1", 1)]);
    let agenda = Agenda::new(&fair, &prep, None);
    assert_eq!(agenda.source, Source::Publication(1));
    let of_e1: Vec<(&str, Timestamp)> = agenda
        .of(&e1)
        .iter()
        .map(|i| (i.meeting.as_str(), i.starts_at))
        .collect();
    assert_eq!(of_e1, [("x1", at(90))]);
    assert!(agenda.of(&Affiliation::Operator).is_empty());
}

#[test]
fn the_latest_mark_reached_is_the_one_due() {
    let marks = ReminderMarks::new(vec![5, 30, 0, 30]);
    assert_eq!(marks.minutes(), [30, 5]);
    let start = at(60);
    assert_eq!(marks.mark_at(start, at(29)), None);
    assert_eq!(marks.mark_at(start, at(30)), Some(30));
    assert_eq!(marks.mark_at(start, at(54)), Some(30));
    assert_eq!(marks.mark_at(start, at(55)), Some(5));
    assert_eq!(marks.mark_at(start, at(59)), Some(5));
    assert_eq!(marks.mark_at(start, at(60)), None, "not once it began");
}

#[test]
fn reminders_go_to_both_sides_except_who_opted_out() {
    let fair = fair();
    let agenda = Agenda::new(&fair, &Prep::default(), None);
    let audience = Audience::new(&fair);
    let marks = ReminderMarks::new(vec![30, 5]);
    let none = HashSet::new();
    // 20 minutes before m2 and m3 (both at 30): the 30-minute reminder to b1, b2, v1,
    // v1b, v2; m1 has begun and gets nothing.
    let due = due::reminders(&agenda, &audience, &marks, &none, at(10));
    let mut keys: Vec<String> = due.iter().map(|d| d.notice.key().to_string()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "remind/b1/m3/30",
            "remind/b2/m2/30",
            "remind/v1/m2/30",
            "remind/v1b/m2/30",
            "remind/v2/m3/30"
        ]
    );
    assert!(due.iter().all(|d| d.expires_at == at(30)));
    let out: HashSet<ParticipantId> = [pid("v1b"), pid("b2")].into();
    let due = due::reminders(&agenda, &audience, &marks, &out, at(26));
    let mut keys: Vec<String> = due.iter().map(|d| d.notice.key().to_string()).collect();
    keys.sort();
    assert_eq!(keys, ["remind/b1/m3/5", "remind/v1/m2/5", "remind/v2/m3/5"]);
    // Before any mark: nothing.
    assert!(due::reminders(&agenda, &audience, &marks, &none, at(-40)).is_empty());
}

#[test]
fn a_changed_timetable_is_told_to_the_invited_whose_meetings_moved() {
    let fair = fair();
    let audience = Audience::new(&fair);
    let mut prep = Prep::default();
    publish(
        &mut prep,
        at(-600),
        vec![booked("a", 0, "i1", "e1", 1), booked("b", 1, "i2", "e2", 2)],
    );
    // The first publication is news to everyone with a meeting in it.
    let all = |_: &ParticipantId, _: Timestamp| true;
    let mut first: Vec<String> = due::changes(&prep, &audience, all)
        .iter()
        .map(|n| n.key().to_string())
        .collect();
    first.sort();
    assert_eq!(
        first,
        [
            "change/b1/1",
            "change/b2/1",
            "change/v1/1",
            "change/v1b/1",
            "change/v2/1"
        ]
    );
    // Match 2 moves to slot 2: i2 and e2 changed, i1 and e1 did not.
    publish(
        &mut prep,
        at(-300),
        vec![
            booked("a", 0, "i1", "e1", 1),
            booked("b2", 2, "i2", "e2", 2),
        ],
    );
    let mut second: Vec<String> = due::changes(&prep, &audience, all)
        .iter()
        .map(|n| n.key().to_string())
        .collect();
    second.sort();
    assert_eq!(second, ["change/b2/2", "change/v2/2"]);
    // Only those invited before the publication.
    let only_b2 = |p: &ParticipantId, before: Timestamp| p.as_str() == "b2" && before == at(-300);
    let told: Vec<String> = due::changes(&prep, &audience, only_b2)
        .iter()
        .map(|n| n.key().to_string())
        .collect();
    assert_eq!(told, ["change/b2/2"]);
}

fn rules() -> RetryRules {
    RetryRules {
        first_backoff: Duration::from_secs(30),
        max_backoff: Duration::from_secs(120),
        max_attempts: 3,
    }
}

#[test]
fn a_key_is_queued_once_and_sent_once() {
    let mut ob = Outbox::new();
    let n = Notice::invitation(pid("v1"), 0);
    assert!(ob.queue(n.clone(), at(0), None).is_some());
    assert!(ob.queue(n.clone(), at(1), None).is_none(), "same key");
    let (sending, closed) = ob.claim(at(0), 10, |_| false);
    assert_eq!((sending.len(), closed.len()), (1, 0));
    assert_eq!(sending[0].attempts, 1);
    assert!(ob.claim(at(0), 10, |_| false).0.is_empty(), "claimed once");
    let e = ob.finish(&n.key(), Attempt::Sent, at(0), &rules()).unwrap();
    assert_eq!(e.state, State::Sent);
    assert!(
        ob.finish(&n.key(), Attempt::Sent, at(0), &rules())
            .is_none(),
        "a second report changes nothing"
    );
    assert!(ob.queue(n, at(5), None).is_none(), "never again");
    assert!(ob.invited_before(&pid("v1"), at(1)));
    assert!(!ob.invited_before(&pid("v1"), at(0)));
    assert!(
        !ob.invited_before(&pid("v"), at(9)),
        "a prefix is not a participant"
    );
    // The next generation is a new invitation.
    assert!(ob
        .queue(Notice::invitation(pid("v1"), 1), at(6), None)
        .is_some());
}

#[test]
fn transient_failures_back_off_then_give_up_visibly() {
    let mut ob = Outbox::new();
    let n = Notice::invitation(pid("b1"), 0);
    let key = n.key();
    ob.queue(n, at(0), None);
    let mut now = at(0);
    for attempt in 1..=2u32 {
        let (s, _) = ob.claim(now, 1, |_| false);
        assert_eq!(s[0].attempts, attempt);
        let e = ob
            .finish(&key, Attempt::Transient("451 busy".into()), now, &rules())
            .unwrap();
        assert_eq!(e.state, State::Queued);
        let wait = Duration::from_secs(30 << (attempt - 1));
        assert_eq!(e.next_at, now + wait);
        assert!(ob
            .claim(now + wait - Duration::from_millis(1), 1, |_| false)
            .0
            .is_empty());
        now = now + wait;
        assert_eq!(ob.next_due(), Some(now));
    }
    let (s, _) = ob.claim(now, 1, |_| false);
    assert_eq!(s[0].attempts, 3);
    let e = ob
        .finish(&key, Attempt::Transient("451 busy".into()), now, &rules())
        .unwrap();
    assert_eq!(e.state, State::Failed);
    assert_eq!(e.error.as_deref(), Some("gave up after 3 tries: 451 busy"));
    assert_eq!(ob.failures(10).len(), 1);
    assert_eq!(ob.next_due(), None, "nothing more until staff ask");
    // Staff retry: queued again with a fresh count.
    let again = ob.retry_failed(None, now);
    assert_eq!(again.len(), 1);
    let (s, _) = ob.claim(now, 1, |_| false);
    assert_eq!(s[0].attempts, 1);
    ob.finish(
        &key,
        Attempt::Permanent("550 no such user".into()),
        now,
        &rules(),
    );
    assert_eq!(ob.get(&key).unwrap().state, State::Failed);
    assert_eq!(
        ob.get(&key).unwrap().error.as_deref(),
        Some("550 no such user")
    );
    assert_eq!(ob.counts().0["invitation"]["failed"], 1);
}

#[test]
fn backoff_doubles_to_its_cap() {
    let r = RetryRules::default();
    let secs: Vec<u64> = (1..=9).map(|a| r.backoff(a).as_secs()).collect();
    assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
}

#[test]
fn late_reminders_expire_and_revoked_invitations_are_superseded() {
    let mut ob = Outbox::new();
    let r = Notice {
        participant: pid("v1"),
        kind: NoticeKind::Reminder {
            meeting: MeetingId::parse("m1").unwrap(),
            minutes: 5,
        },
    };
    ob.queue(r.clone(), at(-5), Some(at(0)));
    ob.queue(Notice::invitation(pid("v2"), 0), at(-5), None);
    ob.queue(Notice::invitation(pid("v2"), 1), at(-5), None);
    // Only generation 1 is v2's current link.
    let old_gen =
        |n: &Notice| matches!(n.kind, NoticeKind::Invitation { generation } if generation < 1);
    let (sending, closed) = ob.claim(at(0), 10, old_gen);
    assert_eq!(
        sending.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        ["invite/v2/1"]
    );
    let mut closed: Vec<(&str, State)> = closed.iter().map(|e| (e.key.as_str(), e.state)).collect();
    closed.sort();
    assert_eq!(
        closed,
        [
            ("invite/v2/0", State::Superseded),
            ("remind/v1/m1/5", State::Expired)
        ]
    );
}

#[test]
fn a_restart_sends_again_what_was_in_flight() {
    let mut ob = Outbox::new();
    ob.queue(Notice::invitation(pid("v1"), 0), at(0), None);
    ob.queue(Notice::invitation(pid("v2"), 0), at(0), None);
    let (s, _) = ob.claim(at(0), 1, |_| false);
    // The process stops here; a new one loads the entries as stored.
    let mut reloaded = Outbox::new();
    for e in ob.entries() {
        reloaded.put(e.clone());
    }
    let resumed = reloaded.resume(at(3));
    assert_eq!(resumed.len(), 1, "v2 was due anyway");
    assert_eq!(resumed[0].key, s[0].key);
    let (again, _) = reloaded.claim(at(3), 10, |_| false);
    assert_eq!(again.len(), 2);
    let first = again.iter().find(|e| e.key == s[0].key).unwrap();
    assert_eq!(first.attempts, 2, "the interrupted try counts");
    // One waiting out a backoff goes at once after a restart.
    let key = first.key.clone();
    let other = again.iter().find(|e| e.key != key).unwrap().key.clone();
    reloaded.finish(&other, Attempt::Sent, at(3), &rules());
    reloaded.finish(&key, Attempt::Transient("451".into()), at(3), &rules());
    assert!(
        reloaded.claim(at(3), 10, |_| false).0.is_empty(),
        "waiting 60 s"
    );
    assert_eq!(reloaded.resume(at(3)).len(), 1);
    assert_eq!(reloaded.claim(at(3), 10, |_| false).0.len(), 1);
}

#[test]
fn keys_parse_back_and_refuse_other_shapes() {
    let n = Notice {
        participant: pid("v1"),
        kind: NoticeKind::Reminder {
            meeting: MeetingId::parse("r1-s03-i001").unwrap(),
            minutes: 30,
        },
    };
    let k = n.key();
    assert_eq!(NoticeKey::parse(k.as_str()), Some(k));
    for bad in ["", "invite", "spam/v1/0", "invite/v 1/0", "invite/v1/0\r\n"] {
        assert_eq!(NoticeKey::parse(bad), None, "{bad:?}");
    }
}
