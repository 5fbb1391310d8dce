//! One daemon per store: the `daemon` lease in `store::leases`. A second daemon is refused with a
//! clear message; the lease of a daemon that crashed (its pid is gone, or it stopped renewing) is
//! taken over.

use crate::store::{self, Store, StoreError, leases};

pub const LEASE: &str = "daemon";
/// The lease lapses this long after the last renewal.
pub const TTL_SECS: i64 = 30;
/// How often a running daemon renews.
pub const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another ctctsync daemon is already running for this store (pid {pid}, since {since}); stop it first (e.g. `systemctl --user stop ctctsync`) or give this one another --data-dir"
    )]
    Held { pid: i64, since: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The held daemon lease; released on [`DaemonLock::release`] (or lapses when the process dies).
#[derive(Debug)]
pub struct DaemonLock {
    store: Store,
    holder: String,
}

impl DaemonLock {
    pub fn acquire(store: &Store) -> Result<DaemonLock, LockError> {
        let holder = leases::new_holder();
        let mut conn = store.connect()?;
        let tx = store::write_tx(&mut conn)?;
        if let Some(cur) = leases::try_acquire(&tx, LEASE, &holder, TTL_SECS)? {
            return Err(LockError::Held {
                pid: cur.pid,
                since: cur.acquired_at,
            });
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(DaemonLock {
            store: store.clone(),
            holder,
        })
    }

    /// Extends the lease. An error means the lease was lost (another daemon took it over after
    /// this one stalled for longer than the TTL): the caller must stop.
    pub fn renew(&self) -> Result<(), LockError> {
        let mut conn = self.store.connect()?;
        let tx = store::write_tx(&mut conn)?;
        if let Some(cur) = leases::try_acquire(&tx, LEASE, &self.holder, TTL_SECS)? {
            return Err(LockError::Held {
                pid: cur.pid,
                since: cur.acquired_at,
            });
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    pub fn release(self) -> Result<(), LockError> {
        let conn = self.store.connect()?;
        leases::release(&conn, LEASE, &self.holder)?;
        Ok(())
    }
}
