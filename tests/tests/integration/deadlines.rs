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
