//! Job-run bookkeeping: the run row (start, progress, finish), the once-a-second heartbeat that
//! other processes read, the summary counters, and cancellation.
//!
//! A run row is started inside one `BEGIN IMMEDIATE` transaction that first retires runs of the
//! same job whose process is gone (killed with SIGKILL, crashed) or whose heartbeat went stale, so
//! two runs of one job never overlap and a dead run never blocks the next one.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::params;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::store::jobs::{self, JobName, Progress, RunStatus};
use crate::store::leases::pid_alive;
use crate::store::{self, Store, StoreError};

use super::SyncError;

/// A run whose heartbeat is older than this is taken to be dead.
pub const STALE_AFTER_SECS: i64 = 20;

/// What started a run (stored in `job_runs.trigger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    /// A fire missed while the daemon was down, run at its start.
    Missed,
    /// "Run now" from the UI.
    Manual,
    /// `ctctsync run`.
    Cli,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Missed => "missed",
            Trigger::Manual => "manual",
            Trigger::Cli => "cli",
        }
    }
}

/// The run's summary counters (stored as JSON in `job_runs.summary`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub linked: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub failed: i64,
    /// Problems worth a person's attention (e.g. two CRM contacts with one email), in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What a progress watcher sees (the TUI keeps only the latest).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub run_id: i64,
    pub job: Option<JobName>,
    pub progress: Progress,
    pub summary: Summary,
    pub finished: Option<RunStatus>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    pub run_id: i64,
    pub job: JobName,
    pub status: RunStatus,
    pub progress: Progress,
    pub summary: Summary,
    pub error: Option<String>,
}

#[derive(Debug, Default)]
struct Shared {
    progress: Progress,
    summary: Summary,
}

/// The live state of one run, shared by the job and its heartbeat thread.
#[derive(Debug, Clone)]
pub struct Tracker {
    pub run_id: i64,
    pub job: JobName,
    shared: Arc<Mutex<Shared>>,
    pub cancel: CancellationToken,
    /// The client's request count when the run started (runs may share one client).
    requests_base: Arc<AtomicU64>,
}

impl Tracker {
    /// Changes progress and summary together.
    pub fn update(&self, f: impl FnOnce(&mut Progress, &mut Summary)) {
        if let Ok(mut s) = self.shared.lock() {
            let s = &mut *s;
            f(&mut s.progress, &mut s.summary);
        }
    }

    pub fn set_phase(&self, phase: impl Into<String>) {
        let phase = phase.into();
        self.update(|p, _| p.phase = Some(phase));
    }

    pub fn snapshot(&self) -> (Progress, Summary) {
        match self.shared.lock() {
            Ok(s) => (s.progress.clone(), s.summary.clone()),
            Err(_) => (Progress::default(), Summary::default()),
        }
    }

    /// Sets the run's base for counting API requests from the client's running total.
    pub fn set_requests_base(&self, total: u64) {
        self.requests_base.store(total, Ordering::SeqCst);
    }

    /// Records the client's running request total as this run's "API requests".
    pub fn note_requests(&self, total: u64) {
        let n = total.saturating_sub(self.requests_base.load(Ordering::SeqCst));
        self.update(|p, _| p.api_requests = i64::try_from(n).unwrap_or(i64::MAX));
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// Marks dead runs of `job` failed: the process that ran them no longer exists on this machine.
fn retire_dead_runs(conn: &rusqlite::Connection, job: JobName) -> Result<(), StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, pid FROM job_runs WHERE job = ?1 AND status = 'running'")?;
    let rows: Vec<(i64, Option<i64>)> = stmt
        .query_map([job.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, pid) in rows {
        let own = pid == Some(i64::from(std::process::id()));
        if !own && !pid.is_some_and(pid_alive) {
            conn.execute(
                "UPDATE job_runs SET status = 'failed', ended_at = heartbeat_at,
                   error = 'the process running it stopped unexpectedly; the next run resumed where it stopped'
                 WHERE id = ?1 AND status = 'running'",
                params![id],
            )?;
        }
    }
    Ok(())
}

/// A started run: its tracker and the heartbeat thread writing progress once a second.
pub struct ActiveRun {
    pub tracker: Tracker,
    store: Store,
    stop: Arc<AtomicBool>,
    heartbeat: Option<std::thread::JoinHandle<()>>,
    watch: Option<watch::Sender<Snapshot>>,
}

impl ActiveRun {
    /// Starts the run row (or fails with [`SyncError::AlreadyRunning`]).
    pub fn start(
        store: &Store,
        job: JobName,
        trigger: Trigger,
        cancel: CancellationToken,
        watch: Option<watch::Sender<Snapshot>>,
    ) -> Result<ActiveRun, SyncError> {
        let mut conn = store.connect()?;
        let tx = store::write_tx(&mut conn)?;
        retire_dead_runs(&tx, job)?;
        let run = match jobs::start_run(&tx, job, trigger.as_str(), STALE_AFTER_SECS) {
            Ok(r) => r,
            Err(StoreError::Invalid(msg)) => return Err(SyncError::AlreadyRunning(msg)),
            Err(e) => return Err(e.into()),
        };
        jobs::request_cancel(&tx, job, false)?;
        jobs::request_run(&tx, job, false)?;
        tx.commit().map_err(StoreError::from)?;
        let tracker = Tracker {
            run_id: run.id,
            job,
            shared: Arc::default(),
            cancel,
            requests_base: Arc::default(),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let heartbeat =
            spawn_heartbeat(store.clone(), tracker.clone(), stop.clone(), watch.clone());
        Ok(ActiveRun {
            tracker,
            store: store.clone(),
            stop,
            heartbeat,
            watch,
        })
    }

    /// Records the end of the run and stops the heartbeat.
    pub fn finish(mut self, result: Result<(), SyncError>) -> Result<RunOutcome, SyncError> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.heartbeat.take() {
            let _ = h.join();
        }
        let (progress, summary) = self.tracker.snapshot();
        let (status, error) = match &result {
            Ok(()) => (RunStatus::Succeeded, None),
            Err(SyncError::Cancelled) => (RunStatus::Cancelled, Some("cancelled".to_string())),
            Err(e) => (RunStatus::Failed, Some(e.to_string())),
        };
        let summary_json = serde_json::to_value(&summary).ok();
        let conn = self.store.connect()?;
        jobs::finish_run(
            &conn,
            self.tracker.run_id,
            status,
            &progress,
            summary_json.as_ref(),
            error.as_deref(),
        )?;
        let _ = jobs::request_cancel(&conn, self.tracker.job, false);
        if let Some(w) = &self.watch {
            w.send_replace(Snapshot {
                run_id: self.tracker.run_id,
                job: Some(self.tracker.job),
                progress: progress.clone(),
                summary: summary.clone(),
                finished: Some(status),
            });
        }
        Ok(RunOutcome {
            run_id: self.tracker.run_id,
            job: self.tracker.job,
            status,
            progress,
            summary,
            error,
        })
    }
}

impl Drop for ActiveRun {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Once a second: write progress (the heartbeat) so other processes can read it, publish it to a
/// watcher, and pick up a cancel asked for by another process (`jobs.cancel_requested`).
fn spawn_heartbeat(
    store: Store,
    tracker: Tracker,
    stop: Arc<AtomicBool>,
    watch: Option<watch::Sender<Snapshot>>,
) -> Option<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("heartbeat-{}", tracker.job))
        .spawn(move || {
            let conn = match store.connect() {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("progress of run {} cannot be written: {e}", tracker.run_id);
                    return;
                }
            };
            // Tiny writes: leave WAL checkpoints to the job's own connection.
            let _ = conn.pragma_update(None, "wal_autocheckpoint", 0);
            let mut last_write = std::time::Instant::now() - Duration::from_secs(2);
            let mut last_sent = Snapshot::default();
            while !stop.load(Ordering::SeqCst) {
                let (progress, summary) = tracker.snapshot();
                if let Some(w) = &watch {
                    let snap = Snapshot {
                        run_id: tracker.run_id,
                        job: Some(tracker.job),
                        progress: progress.clone(),
                        summary,
                        finished: None,
                    };
                    if snap != last_sent {
                        w.send_replace(snap.clone());
                        last_sent = snap;
                    }
                }
                if last_write.elapsed() >= Duration::from_millis(900) {
                    last_write = std::time::Instant::now();
                    if let Err(e) = jobs::update_progress(&conn, tracker.run_id, &progress) {
                        tracing::warn!("progress of run {}: {e}", tracker.run_id);
                    }
                    if jobs::get(&conn, tracker.job).is_ok_and(|j| j.cancel_requested) {
                        tracker.cancel.cancel();
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
        .ok()
}
