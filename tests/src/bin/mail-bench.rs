//! `mail-bench`: how fast Sangdam's mailer sends a national fair's invitations to a real SMTP
//! server on loopback (the tests' sink), beside the reference of the same number of
//! ready-made messages pushed through the same SMTP client (lettre) with nothing else to do.
//!
//! ```sh
//! cargo run --release -p sangdam-tests --bin mail-bench
//! cargo run --release -p sangdam-tests --bin mail-bench -- --institutions 200 --enterprises 1000 --concurrency 1,4,16
//! ```
//!
//! For each concurrency it starts the real server (its own runtime, the file outbox in a
//! fresh directory) with `[mail]` pointing at the sink, asks `POST /api/mail/invitations`
//! as staff, and times the request (every invitation queued) and the wait until the sink
//! holds every mail. Then the reference: `lettre` sending as many messages of the same size,
//! rendered beforehand, at the same concurrency. Prints `FIGURE` lines; nothing here is a test.

use clap::Parser;
use futures_util::StreamExt;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sangdam_server::app::settings::MailSecurity;
use sangdam_server::app::startup::Application;
use sangdam_server::demo::national::{national_fair, STAFF};
use sangdam_tests::app::{spawn_built, test_settings};
use sangdam_tests::smtp_sink::{SinkOptions, SmtpSink};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "The mailer's send rate against a local SMTP server, beside lettre alone")]
struct Args {
    #[arg(long, default_value_t = 2_000)]
    institutions: usize,
    #[arg(long, default_value_t = 10_000)]
    enterprises: usize,
    /// `mail.concurrency` values to measure, comma-separated.
    #[arg(long, default_value = "4,16")]
    concurrency: String,
    /// Give up waiting for the mails after this long.
    #[arg(long, default_value_t = 600)]
    max_seconds: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let levels: Vec<usize> = args
        .concurrency
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?;
    let client = tokio::runtime::Runtime::new()?;
    println!(
        "FIGURE mail-bench machine cores={}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for c in levels {
        let (fair, contacts) = national_fair(args.institutions, args.enterprises);
        let n = fair.participants().count();
        let sink = client.block_on(async { SmtpSink::start(SinkOptions::default()) });
        let mut settings = test_settings();
        settings.mail.host = "127.0.0.1".into();
        settings.mail.port = sink.port();
        settings.mail.security = MailSecurity::None;
        settings.mail.from = "상담회 사무국 <fair@fair.test>".into();
        settings.mail.concurrency = c;
        settings.log.filter = "warn".into();
        let records = settings.records.dir.clone();
        let server = tokio::runtime::Builder::new_multi_thread()
            .thread_name("node")
            .enable_all()
            .build()?;
        let app = server.block_on(async {
            let app = Application::build(settings.clone(), fair)
                .await
                .expect("the server binds")
                .with_contacts(contacts);
            spawn_built(settings, app)
        });
        let (queue, send, bytes) = client.block_on(async {
            let t = Instant::now();
            let r = reqwest::Client::new()
                .post(format!("{}/api/mail/invitations", app.base_url))
                .bearer_auth(app.token(STAFF))
                .json(&serde_json::json!({}))
                .send()
                .await?;
            anyhow::ensure!(r.status() == 200, "queueing: {}", r.text().await?);
            let queued = t.elapsed();
            let got = sink
                .wait_for(n, Duration::from_secs(args.max_seconds))
                .await?;
            let sent = t.elapsed();
            let bytes = got.iter().map(|m| m.data.len()).sum::<usize>() / got.len().max(1);
            Ok::<_, anyhow::Error>((queued, sent, bytes))
        })?;
        println!(
            "FIGURE mail-bench sangdam concurrency={c} mails={n} queue_ms={:.0} all_sent_s={:.2} rate_per_s={:.0} bytes_per_mail={bytes}",
            queue.as_secs_f64() * 1000.0,
            send.as_secs_f64(),
            n as f64 / send.as_secs_f64()
        );
        drop(app);
        server.shutdown_timeout(Duration::from_secs(2));
        let _ = std::fs::remove_dir_all(records);

        // The reference: lettre alone, same sink, same size, same concurrency.
        let reference = client.block_on(async { SmtpSink::start(SinkOptions::default()) });
        let body = "가".repeat(bytes / 3);
        let rate = client.block_on(async {
            let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
                .port(reference.port())
                .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(c as u32))
                .build();
            let from: Mailbox = "상담회 사무국 <fair@fair.test>".parse()?;
            let msgs: Vec<Message> = (0..n)
                .map(|i| {
                    Message::builder()
                        .from(from.clone())
                        .to(format!("p{i}@example.org").parse().expect("an address"))
                        .subject("[상담회] 온라인 상담회 초대 · Your invitation")
                        .body(body.clone())
                        .expect("a message")
                })
                .collect();
            let t = Instant::now();
            let sent = futures_util::stream::iter(msgs)
                .map(|m| {
                    let smtp = smtp.clone();
                    async move { smtp.send(m).await.is_ok() }
                })
                .buffer_unordered(c)
                .filter(|ok| std::future::ready(*ok))
                .count()
                .await;
            anyhow::ensure!(sent == n, "lettre alone sent {sent} of {n}");
            Ok::<_, anyhow::Error>(n as f64 / t.elapsed().as_secs_f64())
        })?;
        println!("FIGURE mail-bench lettre_alone concurrency={c} mails={n} rate_per_s={rate:.0}");
    }
    Ok(())
}
