//! Advances every booth's clock, on every node: admissions at slot starts, no-shows,
//! expiries and free time happen even when nobody is connected to this node. Concurrent
//! ticks from several nodes are safe: each is one atomic operation, and a tick that finds
//! nothing to do changes nothing.

use crate::app::clock;
use crate::app::state::AppState;
use sangdam_signaling::live::lobby::LobbyOp;
use sangdam_signaling::InstitutionId;
use std::time::Duration;
use tracing::{info, warn};

/// Ticks every booth every `lobby.tick_seconds`, until the task is dropped.
pub async fn run(state: AppState) {
    let every = Duration::from_secs(state.settings.lobby.tick_seconds);
    let booths: Vec<InstitutionId> = state.fair.institutions().map(|i| i.id.clone()).collect();
    let mut interval = tokio::time::interval(every);
    let mut failing = false;
    loop {
        interval.tick().await;
        let mut failed = None;
        for b in &booths {
            match state
                .lobby
                .apply(LobbyOp::Tick { booth: b.clone() }, clock::now())
                .await
            {
                Ok(events) => {
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
