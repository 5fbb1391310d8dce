//! Messages into the event loop from outside the key/mouse stream: database replies, finished
//! effects, signals. Each carries what the screen needs to decide whether it is still current
//! (generation ids, probe run ids).

use crate::ctct::reachability::ProbeReport;

use super::wizard::oauth::LoginEvent;
use super::wizard::steps::SetupSnapshot;

#[derive(Debug)]
pub enum Msg {
    /// A reply for the active screen.
    Reply(Reply),
    /// SIGTERM / SIGHUP: leave cleanly (the terminal guard restores the terminal).
    Terminate,
}

#[derive(Debug)]
pub enum Reply {
    /// The setup state read from the store; `generation` is the request's generation id.
    Setup {
        generation: u64,
        result: Result<Box<SetupSnapshot>, String>,
    },
    /// A write finished (the screen re-reads what it shows).
    Saved { result: Result<(), String> },
    /// One reachability check finished.
    Probe {
        run: u64,
        target: usize,
        report: ProbeReport,
    },
    /// Progress of an authorization.
    Login(LoginEvent),
    /// A dashboard read (issue 7); `generation` is the request's generation id.
    Dash {
        generation: u64,
        result: Result<Box<super::dashboard::data::DashData>, String>,
    },
    /// A dashboard effect finished (job run ended, contact refreshed, timer).
    DashEvent(super::dashboard::exec::DashEvent),
}
