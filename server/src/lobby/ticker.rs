//! Advances every booth's clock, on every node: admissions at slot starts, no-shows,
//! expiries and free time happen even when nobody is connected to this node. Concurrent
//! ticks from several nodes are safe: each is one atomic operation, and a tick that finds
//! nothing to do changes nothing.
//!
//! What the schedule makes due (a slot's start, its no-show check, its room's close: the
//! core's [`next_due`]) is ticked at that instant, for the booths it concerns; every booth
//! is also ticked every `lobby.tick_seconds`, for what only the lobby's state makes due
//! (grace expiries, lapsed connections, walk-ins into free time).

use crate::app::clock;
use crate::app::state::AppState;
use sangdam_signaling::live::lobby::{next_due, Context, LobbyOp};
use sangdam_signaling::{InstitutionId, Timestamp};
use std::time::Duration;
use tokio::time::Instant;
use tracing::{info, warn};

/// Ticks booths at their due instants and every booth every `lobby.tick_seconds`, until
/// the task is dropped.
pub async fn run(state: AppState) {
    let every = Duration::from_secs(state.settings.lobby.tick_seconds);
    let policy = state.settings.lobby_policy();
    let booths: Vec<InstitutionId> = state.fair.institutions().map(|i| i.id.clone()).collect();
    let mut next_full = Instant::now();
    let mut failing = false;
    loop {
        let ctx = Context {
            fair: &state.fair,
            policy: &policy,
        };
        let due: Vec<(Timestamp, &InstitutionId)> = booths
            .iter()
            .filter_map(|b| next_due(&ctx, b, clock::now()).map(|t| (t, b)))
            .collect();
        let soonest = due.iter().map(|(t, _)| *t).min();
        let full_in = next_full.saturating_duration_since(Instant::now());
        // `clock::until` never undershoots (the wall clock is read in whole ms, rounded
        // down), so a wake for a due instant finds the wall clock at or past it.
        let wait = soonest.map_or(full_in, |t| clock::until(t).min(full_in));
        tokio::time::sleep(wait).await;
        let now = clock::now();
        let which: Vec<&InstitutionId> = if Instant::now() >= next_full {
            next_full = Instant::now() + every;
            booths.iter().collect()
        } else {
            due.iter()
                .filter(|(t, _)| *t <= now)
                .map(|(_, b)| *b)
                .collect()
        };
        let mut failed = None;
        for b in which {
            match state
                .lobby
                .apply(LobbyOp::Tick { booth: b.clone() }, clock::now())
                .await
            {
                Ok(events) => {
                    if !events.is_empty() {
                        // The moderators' board shows the admission now.
                        state.changed.notify_one();
                    }
                    for e in events {
                        info!(event = ?e, "lobby");
                    }
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        match (failed, failing) {
            (Some(e), false) => {
                warn!(error = %e, "lobby ticks failing; rooms already live keep running");
                failing = true;
            }
            (None, true) => {
                info!("lobby ticks working again");
                failing = false;
            }
            _ => {}
        }
    }
}
