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
    let target = match cli.command {
        Some(Command::Sandbox(_)) => Target::Stderr,
        _ => Target::File,
    };
    let log = logging::init(&paths, target);
    cmd::install_panic_hook(log.file.clone());
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
