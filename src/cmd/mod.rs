//! Command implementations behind the CLI. Each returns the process exit code on success;
//! errors map to 1 (operational) or 2 (usage / bad input, see [`UsageError`]).

pub mod auth;
pub mod config;
pub mod contacts;
pub mod daemon;
pub mod import;
pub mod run;
pub mod status;

use std::io::IsTerminal;
use std::io::Write as _;
use std::path::PathBuf;

use crate::cli::{Cli, Command};
use crate::paths::Paths;
use crate::store::Store;

/// Bad input or usage: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Everything a command needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub paths: Paths,
    /// The CRM user running the command (`--user`, default the OS user).
    pub user: String,
}

impl Ctx {
    pub fn store(&self) -> anyhow::Result<Store> {
        Ok(Store::open(self.paths.db_file())?)
    }
}

pub fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "admin".to_string())
}

pub async fn dispatch(cli: Cli, paths: Paths) -> anyhow::Result<u8> {
    let ctx = Ctx {
        paths,
        user: cli.user.clone().unwrap_or_else(os_user),
    };
    match cli.command {
        None => {
            crate::tui::run_async(crate::tui::TuiContext {
                store: ctx.store()?,
                paths: ctx.paths.clone(),
                user: ctx.user.clone(),
                options: crate::tui::TuiOptions::default(),
            })
            .await
        }
        Some(Command::Demo(a)) => {
            crate::demo::run(crate::demo::DemoOptions {
                keep: a.keep,
                no_browser: a.no_browser,
                user: ctx.user.clone(),
            })
            .await
        }
        Some(Command::Sandbox(a)) => crate::sandbox::run_cli(a).await.map(|()| 0),
        Some(Command::Auth(c)) => auth::run(&ctx, c).await,
        Some(Command::Run(a)) => run::run(&ctx, a).await,
        Some(Command::Daemon(a)) => daemon::run(&ctx, a).await,
        Some(Command::Status(a)) => status::run(&ctx, a.json),
        Some(Command::Import(c)) => import::run(&ctx, c),
        Some(Command::Contacts(c)) => contacts::run(&ctx, c).await,
        Some(Command::Config(c)) => config::run(&ctx, c),
    }
}

pub fn exit_code(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<UsageError>().is_some()
        || err
            .downcast_ref::<crate::config::ConfigError>()
            .is_some_and(|e| {
                matches!(
                    e,
                    crate::config::ConfigError::UnknownKey(_)
                        | crate::config::ConfigError::Invalid { .. }
                )
            })
    {
        2
    } else {
        1
    }
}

/// The error and its causes on one line each, without duplicates.
pub fn describe_error(err: &anyhow::Error) -> String {
    let mut out = err.to_string();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str("\n  caused by: ");
            out.push_str(&c);
        }
    }
    out
}

/// On a panic: leave the terminal usable (the TUI's guard restores raw mode and the alternate
/// screen in its own hook first), then say where the log is.
pub fn install_panic_hook(log_file: Option<PathBuf>) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // `println!` panics when the output cannot be written (a full disk, a closed terminal):
        // that is an operational failure to report, not a crash.
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or("");
        if let Some(what) = message.strip_prefix("failed printing to ") {
            tracing::error!("output failed: {what}");
            let _ = writeln!(std::io::stderr(), "error: cannot write to {what}");
            std::process::exit(1);
        }
        previous(info);
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!("panic: {info}\n{backtrace}");
        if std::io::stderr().is_terminal() {
            match &log_file {
                Some(f) => eprintln!(
                    "ctctsync stopped unexpectedly. Details are in the log: {}",
                    f.display()
                ),
                None => eprintln!("ctctsync stopped unexpectedly."),
            }
        }
    }));
}

/// Reads a value from standard input (for `config set KEY -`): the first line, without its newline.
pub fn read_stdin_value() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// 1 → "1 request", 7 → "7 requests".
pub(crate) fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
