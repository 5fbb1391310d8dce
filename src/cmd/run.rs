//! `ctctsync run JOB|all`: one job (or the three in order) in the foreground, with a progress line
//! on stderr. Exit 0 when every run succeeded, 1 otherwise; ctrl-c / SIGTERM cancels after the
//! current page and records the run as cancelled.

use std::io::{IsTerminal, Write};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::cli::{JobArg, RunArgs};
use crate::store::jobs::{JobName, RunStatus};
use crate::sync::{self, Snapshot, Trigger};

use super::Ctx;

fn jobs_of(arg: JobArg) -> Vec<JobName> {
    match arg {
        JobArg::Synccontactlists => vec![JobName::Synccontactlists],
        JobArg::Synccontacts => vec![JobName::Synccontacts],
        JobArg::Syncactivities => vec![JobName::Syncactivities],
        JobArg::All => JobName::ALL.to_vec(),
    }
}

/// Cancels `token` on ctrl-c or SIGTERM.
pub fn cancel_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut term = match signal(SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    token.cancel();
                    return;
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        token.cancel();
    });
}

fn line(s: &Snapshot) -> String {
    let p = &s.progress;
    let pct = (p.progress * 100.0).round();
    format!(
        "{}: {pct:>3}%  {}  {}  {}",
        s.job.map(|j| j.as_str()).unwrap_or(""),
        super::count(p.items, "item", "items"),
        super::count(p.api_requests, "API request", "API requests"),
        p.phase.as_deref().unwrap_or("")
    )
}

pub async fn run(ctx: &Ctx, args: RunArgs) -> anyhow::Result<u8> {
    let store = ctx.store()?;
    let cancel = CancellationToken::new();
    cancel_on_signals(cancel.clone());
    let tty = std::io::stderr().is_terminal();
    let mut all_ok = true;
    for job in jobs_of(args.job) {
        if cancel.is_cancelled() {
            break;
        }
        let (tx, mut rx) = watch::channel(Snapshot::default());
        let printer = tokio::spawn(async move {
            let mut last = String::new();
            let mut printed = std::time::Instant::now() - std::time::Duration::from_secs(5);
            while rx.changed().await.is_ok() {
                let s = rx.borrow_and_update().clone();
                if s.finished.is_some() {
                    break;
                }
                let l = line(&s);
                // A terminal gets a live line; a log file one line a second at most.
                let due = tty || printed.elapsed() >= std::time::Duration::from_secs(1);
                if l != last && due {
                    printed = std::time::Instant::now();
                    let mut err = std::io::stderr();
                    if tty {
                        let _ = write!(err, "\r\x1b[2K{l}");
                    } else {
                        let _ = writeln!(err, "{l}");
                    }
                    let _ = err.flush();
                    last = l;
                }
            }
        });
        let outcome =
            sync::run_job(&store, job, Trigger::Cli, cancel.child_token(), Some(tx)).await;
        let _ = printer.await;
        if tty {
            eprint!("\r\x1b[2K");
        }
        match outcome {
            Ok(o) => {
                let s = &o.summary;
                eprintln!(
                    "{job}: {} — {}, {}; linked {}, created {}, updated {}, skipped {}, failed {}",
                    o.status.as_str(),
                    super::count(o.progress.items, "item", "items"),
                    super::count(o.progress.api_requests, "API request", "API requests"),
                    s.linked,
                    s.created,
                    s.updated,
                    s.skipped,
                    s.failed
                );
                for n in &s.notes {
                    eprintln!("  note: {n}");
                }
                if let Some(e) = o
                    .error
                    .as_ref()
                    .filter(|_| o.status != RunStatus::Cancelled)
                {
                    eprintln!("  error: {e}");
                }
                if o.status != RunStatus::Succeeded {
                    all_ok = false;
                }
            }
            Err(e) => {
                eprintln!("{job}: not started: {e}");
                all_ok = false;
            }
        }
    }
    Ok(if all_ok { 0 } else { 1 })
}
