//! Moderators' changes in this process's memory: the embedded default. They are live
//! state (what a room's end is now); what must outlive the process — each action — goes
//! into the meeting's consultation record when its room closes.

use super::{Decide, ModerationStore, ACTIVITY_KEPT};
use futures_util::future::BoxFuture;
use sangdam_signaling::live::moderation::Adjustments;
use sangdam_signaling::protocol::board::ActivityEntry;
use sangdam_signaling::{MeetingId, Refusal};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

#[derive(Default)]
pub struct MemoryModeration {
    rooms: Mutex<HashMap<MeetingId, Adjustments>>,
    activity: Mutex<VecDeque<ActivityEntry>>,
}

impl ModerationStore for MemoryModeration {
    fn adjustments<'a>(
        &'a self,
        meeting: &'a MeetingId,
    ) -> BoxFuture<'a, Result<Adjustments, Refusal>> {
        let found = self.rooms.lock().expect("moderation lock").get(meeting).cloned();
        Box::pin(async move { Ok(found.unwrap_or_default()) })
    }

    fn all(&self) -> BoxFuture<'_, Result<HashMap<MeetingId, Adjustments>, Refusal>> {
        let all = self.rooms.lock().expect("moderation lock").clone();
        Box::pin(async move { Ok(all) })
    }

    fn update<'a>(
        &'a self,
        meeting: &'a MeetingId,
        decide: Decide<'a>,
    ) -> BoxFuture<'a, Result<Adjustments, Refusal>> {
        // Decided under the lock: two requests are decided one after the other.
        let result = {
            let mut rooms = self.rooms.lock().expect("moderation lock");
            let current = rooms.get(meeting).cloned().unwrap_or_default();
            decide(&current).map(|next| match next {
                Some(next) => {
                    rooms.insert(meeting.clone(), next.clone());
                    next
                }
                None => current,
            })
        };
        Box::pin(async move { result })
    }

    fn push_activity(&self, entry: ActivityEntry) -> BoxFuture<'_, Result<(), Refusal>> {
        let mut feed = self.activity.lock().expect("moderation lock");
        feed.push_back(entry);
        while feed.len() > ACTIVITY_KEPT {
            feed.pop_front();
        }
        Box::pin(async { Ok(()) })
    }

    fn activity(&self, n: usize) -> BoxFuture<'_, Result<Vec<ActivityEntry>, Refusal>> {
        let feed = self.activity.lock().expect("moderation lock");
        let newest: Vec<ActivityEntry> = feed.iter().rev().take(n).rev().cloned().collect();
        Box::pin(async move { Ok(newest) })
    }
}
