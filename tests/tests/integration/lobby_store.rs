//! One conformance suite for both lobby stores: every scenario runs against the in-memory
//! store and against a real Redis server (a private `redis-server` per test).

use sangdam_server::lobby::store::{LobbyStore, MemoryLobby, RedisLobby, StoreError};
use sangdam_signaling::fair::{
    Affiliation, Enterprise, EnterpriseType, FairParts, Institution, InstitutionType, MeetingSpec,
    Participant, Role, Round,
};
use sangdam_signaling::live::lobby::{LobbyError, LobbyEvent, LobbyOp, LobbyPolicy};
use sangdam_signaling::{Fair, FairId, InstitutionId, ParticipantId, Timestamp};
use sangdam_tests::redis_server::RedisServer;
use std::sync::Arc;
use std::time::Duration;

const MIN: i64 = 60_000;

fn at(m: i64) -> Timestamp {
    Timestamp::from_millis(m * MIN)
}

fn id<T: TryFrom<String>>(s: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(s.to_string()).unwrap()
}

/// Booths b1, b2; vendors v00..v99 of enterprises e00..e99; one meeting, b1 × e00 at 60–80.
fn fair() -> Arc<Fair> {
    let mut parts = FairParts {
        rounds: vec![Round {
            id: id("r1"),
            number: 1,
            theme: "공공시장 진출 지원".into(),
            starts_at: at(60),
            slot_len: Duration::from_secs(1200),
            break_len: Duration::from_secs(600),
            slots: 4,
        }],
        institutions: ["b1", "b2"]
            .iter()
            .map(|b| Institution {
                id: id(b),
                name: b.to_string(),
                kind: InstitutionType::District,
            })
            .collect(),
        ..Default::default()
    };
    for n in 0..100 {
        parts.enterprises.push(Enterprise {
            id: id(&format!("e{n:02}")),
            name: format!("기업{n}"),
            kind: EnterpriseType::SocialEnterprise,
        });
        parts.participants.push(Participant {
            id: id(&format!("v{n:02}")),
            name: format!("판매자{n}"),
            role: Role::Vendor,
            affiliation: Affiliation::Enterprise(id(&format!("e{n:02}"))),
        });
    }
    parts.meetings.push(MeetingSpec {
        id: id("m1"),
        round: id("r1"),
        slot: 0,
        institution: id("b1"),
        enterprise: id("e00"),
    });
    Arc::new(Fair::new(FairId::parse("lobby-test").unwrap(), "lobby test", parts).unwrap())
}

fn check_in(n: usize, booth: &str, booking: Option<&str>) -> LobbyOp {
    LobbyOp::CheckIn {
        vendor: id(&format!("v{n:02}")),
        enterprise: id(&format!("e{n:02}")),
        booth: id(booth),
        booking: booking.map(id),
    }
}

fn admitted(events: &[LobbyEvent]) -> Vec<ParticipantId> {
    events
        .iter()
        .filter_map(|e| match e {
            LobbyEvent::Admitted { admission, .. } => Some(admission.vendor.clone()),
            _ => None,
        })
        .collect()
}

/// The stores under test; the Redis server lives as long as the store is used.
fn memory() -> Arc<dyn LobbyStore> {
    Arc::new(MemoryLobby::new(fair(), LobbyPolicy::default()))
}

fn redis(server: &RedisServer) -> Arc<dyn LobbyStore> {
    Arc::new(RedisLobby::new(&server.url(), fair(), LobbyPolicy::default()).unwrap())
}

macro_rules! conformance {
    ($($scenario:ident),* $(,)?) => {
        mod memory_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(super::memory()).await;
                }
            )*
        }
        mod redis_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let server = sangdam_tests::redis_server::RedisServer::start();
                    super::$scenario(super::redis(&server)).await;
                }
            )*
        }
    };
}

conformance!(
    a_booked_vendor_waits_and_is_admitted_at_the_slot_start,
    positions_follow_check_in_order_and_survive_a_disconnect,
    refusals_change_nothing,
    admission_takes_a_vendor_out_of_every_queue,
    many_vendors_checking_in_at_once_are_all_queued_once,
    concurrent_admissions_admit_each_vendor_exactly_once_in_order,
    booths_and_vendors_the_fair_does_not_have_are_refused_and_never_stored,
);

async fn a_booked_vendor_waits_and_is_admitted_at_the_slot_start(store: Arc<dyn LobbyStore>) {
    store
        .apply(check_in(0, "b1", Some("m1")), at(52))
        .await
        .unwrap();
    let view = store.vendor_view(id("v00"), at(55)).await.unwrap();
    assert_eq!(view.places[0].position, 1);
    assert_eq!(view.places[0].estimated_wait_s, 5 * 60);
    store
        .apply(LobbyOp::BuyerHere { booth: id("b1") }, at(60))
        .await
        .unwrap();
    let ev = store
        .apply(LobbyOp::Tick { booth: id("b1") }, at(60))
        .await
        .unwrap();
    assert_eq!(admitted(&ev), vec![id::<ParticipantId>("v00")]);
    let view = store.vendor_view(id("v00"), at(60)).await.unwrap();
    assert_eq!(view.in_room.unwrap().meeting.as_str(), "m1");
    let booth = store.booth(id("b1")).await.unwrap();
    assert_eq!(booth.current.unwrap().vendor.as_str(), "v00");
}

async fn positions_follow_check_in_order_and_survive_a_disconnect(store: Arc<dyn LobbyStore>) {
    for n in 1..=3 {
        store
            .apply(check_in(n, "b2", None), at(n as i64))
            .await
            .unwrap();
    }
    store
        .apply(
            LobbyOp::Disconnect {
                vendor: id("v02"),
                conn: None,
            },
            at(4),
        )
        .await
        .unwrap();
    let view = store.vendor_view(id("v02"), at(4)).await.unwrap();
    assert_eq!(
        (view.places[0].position, view.places[0].disconnected),
        (2, true)
    );
    store
        .apply(LobbyOp::Reconnect { vendor: id("v02") }, at(5))
        .await
        .unwrap();
    let view = store.vendor_view(id("v02"), at(5)).await.unwrap();
    assert_eq!(
        (view.places[0].position, view.places[0].disconnected),
        (2, false)
    );
    assert_eq!(
        store.vendor_view(id("v03"), at(5)).await.unwrap().places[0].position,
        3
    );
}

async fn refusals_change_nothing(store: Arc<dyn LobbyStore>) {
    store.apply(check_in(1, "b2", None), at(1)).await.unwrap();
    let before = store.booth(id("b2")).await.unwrap();
    let err = store
        .apply(check_in(2, "b1", Some("m1")), at(1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Lobby(LobbyError::NotYourBooking(_))),
        "{err}"
    );
    let err = store
        .apply(check_in(0, "b1", Some("m1")), at(1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Lobby(LobbyError::TooEarly { .. })),
        "{err}"
    );
    let err = store
        .apply(LobbyOp::SendBack { booth: id("b2") }, at(1))
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Lobby(LobbyError::NobodyInRoom));
    assert_eq!(store.booth(id("b2")).await.unwrap(), before);
    assert!(store.booth(id("b1")).await.unwrap().queue.is_empty());
}

async fn booths_and_vendors_the_fair_does_not_have_are_refused_and_never_stored(
    store: Arc<dyn LobbyStore>,
) {
    for op in [
        check_in(1, "nowhere", None),
        LobbyOp::Leave {
            vendor: id("v01"),
            booth: Some(id("nowhere")),
        },
        LobbyOp::AdmitNext {
            booth: id("nowhere"),
        },
    ] {
        let err = store.apply(op, at(1)).await.unwrap_err();
        assert_eq!(
            err,
            StoreError::Lobby(LobbyError::UnknownBooth(id("nowhere"))),
            "{err}"
        );
    }
    let err = store
        .apply(
            LobbyOp::CheckIn {
                vendor: id("v-ghost"),
                enterprise: id("e01"),
                booth: id("b1"),
                booking: None,
            },
            at(1),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Lobby(LobbyError::UnknownVendor(_))),
        "{err}"
    );
    assert!(store.booth(id("nowhere")).await.unwrap().queue.is_empty());
    assert!(store.booth(id("b1")).await.unwrap().queue.is_empty());
    assert!(store
        .vendor_view(id("v01"), at(1))
        .await
        .unwrap()
        .places
        .is_empty());
}

#[tokio::test]
async fn refused_input_creates_no_redis_key() {
    let server = RedisServer::start();
    let store = redis(&server);
    let _ = store.apply(check_in(1, "nowhere", None), at(1)).await;
    let _ = store
        .apply(
            LobbyOp::Leave {
                vendor: id("v-ghost"),
                booth: None,
            },
            at(1),
        )
        .await;
    let client = redis::Client::open(server.url()).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut con)
        .await
        .unwrap();
    assert!(keys.is_empty(), "{keys:?}");
    // A real check-in does write: the check above can see keys.
    store.apply(check_in(1, "b1", None), at(1)).await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut con)
        .await
        .unwrap();
    assert!(!keys.is_empty());
}

async fn admission_takes_a_vendor_out_of_every_queue(store: Arc<dyn LobbyStore>) {
    store.apply(check_in(5, "b1", None), at(1)).await.unwrap();
    store.apply(check_in(5, "b2", None), at(1)).await.unwrap();
    assert_eq!(
        store
            .vendor_view(id("v05"), at(1))
            .await
            .unwrap()
            .places
            .len(),
        2
    );
    let ev = store
        .apply(LobbyOp::AdmitNext { booth: id("b2") }, at(2))
        .await
        .unwrap();
    assert_eq!(admitted(&ev), vec![id::<ParticipantId>("v05")]);
    assert!(store.booth(id("b1")).await.unwrap().queue.is_empty());
    let view = store.vendor_view(id("v05"), at(2)).await.unwrap();
    assert!(view.places.is_empty());
    assert_eq!(view.in_room_at, Some(id::<InstitutionId>("b2")));
    let err = store
        .apply(check_in(5, "b1", None), at(3))
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Lobby(LobbyError::InRoom));
}

async fn many_vendors_checking_in_at_once_are_all_queued_once(store: Arc<dyn LobbyStore>) {
    let tasks: Vec<_> = (1..100)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.apply(check_in(n, "b2", None), at(1)).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let booth = store.booth(id("b2")).await.unwrap();
    assert_eq!(booth.queue.len(), 99);
    let mut vendors: Vec<String> = booth.queue.iter().map(|w| w.vendor.to_string()).collect();
    vendors.sort();
    vendors.dedup();
    assert_eq!(vendors.len(), 99, "nobody queued twice");
}

async fn concurrent_admissions_admit_each_vendor_exactly_once_in_order(store: Arc<dyn LobbyStore>) {
    // Thirty vendors queue in a known order...
    for n in 1..=30 {
        store
            .apply(
                check_in(n, "b2", None),
                at(1) + Duration::from_millis(n as u64),
            )
            .await
            .unwrap();
    }
    // ...then eight "buyers" race to admit, and each admission is finished before the next.
    let mut order = Vec::new();
    for round in 0..30 {
        let now = at(2) + Duration::from_secs(round);
        let racers: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .apply(LobbyOp::AdmitNext { booth: id("b2") }, now)
                        .await
                })
            })
            .collect();
        let mut winners = Vec::new();
        for r in racers {
            match r.await.unwrap() {
                Ok(ev) => winners.extend(admitted(&ev)),
                Err(StoreError::Lobby(LobbyError::BoothBusy)) => {}
                Err(e) => panic!(
                    "unexpected {e} in round {round}: {:?}",
                    store.booth(id("b2")).await
                ),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "exactly one admission per free room: {winners:?}"
        );
        let meeting = store
            .booth(id("b2"))
            .await
            .unwrap()
            .current
            .unwrap()
            .meeting;
        store
            .apply(
                LobbyOp::Finish {
                    booth: id("b2"),
                    meeting,
                },
                now,
            )
            .await
            .unwrap();
        order.extend(winners);
    }
    let expected: Vec<ParticipantId> = (1..=30).map(|n| id(&format!("v{n:02}"))).collect();
    assert_eq!(order, expected);
}

#[tokio::test]
async fn when_redis_is_down_lobby_operations_answer_unavailable_and_recover() {
    let mut server = RedisServer::start();
    let store = redis(&server);
    store.apply(check_in(1, "b2", None), at(1)).await.unwrap();
    server.stop();
    let started = std::time::Instant::now();
    let err = store
        .apply(check_in(2, "b2", None), at(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(matches!(
        store.ping().await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answers, does not hang"
    );
    // Redis comes back (empty: this test server keeps nothing); service resumes by itself.
    server.restart();
    store.ping().await.unwrap();
    store.apply(check_in(2, "b2", None), at(3)).await.unwrap();
    assert_eq!(
        store.vendor_view(id("v02"), at(3)).await.unwrap().places[0].position,
        1
    );
}
