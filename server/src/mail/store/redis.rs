//! The outbox in Redis, for several nodes: one hash of entries by key (`HSETNX` adds a key
//! once, whichever node queues it), a version counter staff's changes bump, and a lease —
//! a key that expires unless its node renews it — so that one node at a time sends.

use super::{corrupt, OutboxStore};
use crate::redis_keys::Keys;
use crate::redis_link::Link;
use futures_util::future::BoxFuture;
use sangdam_signaling::notify::outbox::Entry;
use sangdam_signaling::{FairId, Refusal};
use std::time::Duration;

/// Takes the lease if free, or renews it if this node holds it.
const LEASE: &str = r"
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
";

pub struct RedisOutbox {
    link: Link,
    keys: Keys,
    lease: redis::Script,
}

impl RedisOutbox {
    pub fn new(url: &str, fair: &FairId) -> Result<Self, String> {
        Ok(Self {
            link: Link::open(url, Duration::from_secs(5))?,
            keys: Keys::new(fair),
            lease: redis::Script::new(LEASE),
        })
    }

    fn lines(entries: &[Entry]) -> Result<Vec<(String, String)>, Refusal> {
        entries
            .iter()
            .map(|e| {
                Ok((
                    e.key.to_string(),
                    serde_json::to_string(e).map_err(corrupt)?,
                ))
            })
            .collect()
    }

    async fn write(&self, entries: &[Entry], bump: bool) -> Result<(), Refusal> {
        if entries.is_empty() {
            return Ok(());
        }
        let lines = Self::lines(entries)?;
        let (hash, version) = (self.keys.mail(), self.keys.mail_version());
        self.link
            .call(|mut c| async move {
                let mut p = redis::pipe();
                p.atomic().hset_multiple(&hash, &lines).ignore();
                if bump {
                    p.incr(&version, 1).ignore();
                }
                p.query_async::<()>(&mut c).await
            })
            .await?;
        Ok(())
    }
}

impl OutboxStore for RedisOutbox {
    fn load(&self) -> BoxFuture<'_, Result<Vec<Entry>, Refusal>> {
        Box::pin(async move {
            let hash = self.keys.mail();
            let all: Vec<(String, String)> =
                self.link
                    .call(|mut c| async move {
                        redis::cmd("HGETALL").arg(&hash).query_async(&mut c).await
                    })
                    .await?;
            all.iter()
                .map(|(_, v)| serde_json::from_str(v).map_err(corrupt))
                .collect()
        })
    }

    fn add(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<Vec<Entry>, Refusal>> {
        Box::pin(async move {
            if entries.is_empty() {
                return Ok(entries);
            }
            let lines = Self::lines(&entries)?;
            let (hash, version) = (self.keys.mail(), self.keys.mail_version());
            let added: Vec<bool> = self
                .link
                .call(|mut c| async move {
                    let mut p = redis::pipe();
                    p.atomic();
                    for (k, v) in &lines {
                        p.hset_nx(&hash, k, v);
                    }
                    p.incr(&version, 1).ignore();
                    p.query_async(&mut c).await
                })
                .await?;
            Ok(entries
                .into_iter()
                .zip(added)
                .filter_map(|(e, new)| new.then_some(e))
                .collect())
        })
    }

    fn save(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), Refusal>> {
        Box::pin(async move { self.write(&entries, false).await })
    }

    fn change(&self, entries: Vec<Entry>) -> BoxFuture<'_, Result<(), Refusal>> {
        Box::pin(async move { self.write(&entries, true).await })
    }

    fn version(&self) -> BoxFuture<'_, Result<u64, Refusal>> {
        Box::pin(async move {
            let key = self.keys.mail_version();
            let v: Option<u64> = self
                .link
                .call(|mut c| async move { redis::cmd("GET").arg(&key).query_async(&mut c).await })
                .await?;
            Ok(v.unwrap_or(0))
        })
    }

    fn lease(&self, node: &str, ttl: Duration) -> BoxFuture<'_, Result<bool, Refusal>> {
        let node = node.to_string();
        Box::pin(async move {
            let key = self.keys.mail_lease();
            let mut call = self.lease.prepare_invoke();
            call.key(key).arg(node).arg(ttl.as_millis() as u64);
            let got: i64 = self
                .link
                .call(|mut c| async move { call.invoke_async(&mut c).await })
                .await?;
            Ok(got == 1)
        })
    }

    fn location(&self) -> String {
        "Redis".into()
    }
}
