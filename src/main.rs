//! The `ctctsync` binary: parse the command line, start logging, dispatch.

use std::process::ExitCode;

use clap::Parser;

use ctctsync::cli::{Cli, Command};
use ctctsync::cmd;
use ctctsync::logging::{self, Target};
use ctctsync::paths::Paths;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let paths = Paths::resolve(cli.data_dir.as_deref());
    // The demo logs into its own fresh data dir, so it starts logging itself.
    let log = match cli.command {
        Some(Command::Demo(_)) => None,
        Some(Command::Sandbox(_)) => Some(logging::init(&paths, Target::Stderr)),
        _ => Some(logging::init(&paths, Target::File)),
    };
    cmd::install_panic_hook(log.as_ref().and_then(|l| l.file.clone()));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(cmd::dispatch(cli, paths));
    drop(log);
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {}", cmd::describe_error(&err));
            ExitCode::from(cmd::exit_code(&err))
        }
    }
}
