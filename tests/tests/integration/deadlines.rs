//! Deadlines a client cannot stretch: a socket that never authenticates is closed when its
//! first-message deadline passes, however busy it keeps itself meanwhile.

use sangdam_tests::app::{spawn_app_with, test_fair, test_settings, TestApp};
use sangdam_tests::signal::{Event, SignalClient};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn app_with_a_two_second_deadline() -> TestApp {
    let mut settings = test_settings();
    settings.server.first_message_seconds = 2;
    spawn_app_with(settings, test_fair(Duration::from_secs(600))).await
}

/// Keeps a socket busy with application pings and WebSocket pings, without ever
/// authenticating, until the server closes it; returns when it did and what it said last.
async fn chatter_until_closed(url: &str) -> (Duration, Vec<Value>) {
    let mut c = SignalClient::connect(url).await;
    let start = Instant::now();
    let mut heard = Vec::new();
    while start.elapsed() < Duration::from_secs(20) {
        if !c.try_send_with_ping(json!({"type": "ping", "t": 1})).await {
            break;
        }
        loop {
            match c.next_event(Duration::from_millis(250)).await {
                Event::Message(msg) => heard.push(msg),
                Event::Closed(frame) => {
                    // A fatal refusal ends with a close frame naming its code.
                    assert_eq!(frame, Some((4000, "not_joined".to_string())));
                    return (start.elapsed(), heard);
                }
                Event::Nothing => break,
            }
        }
    }
    (start.elapsed(), heard)
}

fn assert_closed_for_not_joining(elapsed: Duration, heard: &[Value]) {
    assert!(
        elapsed < Duration::from_secs(15),
        "the socket stayed open {elapsed:?} past a 2 s deadline"
    );
    assert!(
        heard.iter().any(|m| m["type"] == "pong"),
        "pings before authenticating are answered: {heard:?}"
    );
    let last = heard.last().expect("the server said why");
    assert_eq!(
        (last["code"].as_str(), &last["fatal"]),
        (Some("not_joined"), &json!(true)),
        "{last}"
    );
}

#[tokio::test]
async fn a_signaling_socket_that_only_pings_is_closed_at_its_join_deadline() {
    let app = app_with_a_two_second_deadline().await;
    let (elapsed, heard) = chatter_until_closed(&app.ws_url).await;
    assert_closed_for_not_joining(elapsed, &heard);
}

#[tokio::test]
async fn a_lobby_socket_that_only_pings_is_closed_at_its_hello_deadline() {
    let app = app_with_a_two_second_deadline().await;
    let (elapsed, heard) = chatter_until_closed(&app.lobby_url()).await;
    assert_closed_for_not_joining(elapsed, &heard);
}

/// A server with short HTTP deadlines and a cap of 100 connections from one address.
async fn app_with_short_http_deadlines() -> TestApp {
    let mut settings = test_settings();
    settings.server.header_read_timeout_seconds = 1;
    settings.server.body_read_timeout_seconds = 1;
    settings.server.max_connections_per_address = 100;
    spawn_app_with(settings, test_fair(Duration::from_secs(600))).await
}

/// Reads until the server closes the socket; what it sent, or `None` if it stayed open.
async fn until_closed(s: &mut tokio::net::TcpStream, wait: Duration) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_slow_header_clients_hold_nothing_and_others_are_still_served() {
    use tokio::io::AsyncWriteExt;
    let app = app_with_short_http_deadlines().await;
    let addr = app.base_url.trim_start_matches("http://").to_string();
    // 300 clients that send half a request line and then nothing.
    let mut slow = Vec::new();
    for _ in 0..300 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let _ = s
            .write_all(b"GET /api/me HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await;
        slow.push(s);
    }
    let start = Instant::now();
    let mut closed = 0;
    for s in &mut slow {
        if until_closed(s, Duration::from_secs(10)).await.is_some() {
            closed += 1;
        }
    }
    assert_eq!(closed, 300, "every slow client was closed");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    // The server still answers everybody else.
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_huge_or_tokenless_body_is_refused_before_it_is_read_and_a_slow_body_times_out() {
    use tokio::io::AsyncWriteExt;
    let app = app_with_short_http_deadlines().await;
    let addr = app.base_url.trim_start_matches("http://").to_string();
    let ask = |head: String| {
        let addr = addr.clone();
        async move {
            let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
            s.write_all(head.as_bytes()).await.unwrap();
            s
        }
    };
    // A gigabyte declared, no token, nothing sent: refused at once.
    let mut s = ask(
        "POST /api/survey/live-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n".into(),
    )
    .await;
    let reply = until_closed(&mut s, Duration::from_secs(5)).await;
    let reply = reply.unwrap_or_default();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    // A small body without a token: refused before reading it.
    let mut s = ask("POST /api/survey/live-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\n".into()).await;
    let reply = until_closed(&mut s, Duration::from_secs(5))
        .await
        .unwrap_or_default();
    assert!(reply.starts_with("HTTP/1.1 401"), "{reply}");
    assert!(reply.contains("token_invalid"), "{reply}");
    // With a token, a body that never finishes arriving times out.
    let token = app.token(sangdam_tests::app::BUYER_1);
    let mut s = ask(format!(
        "POST /api/survey/live-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"val"
    ))
    .await;
    let started = Instant::now();
    let reply = until_closed(&mut s, Duration::from_secs(8)).await;
    assert!(reply.is_some(), "the server gave up on the slow body");
    assert!(started.elapsed() < Duration::from_secs(8));
    let reply = reply.unwrap();
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 4"),
        "{reply}"
    );
}
