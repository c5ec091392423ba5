//! How long staff wait for a national fair's invitations: 12,000 participants (2,000
//! institutions' buyers, 10,000 enterprises' vendors, two meetings each), each a freshly
//! signed link — as the CSV and `.xlsx` sheet, and as mails: every invitation rendered (Korean
//! and English text, timetable, `.ics`, MIME) and queued in the outbox, in its file and in
//! Redis (when one listens on 127.0.0.1:6379). Prints `FIGURE` lines; run with
//! `cargo bench -p sangdam-server --bench invites` (release build). The send rate against a
//! real SMTP server is `cargo run --release -p sangdam-tests --bin mail-bench`.

use sangdam_server::auth::TokenIssuer;
use sangdam_server::demo::national::national_fair;
use sangdam_server::files::fair::contacts::Contacts;
use sangdam_server::files::invites::{self, InviteOptions};
use sangdam_server::mail::compose::{self, Sender};
use sangdam_server::mail::gather::Gather;
use sangdam_server::mail::store::file::FileOutbox;
use sangdam_server::mail::store::redis::RedisOutbox;
use sangdam_server::mail::store::OutboxStore;
use sangdam_signaling::fair::Fair;
use sangdam_signaling::notify::agenda::Agenda;
use sangdam_signaling::notify::outbox::{Entry, Outbox};
use sangdam_signaling::notify::{Notice, NoticeKind};
use sangdam_signaling::prep::Prep;
use sangdam_signaling::{FairId, Timestamp};
use std::time::{Duration, Instant};

const INSTITUTIONS: usize = 2_000;
const ENTERPRISES: usize = 10_000;
const RUNS: usize = 5;

fn median(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (
        v[v.len() / 2].as_secs_f64() * 1000.0,
        v[0].as_secs_f64() * 1000.0,
    )
}

fn main() {
    let (fair, contacts) = national_fair(INSTITUTIONS, ENTERPRISES);
    let tokens = TokenIssuer::new(
        b"bench-secret-that-is-long-enough-0123456789",
        "sangdam",
        "sangdam-fair",
        Duration::from_secs(72 * 3600),
    );
    let now = Timestamp::from_millis(1_890_000_000_000);
    let until = fair.ends_at().expect("a round") + Duration::from_secs(24 * 3600);
    let opts = InviteOptions::default();
    // Nobody revoked: every link at generation 0, as a fresh fair's.
    let generations = std::collections::HashMap::new();
    let (mut mint, mut csv, mut xlsx) = (Vec::new(), Vec::new(), Vec::new());
    let (mut csv_len, mut xlsx_len, mut n) = (0, 0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let minting = invites::Minting {
            tokens: &tokens,
            base_url: "https://fair.example",
            now,
            expires_at: until,
            generations: &generations,
        };
        let rows = invites::rows(&fair, &contacts, &minting, &opts);
        mint.push(t.elapsed());
        n = rows.len();
        let t = Instant::now();
        csv_len = invites::csv(&rows).len();
        csv.push(t.elapsed());
        let t = Instant::now();
        xlsx_len = invites::xlsx(&rows, &fair.name).expect("a workbook").len();
        xlsx.push(t.elapsed());
    }
    let (m, mf) = median(mint);
    let (c, cf) = median(csv);
    let (x, xf) = median(xlsx);
    println!("FIGURE invites participants={n}");
    println!(
        "FIGURE invites mint_links_ms median={m:.1} min={mf:.1} ({:.1} µs per link)",
        m * 1000.0 / n as f64
    );
    println!("FIGURE invites csv_ms median={c:.1} min={cf:.1} bytes={csv_len}");
    println!("FIGURE invites xlsx_ms median={x:.1} min={xf:.1} bytes={xlsx_len}");
    println!(
        "FIGURE invites sheet_total_ms csv={:.1} xlsx={:.1}",
        m + c,
        m + x
    );
    mail(&fair, &contacts, &tokens, now, until);
}

/// Every invitation rendered to MIME bytes, then queued: the staff's "send invitations".
fn mail(fair: &Fair, contacts: &Contacts, tokens: &TokenIssuer, now: Timestamp, until: Timestamp) {
    let prep = Prep::default();
    let agenda = Agenda::new(fair, &prep, None);
    let gather = Gather {
        fair,
        prep: &prep,
        agenda: &agenda,
        base_url: "https://fair.example",
    };
    let sender = Sender {
        from: "상담회 사무국 <fair@fair.example>"
            .parse()
            .expect("an address"),
        reply_to: None,
        domain: "fair.example".into(),
    };
    let (mut render, mut bytes) = (Vec::new(), 0usize);
    for _ in 0..RUNS {
        let t = Instant::now();
        bytes = 0;
        for p in fair.participants() {
            let token = tokens.issue_until(fair, p, None, 0, now, until);
            let link = format!("https://fair.example/#token={token}");
            let kind = NoticeKind::Invitation { generation: 0 };
            let key = Notice::invitation(p.id.clone(), 0).key();
            let r = gather.letter(p, kind, link).render(now);
            let address = contacts
                .get(&p.id)
                .and_then(|c| c.email.clone())
                .expect("an address");
            let msg = compose::compose(&sender, &p.name, &address, &key, fair.id.as_str(), &r, now)
                .expect("a message");
            bytes += msg.formatted().len();
        }
        render.push(t.elapsed());
    }
    let n = fair.participants().count();
    let (r, rf) = median(render);
    println!(
        "FIGURE mail render_invitations_ms median={r:.1} min={rf:.1} ({:.1} µs per mail, {} bytes per mail)",
        r * 1000.0 / n as f64,
        bytes / n
    );
    let entries = || -> Vec<Entry> {
        let mut ob = Outbox::new();
        fair.participants()
            .filter_map(|p| {
                ob.queue(Notice::invitation(p.id.clone(), 0), now, None)
                    .cloned()
            })
            .collect()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut file = Vec::new();
    for run in 0..RUNS {
        let path = std::env::temp_dir().join(format!(
            "sangdam-bench-mail-{}-{run}.jsonl",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        let store = FileOutbox::open(&path).expect("an outbox file");
        let t = Instant::now();
        let added = rt.block_on(store.add(entries())).expect("queued");
        file.push(t.elapsed());
        assert_eq!(added.len(), n);
        let _ = std::fs::remove_file(&path);
    }
    let (f, ff) = median(file);
    println!("FIGURE mail queue_file_ms median={f:.1} min={ff:.1} entries={n}");
    println!("FIGURE mail render_and_queue_file_ms median={:.1}", r + f);
    let mut redis = Vec::new();
    for run in 0..RUNS {
        let fair_id =
            FairId::parse(format!("bench-mail-{}-{run}", std::process::id())).expect("an id");
        let Ok(store) = RedisOutbox::new("redis://127.0.0.1:6379", &fair_id) else {
            break;
        };
        let t = Instant::now();
        match rt.block_on(store.add(entries())) {
            Ok(added) => assert_eq!(added.len(), n),
            Err(e) => {
                println!("FIGURE mail queue_redis skipped: {}", e.message);
                break;
            }
        }
        redis.push(t.elapsed());
        let _ = rt.block_on(async {
            let c = redis::Client::open("redis://127.0.0.1:6379")?;
            let mut c = c.get_multiplexed_async_connection().await?;
            let keys = sangdam_server::redis_keys::Keys::new(&fair_id);
            redis::cmd("DEL")
                .arg(keys.mail())
                .arg(keys.mail_version())
                .query_async::<()>(&mut c)
                .await
        });
    }
    if !redis.is_empty() {
        let (q, qf) = median(redis);
        println!("FIGURE mail queue_redis_ms median={q:.1} min={qf:.1} entries={n}");
        println!("FIGURE mail render_and_queue_redis_ms median={:.1}", r + q);
    }
}
