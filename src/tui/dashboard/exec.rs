//! The dashboard's effects that are not plain reads or writes: running a job in this process,
//! refreshing one contact from Constant Contact, running the outbox worker, and timers.
//!
//! "Run now": when a live daemon holds the `daemon` lease the screen only sets
//! `jobs.run_requested` (a write) and the daemon runs it, so two processes never race for the
//! same job; otherwise the job runs here, in a tokio task, through `sync::run_job` with a
//! cancellation token. Either way the progress shown comes from the `job_runs` row that the
//! running process updates once a second, so a run started by the daemon or by `ctctsync run`
//! in another terminal looks exactly the same.
//!
//! ```text
//!  DashEffect::RunJob ──► tokio task: sync::run_job(store, job, Manual, token) ──► Reply JobEnded
//!  DashEffect::Cancel ──► token.cancel()   (the screen also writes jobs.cancel_requested)
//!  DashEffect::Refresh ─► tokio task: sync::refresh_contact ──► Reply Refreshed
//!  DashEffect::Wake ────► tokio sleep ──► Reply Wake (polls while a run is live; toasts)
//! ```

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::store::Store;
use crate::store::jobs::JobName;
use crate::sync;

use super::super::msg::{Msg, Reply};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashEffect {
    /// Run a job in this process.
    RunJob(JobName),
    /// Cancel a job this process runs (other processes see `jobs.cancel_requested`).
    Cancel(JobName),
    /// Re-download one contact's activities now (per-contact endpoint).
    Refresh { contact: i64 },
    /// Start the outbox worker if it is not running (needs the Constant Contact settings).
    StartOutbox,
    /// Deliver queued pushes now (after a save).
    NudgeOutbox,
    /// Send `DashEvent::Wake(tag)` after a delay.
    Wake { tag: u64, after: Duration },
}

/// What finished effects report back (inside `Reply::Dash`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashEvent {
    JobEnded {
        job: JobName,
        result: Result<String, String>,
    },
    Refreshed {
        contact: i64,
        result: Result<usize, String>,
    },
    Wake(u64),
    OutboxStarted(Result<(), String>),
}

pub struct DashExec {
    store: Store,
    tx: UnboundedSender<Msg>,
    running: HashMap<JobName, CancellationToken>,
    outbox: Option<sync::outbox::WorkerHandle>,
}

impl DashExec {
    pub fn new(store: Store, tx: UnboundedSender<Msg>) -> DashExec {
        DashExec {
            store,
            tx,
            running: HashMap::new(),
            outbox: None,
        }
    }

    fn send(tx: &UnboundedSender<Msg>, ev: DashEvent) {
        let _ = tx.send(Msg::Reply(Reply::DashEvent(ev)));
    }

    pub fn run(&mut self, effect: DashEffect) {
        match effect {
            DashEffect::RunJob(job) => {
                self.running.retain(|_, t| !t.is_cancelled());
                let token = CancellationToken::new();
                self.running.insert(job, token.clone());
                let (store, tx) = (self.store.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let result =
                        sync::run_job(&store, job, sync::Trigger::Manual, token.clone(), None)
                            .await
                            .map(|o| o.status.as_str().to_string())
                            .map_err(|e| e.to_string());
                    // The token also marks the run as over for `running`.
                    token.cancel();
                    Self::send(&tx, DashEvent::JobEnded { job, result });
                });
            }
            DashEffect::Cancel(job) => {
                if let Some(t) = self.running.remove(&job) {
                    t.cancel();
                }
            }
            DashEffect::Refresh { contact } => {
                let (store, tx) = (self.store.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let result = sync::refresh_contact(&store, contact)
                        .await
                        .map_err(|e| e.to_string());
                    Self::send(&tx, DashEvent::Refreshed { contact, result });
                });
            }
            DashEffect::StartOutbox => {
                if self.outbox.is_some() {
                    return;
                }
                let result = match sync::outbox::Worker::spawn(self.store.clone()) {
                    Ok(h) => {
                        self.outbox = Some(h);
                        Ok(())
                    }
                    Err(e) => Err(e.to_string()),
                };
                Self::send(&self.tx, DashEvent::OutboxStarted(result));
            }
            DashEffect::NudgeOutbox => match &self.outbox {
                Some(h) => h.nudge(),
                None => self.run(DashEffect::StartOutbox),
            },
            DashEffect::Wake { tag, after } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    Self::send(&tx, DashEvent::Wake(tag));
                });
            }
        }
    }
}
