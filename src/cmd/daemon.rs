//! `ctctsync daemon`: the scheduler (see `schedule::daemon`). Exit 0 after SIGTERM / ctrl-c, 2
//! when another daemon holds the store, 1 on other errors.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::cli::DaemonArgs;
use crate::schedule::daemon::{self, DaemonError};
use crate::schedule::lock::LockError;
use crate::sync;

use super::Ctx;
use super::run::cancel_on_signals;

pub async fn run(ctx: &Ctx, _args: DaemonArgs) -> anyhow::Result<u8> {
    let store = ctx.store()?;
    let jobs_api = Arc::new(sync::client_for(&store)?);
    let push_api = Arc::new(sync::client_for(&store)?);
    let shutdown = CancellationToken::new();
    cancel_on_signals(shutdown.clone());
    eprintln!(
        "ctctsync daemon: starting (pid {}); store {}; stop with ctrl-c or SIGTERM",
        std::process::id(),
        store.path().display()
    );
    match daemon::run_with(store, jobs_api, push_api, shutdown).await {
        Ok(()) => {
            eprintln!("ctctsync daemon: stopped");
            Ok(0)
        }
        Err(DaemonError::Lock(e @ LockError::Held { .. })) => {
            eprintln!("error: {e}");
            Ok(2)
        }
        Err(e) => Err(e.into()),
    }
}
