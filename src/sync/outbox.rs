//! The outbox worker: delivers `store::outbox` entries to Constant Contact as soon as they are due.
//! The daemon runs one and so does the TUI; entries are claimed (`pending` → `delivering`) in a
//! write transaction, so two workers never deliver the same entry.
//!
//! State machine of an entry:
//! ```text
//!   pending ──claim──► delivering ──ok──────────► delivered (outcome in words)
//!      ▲                   │ ├──refused──────────► failed (reason kept; "retry" puts it back)
//!      └──backoff──────────┘ └──offline/429/auth─► pending, next_attempt_at = now + backoff
//! ```
//! A `delivering` entry whose worker died (no update for [`CLAIM_STALE_SECS`]) is pending again.
//! Edits coalesce: `store::outbox::enqueue` reuses a contact's pending `update_contact` entry, and
//! delivery sends the contact's current fields, so an hour of edits during an outage is one PUT.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rusqlite::{Connection, params};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::store::outbox::{self, Entry};
use crate::store::{self, Store, StoreError, time};

use super::api::{ApiError, CtctApi};
use super::push::{Delivery, apply_effects, deliver};

/// A `delivering` entry not updated for this long belonged to a worker that died.
pub const CLAIM_STALE_SECS: i64 = 120;
/// How often the worker looks for due entries written by other processes.
pub const POLL: Duration = Duration::from_secs(1);

/// Worker tuning; the defaults are what the product uses.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How often to look for due entries written by other processes.
    pub poll: Duration,
    /// First retry delay after a transient failure; doubles per attempt, at most an hour.
    pub backoff_base: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            poll: POLL,
            backoff_base: Duration::from_secs(5),
        }
    }
}

/// Delay before attempt `attempts + 1` after a transient failure: 5 s doubling, at most an hour.
pub fn backoff(attempts: i64, err: &ApiError) -> chrono::Duration {
    backoff_from(Duration::from_secs(5), attempts, err)
}

fn backoff_from(base: Duration, attempts: i64, err: &ApiError) -> chrono::Duration {
    if let ApiError::QuotaExceeded(_) = err {
        let now = Utc::now();
        let midnight = (now.date_naive() + chrono::Days::new(1))
            .and_hms_opt(0, 0, 5)
            .map(|t| t.and_utc())
            .unwrap_or(now + chrono::Duration::hours(1));
        return midnight - now;
    }
    let exp = attempts.clamp(0, 12) as u32;
    let ms = (base.as_millis() as i64)
        .saturating_mul(1i64 << exp)
        .min(3_600_000);
    chrono::Duration::milliseconds(ms)
}

/// Puts back entries claimed by a worker that died.
pub fn reclaim_stale(conn: &Connection) -> Result<usize, StoreError> {
    let cutoff = time::fmt(Utc::now() - chrono::Duration::seconds(CLAIM_STALE_SECS));
    Ok(conn.execute(
        "UPDATE outbox SET status = 'pending' WHERE status = 'delivering' AND updated_at < ?1",
        [cutoff],
    )?)
}

/// Claims one due entry; None when nothing is due.
fn claim_next(conn: &mut Connection) -> Result<Option<Entry>, StoreError> {
    let tx = store::write_tx(conn)?;
    let now = time::now();
    let due = outbox::due(&tx, &now, 1)?;
    let Some(entry) = due.into_iter().next() else {
        return Ok(None);
    };
    // Deliver a contact's entries in order: skip this one while an older entry of the same
    // contact is being delivered elsewhere.
    let busy: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE contact_id = ?1 AND status = 'delivering')",
        [entry.contact_id],
        |r| r.get(0),
    )?;
    if busy {
        return Ok(None);
    }
    let n = tx.execute(
        "UPDATE outbox SET status = 'delivering', updated_at = ?2 WHERE id = ?1 AND status = 'pending'",
        params![entry.id, now],
    )?;
    tx.commit()?;
    Ok((n == 1).then_some(entry))
}

/// Delivers every due entry once; returns how many attempts were made.
pub async fn drain<A: CtctApi>(api: &A, store: &Store) -> Result<usize, StoreError> {
    drain_with(api, store, &WorkerOptions::default()).await
}

async fn drain_with<A: CtctApi>(
    api: &A,
    store: &Store,
    opts: &WorkerOptions,
) -> Result<usize, StoreError> {
    let mut conn = store.connect()?;
    {
        let tx = store::write_tx(&mut conn)?;
        reclaim_stale(&tx)?;
        tx.commit()?;
    }
    let mut attempts = 0;
    while let Some(entry) = claim_next(&mut conn)? {
        attempts += 1;
        let contact = crate::store::contacts::get(&conn, entry.contact_id)?;
        let (result, fx) = deliver(api, contact, &entry).await?;
        let tx = store::write_tx(&mut conn)?;
        match &result {
            Delivery::Delivered(outcome) => {
                apply_effects(&tx, entry.contact_id, &fx)?;
                outbox::mark_delivered(&tx, entry.id, outcome)?;
            }
            Delivery::Failed(reason) => {
                apply_effects(&tx, entry.contact_id, &fx)?;
                outbox::mark_failed(&tx, entry.id, reason)?;
            }
            Delivery::Retry(err) => {
                apply_effects(&tx, entry.contact_id, &fx)?;
                let at =
                    time::fmt_ms(Utc::now() + backoff_from(opts.backoff_base, entry.attempts, err));
                outbox::mark_retry(&tx, entry.id, &err.to_string(), &at)?;
            }
        }
        // Edits made while this entry was on its way are queued as a new entry; when this one
        // is done, merge it into nothing (coalescing happens on the pending entry).
        tx.commit()?;
        tracing::info!(
            entry = entry.id,
            kind = entry.kind.as_str(),
            ?result,
            "outbox delivery"
        );
        if let Delivery::Retry(_) = result {
            // Offline or throttled: the other due entries would fail the same way now.
            break;
        }
    }
    Ok(attempts)
}

/// A running outbox worker.
#[derive(Debug)]
pub struct WorkerHandle {
    nudge: Arc<Notify>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    /// Asks the worker to look at the outbox now (after a save in this process).
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// Stops the worker after the delivery in progress.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
}

/// The outbox worker.
pub struct Worker;

impl Worker {
    /// Starts a worker with a given client (tests, or sharing one client).
    pub fn spawn_with<A: CtctApi + 'static>(store: Store, api: Arc<A>) -> WorkerHandle {
        Worker::spawn_with_options(store, api, WorkerOptions::default())
    }

    pub fn spawn_with_options<A: CtctApi + 'static>(
        store: Store,
        api: Arc<A>,
        opts: WorkerOptions,
    ) -> WorkerHandle {
        let nudge = Arc::new(Notify::new());
        let cancel = CancellationToken::new();
        let (n, c) = (nudge.clone(), cancel.clone());
        let task = tokio::spawn(async move {
            loop {
                if c.is_cancelled() {
                    break;
                }
                if let Err(e) = drain_with(api.as_ref(), &store, &opts).await {
                    tracing::warn!("outbox: {e}");
                }
                tokio::select! {
                    _ = c.cancelled() => break,
                    _ = n.notified() => {}
                    _ = tokio::time::sleep(opts.poll) => {}
                }
            }
        });
        WorkerHandle {
            nudge,
            cancel,
            task,
        }
    }
}
