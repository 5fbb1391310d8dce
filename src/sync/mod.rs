//! The sync engine: the three jobs, the push outbox and events. Uses `store` and `ctct` only;
//! knows nothing of the terminal.
//!
//! ```text
//!  run_job(store, job, trigger, cancel, progress) ─► run::ActiveRun (run row, heartbeat 1/s)
//!        │
//!        ├─ lists.rs       synccontactlists
//!        ├─ contacts.rs    synccontacts (cache, subscription state, link by email)
//!        └─ activities.rs  syncactivities (campaign reports; per-contact refresh/fallback)
//!                 └─ events.rs (strongest action per contact and campaign email)
//!  outbox::Worker ─► push.rs (deliver one entry: GET-merge-PUT, create, add/remove list)
//!  api.rs: the CtctApi trait the jobs are written against; ctct_adapter.rs implements it.
//! ```
//!
//! Library API for the daemon and the TUI: [`run_job`] / [`run_job_with`], [`refresh_contact`],
//! [`outbox::Worker::spawn`], [`request_add_to_list`], [`request_remove_from_list`].

pub mod activities;
pub mod api;
pub mod contacts;
mod ctct_adapter;
pub mod events;
pub mod lists;
pub mod outbox;
pub mod push;
pub mod run;

use rusqlite::Connection;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::config::{self, ConfigError};
use crate::store::jobs::JobName;
use crate::store::{self, Store, StoreError, outbox as ob};

pub use api::{ApiError, CtctApi};
pub use ctct_adapter::{client_for, refresh_contact, run_job};
pub use run::{RunOutcome, Snapshot, Summary, Tracker, Trigger};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cancelled")]
    Cancelled,
    #[error("{0}; wait for it to finish or cancel it first")]
    AlreadyRunning(String),
    #[error(
        "contact {0} is not linked to Constant Contact yet: run `ctctsync run synccontacts` or add it to a list first"
    )]
    NotLinked(i64),
    #[error("{0}")]
    Setup(String),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(StoreError::Sql(e))
    }
}

/// Stops a job between pages when cancellation was asked for.
pub(crate) fn check_cancel(t: &Tracker) -> Result<(), SyncError> {
    if t.is_cancelled() {
        Err(SyncError::Cancelled)
    } else {
        Ok(())
    }
}

/// The CRM contact linked to a Constant Contact id.
pub(crate) fn contact_id_of(conn: &Connection, ctct_id: &str) -> Result<Option<i64>, StoreError> {
    Ok(store::contacts::get_by_ctct_id(conn, ctct_id)?.map(|c| c.id))
}

/// The setting that switches a job on (SPEC §4 step 6).
pub fn enabled_key(job: JobName) -> &'static str {
    match job {
        JobName::Synccontactlists => "sync.lists_enabled",
        JobName::Synccontacts => "sync.contacts_enabled",
        JobName::Syncactivities => "sync.activities_enabled",
    }
}

/// Runs one job with a given client: records the run (status, progress at least once a second,
/// summary, error in words) and returns how it ended. Fails only when the run could not start
/// (another run of the job is live, or the store cannot be opened); a job that fails is an
/// `Ok(RunOutcome)` with status failed.
pub async fn run_job_with<A: CtctApi>(
    api: &A,
    store: &Store,
    job: JobName,
    trigger: Trigger,
    cancel: CancellationToken,
    progress: Option<watch::Sender<Snapshot>>,
) -> Result<RunOutcome, SyncError> {
    let active = run::ActiveRun::start(store, job, trigger, cancel, progress)?;
    active.tracker.set_requests_base(api.requests_sent());
    let t = active.tracker.clone();
    let result = async {
        let mut conn = store.connect()?;
        match job {
            JobName::Synccontactlists => lists::run(api, &mut conn, &t).await,
            JobName::Synccontacts => contacts::run(api, &mut conn, &t).await,
            JobName::Syncactivities => activities::run(api, &mut conn, &t).await,
        }
    }
    .await;
    t.note_requests(api.requests_sent());
    if let Err(e) = &result {
        tracing::warn!(job = job.as_str(), "run failed: {e}");
    }
    active.finish(result)
}

/// Refreshes one contact's interactions from the per-contact endpoint (for
/// `ctctsync contacts show --refresh`); returns how many new interactions were stored.
pub async fn refresh_contact_with<A: CtctApi>(
    api: &A,
    store: &Store,
    contact_id: i64,
) -> Result<usize, SyncError> {
    let mut conn = store.connect()?;
    activities::refresh_contact(api, &mut conn, contact_id).await
}

/// Asks for `contact_id` to be added to a list: the membership is `pending_add` and the push is
/// queued, in one transaction. Returns the outbox entry id.
pub fn request_add_to_list(
    conn: &mut Connection,
    contact_id: i64,
    list_id: &str,
) -> Result<i64, StoreError> {
    let tx = store::write_tx(conn)?;
    let id = store::lists::request_membership_change(&tx, contact_id, list_id, true)?;
    tx.commit()?;
    Ok(id)
}

/// Asks for `contact_id` to be removed from a list (membership `pending_remove` + outbox entry).
pub fn request_remove_from_list(
    conn: &mut Connection,
    contact_id: i64,
    list_id: &str,
) -> Result<i64, StoreError> {
    let tx = store::write_tx(conn)?;
    let id = store::lists::request_membership_change(&tx, contact_id, list_id, false)?;
    tx.commit()?;
    Ok(id)
}

/// Whether edits are pushed on save (the "CTCT Contact List Membership" trigger, on by default).
pub fn trigger_enabled(conn: &Connection) -> Result<bool, ConfigError> {
    config::get_bool(conn, "sync.trigger_enabled")
}

/// Counts of undelivered pushes: (pending, failed).
pub fn outbox_counts(conn: &Connection) -> Result<(i64, i64), StoreError> {
    ob::counts(conn)
}
