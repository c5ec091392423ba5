//! The sink against a real client (lettre, as the server uses it) and against raw protocol
//! lines, so the server's mail tests can trust what it says arrived.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox as LettreMailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::*;

/// Generous: a bound for a slow shared machine, never a measurement.
const WAIT: Duration = Duration::from_secs(20);

type Transport = AsyncSmtpTransport<Tokio1Executor>;

fn plain_client(sink: &SmtpSink) -> Transport {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .timeout(Some(WAIT))
        .build()
}

fn trusting(sink: &SmtpSink) -> TlsParameters {
    let ca = Certificate::from_pem(sink.ca_pem().expect("TLS configured").as_bytes()).unwrap();
    TlsParameters::builder("localhost".into())
        .add_root_certificate(ca)
        .build_rustls()
        .unwrap()
}

fn mail(to: &str, subject: &str, body: &str) -> Message {
    Message::builder()
        .from("상담회 사무국 <office@fair.example>".parse().unwrap())
        .to(to.parse().unwrap())
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .unwrap()
}

#[tokio::test]
async fn a_plain_mail_arrives_with_its_envelope_and_body() {
    let sink = SmtpSink::start(SinkOptions::default());
    let client = plain_client(&sink);
    client
        .send(mail(
            "김민준 <minjun@buyer.example>",
            "초대장 / Invitation",
            "안녕하세요.\nHello.",
        ))
        .await
        .unwrap();
    let got = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.mail_from, "office@fair.example");
    assert_eq!(r.rcpt_to, vec!["minjun@buyer.example".to_string()]);
    assert!(!r.encrypted);
    assert_eq!(r.authenticated, None);
    assert!(!r.helo.is_empty());
    let p = r.parsed();
    assert_eq!(p.subject.as_deref(), Some("초대장 / Invitation"));
    assert_eq!(p.from[0].name.as_deref(), Some("상담회 사무국"));
    assert_eq!(p.to_addresses(), vec!["minjun@buyer.example"]);
    assert_eq!(
        p.text.as_deref().map(str::trim_end),
        Some("안녕하세요.\r\nHello.")
    );
    let s = sink.stats();
    assert_eq!((s.sessions, s.transactions, s.data_attempts), (1, 1, 1));
}

#[tokio::test]
async fn one_lettre_connection_carries_several_mails() {
    let sink = SmtpSink::start(SinkOptions::default());
    // The connection lettre's pool keeps and reuses, driven directly so that nothing but
    // this one connection can carry the mails.
    let mut conn = AsyncSmtpConnection::connect_tokio1(
        sink.addr(),
        Some(WAIT),
        &ClientId::default(),
        None,
        None,
    )
    .await
    .unwrap();
    for i in 0..3 {
        let m = mail(&format!("p{i}@fair.example"), &format!("mail {i}"), "body");
        conn.send(m.envelope(), &m.formatted()).await.unwrap();
    }
    conn.quit().await.unwrap();
    let got = sink.wait_for(3, WAIT).await.unwrap();
    let to: Vec<_> = got.iter().map(|r| r.rcpt_to[0].as_str()).collect();
    assert_eq!(
        to,
        ["p0@fair.example", "p1@fair.example", "p2@fair.example"]
    );
    assert_eq!(sink.stats().sessions, 1);
}

#[tokio::test]
async fn the_pooled_transport_reuses_its_connections() {
    let sink = SmtpSink::start(SinkOptions::default());
    let client = plain_client(&sink);
    for i in 0..4 {
        client
            .send(mail(&format!("p{i}@fair.example"), "pooled", "body"))
            .await
            .unwrap();
    }
    assert_eq!(sink.wait_for(4, WAIT).await.unwrap().len(), 4);
    // The pool gets a connection back in a task of its own, so the second mail may open
    // another (on this single-threaded runtime it does, while the first is handed back);
    // from then on the pool has one to reuse.
    let sessions = sink.stats().sessions;
    assert!(sessions < 4, "{sessions} sessions for 4 mails");
}

#[tokio::test]
async fn starttls_works_with_the_sinks_ca_as_the_only_root_and_fails_without_it() {
    let sink = SmtpSink::start(SinkOptions::default().starttls());
    let client = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .tls(Tls::Required(trusting(&sink)))
        .build();
    client
        .send(mail("a@fair.example", "tls", "secret"))
        .await
        .unwrap();
    let got = sink.wait_for(1, WAIT).await.unwrap();
    assert!(got[0].encrypted, "the mail came after STARTTLS");

    // With the public roots only, the throwaway certificate is not trusted.
    let untrusting = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .tls(Tls::Required(
            TlsParameters::builder("localhost".into())
                .build_rustls()
                .unwrap(),
        ))
        .build();
    let err = untrusting
        .send(mail("b@fair.example", "tls", "x"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("invalid peer certificate"),
        "{err}"
    );
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn implicit_tls_serves_tls_from_the_first_byte() {
    let sink = SmtpSink::start(SinkOptions::default().implicit_tls());
    let client = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .tls(Tls::Wrapper(trusting(&sink)))
        .build();
    client
        .send(mail("a@fair.example", "465", "x"))
        .await
        .unwrap();
    assert!(sink.wait_for(1, WAIT).await.unwrap()[0].encrypted);
}

#[tokio::test]
async fn auth_plain_and_login_pass_with_the_password_and_535_without_it() {
    let sink = SmtpSink::start(SinkOptions::default().starttls().auth("mailer", "s3cret"));
    let with = |creds: Credentials, mech: Mechanism| {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(sink.port())
            .tls(Tls::Required(trusting(&sink)))
            .credentials(creds)
            .authentication(vec![mech])
            .build()
    };
    for mech in [Mechanism::Plain, Mechanism::Login] {
        with(Credentials::new("mailer".into(), "s3cret".into()), mech)
            .send(mail("a@fair.example", &format!("{mech}"), "x"))
            .await
            .unwrap();
    }
    let got = sink.wait_for(2, WAIT).await.unwrap();
    assert!(got
        .iter()
        .all(|r| r.authenticated.as_deref() == Some("mailer")));

    let err = with(
        Credentials::new("mailer".into(), "wrong".into()),
        Mechanism::Login,
    )
    .send(mail("a@fair.example", "bad", "x"))
    .await
    .unwrap_err();
    assert_eq!(
        err.status().map(|c| c.to_string()).as_deref(),
        Some("535"),
        "{err}"
    );
    assert_eq!(sink.stats().auth_failures, 1);

    // Without credentials the sink asks for them at MAIL.
    let anonymous = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .tls(Tls::Required(trusting(&sink)))
        .build();
    let err = anonymous
        .send(mail("a@fair.example", "anon", "x"))
        .await
        .unwrap_err();
    assert_eq!(
        err.status().map(|c| c.to_string()).as_deref(),
        Some("530"),
        "{err}"
    );
    assert_eq!(sink.messages().len(), 2);
}

#[tokio::test]
async fn a_transient_451_is_not_kept_and_the_retry_arrives() {
    let sink = SmtpSink::start(SinkOptions::default());
    sink.fail_data(1, 451, "4.3.0 Try again later");
    let client = plain_client(&sink);
    let err = client
        .send(mail("a@fair.example", "once", "x"))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(sink.messages().is_empty());
    client
        .send(mail("a@fair.example", "once", "x"))
        .await
        .unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.unwrap().len(), 1);
    let s = sink.stats();
    assert_eq!((s.data_attempts, s.data_failures), (2, 1));
}

#[tokio::test]
async fn a_rejected_recipient_gets_a_permanent_550_and_others_still_arrive() {
    let sink = SmtpSink::start(SinkOptions::default());
    sink.reject_rcpt("Gone@Vendor.example", 550, "5.1.1 No such user");
    let client = plain_client(&sink);
    let err = client
        .send(mail("gone@vendor.example", "x", "x"))
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert_eq!(err.status().map(|c| c.to_string()).as_deref(), Some("550"));
    client
        .send(mail("here@vendor.example", "x", "x"))
        .await
        .unwrap();
    let got = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, vec!["here@vendor.example".to_string()]);
    assert_eq!(sink.stats().rcpt_rejections, 1);
}

#[tokio::test]
async fn refused_sessions_get_421_until_healed() {
    let sink = SmtpSink::start(SinkOptions::default());
    sink.refuse_sessions(true);
    let client = plain_client(&sink);
    let err = client
        .send(mail("a@fair.example", "x", "x"))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(sink.stats().refused_sessions >= 1);
    sink.heal();
    client.send(mail("a@fair.example", "x", "x")).await.unwrap();
    assert_eq!(sink.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn lines_starting_with_a_dot_survive_the_round_trip() {
    let sink = SmtpSink::start(SinkOptions::default());
    let body = "first\r\n.hidden\r\n..two dots\r\n.\r\nlast\r\n";
    plain_client(&sink)
        .send(mail("a@fair.example", "dots", body))
        .await
        .unwrap();
    let got = sink.wait_for(1, WAIT).await.unwrap();
    // lettre ends the body with a line break of its own.
    assert_eq!(
        got[0].parsed().text.as_deref(),
        Some(&*format!("{body}\r\n"))
    );
    let raw = String::from_utf8_lossy(&got[0].data);
    assert!(
        raw.contains("\r\n.hidden\r\n..two dots\r\n.\r\nlast\r\n"),
        "{raw}"
    );
}

#[tokio::test]
async fn wait_for_says_how_many_came_when_too_few_did() {
    let sink = SmtpSink::start(SinkOptions::default());
    let err = sink
        .wait_for(1, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("0 arrived"), "{err}");
}

/// A line-level client, for what lettre never sends.
struct Raw {
    io: BufReader<TcpStream>,
}

impl Raw {
    async fn connect(sink: &SmtpSink) -> (Raw, String) {
        let mut raw = Raw {
            io: BufReader::new(TcpStream::connect(sink.addr()).await.unwrap()),
        };
        let greeting = raw.read().await;
        (raw, greeting)
    }

    /// One reply, all its lines joined by '\n'.
    async fn read(&mut self) -> String {
        let mut all = Vec::new();
        loop {
            let mut line = String::new();
            self.io.read_line(&mut line).await.unwrap();
            assert!(line.ends_with("\r\n"), "a CRLF reply line: {line:?}");
            let line = line.trim_end().to_string();
            let last = line.as_bytes().get(3) != Some(&b'-');
            all.push(line);
            if last {
                return all.join("\n");
            }
        }
    }

    async fn send(&mut self, line: &str) -> String {
        self.io
            .get_mut()
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
        self.read().await
    }
}

fn code(reply: &str) -> &str {
    &reply[..3]
}

#[tokio::test]
async fn the_protocol_answers_sequence_errors_unknown_commands_and_parameters() {
    let sink = SmtpSink::start(SinkOptions::default().max_size(1000));
    let (mut c, greeting) = Raw::connect(&sink).await;
    assert_eq!(code(&greeting), "220");
    assert_eq!(
        code(&c.send("MAIL FROM:<a@x.example>").await),
        "503",
        "MAIL before EHLO"
    );
    let ehlo = c.send("EHLO client.example").await;
    assert!(ehlo.starts_with("250-"), "{ehlo}");
    for ext in ["SIZE 1000", "8BITMIME", "SMTPUTF8"] {
        assert!(ehlo.lines().any(|l| l[4..] == *ext), "{ext} in {ehlo}");
    }
    assert!(
        !ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"),
        "{ehlo}"
    );
    assert_eq!(code(&c.send("FROB").await), "500");
    assert_eq!(code(&c.send("STARTTLS").await), "502");
    assert_eq!(code(&c.send("AUTH PLAIN AGZvbwBiYXI=").await), "502");
    assert_eq!(
        code(&c.send("RCPT TO:<b@x.example>").await),
        "503",
        "RCPT before MAIL"
    );
    assert_eq!(code(&c.send("DATA").await), "503", "DATA before MAIL");
    assert_eq!(code(&c.send("MAIL FROM:<a@x.example> FROB=1").await), "555");
    assert_eq!(
        code(&c.send("MAIL FROM:<a@x.example> SIZE=5000").await),
        "552"
    );
    assert_eq!(code(&c.send("MAIL FROM:a@x.example").await), "501");
    assert_eq!(
        code(
            &c.send("MAIL FROM:<a@x.example> SIZE=100 BODY=8BITMIME")
                .await
        ),
        "250"
    );
    assert_eq!(
        code(&c.send("MAIL FROM:<a@x.example>").await),
        "503",
        "nested MAIL"
    );
    assert_eq!(code(&c.send("DATA").await), "503", "DATA before RCPT");
    assert_eq!(
        code(&c.send("RCPT TO:<b@x.example> NOTIFY=NEVER").await),
        "555"
    );
    assert_eq!(code(&c.send("RCPT TO:<nobody>").await), "553");
    assert_eq!(code(&c.send("NOOP").await), "250");
    assert_eq!(code(&c.send("RSET").await), "250");
    assert_eq!(
        code(&c.send("RCPT TO:<b@x.example>").await),
        "503",
        "RSET ended the transaction"
    );
    assert_eq!(code(&c.send("QUIT").await), "221");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn one_session_carries_several_messages_unstuffed_and_keeps_the_null_sender() {
    let sink = SmtpSink::start(SinkOptions::default());
    let (mut c, _) = Raw::connect(&sink).await;
    assert_eq!(code(&c.send("HELO old.example").await), "250");
    assert_eq!(code(&c.send("MAIL FROM:<>").await), "250");
    assert_eq!(
        code(&c.send("RCPT TO:<@relay.example:b@x.example>").await),
        "250"
    );
    assert_eq!(code(&c.send("RCPT TO:<c@x.example>").await), "250");
    assert_eq!(code(&c.send("DATA").await), "354");
    assert_eq!(
        code(&c.send("Subject: one\r\n\r\n..dot\r\nplain\r\n.").await),
        "250"
    );
    assert_eq!(
        code(&c.send("mail from:<a@x.example>").await),
        "250",
        "verbs are case-insensitive"
    );
    assert_eq!(code(&c.send("rcpt to:<d@x.example>").await), "250");
    assert_eq!(code(&c.send("DATA").await), "354");
    assert_eq!(code(&c.send("Subject: two\r\n\r\nbody\r\n.").await), "250");
    assert_eq!(code(&c.send("QUIT").await), "221");
    let got = sink.wait_for(2, WAIT).await.unwrap();
    assert_eq!(got[0].mail_from, "");
    assert_eq!(got[0].rcpt_to, ["b@x.example", "c@x.example"]);
    assert_eq!(got[0].data, b"Subject: one\r\n\r\n.dot\r\nplain\r\n");
    assert_eq!(got[0].helo, "old.example");
    assert_eq!(got[1].mail_from, "a@x.example");
    assert_eq!(got[1].parsed().subject.as_deref(), Some("two"));
    assert_eq!(sink.stats().sessions, 1);
}

#[tokio::test]
async fn a_fault_counts_down_and_is_per_data_not_per_session() {
    let sink = SmtpSink::start(SinkOptions::default());
    sink.fail_data(2, 554, "5.6.0 Refused");
    let (mut c, _) = Raw::connect(&sink).await;
    c.send("EHLO c.example").await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        c.send("MAIL FROM:<a@x.example>").await;
        c.send("RCPT TO:<b@x.example>").await;
        c.send("DATA").await;
        codes.push(code(&c.send("x\r\n.").await).to_string());
    }
    assert_eq!(codes, ["554", "554", "250"]);
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_parsed_invitation_shows_its_headers_text_and_calendar_attachment() {
    let sink = SmtpSink::start(SinkOptions::default());
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:r1-s00-i001@demo\r\nSUMMARY:서울특별시 · 함께일하는재단\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let text = "안녕하세요, 김민준 님.\n상담회 개인 링크: https://fair.example/#token=abc\n\nHello, your personal link is above.\n";
    let m = Message::builder()
        .from(
            "상담회 사무국 <office@fair.example>"
                .parse::<LettreMailbox>()
                .unwrap(),
        )
        .reply_to("help@fair.example".parse().unwrap())
        .to("김민준 <minjun@buyer.example>".parse().unwrap())
        .subject("[상담회] 초대장 / Invitation")
        .message_id(Some("<inv-p-b-i001-1@fair.example>".into()))
        .multipart(
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative()
                        .singlepart(SinglePart::plain(text.to_string()))
                        .singlepart(SinglePart::html("<p>안녕하세요</p>".to_string())),
                )
                .singlepart(Attachment::new("sangdam-p-b-i001.ics".into()).body(
                    ics.as_bytes().to_vec(),
                    ContentType::parse("text/calendar; method=REQUEST; charset=utf-8").unwrap(),
                )),
        )
        .unwrap();
    plain_client(&sink).send(m).await.unwrap();
    let p = ParsedMail::from(&sink.wait_for(1, WAIT).await.unwrap()[0]);
    assert_eq!(p.subject.as_deref(), Some("[상담회] 초대장 / Invitation"));
    assert_eq!(
        p.from,
        vec![Mailbox {
            name: Some("상담회 사무국".into()),
            address: "office@fair.example".into()
        }]
    );
    assert_eq!(
        p.to,
        vec![Mailbox {
            name: Some("김민준".into()),
            address: "minjun@buyer.example".into()
        }]
    );
    assert_eq!(p.reply_to[0].address, "help@fair.example");
    assert_eq!(p.message_id.as_deref(), Some("inv-p-b-i001-1@fair.example"));
    assert_eq!(
        p.text.as_deref().map(|t| t.replace("\r\n", "\n")),
        Some(text.to_string())
    );
    assert_eq!(p.html.as_deref(), Some("<p>안녕하세요</p>"));
    assert_eq!(p.attachments.len(), 1, "{:?}", p.attachments);
    let a = p.attachment_of_type("text/calendar").expect("the .ics");
    assert_eq!(a.filename.as_deref(), Some("sangdam-p-b-i001.ics"));
    assert_eq!(a.param("method"), Some("REQUEST"));
    assert_eq!(a.text(), ics);
    assert!(p.header("MIME-Version").is_some());
}

#[tokio::test]
async fn starttls_and_auth_are_offered_as_configured_and_auth_comes_before_mail() {
    let sink = SmtpSink::start(SinkOptions::default().starttls().auth("mailer", "s3cret"));
    let (mut c, _) = Raw::connect(&sink).await;
    let ehlo = c.send("EHLO c.example").await;
    assert!(ehlo.lines().any(|l| &l[4..] == "STARTTLS"), "{ehlo}");
    assert!(
        ehlo.lines().any(|l| &l[4..] == "AUTH PLAIN LOGIN"),
        "{ehlo}"
    );
    assert_eq!(code(&c.send("MAIL FROM:<a@x.example>").await), "530");
    assert_eq!(code(&c.send("AUTH CRAM-MD5").await), "504");
    assert_eq!(code(&c.send("AUTH PLAIN !!!").await), "501");
    // "\0mailer\0nope", then "\0mailer\0s3cret" after a 334.
    assert_eq!(code(&c.send("AUTH PLAIN AG1haWxlcgBub3Bl").await), "535");
    assert_eq!(code(&c.send("AUTH PLAIN").await), "334");
    assert_eq!(code(&c.send("AG1haWxlcgBzM2NyZXQ=").await), "235");
    assert_eq!(
        code(&c.send("AUTH PLAIN AG1haWxlcgBzM2NyZXQ=").await),
        "503",
        "once per session"
    );
    assert_eq!(code(&c.send("MAIL FROM:<a@x.example>").await), "250");
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_refused_552_after_its_end() {
    let sink = SmtpSink::start(SinkOptions::default().max_size(100));
    let (mut c, _) = Raw::connect(&sink).await;
    c.send("EHLO c.example").await;
    c.send("MAIL FROM:<a@x.example>").await;
    c.send("RCPT TO:<b@x.example>").await;
    assert_eq!(code(&c.send("DATA").await), "354");
    let big = format!("{}\r\n.", "x".repeat(200));
    assert_eq!(code(&c.send(&big).await), "552");
    assert_eq!(code(&c.send("NOOP").await), "250", "the session goes on");
    assert!(sink.messages().is_empty());
}
