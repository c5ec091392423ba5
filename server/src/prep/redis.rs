//! The preparation document in Redis, shared by every node: the JSON document under one
//! key and its version under another, replaced together by a Lua script only while the
//! version is the one the edit started from. Bounded calls: with Redis out of reach staff
//! hear `temporarily_unavailable` and nothing changed.

use super::{corrupt, PrepStore};
use crate::redis_keys::Keys;
use futures_util::future::BoxFuture;
use redis::aio::MultiplexedConnection;
use sangdam_signaling::prep::Prep;
use sangdam_signaling::{ErrorCode, FairId, Refusal};
use std::time::Duration;
use tokio::sync::Mutex;

const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Replaces the document if its version is still `ARGV[1]`.
const SAVE: &str = r"
local v = redis.call('GET', KEYS[2])
if (v or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[2])
return 1
";

pub struct RedisPrep {
    client: redis::Client,
    keys: Keys,
    conn: Mutex<Option<MultiplexedConnection>>,
    script: redis::Script,
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
        Err(_) => Err(unavailable("no answer from Redis within 5 s")),
    }
}

impl RedisPrep {
    pub fn new(url: &str, fair: &FairId) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("redis.url: {e}"))?;
        Ok(Self {
            client,
            keys: Keys::new(fair),
            conn: Mutex::new(None),
            script: redis::Script::new(SAVE),
        })
    }

    async fn conn(&self) -> Result<MultiplexedConnection, Refusal> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let c = bounded(self.client.get_multiplexed_async_connection()).await?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Forgets a connection that failed, so the next call dials again.
    async fn drop_conn(&self) {
        *self.conn.lock().await = None;
    }
}

impl PrepStore for RedisPrep {
    fn load(&self) -> BoxFuture<'_, Result<Prep, Refusal>> {
        Box::pin(async move {
            let mut c = self.conn().await?;
            let doc: Option<String> =
                match bounded(redis::cmd("GET").arg(self.keys.prep()).query_async(&mut c)).await {
                    Ok(d) => d,
                    Err(e) => {
                        self.drop_conn().await;
                        return Err(e);
                    }
                };
            match doc {
                None => Ok(Prep::default()),
                Some(json) => serde_json::from_str(&json).map_err(corrupt),
            }
        })
    }

    fn save(&self, expected: u64, next: Prep) -> BoxFuture<'_, Result<bool, Refusal>> {
        Box::pin(async move {
            let json = serde_json::to_string(&next).map_err(corrupt)?;
            let mut c = self.conn().await?;
            let mut call = self.script.prepare_invoke();
            call.key(self.keys.prep())
                .key(self.keys.prep_version())
                .arg(expected.to_string())
                .arg(next.version.to_string())
                .arg(json);
            let stored: i64 = match bounded(call.invoke_async(&mut c)).await {
                Ok(v) => v,
                Err(e) => {
                    self.drop_conn().await;
                    return Err(e);
                }
            };
            Ok(stored == 1)
        })
    }
}
