//! A journal in a Redis Stream, for several nodes sharing one Redis. One Lua script checks
//! the set of keys on record, adds the entry to the stream and the key to the set, so two
//! nodes closing the same room write one entry between them.
//!
//! Durability is Redis's: with `appendonly yes` and `appendfsync always` an acknowledged
//! entry survives a crash of Redis too; with less it survives a crash of Sangdam only.
//! Opening checks the setting and warns when it is weaker.

use super::{Entry, Journal, LogError};
use crate::redis_keys::Keys;
use futures_util::future::BoxFuture;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::streams::StreamRangeReply;
use std::collections::HashSet;
use std::marker::PhantomData;
use std::time::Duration;
use tracing::warn;

/// How long one Redis call may take before the journal answers `Unavailable`; the room
/// that wrote retries, so a slow or absent Redis delays a record but never loses it.
const CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// Entries read per XRANGE call.
const PAGE: usize = 1000;

/// `KEYS[1]` the set of keys on record, `KEYS[2]` the stream; `ARGV[1]` the key, `ARGV[2]` the
/// entry as JSON. Returns 1 if written, 0 if the key was already on record.
///
/// The stream entry is added before the key: should Redis fail between the two (it runs a
/// script to the end, but a write may still be refused mid-way, e.g. out of memory), a
/// retry may add the entry once more — readers keep the first of each key — rather than
/// find the key on record with no entry.
const APPEND: &str = r"
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  return 0
end
redis.call('XADD', KEYS[2], '*', 'key', ARGV[1], 'entry', ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
return 1
";

pub struct RedisJournal<T> {
    conn: ConnectionManager,
    script: redis::Script,
    /// The fair whose stream `entries` reads.
    keys: Keys,
    /// Picks (stream, set of keys) out of a fair's keys.
    names: fn(&Keys) -> (String, String),
    _entries: PhantomData<T>,
}

fn unavailable(e: impl std::fmt::Display) -> LogError {
    LogError::Unavailable(format!("Redis: {e}"))
}

async fn bounded<T>(
    f: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> Result<T, LogError> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(r) => r.map_err(unavailable),
        Err(_) => Err(unavailable(format!(
            "no answer within {} s",
            CALL_TIMEOUT.as_secs()
        ))),
    }
}

impl<T: Entry> RedisJournal<T> {
    /// A journal for the fair of `keys`. Connects lazily: Sangdam starts while Redis is
    /// down, and appends wait (and retry) until it is back.
    pub fn new(
        client: redis::Client,
        keys: Keys,
        names: fn(&Keys) -> (String, String),
    ) -> Result<Self, LogError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(1));
        let conn = ConnectionManager::new_lazy_with_config(client, config).map_err(unavailable)?;
        Ok(Self {
            conn,
            script: redis::Script::new(APPEND),
            keys,
            names,
            _entries: PhantomData,
        })
    }

    /// Warns if Redis would lose acknowledged entries in a crash of its own. Managed
    /// Redis services may refuse `CONFIG`; then nothing is said.
    pub async fn check_durability(&self) {
        let mut conn = self.conn.clone();
        let reply: Result<Vec<String>, _> = bounded(
            redis::cmd("CONFIG")
                .arg("GET")
                .arg("append*")
                .query_async(&mut conn),
        )
        .await;
        if let Ok(pairs) = reply {
            let get = |k: &str| {
                pairs
                    .chunks(2)
                    .find(|p| p[0] == k)
                    .and_then(|p| p.get(1).cloned())
            };
            let aof = get("appendonly").unwrap_or_default();
            let fsync = get("appendfsync").unwrap_or_default();
            if aof != "yes" || fsync != "always" {
                warn!(
                    appendonly = %aof,
                    appendfsync = %fsync,
                    "Redis may lose acknowledged consultation records if Redis itself crashes; set appendonly yes and appendfsync always"
                );
            }
        }
    }
}

impl<T: Entry> Journal<T> for RedisJournal<T> {
    fn append(&self, entry: T) -> BoxFuture<'_, Result<bool, LogError>> {
        Box::pin(async move {
            let (stream, set) = (self.names)(&Keys::new(entry.fair()));
            let json = serde_json::to_string(&entry)
                .map_err(|e| LogError::Unavailable(format!("cannot encode an entry: {e}")))?;
            let mut conn = self.conn.clone();
            let mut call = self.script.prepare_invoke();
            call.key(set).key(stream).arg(entry.key()).arg(json);
            let written: i64 = bounded(call.invoke_async(&mut conn)).await?;
            Ok(written == 1)
        })
    }

    fn entries(&self) -> BoxFuture<'_, Result<Vec<T>, LogError>> {
        Box::pin(async move {
            let (stream, _) = (self.names)(&self.keys);
            let mut conn = self.conn.clone();
            let mut out = Vec::new();
            let mut seen = HashSet::new();
            let mut start = "-".to_string();
            loop {
                let page: StreamRangeReply = bounded(
                    redis::cmd("XRANGE")
                        .arg(&stream)
                        .arg(&start)
                        .arg("+")
                        .arg("COUNT")
                        .arg(PAGE)
                        .query_async(&mut conn),
                )
                .await?;
                let n = page.ids.len();
                for item in page.ids {
                    let json: String = item.get("entry").ok_or_else(|| LogError::Corrupt {
                        location: format!("{stream} entry {}", item.id),
                        problem: "no field \"entry\"".into(),
                    })?;
                    let entry: T = serde_json::from_str(&json).map_err(|e| LogError::Corrupt {
                        location: format!("{stream} entry {}", item.id),
                        problem: e.to_string(),
                    })?;
                    if seen.insert(entry.key()) {
                        out.push(entry);
                    }
                    start = format!("({}", item.id);
                }
                if n < PAGE {
                    break;
                }
            }
            Ok(out)
        })
    }
}
