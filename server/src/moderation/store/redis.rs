//! Moderators' changes in Redis, shared by every node: one hash per fair (field: meeting
//! id, value: its adjustments as JSON) updated under WATCH/MULTI/EXEC, and the activity
//! feed as a capped list. Every call is bounded, as the lobby's are: when Redis is out of
//! reach a moderator hears `temporarily_unavailable` at once and nothing changed.

use super::{Decide, ModerationStore, ACTIVITY_KEPT};
use crate::redis_keys::Keys;
use futures_util::future::BoxFuture;
use redis::aio::MultiplexedConnection;
use sangdam_signaling::live::moderation::Adjustments;
use sangdam_signaling::protocol::board::ActivityEntry;
use sangdam_signaling::{ErrorCode, FairId, MeetingId, Refusal};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::Mutex;

const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// Updates that keep losing races give up with `busy` after this many tries.
const MAX_ATTEMPTS: usize = 50;

pub struct RedisModeration {
    client: redis::Client,
    keys: Keys,
    /// Shared by reads (no WATCH on it).
    reader: Mutex<Option<MultiplexedConnection>>,
}

fn unavailable(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(
        ErrorCode::TemporarilyUnavailable,
        format!("the shared store is out of reach; nothing changed: {e}"),
    )
    .for_request()
}

async fn bounded<T>(
    f: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> Result<T, Refusal> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(unavailable(e)),
        Err(_) => Err(unavailable("no answer from Redis within 2 s")),
    }
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T, Refusal> {
    serde_json::from_str(json).map_err(|e| {
        Refusal::new(
            ErrorCode::Internal,
            format!("stored moderation state for {what} is unreadable: {e}"),
        )
        .for_request()
    })
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("moderation state serializes")
}

impl RedisModeration {
    pub fn new(url: &str, fair: &FairId) -> redis::RedisResult<Self> {
        Ok(Self {
            client: redis::Client::open(url)?,
            keys: Keys::new(fair),
            reader: Mutex::new(None),
        })
    }

    async fn reader(&self) -> Result<MultiplexedConnection, Refusal> {
        let mut shared = self.reader.lock().await;
        if let Some(c) = shared.as_ref() {
            return Ok(c.clone());
        }
        let c = bounded(self.client.get_multiplexed_async_connection()).await?;
        *shared = Some(c.clone());
        Ok(c)
    }

    /// A read through the shared connection; a failure drops it so the next read
    /// connects afresh.
    async fn read<T>(
        &self,
        f: impl AsyncFnOnce(&mut MultiplexedConnection) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let mut con = self.reader().await?;
        let result = f(&mut con).await;
        if result
            .as_ref()
            .is_err_and(|r| r.code == ErrorCode::TemporarilyUnavailable)
        {
            *self.reader.lock().await = None;
        }
        result
    }

    async fn try_update(
        &self,
        con: &mut MultiplexedConnection,
        meeting: &MeetingId,
        decide: &Decide<'_>,
    ) -> Result<Option<Adjustments>, Refusal> {
        let key = self.keys.moderation();
        let mut read = redis::pipe();
        read.cmd("WATCH")
            .arg(&key)
            .ignore()
            .cmd("HGET")
            .arg(&key)
            .arg(meeting.as_str());
        let (found,): (Option<String>,) = bounded(read.query_async(con)).await?;
        let current: Adjustments = match found {
            Some(j) => parse(meeting.as_str(), &j)?,
            None => Adjustments::default(),
        };
        let next = match decide(&current) {
            Ok(n) => n,
            Err(refusal) => {
                // A refusal decided on a stale read is no answer: confirm nothing changed.
                let mut check = redis::pipe();
                check.atomic().cmd("PING").ignore();
                let held: Option<()> = bounded(check.query_async(con)).await?;
                return match held {
                    Some(()) => Err(refusal),
                    None => Ok(None),
                };
            }
        };
        let Some(next) = next else {
            let _: () = bounded(redis::cmd("UNWATCH").query_async(con)).await?;
            return Ok(Some(current));
        };
        let mut write = redis::pipe();
        write
            .atomic()
            .cmd("HSET")
            .arg(&key)
            .arg(meeting.as_str())
            .arg(json(&next))
            .ignore();
        let done: Option<()> = bounded(write.query_async(con)).await?;
        Ok(done.map(|_| next))
    }
}

impl ModerationStore for RedisModeration {
    fn adjustments<'a>(
        &'a self,
        meeting: &'a MeetingId,
    ) -> BoxFuture<'a, Result<Adjustments, Refusal>> {
        Box::pin(self.read(async |con| {
            let found: Option<String> = bounded(
                redis::cmd("HGET")
                    .arg(self.keys.moderation())
                    .arg(meeting.as_str())
                    .query_async(con),
            )
            .await?;
            match found {
                Some(j) => parse(meeting.as_str(), &j),
                None => Ok(Adjustments::default()),
            }
        }))
    }

    fn all(&self) -> BoxFuture<'_, Result<HashMap<MeetingId, Adjustments>, Refusal>> {
        Box::pin(self.read(async |con| {
            let all: HashMap<String, String> = bounded(
                redis::cmd("HGETALL")
                    .arg(self.keys.moderation())
                    .query_async(con),
            )
            .await?;
            let mut out = HashMap::with_capacity(all.len());
            for (m, j) in all {
                let Ok(id) = MeetingId::parse(&m) else {
                    continue;
                };
                out.insert(id, parse(&m, &j)?);
            }
            Ok(out)
        }))
    }

    fn update<'a>(
        &'a self,
        meeting: &'a MeetingId,
        decide: Decide<'a>,
    ) -> BoxFuture<'a, Result<Adjustments, Refusal>> {
        Box::pin(async move {
            for _ in 0..MAX_ATTEMPTS {
                // WATCH belongs to a connection: each attempt has its own.
                let mut con = bounded(self.client.get_multiplexed_async_connection()).await?;
                if let Some(stored) = self.try_update(&mut con, meeting, &decide).await? {
                    return Ok(stored);
                }
            }
            Err(Refusal::new(
                ErrorCode::Busy,
                "too many changes to this room at once; nothing changed, try again",
            )
            .for_request())
        })
    }

    fn push_activity(&self, entry: ActivityEntry) -> BoxFuture<'_, Result<(), Refusal>> {
        Box::pin(self.read(async move |con| {
            let key = self.keys.activity();
            let mut pipe = redis::pipe();
            pipe.atomic()
                .cmd("RPUSH")
                .arg(&key)
                .arg(json(&entry))
                .ignore()
                .cmd("LTRIM")
                .arg(&key)
                .arg(-(ACTIVITY_KEPT as i64))
                .arg(-1)
                .ignore();
            let _: () = bounded(pipe.query_async(con)).await?;
            Ok(())
        }))
    }

    fn activity(&self, n: usize) -> BoxFuture<'_, Result<Vec<ActivityEntry>, Refusal>> {
        Box::pin(self.read(async move |con| {
            let raw: Vec<String> = bounded(
                redis::cmd("LRANGE")
                    .arg(self.keys.activity())
                    .arg(-(n.max(1) as i64))
                    .arg(-1)
                    .query_async(con),
            )
            .await?;
            raw.iter().map(|j| parse("the activity feed", j)).collect()
        }))
    }
}
