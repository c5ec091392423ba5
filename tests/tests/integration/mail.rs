//! Mail through a real SMTP server on loopback (the tests' sink): invitations arrive with the
//! right recipients, headers, Korean-then-English body, a working personal link and a
//! parseable `.ics`; a busy or refusing relay leads to retries and a visible failure, never
//! a lost or doubled invitation; a restarted server resumes its outbox; reminders go by
//! themselves before a meeting.

use icalendar::{Calendar, CalendarComponent, Component};
use sangdam_server::app::settings::{MailSecurity, Settings};
use sangdam_server::app::startup::Application;
use sangdam_server::files::fair::contacts::{ContactInfo, Contacts};
use sangdam_signaling::Fair;
use sangdam_tests::app::{
    now, spawn_built, test_fair, test_fair_at, test_settings, TestApp, BUYER_1, BUYER_2, STAFF,
    VENDOR_1, VENDOR_2,
};
use sangdam_tests::smtp_sink::{Received, SinkOptions, SmtpSink};
use serde_json::{json, Value};
use std::str::FromStr;
use std::time::Duration;

fn address(id: &str) -> String {
    format!("{id}@example.test")
}

/// Everyone's e-mail, as the fair files' 이메일 column would give it.
fn contacts(fair: &Fair) -> Contacts {
    Contacts(
        fair.participants()
            .map(|p| {
                (
                    p.id.clone(),
                    ContactInfo {
                        phone: None,
                        email: Some(address(p.id.as_str())),
                    },
                )
            })
            .collect(),
    )
}

fn mail_settings(sink: &SmtpSink) -> Settings {
    let mut s = test_settings();
    s.mail.host = "127.0.0.1".into();
    s.mail.port = sink.port();
    s.mail.security = MailSecurity::None;
    s.mail.from = "상담회 사무국 <fair@fair.test>".into();
    s.mail.reply_to = "문의 <help@fair.test>".into();
    s.mail.first_backoff_seconds = 1;
    s.mail.max_backoff_seconds = 1;
    s.mail.max_attempts = 3;
    s.mail.timeout_seconds = 5;
    s
}

async fn spawn(settings: Settings, fair: Fair) -> TestApp {
    let c = contacts(&fair);
    let app = Application::build(settings.clone(), fair)
        .await
        .expect("server binds")
        .with_contacts(c);
    spawn_built(settings, app)
}

async fn post(app: &TestApp, path: &str, who: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base_url))
        .bearer_auth(app.token(who))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn progress(app: &TestApp) -> Value {
    let r = app.get("/api/mail", Some(&app.token(STAFF))).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Waits until the outbox has nothing queued or being sent.
async fn settled(app: &TestApp) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let p = progress(app).await;
        let pending: u64 = p["counts"]
            .as_object()
            .unwrap()
            .values()
            .map(|k| k["queued"].as_u64().unwrap_or(0) + k["sending"].as_u64().unwrap_or(0))
            .sum();
        if pending == 0 {
            return p;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "mail never settled: {p}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn to_one(m: &Received) -> &str {
    assert_eq!(m.rcpt_to.len(), 1, "one recipient per mail");
    &m.rcpt_to[0]
}

#[tokio::test]
async fn invitations_arrive_with_the_right_headers_body_link_and_calendar() {
    let sink = SmtpSink::start(SinkOptions::default());
    let app = spawn(mail_settings(&sink), test_fair(Duration::from_secs(600))).await;
    let (status, body) = post(&app, "/api/mail/invitations", STAFF, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let everyone = app.fair.participants().count() as u64;
    assert_eq!(body["queued"], everyone);
    assert_eq!(body["already"], 0);
    let mails = sink
        .wait_for(everyone as usize, Duration::from_secs(30))
        .await
        .unwrap();
    let mut to: Vec<&str> = mails.iter().map(to_one).collect();
    to.sort();
    let mut want: Vec<String> = app
        .fair
        .participants()
        .map(|p| address(p.id.as_str()))
        .collect();
    want.sort();
    assert_eq!(to, want);
    for m in &mails {
        assert_eq!(m.mail_from, "fair@fair.test");
    }
    let m = mails
        .iter()
        .find(|m| to_one(m) == address(VENDOR_1))
        .unwrap();
    let parsed = m.parsed();
    assert_eq!(
        parsed.subject.as_deref(),
        Some(format!("[{}] 온라인 상담회 초대 · Your invitation", app.fair.name).as_str())
    );
    assert_eq!(parsed.from[0].address, "fair@fair.test");
    assert_eq!(parsed.from[0].name.as_deref(), Some("상담회 사무국"));
    assert_eq!(parsed.to[0].address, address(VENDOR_1));
    assert_eq!(parsed.to[0].name.as_deref(), Some("이판매"));
    assert_eq!(parsed.reply_to[0].address, "help@fair.test");
    assert_eq!(
        parsed.message_id.as_deref(),
        Some(format!("invite.{VENDOR_1}.0.{}@fair.test", app.fair.id).as_str())
    );
    let text = parsed.text.as_deref().unwrap();
    let ko = text.find("초대합니다").expect("Korean");
    let en = text.find("You are invited").expect("English");
    assert!(ko < en, "Korean first: {text}");
    assert!(text.contains("이판매 님"), "{text}");
    assert!(
        text.contains("서울특별시 종로구"),
        "the counterpart: {text}"
    );
    // The personal link is a working token for this participant.
    let token = text
        .split("#token=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .expect("a link");
    let me = app.get("/api/me", Some(token)).await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["participant"]["id"], VENDOR_1, "{me}");
    // The timetable as a calendar that parses, with vendor-1's meetings.
    let ics = parsed
        .attachments
        .iter()
        .find(|a| a.content_type.starts_with("text/calendar"))
        .expect("an .ics attachment");
    assert!(ics.filename.as_deref().unwrap_or("").ends_with(".ics"));
    assert_eq!(ics.param("method"), Some("PUBLISH"));
    let cal = Calendar::from_str(&ics.text()).unwrap();
    let mut uids: Vec<&str> = cal
        .components
        .iter()
        .filter_map(CalendarComponent::as_event)
        .filter_map(|e| e.get_uid())
        .collect();
    uids.sort();
    let mut want: Vec<String> = app
        .fair
        .meetings()
        .filter(|m| m.enterprise.as_str() == "ent-1")
        .map(|m| format!("{}@{}", m.id, app.fair.id))
        .collect();
    want.sort();
    assert!(!want.is_empty());
    assert_eq!(uids, want);

    // Asking again sends nobody anything twice.
    let p = settled(&app).await;
    assert_eq!(p["counts"]["invitation"]["sent"], everyone, "{p}");
    let (status, body) = post(&app, "/api/mail/invitations", STAFF, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["queued"], 0);
    assert_eq!(body["already"], everyone);
    let p = settled(&app).await;
    assert_eq!(p["total"], everyone);
    assert_eq!(sink.messages().len() as u64, everyone);
}

#[tokio::test]
async fn a_busy_or_refusing_relay_is_retried_and_a_lasting_failure_is_shown() {
    let sink = SmtpSink::start(SinkOptions::default());
    let app = spawn(mail_settings(&sink), test_fair(Duration::from_secs(600))).await;
    // Two 451s, then the relay takes it: sent on the third try, once.
    sink.fail_data(2, 451, "4.3.0 try again later");
    let (s, b) = post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"participants": [VENDOR_1]}),
    )
    .await;
    assert_eq!((s, b["queued"].as_u64()), (200, Some(1)), "{b}");
    let got = sink.wait_for(1, Duration::from_secs(30)).await.unwrap();
    assert_eq!(to_one(&got[0]), address(VENDOR_1));
    let p = settled(&app).await;
    assert_eq!(p["counts"]["invitation"]["sent"], 1, "{p}");
    assert_eq!(sink.stats().data_failures, 2);

    // A permanent refusal fails at once with the relay's words.
    sink.reject_rcpt(&address(VENDOR_2), 550, "5.1.1 no such mailbox");
    post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"participants": [VENDOR_2]}),
    )
    .await;
    let p = settled(&app).await;
    let f = &p["failures"][0];
    assert_eq!(f["participant"], VENDOR_2, "{p}");
    assert_eq!(f["state"], "failed");
    assert_eq!(f["attempts"], 1);
    assert!(
        f["error"].as_str().unwrap().contains("no such mailbox"),
        "{f}"
    );

    // A relay that turns everyone away: three tries, then failed, not lost.
    sink.refuse_sessions(true);
    post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"participants": [BUYER_1]}),
    )
    .await;
    let p = settled(&app).await;
    let f = p["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["participant"] == BUYER_1)
        .cloned()
        .unwrap_or_else(|| panic!("{p}"));
    assert_eq!(f["attempts"], 3);
    assert!(
        f["error"]
            .as_str()
            .unwrap()
            .starts_with("gave up after 3 tries"),
        "{f}"
    );
    assert_eq!(sink.messages().len(), 1);

    // Healed, staff send the failed ones again: each arrives once.
    sink.heal();
    let (s, b) = post(&app, "/api/mail/retry", STAFF, json!({})).await;
    assert_eq!((s, b["requeued"].as_u64()), (200, Some(2)), "{b}");
    let got = sink.wait_for(3, Duration::from_secs(30)).await.unwrap();
    let mut to: Vec<&str> = got.iter().map(to_one).collect();
    to.sort();
    let mut want = vec![address(BUYER_1), address(VENDOR_1), address(VENDOR_2)];
    want.sort();
    assert_eq!(to, want);
    let p = settled(&app).await;
    assert_eq!(p["counts"]["invitation"]["sent"], 3, "{p}");
    assert!(p["failures"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn mail_refusals_have_codes() {
    // No relay configured: sending is refused, progress says so.
    let app = sangdam_tests::app::spawn_app(test_fair(Duration::from_secs(600))).await;
    let (s, b) = post(&app, "/api/mail/invitations", STAFF, json!({})).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (409, Some("mail_not_configured")),
        "{b}"
    );
    let (s, b) = post(&app, "/api/mail/retry", STAFF, json!({})).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (409, Some("mail_not_configured"))
    );
    assert_eq!(progress(&app).await["enabled"], false);

    let sink = SmtpSink::start(SinkOptions::default());
    let app = spawn(mail_settings(&sink), test_fair(Duration::from_secs(600))).await;
    let (s, b) = post(&app, "/api/mail/invitations", VENDOR_1, json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("wrong_role")));
    let r = app.get("/api/mail", Some(&app.token(BUYER_2))).await;
    assert_eq!(r.status(), 403);
    let (s, b) = post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"participants": ["nobody"]}),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (403, Some("unknown_participant")),
        "{b}"
    );
    let (s, b) = post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"role": "king"}),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("bad_message")),
        "{b}"
    );
    let (s, b) = post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"everyone": true}),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("bad_message")),
        "{b}"
    );
    let (s, b) = post(
        &app,
        "/api/mail/retry",
        STAFF,
        json!({"keys": ["spam/x/1"]}),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("bad_message")),
        "{b}"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn reminders_go_by_themselves_before_a_meeting() {
    // The live round starts in 4 minutes: the 5-minute mark has passed, the 30-minute one
    // too, so each side of live-1 and live-2 gets the 5-minute reminder, once.
    let sink = SmtpSink::start(SinkOptions::default());
    let fair = test_fair_at(now() + Duration::from_secs(240), Duration::from_secs(600));
    let app = spawn(mail_settings(&sink), fair).await;
    let got = sink.wait_for(4, Duration::from_secs(30)).await.unwrap();
    let mut to: Vec<&str> = got.iter().map(to_one).collect();
    to.sort();
    let mut want = vec![
        address(BUYER_1),
        address(BUYER_2),
        address(VENDOR_1),
        address(VENDOR_2),
    ];
    want.sort();
    assert_eq!(to, want);
    for m in &got {
        let p = m.parsed();
        assert!(
            p.subject.as_deref().unwrap().contains("5분 뒤 상담 시작"),
            "{:?}",
            p.subject
        );
        assert!(p.attachments.is_empty(), "a reminder carries no calendar");
    }
    let p = settled(&app).await;
    assert_eq!(p["counts"]["reminder"]["sent"], 4, "{p}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 4, "each reminder once");
}

/// A server on a runtime of its own, so that stopping it stops its sender too.
fn serve_on_own_runtime(settings: Settings, fair: Fair) -> (tokio::runtime::Runtime, TestApp) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(spawn(settings, fair));
    (rt, app)
}

#[test]
fn a_restarted_server_sends_what_its_outbox_still_holds() {
    let client = tokio::runtime::Runtime::new().unwrap();
    let sink = client.block_on(async { SmtpSink::start(SinkOptions::default()) });
    let fair = test_fair(Duration::from_secs(600));
    let mut settings = mail_settings(&sink);
    settings.mail.first_backoff_seconds = 3600;
    // The relay turns everyone away while the first server runs: nothing can go.
    sink.refuse_sessions(true);
    let (rt, app) = serve_on_own_runtime(settings.clone(), fair.clone());
    let queued = client.block_on(async {
        let (s, b) = post(&app, "/api/mail/invitations", STAFF, json!({})).await;
        assert_eq!(s, 200, "{b}");
        // Wait for the first try to fail.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while sink.stats().refused_sessions == 0 {
            assert!(std::time::Instant::now() < deadline);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        b["queued"].as_u64().unwrap()
    });
    drop(app);
    rt.shutdown_timeout(Duration::from_secs(2));
    assert!(sink.messages().is_empty());
    // A new server on the same records: its outbox still holds every invitation; with the
    // relay back and a short backoff it sends them, once each.
    sink.heal();
    settings.mail.first_backoff_seconds = 1;
    let (rt2, app2) = serve_on_own_runtime(settings, fair);
    client.block_on(async {
        let p = progress(&app2).await;
        assert_eq!(p["total"], queued, "{p}");
        let got = sink
            .wait_for(queued as usize, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(got.len() as u64, queued);
        let p = settled(&app2).await;
        assert_eq!(p["counts"]["invitation"]["sent"], queued, "{p}");
        assert_eq!(sink.messages().len() as u64, queued);
    });
    drop(app2);
    rt2.shutdown_timeout(Duration::from_secs(2));
}

#[tokio::test]
async fn a_changed_timetable_is_told_to_those_it_changed() {
    use crate::prep::{import_all, post as prep_post};
    let sink = SmtpSink::start(SinkOptions::default());
    let app = spawn(mail_settings(&sink), test_fair(Duration::from_secs(600))).await;
    import_all(&app).await;
    // Invited before anything is published: the timetable is the fair files' schedule.
    post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"role": "vendor"}),
    )
    .await;
    sink.wait_for(2, Duration::from_secs(30)).await.unwrap();
    settled(&app).await;
    // Staff match inst-2 with ent-2, schedule and publish: the publication changes inst-2's
    // and ent-2's timetables; of their people only vendor-2 was invited, so only vendor-2
    // hears of it (buyer-2 will get the new timetable with their invitation).
    let (s, m) = prep_post(
        &app,
        "/api/prep/matches",
        STAFF,
        json!({"round": "r-live", "pairs": [["inst-2", "ent-2"]]}),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    let (s, d) = prep_post(
        &app,
        "/api/prep/schedule",
        STAFF,
        json!({"round": "r-live"}),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    let v = d["draft"]["version"].as_u64().unwrap();
    let (s, p) = prep_post(
        &app,
        "/api/prep/publish",
        STAFF,
        json!({"kind": "preliminary", "drafts": {"r-live": v}}),
    )
    .await;
    assert_eq!(s, 200, "{p}");
    let got = sink.wait_for(3, Duration::from_secs(30)).await.unwrap();
    let notice = &got[2];
    assert_eq!(to_one(notice), address(VENDOR_2));
    let parsed = notice.parsed();
    assert!(
        parsed
            .subject
            .as_deref()
            .unwrap()
            .contains("시간표가 바뀌었습니다"),
        "{:?}",
        parsed.subject
    );
    let text = parsed.text.as_deref().unwrap();
    assert!(text.contains("+ 추가: 2회차"), "{text}");
    assert!(text.contains("서울시교육청"), "the registered name: {text}");
    assert!(text.contains("+ added: Round 2"), "{text}");
    assert!(parsed
        .attachments
        .iter()
        .any(|a| a.content_type.starts_with("text/calendar")));
    let p = settled(&app).await;
    assert_eq!(p["counts"]["change"]["sent"], 1, "{p}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        sink.messages().len(),
        3,
        "once, and only to the invited whose meetings changed"
    );
}

#[tokio::test]
async fn mail_goes_over_starttls_with_a_login_and_a_wrong_password_is_shown() {
    use sangdam_server::app::settings::Secret;
    let sink = SmtpSink::start(SinkOptions::default().starttls().auth("fair", "s3cret-pw"));
    let dir = sangdam_tests::app::temp_dir("mail-ca");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, sink.ca_pem().expect("a certificate")).unwrap();
    let mut s = mail_settings(&sink);
    s.mail.host = "localhost".into();
    s.mail.security = MailSecurity::Starttls;
    s.mail.user = "fair".into();
    s.mail.password = Secret::new("s3cret-pw");
    s.mail.ca_file = ca.clone();
    let app = spawn(s.clone(), test_fair(Duration::from_secs(600))).await;
    post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"participants": [VENDOR_1]}),
    )
    .await;
    let got = sink.wait_for(1, Duration::from_secs(30)).await.unwrap();
    assert!(got[0].encrypted, "STARTTLS before the mail");
    assert_eq!(got[0].authenticated.as_deref(), Some("fair"));
    assert_eq!(to_one(&got[0]), address(VENDOR_1));

    // The wrong password: a 535, shown to staff, nothing sent.
    s.mail.password = Secret::new("wrong");
    let app = spawn(s, test_fair(Duration::from_secs(600))).await;
    post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"participants": [VENDOR_2]}),
    )
    .await;
    let p = settled(&app).await;
    let f = &p["failures"][0];
    assert_eq!(f["participant"], VENDOR_2, "{p}");
    assert!(f["error"].as_str().unwrap().contains("535"), "{f}");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn who_turned_reminders_off_gets_none() {
    let sink = SmtpSink::start(SinkOptions::default());
    let fair = test_fair_at(now() + Duration::from_secs(240), Duration::from_secs(600));
    let settings = mail_settings(&sink);
    let c = contacts(&fair);
    let app = Application::build(settings.clone(), fair)
        .await
        .unwrap()
        .with_contacts(c);
    // As `PUT /api/reminders {"off": true}` stores it, before the sender's first turn.
    let v1 = sangdam_signaling::ParticipantId::parse(VENDOR_1).unwrap();
    app.state()
        .people
        .set_reminders_off(&v1, true)
        .await
        .unwrap();
    let app = spawn_built(settings, app);
    let got = sink.wait_for(3, Duration::from_secs(30)).await.unwrap();
    let mut to: Vec<&str> = got.iter().map(to_one).collect();
    to.sort();
    let mut want = vec![address(BUYER_1), address(BUYER_2), address(VENDOR_2)];
    want.sort();
    assert_eq!(to, want);
    let p = settled(&app).await;
    assert_eq!(p["counts"]["reminder"]["sent"], 3, "{p}");
    assert_eq!(p["total"], 3, "nothing queued for vendor-1: {p}");
}

#[tokio::test]
async fn a_revoked_link_is_mailed_afresh_and_the_old_one_no_longer_opens() {
    let sink = SmtpSink::start(SinkOptions::default());
    let app = spawn(mail_settings(&sink), test_fair(Duration::from_secs(600))).await;
    post(
        &app,
        "/api/mail/invitations",
        STAFF,
        json!({"participants": [VENDOR_1]}),
    )
    .await;
    let first = sink.wait_for(1, Duration::from_secs(30)).await.unwrap();
    let link_of = |m: &Received| {
        let text = m.parsed().text.unwrap();
        text.split("#token=")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .expect("a link")
            .to_string()
    };
    let old = link_of(&first[0]);
    let (s, b) = post(
        &app,
        &format!("/api/participants/{VENDOR_1}/revoke?mail=true"),
        STAFF,
        json!(null),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["generation"].as_u64(), b["mailed"].as_bool()),
        (Some(1), Some(true)),
        "{b}"
    );
    let both = sink.wait_for(2, Duration::from_secs(30)).await.unwrap();
    let fresh = link_of(&both[1]);
    assert_ne!(old, fresh);
    let r = app.get("/api/me", Some(&old)).await;
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "token_revoked");
    assert_eq!(app.get("/api/me", Some(&fresh)).await.status(), 200);
    let p = settled(&app).await;
    assert_eq!(p["counts"]["invitation"]["sent"], 2, "{p}");

    // Without a relay, `?mail=true` is refused and nothing is revoked.
    let plain = sangdam_tests::app::spawn_app(test_fair(Duration::from_secs(600))).await;
    let (s, b) = post(
        &plain,
        &format!("/api/participants/{VENDOR_1}/revoke?mail=true"),
        STAFF,
        json!(null),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (409, Some("mail_not_configured")),
        "{b}"
    );
    assert_eq!(
        plain
            .get("/api/me", Some(&plain.token(VENDOR_1)))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_rate_cap_spaces_the_mails_out() {
    let sink = SmtpSink::start(SinkOptions::default());
    let mut s = mail_settings(&sink);
    s.mail.per_second = 4;
    let app = spawn(s, test_fair(Duration::from_secs(600))).await;
    let t = std::time::Instant::now();
    post(&app, "/api/mail/invitations", STAFF, json!({})).await;
    let n = app.fair.participants().count();
    sink.wait_for(n, Duration::from_secs(60)).await.unwrap();
    // Six mails at four a second: the last leaves at least 1.25 s after the first. (A
    // slower machine only makes it later.)
    assert!(
        t.elapsed() >= Duration::from_millis(250 * (n as u64 - 1)),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn two_nodes_on_one_redis_send_each_invitation_once() {
    use sangdam_server::app::settings::Secret;
    let redis = sangdam_tests::redis_server::RedisServer::start();
    let sink = SmtpSink::start(SinkOptions::default());
    let fair = test_fair(Duration::from_secs(600));
    let mut s = mail_settings(&sink);
    s.redis.url = Secret::new(redis.url());
    let a = spawn(s.clone(), fair.clone()).await;
    let b = spawn(s, fair).await;
    // Staff on node B queue everyone, twice, and node A once more: one outbox, one sender.
    let everyone = b.fair.participants().count();
    let (_, first) = post(&b, "/api/mail/invitations", STAFF, json!({})).await;
    let (_, again) = post(&b, "/api/mail/invitations", STAFF, json!({})).await;
    let (_, on_a) = post(&a, "/api/mail/invitations", STAFF, json!({})).await;
    assert_eq!(first["queued"], everyone as u64, "{first}");
    assert_eq!(
        (again["queued"].as_u64(), on_a["queued"].as_u64()),
        (Some(0), Some(0))
    );
    sink.wait_for(everyone, Duration::from_secs(30))
        .await
        .unwrap();
    let p = settled(&a).await;
    assert_eq!(p["counts"]["invitation"]["sent"], everyone as u64, "{p}");
    assert_eq!(
        settled(&b).await["counts"],
        p["counts"],
        "both nodes see one outbox"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut to: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| to_one(m).to_string())
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), everyone);
    assert_eq!(sink.messages().len(), everyone, "nobody twice");
}
