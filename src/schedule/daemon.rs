//! The daemon loop: the three jobs on their schedules, "run now" and "cancel" asked for by a UI,
//! and the outbox worker — one daemon per store.
//!
//! ```text
//!  every second: renew lease (every 10 s) · due fires → queue · jobs.run_requested → queue
//!  runner task: queue → sync::run_job_with (one run at a time; a job is queued at most once)
//!  outbox worker: delivers pushes as they come
//!  shutdown (SIGTERM / ctrl-c): cancel the current run (it finishes its page, is recorded
//!  cancelled), stop the worker, release the lease
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use chrono_tz::Tz;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config;
use crate::store::jobs::{self, JobName};
use crate::store::{Store, StoreError, time};
use crate::sync::{self, CtctApi, Trigger};

use super::cron::{Schedule, parse_tz};
use super::fire;
use super::lock::{DaemonLock, LockError, RENEW_EVERY};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
}

/// Each job's schedule (None when the expression is invalid).
type JobSchedules = Vec<(JobName, Option<Schedule>)>;

/// The schedules as configured now (re-read every tick, so a change applies without a restart).
fn schedules(conn: &rusqlite::Connection) -> Result<(Tz, JobSchedules), DaemonError> {
    let tz_name = config::get(conn, "schedule.timezone")?.unwrap_or_else(|| "UTC".into());
    let tz = parse_tz(&tz_name).unwrap_or(Tz::UTC);
    let mut out = Vec::new();
    for job in JobName::ALL {
        let expr = config::get(conn, &format!("schedule.{job}"))?.unwrap_or_default();
        let sched = match Schedule::parse(&expr) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("{job} has no valid schedule ({e}); it runs only when asked");
                None
            }
        };
        out.push((job, sched));
    }
    Ok((tz, out))
}

fn job_enabled(conn: &rusqlite::Connection, job: JobName) -> Result<bool, DaemonError> {
    Ok(jobs::get(conn, job)?.enabled && config::get_bool(conn, sync::enabled_key(job))?)
}

#[derive(Default)]
struct Queue {
    items: Mutex<VecDeque<(JobName, Trigger)>>,
    notify: Notify,
}

impl Queue {
    fn push(&self, job: JobName, trigger: Trigger) {
        if let Ok(mut q) = self.items.lock()
            && !q.iter().any(|(j, _)| *j == job)
        {
            q.push_back((job, trigger));
        }
        self.notify.notify_one();
    }
    fn pop(&self) -> Option<(JobName, Trigger)> {
        self.items.lock().ok().and_then(|mut q| q.pop_front())
    }
}

/// Looks at the schedules and the UI's "run now" flags; queues what is due. `first` marks fires
/// found at start-up as missed.
fn tick(store: &Store, queue: &Queue, first: bool) -> Result<(), DaemonError> {
    let conn = store.connect()?;
    let (tz, scheds) = schedules(&conn)?;
    let now = Utc::now();
    for (job, sched) in scheds {
        let state = jobs::get(&conn, job)?;
        if state.run_requested {
            jobs::request_run(&conn, job, false)?;
            queue.push(job, Trigger::Manual);
        }
        let Some(sched) = sched else { continue };
        let last = state.last_fire_at.as_deref().and_then(time::parse);
        let Some(last) = last else {
            // First start for this store: fires count from now on.
            jobs::set_last_fire(&conn, job, &time::fmt(now))?;
            continue;
        };
        if let Some(at) = fire::due(&sched, tz, last, now) {
            jobs::set_last_fire(&conn, job, &time::fmt(now))?;
            if !job_enabled(&conn, job)? {
                tracing::info!("{job} is due ({at}) but switched off; skipped");
                continue;
            }
            let missed = first && now - at > chrono::Duration::seconds(60);
            queue.push(
                job,
                if missed {
                    Trigger::Missed
                } else {
                    Trigger::Schedule
                },
            );
        }
    }
    Ok(())
}

/// Runs the daemon until `shutdown` is cancelled. `api` serves the jobs, `push_api` the outbox
/// worker (separate clients keep each run's request count its own).
pub async fn run_with<A: CtctApi + 'static, P: CtctApi + 'static>(
    store: Store,
    api: Arc<A>,
    push_api: Arc<P>,
    shutdown: CancellationToken,
) -> Result<(), DaemonError> {
    let lock = DaemonLock::acquire(&store)?;
    tracing::info!("daemon started (pid {})", std::process::id());
    let worker = sync::outbox::Worker::spawn_with(store.clone(), push_api);
    let queue = Arc::new(Queue::default());
    let current = Arc::new(Mutex::new(CancellationToken::new()));

    let runner = {
        let (store, queue, current, shutdown) = (
            store.clone(),
            queue.clone(),
            current.clone(),
            shutdown.clone(),
        );
        tokio::spawn(async move {
            loop {
                while let Some((job, trigger)) = queue.pop() {
                    if shutdown.is_cancelled() {
                        return;
                    }
                    let token = CancellationToken::new();
                    if let Ok(mut c) = current.lock() {
                        *c = token.clone();
                    }
                    match sync::run_job_with(api.as_ref(), &store, job, trigger, token, None).await
                    {
                        Ok(o) => tracing::info!(
                            job = job.as_str(),
                            status = o.status.as_str(),
                            items = o.progress.items,
                            "run finished"
                        ),
                        Err(e) => tracing::warn!(job = job.as_str(), "run not started: {e}"),
                    }
                }
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = queue.notify.notified() => {}
                }
            }
        })
    };

    let mut first = true;
    let mut last_renew = tokio::time::Instant::now();
    let result = loop {
        if let Err(e) = tick(&store, &queue, first) {
            tracing::warn!("scheduler: {e}");
        }
        first = false;
        if last_renew.elapsed() >= RENEW_EVERY {
            last_renew = tokio::time::Instant::now();
            if let Err(e) = lock.renew() {
                tracing::error!("daemon lease lost: {e}");
                break Err(DaemonError::from(e));
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => break Ok(()),
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    };
    // Stop: the current run finishes its page and is recorded cancelled.
    shutdown.cancel();
    if let Ok(c) = current.lock() {
        c.cancel();
    }
    let _ = runner.await;
    worker.shutdown().await;
    if result.is_ok() {
        lock.release()?;
    }
    tracing::info!("daemon stopped");
    result
}
