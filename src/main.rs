//! The `ctctsync` binary: parse the command line, start logging, dispatch.

use std::process::ExitCode;

use clap::Parser;

use ctctsync::cli::{Cli, Command};
use ctctsync::cmd;
use ctctsync::logging::{self, Target};
use ctctsync::paths::Paths;

fn main() -> ExitCode {
    keep_new_files_private();
    let cli = Cli::parse();
    let paths = Paths::resolve(cli.data_dir.as_deref());
    // The demo logs into its own fresh data dir, so it starts logging itself.
    let log = match cli.command {
        Some(Command::Demo(_)) => None,
        Some(Command::Sandbox(_)) => Some(logging::init(&paths, Target::Stderr)),
        Some(Command::Run(_) | Command::Contacts(_) | Command::Auth(_)) => {
            Some(logging::init(&paths, Target::FileAndWarnings))
        }
        _ => Some(logging::init(&paths, Target::File)),
    };
    cmd::install_panic_hook(log.as_ref().and_then(|l| l.file.clone()));
    if matches!(
        cli.command,
        Some(
            Command::Status(_)
                | Command::Contacts(_)
                | Command::Config(_)
                | Command::Import(_)
                | Command::Auth(_)
        )
    ) {
        end_quietly_on_a_closed_pipe();
    }
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

/// Commands that print listings end quietly when their reader goes away (`ctctsync contacts list |
/// head`), as command-line tools do, instead of panicking in `println!`: Rust ignores SIGPIPE, so
/// its default action is restored for them. The TUI, the daemon, `run` and the sandbox keep
/// ignoring it: they must finish their work (sockets never raise it: writes use MSG_NOSIGNAL).
fn end_quietly_on_a_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once on the main thread before any other thread exists; setting a signal's
    // disposition to SIG_DFL has no other effect on the program's state.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Everything ctctsync creates (the data dir, the store, logs that name contacts, CSV exports) is
/// readable by its owner only.
fn keep_new_files_private() {
    #[cfg(unix)]
    // SAFETY: umask only changes the mode of files created from now on.
    unsafe {
        libc::umask(0o077);
    }
}
