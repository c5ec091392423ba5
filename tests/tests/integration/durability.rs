//! A consultation that happened stays on record whatever crashes after it: the real program
//! runs as a separate process, a meeting ends, the process is killed with SIGKILL right
//! after the sides hear `closed`, and the record is there — in the file, or in the Redis
//! Stream — and a restart never writes it twice.

use redis::AsyncCommands;
use sangdam_server::files::fair::write_fair_dir;
use sangdam_server::journal::redis_stream::RedisJournal;
use sangdam_server::journal::{ConsultationLog, Journal, SurveyLog, CONSULTATIONS_FILE};
use sangdam_server::redis_keys::Keys;
use sangdam_signaling::records::record::ConsultationRecord;
use sangdam_signaling::records::survey::{Answers, Outcome, SurveyAnswer};
use sangdam_signaling::{Fair, FairId, MeetingId, ParticipantId, Side, Timestamp};
use sangdam_tests::app::{
    issuer, now, temp_dir, test_fair_at, test_settings, BUYER_1, SECRET, VENDOR_1,
};
use sangdam_tests::node::Node;
use sangdam_tests::redis_server::RedisServer;
use sangdam_tests::signal::SignalClient;
use std::path::Path;
use std::time::Duration;

/// A fair directory whose `live-1` starts `lead` from now and lasts two seconds.
fn short_fair(lead: Duration) -> (std::path::PathBuf, Fair) {
    let dir = temp_dir("fair");
    let fair = test_fair_at(now() + lead, Duration::from_secs(2));
    write_fair_dir(&fair, 9 * 60, &dir).expect("fair files written");
    (dir, fair)
}

fn token(fair: &Fair, participant: &str) -> String {
    let p = fair
        .participant(&ParticipantId::parse(participant).unwrap())
        .unwrap();
    issuer(&test_settings(), SECRET).issue(fair, p, None, 0, now())
}

/// Buyer and vendor meet in `live-1` on `node` until the sides hear `closed`.
async fn meet_until_closed(node: &Node, fair: &Fair) {
    let (mut buyer, joined) =
        SignalClient::join(&node.ws_url(), &token(fair, BUYER_1), "live-1").await;
    assert_eq!(joined["type"], "joined", "{joined}\n{}", node.printed());
    let (mut vendor, _) =
        SignalClient::join(&node.ws_url(), &token(fair, VENDOR_1), "live-1").await;
    assert_eq!(buyer.recv_type("call_ready").await["offerer"], true);
    assert_eq!(vendor.recv_type("closed").await["reason"], "timer");
}

fn records_in_file(path: &Path, meeting: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            let r: ConsultationRecord = serde_json::from_str(l).expect("whole lines only");
            r.meeting.as_str() == meeting
        })
        .count()
}

const NODE: &str = env!("CARGO_BIN_EXE_sangdam-node");

const NODE_ENV: [(&str, &str); 2] = [
    ("SANGDAM_ROOMS__GRACE_SECONDS", "0"),
    ("SANGDAM_ROOMS__WARNING_MINUTES", "[]"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_right_after_a_meeting_loses_nothing_and_a_restart_writes_nothing_twice() {
    let (fair_dir, fair) = short_fair(Duration::from_millis(3000));
    let data = temp_dir("data");
    let args = [
        "--fair",
        fair_dir.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let mut node = Node::start(NODE, &data, &args, &NODE_ENV);
    meet_until_closed(&node, &fair).await;
    node.kill();

    let file = data.join(CONSULTATIONS_FILE);
    assert_eq!(records_in_file(&file, "live-1"), 1, "{}", node.printed());
    let before = std::fs::read_to_string(&file).unwrap();

    // The same program, the same fair, the same file: nothing is written twice, and the
    // room that closed stays closed.
    let again = Node::start(NODE, &data, &args, &NODE_ENV);
    let (mut late, first) =
        SignalClient::join(&again.ws_url(), &token(&fair, BUYER_1), "live-1").await;
    assert_eq!(first["code"], "room_closed", "{first}");
    assert!(late.closed_within(Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(records_in_file(&file, "live-1"), 1);
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(after.starts_with(&before), "earlier records are untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_redis_mode_the_record_is_in_the_stream_after_a_sigkill_and_never_twice() {
    let redis = RedisServer::start();
    let (fair_dir, fair) = short_fair(Duration::from_millis(3000));
    let work = temp_dir("work");
    let args = ["--fair", fair_dir.to_str().unwrap()];
    let url = redis.url();
    let env = [
        NODE_ENV[0],
        NODE_ENV[1],
        ("SANGDAM_REDIS_URL", url.as_str()),
    ];
    let mut node = Node::start(NODE, &work, &args, &env);
    meet_until_closed(&node, &fair).await;
    node.kill();

    let keys = Keys::new(&fair.id);
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let count_live_1 = |entries: Vec<ConsultationRecord>| {
        entries
            .iter()
            .filter(|r| r.meeting.as_str() == "live-1")
            .count()
    };
    let stream: redis::streams::StreamRangeReply =
        conn.xrange_all(keys.log_stream()).await.unwrap();
    let raw: Vec<ConsultationRecord> = stream
        .ids
        .iter()
        .map(|e| serde_json::from_str(&e.get::<String>("entry").unwrap()).unwrap())
        .collect();
    assert_eq!(count_live_1(raw), 1, "{}", node.printed());
    assert!(conn
        .sismember::<_, _, bool>(keys.log_meetings(), "live-1")
        .await
        .unwrap());

    let again = Node::start(NODE, &work, &args, &env);
    let (_late, first) =
        SignalClient::join(&again.ws_url(), &token(&fair, BUYER_1), "live-1").await;
    assert_eq!(first["code"], "room_closed", "{first}");
    let len: usize = conn.xlen(keys.log_stream()).await.unwrap();
    assert!(len <= 2, "live-1 and at most live-2's no-show: {len}");
    let stream: redis::streams::StreamRangeReply =
        conn.xrange_all(keys.log_stream()).await.unwrap();
    let live_1 = stream
        .ids
        .iter()
        .filter(|e| e.get::<String>("key").as_deref() == Some("live-1"))
        .count();
    assert_eq!(live_1, 1);
    // No file log was written in Redis mode.
    assert!(!work.join("data").join(CONSULTATIONS_FILE).exists());
}

fn record(fair: &str, meeting: &str) -> ConsultationRecord {
    let mut r: ConsultationRecord = serde_json::from_value(serde_json::json!({
        "fair": fair, "meeting": meeting, "round": 1, "slot": 0,
        "institution": "inst-1", "enterprise": "ent-1", "buyer": null, "vendor": null,
        "scheduled_start": 0, "scheduled_end": 1_200_000,
        "buyer_attendance": {"first_joined_at": null, "last_left_at": null},
        "vendor_attendance": {"first_joined_at": null, "last_left_at": null},
        "duration_s": 0, "ending": {"kind": "no_show", "absent": "both"},
        "no_show": "both", "moderator_actions": [], "closed_at": 1_260_000
    }))
    .unwrap();
    r.meeting = MeetingId::parse(meeting).unwrap();
    r
}

fn journals(
    redis: &RedisServer,
    fair: &str,
) -> (RedisJournal<ConsultationRecord>, RedisJournal<SurveyAnswer>) {
    let client = redis::Client::open(redis.url()).unwrap();
    let keys = Keys::new(&FairId::parse(fair).unwrap());
    (
        RedisJournal::new(client.clone(), keys.clone(), |k| {
            (k.log_stream(), k.log_meetings())
        })
        .unwrap(),
        RedisJournal::new(client, keys, |k| (k.survey_stream(), k.survey_answered())).unwrap(),
    )
}

#[tokio::test]
async fn the_redis_journal_keeps_one_entry_per_key_across_instances_and_waits_out_an_outage() {
    let mut redis = RedisServer::start();
    let (log, surveys) = journals(&redis, "f1");
    assert!(ConsultationLog::append(&log, record("f1", "m1"))
        .await
        .unwrap());
    assert!(!ConsultationLog::append(&log, record("f1", "m1"))
        .await
        .unwrap());
    assert!(ConsultationLog::append(&log, record("f1", "m2"))
        .await
        .unwrap());
    // Another node (another instance) sees the same keys on record.
    let (other, _) = journals(&redis, "f1");
    assert!(!ConsultationLog::append(&other, record("f1", "m2"))
        .await
        .unwrap());
    let got: Vec<String> = other
        .records()
        .await
        .unwrap()
        .iter()
        .map(|r| r.meeting.to_string())
        .collect();
    assert_eq!(got, ["m1", "m2"]);
    // Another fair's journal is separate.
    let (g, _) = journals(&redis, "f2");
    assert!(g.records().await.unwrap().is_empty());

    let answer = SurveyAnswer {
        fair: FairId::parse("f1").unwrap(),
        meeting: MeetingId::parse("m1").unwrap(),
        participant: ParticipantId::parse("p1").unwrap(),
        side: Side::Buyer,
        answers: Answers {
            valued: "variety".into(),
            rating: 4,
            outcome: Outcome::None,
            comment: String::new(),
        },
        answered_at: Timestamp::from_millis(5),
    };
    assert!(SurveyLog::append(&surveys, answer.clone()).await.unwrap());
    assert!(!SurveyLog::append(&surveys, answer.clone()).await.unwrap());
    assert_eq!(surveys.answers().await.unwrap(), vec![answer]);

    // Redis away: an append fails quickly (the room retries), and works again once it is
    // back. (This Redis keeps nothing on disk, so its earlier entries are gone.)
    redis.stop();
    let started = std::time::Instant::now();
    assert!(Journal::append(&log, record("f1", "m3")).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(10));
    redis.restart();
    let mut ok = false;
    for _ in 0..50 {
        if Journal::append(&log, record("f1", "m3")).await.is_ok() {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ok, "the journal reconnects by itself");
}
