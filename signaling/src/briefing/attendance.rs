//! Who watched a briefing, from when to when: each viewer's connections come and go (a
//! reload, two tabs, a dropped network), and what counts is the time they had at least one
//! open, within the briefing's own time. That is what the consultation log and the report
//! keep.

use crate::ids::ParticipantId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// One stretch of watching.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stretch {
    pub from: Timestamp,
    pub until: Timestamp,
}

#[derive(Clone, Debug, Default)]
struct Viewer {
    /// Connections open now.
    open: u32,
    /// Since when at least one was open.
    since: Option<Timestamp>,
    stretches: Vec<Stretch>,
}

/// One briefing's attendance.
#[derive(Clone, Debug)]
pub struct Attendance {
    starts_at: Timestamp,
    ends_at: Timestamp,
    viewers: BTreeMap<ParticipantId, Viewer>,
}

impl Attendance {
    pub fn new(starts_at: Timestamp, ends_at: Timestamp) -> Self {
        Attendance {
            starts_at,
            ends_at,
            viewers: BTreeMap::new(),
        }
    }

    /// A connection of `p` opened.
    pub fn joined(&mut self, p: &ParticipantId, now: Timestamp) {
        let v = self.viewers.entry(p.clone()).or_default();
        v.open += 1;
        if v.open == 1 {
            v.since = Some(now);
        }
    }

    /// A connection of `p` closed; the stretch ends when the last one does.
    pub fn left(&mut self, p: &ParticipantId, now: Timestamp) {
        let Some(v) = self.viewers.get_mut(p) else {
            return;
        };
        if v.open == 0 {
            return;
        }
        v.open -= 1;
        if v.open == 0 {
            if let Some(from) = v.since.take() {
                push(&mut v.stretches, from, now);
            }
        }
    }

    /// Who watched, each with their stretches clipped to the briefing's time (a viewer who
    /// came early counts from the start; one still watching at `now` counts until `now`),
    /// adjacent stretches merged. Viewers who were only there before the start are left out.
    pub fn summary(&self, now: Timestamp) -> BTreeMap<ParticipantId, Vec<Stretch>> {
        let clip = |s: Stretch| Stretch {
            from: s.from.max(self.starts_at),
            until: s.until.min(self.ends_at),
        };
        self.viewers
            .iter()
            .filter_map(|(p, v)| {
                let mut all: Vec<Stretch> = Vec::new();
                let open = v.since.map(|from| Stretch { from, until: now });
                for s in v.stretches.iter().copied().chain(open).map(clip) {
                    if s.until > s.from {
                        push(&mut all, s.from, s.until);
                    }
                }
                (!all.is_empty()).then(|| (p.clone(), all))
            })
            .collect()
    }

    /// How long `p` watched, by [`Attendance::summary`]'s rules.
    pub fn watched(&self, p: &ParticipantId, now: Timestamp) -> Duration {
        self.summary(now).get(p).map_or(Duration::ZERO, |s| {
            s.iter().map(|s| s.until.since(s.from)).sum()
        })
    }
}

/// Appends a stretch, merging it into the last one when they touch or overlap.
fn push(all: &mut Vec<Stretch>, from: Timestamp, until: Timestamp) {
    if let Some(last) = all.last_mut() {
        if from <= last.until {
            last.until = last.until.max(until);
            return;
        }
    }
    all.push(Stretch { from, until });
}
