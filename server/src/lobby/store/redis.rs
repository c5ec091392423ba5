//! The lobby in Redis, shared by every node of a fair. Each booth and each vendor is one
//! JSON value (keys from `redis_keys`). An operation WATCHes the keys of the slice it needs,
//! loads them, applies the lobby's rules here in Rust and writes what changed in one
//! MULTI/EXEC; if another node changed a watched key meanwhile, EXEC aborts and the
//! operation runs again on fresh state. So the rules exist once, and every change that
//! must be atomic (admit, dequeue, no-show hand-over) is.
//!
//! Every call is bounded by a timeout: when Redis is unreachable, callers get
//! `Unavailable` quickly instead of hanging, and broken connections are replaced on the
//! next call, so service resumes by itself when Redis returns.

use super::{LobbyStore, StoreError};
use crate::redis_keys::Keys;
use futures_util::future::BoxFuture;
use redis::aio::MultiplexedConnection;
use redis::AsyncCommands;
use sangdam_signaling::live::lobby::{
    apply, missing, vendor_view, Booth, Context, LobbyEvent, LobbyOp, LobbyPolicy, Slice,
    VendorState, VendorView,
};
use sangdam_signaling::{Fair, InstitutionId, ParticipantId, Timestamp};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// How long one Redis round trip may take before the store answers `Unavailable`.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// How often an operation retries after losing a race before answering `Contention`.
const MAX_ATTEMPTS: usize = 100;

pub struct RedisLobby {
    client: redis::Client,
    keys: Keys,
    fair: Arc<Fair>,
    policy: LobbyPolicy,
    /// Connections used one transaction at a time: WATCH belongs to a connection, so a
    /// connection is never shared while a transaction is open on it.
    idle: Mutex<Vec<MultiplexedConnection>>,
    /// Reads (places, booths, readiness) need no WATCH: they share one multiplexed
    /// connection, so thousands of idle lobby sockets refreshing their status do not churn
    /// through short-lived connections.
    reader: Mutex<Option<MultiplexedConnection>>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

async fn bounded<T>(
    f: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(unavailable(e)),
        Err(_) => Err(unavailable("no answer from Redis within 2 s")),
    }
}

impl RedisLobby {
    pub fn new(url: &str, fair: Arc<Fair>, policy: LobbyPolicy) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        Ok(Self {
            client,
            keys: Keys::new(&fair.id),
            fair,
            policy,
            idle: Mutex::new(Vec::new()),
            reader: Mutex::new(None),
        })
    }

    async fn connection(&self) -> Result<MultiplexedConnection, StoreError> {
        if let Some(c) = self.idle.lock().await.pop() {
            return Ok(c);
        }
        bounded(self.client.get_multiplexed_async_connection()).await
    }

    /// The shared connection for reads (a cheap clone of one multiplexed connection).
    async fn reader(&self) -> Result<MultiplexedConnection, StoreError> {
        let mut shared = self.reader.lock().await;
        if let Some(c) = shared.as_ref() {
            return Ok(c.clone());
        }
        let c = bounded(self.client.get_multiplexed_async_connection()).await?;
        *shared = Some(c.clone());
        Ok(c)
    }

    /// Forgets the shared read connection after it failed; the next read makes a new one.
    async fn reader_failed(&self) {
        *self.reader.lock().await = None;
    }

    /// A read that could not reach Redis drops the shared connection, so the next read
    /// connects afresh (and service resumes by itself when Redis returns).
    async fn after_read<T>(&self, result: &Result<T, StoreError>) {
        if matches!(result, Err(StoreError::Unavailable(_))) {
            self.reader_failed().await;
        }
    }

    async fn read_vendor_view(
        &self,
        vendor: &ParticipantId,
        now: Timestamp,
    ) -> Result<VendorView, StoreError> {
        let mut con = self.reader().await?;
        let key = self.keys.vendor(vendor);
        let state: Option<String> = bounded(con.get(&key)).await?;
        let Some(state) = state else {
            return Ok(VendorView::default());
        };
        let state: VendorState = parse(&key, &state)?;
        let booths: Vec<InstitutionId> = state.queued_at.iter().cloned().collect();
        let mut slice = Slice::default();
        if !booths.is_empty() {
            let keys: Vec<String> = booths.iter().map(|b| self.keys.booth(b)).collect();
            let values: Vec<Option<String>> =
                bounded(redis::cmd("MGET").arg(&keys).query_async(&mut con)).await?;
            for ((b, key), v) in booths.iter().zip(&keys).zip(values) {
                if let Some(v) = v {
                    slice.booths.insert(b.clone(), parse(key, &v)?);
                }
            }
        }
        slice.vendors.insert(vendor.clone(), state);
        let ctx = Context {
            fair: &self.fair,
            policy: &self.policy,
        };
        Ok(vendor_view(&slice, &ctx, vendor, now))
    }

    async fn read_booth(&self, booth: InstitutionId) -> Result<Booth, StoreError> {
        let mut con = self.reader().await?;
        let key = self.keys.booth(&booth);
        let v: Option<String> = bounded(con.get(&key)).await?;
        match v {
            Some(v) => parse(&key, &v),
            None => Ok(Booth::new(booth)),
        }
    }

    /// Returns a connection to the pool; only healthy connections come back.
    async fn give_back(&self, c: MultiplexedConnection) {
        let mut idle = self.idle.lock().await;
        if idle.len() < 32 {
            idle.push(c);
        }
    }

    /// Loads the keys `op` needs into `slice`, WATCHing each before reading it.
    async fn load(
        &self,
        con: &mut MultiplexedConnection,
        op: &LobbyOp,
        slice: &mut Slice,
    ) -> Result<(), StoreError> {
        loop {
            let (booths, vendors) = missing(op, slice);
            if booths.is_empty() && vendors.is_empty() {
                return Ok(());
            }
            let keys: Vec<String> = booths
                .iter()
                .map(|b| self.keys.booth(b))
                .chain(vendors.iter().map(|v| self.keys.vendor(v)))
                .collect();
            // WATCH then MGET in one round trip: the connection runs them in order, so
            // nothing read can have changed unnoticed.
            let mut read = redis::pipe();
            read.cmd("WATCH").arg(&keys).ignore().cmd("MGET").arg(&keys);
            let (values,): (Vec<Option<String>>,) = bounded(read.query_async(con)).await?;
            let mut values = values.into_iter();
            for (b, key) in booths.iter().zip(&keys) {
                let booth = match values.next().flatten() {
                    Some(json) => parse(key, &json)?,
                    None => Booth::new(b.clone()),
                };
                slice.booths.insert(b.clone(), booth);
            }
            for (v, key) in vendors.iter().zip(&keys[booths.len()..]) {
                let state: VendorState = match values.next().flatten() {
                    Some(json) => parse(key, &json)?,
                    None => VendorState::default(),
                };
                slice.vendors.insert(v.clone(), state);
            }
        }
    }

    /// One attempt: `None` if another writer got in between (run again), else the outcome.
    async fn try_apply(
        &self,
        con: &mut MultiplexedConnection,
        op: &LobbyOp,
        now: Timestamp,
    ) -> Result<Option<Result<Vec<LobbyEvent>, StoreError>>, StoreError> {
        let mut slice = Slice::default();
        self.load(con, op, &mut slice).await?;
        let before = slice.clone();
        let ctx = Context {
            fair: &self.fair,
            policy: &self.policy,
        };
        let events = match apply(op, &mut slice, &ctx, now) {
            Ok(e) => e,
            // A refusal is only as good as the state it read: the keys were read in
            // several round trips, so confirm none changed since (an empty transaction
            // under the same WATCH) before answering; otherwise run again.
            Err(e) => {
                return Ok(unchanged_since_read(con).await?.then_some(Err(e.into())));
            }
        };
        let mut pipe = redis::pipe();
        pipe.atomic();
        let mut changed = 0;
        for (id, booth) in &slice.booths {
            if before.booths.get(id) != Some(booth) {
                pipe.set(self.keys.booth(id), json(booth)).ignore();
                changed += 1;
            }
        }
        for (id, state) in &slice.vendors {
            if before.vendors.get(id) != Some(state) {
                if *state == VendorState::default() {
                    pipe.del(self.keys.vendor(id)).ignore();
                } else {
                    pipe.set(self.keys.vendor(id), json(state)).ignore();
                }
                changed += 1;
            }
        }
        if changed == 0 {
            return Ok(unchanged_since_read(con).await?.then_some(Ok(events)));
        }
        // EXEC answers nil when a watched key changed: run again on fresh state.
        let done: Option<()> = bounded(pipe.query_async(con)).await?;
        Ok(done.map(|_| Ok(events)))
    }
}

/// Whether no watched key changed since it was read: a transaction with no writes that
/// EXEC runs only if the WATCH still holds. Ends the WATCH either way.
async fn unchanged_since_read(con: &mut MultiplexedConnection) -> Result<bool, StoreError> {
    let mut check = redis::pipe();
    check.atomic().cmd("PING").ignore();
    let done: Option<()> = bounded(check.query_async(con)).await?;
    Ok(done.is_some())
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("lobby state serializes")
}

fn parse<T: serde::de::DeserializeOwned>(key: &str, json: &str) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        key: key.to_string(),
        problem: e.to_string(),
    })
}

impl LobbyStore for RedisLobby {
    fn apply(
        &self,
        op: LobbyOp,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Vec<LobbyEvent>, StoreError>> {
        Box::pin(async move {
            // Nothing about a booth or vendor the fair does not have is read or written.
            Context {
                fair: &self.fair,
                policy: &self.policy,
            }
            .check(&op)?;
            for _ in 0..MAX_ATTEMPTS {
                let mut con = self.connection().await?;
                match self.try_apply(&mut con, &op, now).await {
                    Ok(Some(outcome)) => {
                        self.give_back(con).await;
                        return outcome;
                    }
                    Ok(None) => self.give_back(con).await,
                    // A connection that failed is dropped, not returned.
                    Err(e) => return Err(e),
                }
            }
            Err(StoreError::Contention)
        })
    }

    fn vendor_view(
        &self,
        vendor: ParticipantId,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<VendorView, StoreError>> {
        Box::pin(async move {
            let result = self.read_vendor_view(&vendor, now).await;
            self.after_read(&result).await;
            result
        })
    }

    fn booth(&self, booth: InstitutionId) -> BoxFuture<'_, Result<Booth, StoreError>> {
        Box::pin(async move {
            let result = self.read_booth(booth).await;
            self.after_read(&result).await;
            result
        })
    }

    fn booths(&self, booths: Vec<InstitutionId>) -> BoxFuture<'_, Result<Vec<Booth>, StoreError>> {
        Box::pin(async move {
            let result = async {
                if booths.is_empty() {
                    return Ok(Vec::new());
                }
                let mut con = self.reader().await?;
                let keys: Vec<String> = booths.iter().map(|b| self.keys.booth(b)).collect();
                let values: Vec<Option<String>> =
                    bounded(redis::cmd("MGET").arg(&keys).query_async(&mut con)).await?;
                booths
                    .into_iter()
                    .zip(keys.iter().zip(values))
                    .map(|(b, (key, v))| match v {
                        Some(v) => parse(key, &v),
                        None => Ok(Booth::new(b)),
                    })
                    .collect()
            }
            .await;
            self.after_read(&result).await;
            result
        })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            let result = async {
                let mut con = self.reader().await?;
                bounded(redis::cmd("PING").query_async::<String>(&mut con)).await?;
                Ok(())
            }
            .await;
            self.after_read(&result).await;
            result
        })
    }
}
