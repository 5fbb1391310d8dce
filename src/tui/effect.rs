//! Effects: slow or outside-world work that `update` asks for instead of doing. `update` returns
//! `Vec<Effect>`; the runtime hands each to the [`Executor`] (or handles navigation, copying
//! and quitting itself), and results come back as [`Msg`]s. Nothing here runs on the draw path.
//!
//! ```text
//!  update ──Effect──► Executor ─┬─ Query ─► query worker thread (read-only SQLite) ─┐
//!                               ├─ Write ─► writer thread (BEGIN IMMEDIATE)  ───────┤
//!                               ├─ Probe ─► tokio tasks (DNS/TLS/HTTP), concurrent ──┼─► Msg ─► loop
//!                               └─ Login ─► wizard::oauth driver task ───────────────┘
//! ```

use tokio::sync::mpsc::UnboundedSender;

use crate::store::Store;
use crate::store::jobs::JobName;

use super::msg::{Msg, Reply};
use super::wizard::oauth::{LoginCmd, LoginDriver};
use super::wizard::steps::StepId;
use super::worker::{Query, QueryWorker, WriteOp, Writer};

/// Where to go next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    /// The wizard at a step (None = where it was left); `from_settings` returns to the
    /// dashboard when done.
    Wizard {
        step: Option<StepId>,
        from_settings: bool,
    },
    Dashboard,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Read from the store on the query worker; the reply carries `generation`.
    Query { generation: u64, query: Query },
    /// Write in one transaction on the writer thread; replies `Reply::Saved`.
    Write(Vec<WriteOp>),
    /// Check the reachability of each URL concurrently; one `Reply::Probe` per target.
    Probe { run: u64, targets: Vec<String> },
    /// Start, feed or cancel an authorization.
    Login(LoginCmd),
    /// Put text on the clipboard with OSC 52 (handled by the runtime: it owns the terminal).
    Copy(String),
    /// Switch screens (handled by the runtime).
    Navigate(Nav),
    /// Leave the program (handled by the runtime).
    Quit,
    /// The dashboard's own effects: run a job here, refresh a contact, outbox worker, timers.
    Dash(super::dashboard::exec::DashEffect),
}

impl Effect {
    pub fn set_config(key: &str, value: &str) -> Effect {
        Effect::Write(vec![WriteOp::Config {
            key: key.to_string(),
            value: value.to_string(),
        }])
    }
    pub fn set_setting(key: &str, value: &str) -> Effect {
        Effect::Write(vec![WriteOp::Setting {
            key: key.to_string(),
            value: value.to_string(),
        }])
    }
    pub fn job_enabled(job: JobName, on: bool) -> Effect {
        Effect::Write(vec![WriteOp::JobEnabled { job, on }])
    }
}

/// Runs effects off the event loop. Owns the database threads and the login driver.
pub struct Executor {
    tx: UnboundedSender<Msg>,
    queries: QueryWorker,
    writer: Writer,
    login: LoginDriver,
    dash: super::dashboard::exec::DashExec,
}

impl Executor {
    pub fn new(
        store: Store,
        tx: UnboundedSender<Msg>,
        login: crate::ctct::oauth::LoginOptions,
    ) -> Executor {
        Executor {
            queries: QueryWorker::spawn(store.clone(), tx.clone()),
            writer: Writer::spawn(store.clone(), tx.clone()),
            dash: super::dashboard::exec::DashExec::new(store.clone(), tx.clone()),
            login: LoginDriver::new(store, tx.clone(), login),
            tx,
        }
    }

    /// Starts an effect; never blocks. Navigation, copy and quit are the runtime's and are
    /// ignored here.
    pub fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Query { generation, query } => self.queries.send(generation, query),
            Effect::Write(ops) => self.writer.send(ops),
            Effect::Probe { run, targets } => {
                for (target, url) in targets.into_iter().enumerate() {
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let report = crate::ctct::reachability::probe(&url).await;
                        let _ = tx.send(Msg::Reply(Reply::Probe {
                            run,
                            target,
                            report,
                        }));
                    });
                }
            }
            Effect::Login(cmd) => self.login.handle(cmd),
            Effect::Dash(e) => self.dash.run(e),
            Effect::Copy(_) | Effect::Navigate(_) | Effect::Quit => {}
        }
    }
}
