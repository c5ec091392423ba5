//! The participants' access settings in Redis, shared by every node: one hash, two fields
//! a participant (`gen:P`, raised with HINCRBY, atomic however many nodes revoke at once;
//! `off:P` present while reminders are off). Bounded calls: with Redis out of reach the
//! caller hears `temporarily_unavailable` and nothing changed.

use super::{Access, PeopleStore};
use crate::redis_keys::Keys;
use futures_util::future::BoxFuture;
use redis::aio::MultiplexedConnection;
use sangdam_signaling::{ErrorCode, FairId, ParticipantId, Refusal};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::Mutex;

/// Every authentication reads a generation: an unreachable Redis is noticed within this,
/// not after the prep store's 5 s.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);

pub struct RedisPeople {
    client: redis::Client,
    key: String,
    conn: Mutex<Option<MultiplexedConnection>>,
}

fn unavailable(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(
        ErrorCode::TemporarilyUnavailable,
        format!("the shared store is out of reach; nothing changed, try again: {e}"),
    )
    .for_request()
}

fn corrupt(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(
        ErrorCode::Internal,
        format!("the participants' stored settings are unreadable: {e}"),
    )
}

fn access(generation: Option<u32>, off: Option<String>) -> Access {
    Access {
        generation: generation.unwrap_or(0),
        reminders_off: off.is_some_and(|v| v == "1"),
    }
}

impl RedisPeople {
    pub fn new(url: &str, fair: &FairId) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("redis.url: {e}"))?;
        Ok(Self {
            client,
            key: Keys::new(fair).people(),
            conn: Mutex::new(None),
        })
    }

    /// Runs `cmd` on the shared connection within [`CALL_TIMEOUT`]; a connection that
    /// failed is forgotten, so the next call dials again.
    async fn query<T: redis::FromRedisValue>(
        &self,
        cmd: impl FnOnce() -> redis::Pipeline,
    ) -> Result<T, Refusal> {
        let result = tokio::time::timeout(CALL_TIMEOUT, async {
            let mut slot = self.conn.lock().await;
            let mut c = match slot.as_ref() {
                Some(c) => c.clone(),
                None => {
                    let c = self.client.get_multiplexed_async_connection().await?;
                    *slot = Some(c.clone());
                    c
                }
            };
            drop(slot);
            cmd().query_async::<T>(&mut c).await
        })
        .await;
        let e = match result {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => unavailable(e),
            Err(_) => unavailable("no answer from Redis within 2 s"),
        };
        *self.conn.lock().await = None;
        Err(e)
    }
}

impl PeopleStore for RedisPeople {
    fn get(&self, participant: ParticipantId) -> BoxFuture<'_, Result<Access, Refusal>> {
        Box::pin(async move {
            let ((g, off),): ((Option<u32>, Option<String>),) = self
                .query(|| {
                    let mut p = redis::pipe();
                    p.cmd("HMGET")
                        .arg(&self.key)
                        .arg(Keys::people_generation(&participant))
                        .arg(Keys::people_reminders_off(&participant));
                    p
                })
                .await?;
            Ok(access(g, off))
        })
    }

    fn get_all(&self) -> BoxFuture<'_, Result<HashMap<ParticipantId, Access>, Refusal>> {
        Box::pin(async move {
            let (fields,): (HashMap<String, String>,) = self
                .query(|| {
                    let mut p = redis::pipe();
                    p.cmd("HGETALL").arg(&self.key);
                    p
                })
                .await?;
            let mut out: HashMap<ParticipantId, Access> = HashMap::new();
            for (field, value) in fields {
                let Some((kind, id)) = field.split_once(':') else {
                    continue;
                };
                let Ok(id) = ParticipantId::parse(id) else {
                    continue;
                };
                let a = out.entry(id).or_default();
                match kind {
                    "gen" => a.generation = value.parse().map_err(corrupt)?,
                    "off" => a.reminders_off = value == "1",
                    _ => {}
                }
            }
            Ok(out)
        })
    }

    fn revoke(&self, participant: ParticipantId) -> BoxFuture<'_, Result<u32, Refusal>> {
        Box::pin(async move {
            let (g,): (u32,) = self
                .query(|| {
                    let mut p = redis::pipe();
                    p.cmd("HINCRBY")
                        .arg(&self.key)
                        .arg(Keys::people_generation(&participant))
                        .arg(1);
                    p
                })
                .await?;
            Ok(g)
        })
    }

    fn set_reminders_off(
        &self,
        participant: ParticipantId,
        off: bool,
    ) -> BoxFuture<'_, Result<Access, Refusal>> {
        Box::pin(async move {
            let field = Keys::people_reminders_off(&participant);
            let ((g, o),): ((Option<u32>, Option<String>),) = self
                .query(|| {
                    let mut p = redis::pipe();
                    p.atomic();
                    if off {
                        p.cmd("HSET").arg(&self.key).arg(&field).arg("1").ignore();
                    } else {
                        p.cmd("HDEL").arg(&self.key).arg(&field).ignore();
                    }
                    p.cmd("HMGET")
                        .arg(&self.key)
                        .arg(Keys::people_generation(&participant))
                        .arg(&field);
                    p
                })
                .await?;
            Ok(access(g, o))
        })
    }
}
