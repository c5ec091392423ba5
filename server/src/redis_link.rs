//! One connection to Redis shared by a store's calls, every call bounded in time: with Redis
//! out of reach a caller hears so within the bound instead of waiting, and the next call
//! dials again. Each store turns [`Unreachable`] into its own refusal.

use redis::aio::MultiplexedConnection;
use sangdam_signaling::{ErrorCode, Refusal};
use std::future::Future;
use std::time::Duration;
use tokio::sync::Mutex;

/// Redis did not answer, or answered with an error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct Unreachable(pub String);

impl From<Unreachable> for Refusal {
    fn from(e: Unreachable) -> Self {
        Refusal::new(
            ErrorCode::TemporarilyUnavailable,
            format!("the shared store is out of reach; nothing changed: {e}"),
        )
        .for_request()
    }
}

pub struct Link {
    client: redis::Client,
    conn: Mutex<Option<MultiplexedConnection>>,
    timeout: Duration,
}

impl Link {
    pub fn open(url: &str, timeout: Duration) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("redis.url: {e}"))?;
        Ok(Self {
            client,
            conn: Mutex::new(None),
            timeout,
        })
    }

    async fn bounded<T>(
        &self,
        f: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, Unreachable> {
        match tokio::time::timeout(self.timeout, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(Unreachable(e.to_string())),
            Err(_) => Err(Unreachable(format!(
                "no answer from Redis within {} s",
                self.timeout.as_secs_f32()
            ))),
        }
    }

    async fn conn(&self) -> Result<MultiplexedConnection, Unreachable> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let c = self
            .bounded(self.client.get_multiplexed_async_connection())
            .await?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Runs one call on the shared connection; a failed call forgets the connection.
    pub async fn call<T, Fut>(
        &self,
        f: impl FnOnce(MultiplexedConnection) -> Fut,
    ) -> Result<T, Unreachable>
    where
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let c = self.conn().await?;
        let out = self.bounded(f(c)).await;
        if out.is_err() {
            *self.conn.lock().await = None;
        }
        out
    }
}
