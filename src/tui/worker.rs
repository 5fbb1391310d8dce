//! The UI's database threads. Reads go through one read-only connection on its own thread
//! (`Store::connect_read_only`), so a slow query never stalls the event loop; each request carries
//! a generation id and the screen drops replies older than its latest request. Writes go through
//! one writer thread, in order, each batch in one `BEGIN IMMEDIATE` transaction.

use std::sync::mpsc;

use tokio::sync::mpsc::UnboundedSender;

use crate::store::jobs::JobName;
use crate::store::{self, Store};

use super::msg::{Msg, Reply};

/// What the UI can ask the store. The dashboard (issue 7) adds its queries here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Everything the wizard's checklist and steps show.
    Setup,
    /// The dashboard's reads (issue 7; see `dashboard::data`).
    Dash(super::dashboard::data::DashQuery),
}

/// One change to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    /// A configuration key (validated again by `config::set`).
    Config {
        key: String,
        value: String,
    },
    /// A raw setting (the wizard's own `wizard.*` progress keys).
    Setting {
        key: String,
        value: String,
    },
    UnsetSetting {
        key: String,
    },
    /// Add a CRM user (keeps an existing one's permission).
    User {
        username: String,
    },
    Permission {
        username: String,
        on: bool,
    },
    Layout {
        page: String,
        tab: String,
        on: bool,
    },
    JobEnabled {
        job: JobName,
        on: bool,
    },
    /// The dashboard's writes (issue 7; see `dashboard::data::DashWrite`).
    Dash(super::dashboard::data::DashWrite),
}

pub struct QueryWorker {
    tx: mpsc::Sender<(u64, Query)>,
}

impl QueryWorker {
    pub fn spawn(store: Store, out: UnboundedSender<Msg>) -> QueryWorker {
        let (tx, rx) = mpsc::channel::<(u64, Query)>();
        let spawned = std::thread::Builder::new()
            .name("tui-query".into())
            .spawn(move || {
                let conn = store.connect_read_only();
                while let Ok((generation, query)) = rx.recv() {
                    let reply = match &conn {
                        Ok(conn) => run_query(conn, generation, query),
                        Err(e) => {
                            error_reply(generation, query, format!("cannot read the store: {e}"))
                        }
                    };
                    if out.send(Msg::Reply(reply)).is_err() {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the query worker: {e}");
        }
        QueryWorker { tx }
    }

    pub fn send(&self, generation: u64, query: Query) {
        let _ = self.tx.send((generation, query));
    }
}

pub fn run_query(conn: &store::rusqlite::Connection, generation: u64, query: Query) -> Reply {
    match query {
        Query::Dash(q) => Reply::Dash {
            generation,
            result: super::dashboard::data::run(conn, q).map(Box::new),
        },
        Query::Setup => Reply::Setup {
            generation,
            result: super::wizard::steps::load(conn)
                .map(Box::new)
                .map_err(|e| format!("cannot read the setup state: {e}")),
        },
    }
}

fn error_reply(generation: u64, query: Query, message: String) -> Reply {
    match query {
        Query::Setup => Reply::Setup {
            generation,
            result: Err(message),
        },
        Query::Dash(_) => Reply::Dash {
            generation,
            result: Err(message),
        },
    }
}

pub struct Writer {
    tx: mpsc::Sender<Vec<WriteOp>>,
}

impl Writer {
    pub fn spawn(store: Store, out: UnboundedSender<Msg>) -> Writer {
        let (tx, rx) = mpsc::channel::<Vec<WriteOp>>();
        let spawned = std::thread::Builder::new()
            .name("tui-writer".into())
            .spawn(move || {
                let mut conn = store.connect();
                while let Ok(ops) = rx.recv() {
                    let result = match &mut conn {
                        Ok(conn) => apply(conn, &ops),
                        Err(e) => Err(format!("cannot open the store for writing: {e}")),
                    };
                    if let Err(e) = &result {
                        tracing::warn!("saving failed: {e}");
                    }
                    if out.send(Msg::Reply(Reply::Saved { result })).is_err() {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the writer: {e}");
        }
        Writer { tx }
    }

    pub fn send(&self, ops: Vec<WriteOp>) {
        let _ = self.tx.send(ops);
    }
}

pub fn apply(conn: &mut store::rusqlite::Connection, ops: &[WriteOp]) -> Result<(), String> {
    let tx = store::write_tx(conn).map_err(|e| format!("cannot save: {e}"))?;
    for op in ops {
        let r: Result<(), String> = match op {
            WriteOp::Config { key, value } => crate::config::set(&tx, key, value)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            WriteOp::Setting { key, value } => {
                store::settings::set(&tx, key, value).map_err(|e| e.to_string())
            }
            WriteOp::UnsetSetting { key } => {
                store::settings::unset(&tx, key).map_err(|e| e.to_string())
            }
            WriteOp::User { username } => {
                let exists = store::users::all(&tx)
                    .map_err(|e| e.to_string())?
                    .iter()
                    .any(|u| &u.username == username);
                if exists {
                    Ok(())
                } else {
                    store::users::upsert(&tx, username, username).map_err(|e| e.to_string())
                }
            }
            WriteOp::Permission { username, on } => {
                store::users::set_permission(&tx, username, *on).map_err(|e| e.to_string())
            }
            WriteOp::Layout { page, tab, on } => {
                store::layouts::set_visible(&tx, page, tab, *on).map_err(|e| e.to_string())
            }
            WriteOp::Dash(w) => super::dashboard::data::apply_write(&tx, w),
            WriteOp::JobEnabled { job, on } => {
                store::jobs::set_enabled(&tx, *job, *on).map_err(|e| e.to_string())
            }
        };
        r?;
    }
    tx.commit().map_err(|e| format!("cannot save: {e}"))
}
