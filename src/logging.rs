//! Logging with `tracing`: to a daily-rotated file in the data dir (never to the terminal while the
//! TUI runs), or to stderr for the sandbox server. `RUST_LOG` overrides the level.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::paths::Paths;

pub enum Target {
    File,
    Stderr,
}

/// Keeps the non-blocking writer alive; drop it at exit to flush.
pub struct LogGuard {
    _guard: Option<WorkerGuard>,
    pub file: Option<PathBuf>,
}

pub fn init(paths: &Paths, target: Target) -> LogGuard {
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,hyper=warn,reqwest=warn,rustls=warn,h2=warn"));
    match target {
        Target::Stderr => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_writer(std::io::stderr)
                .try_init();
            LogGuard {
                _guard: None,
                file: None,
            }
        }
        Target::File => {
            let dir = paths.log_dir();
            if std::fs::create_dir_all(&dir).is_err() {
                return LogGuard {
                    _guard: None,
                    file: None,
                };
            }
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("ctctsync.log")
                .max_log_files(14)
                .build(&dir);
            let Ok(appender) = appender else {
                return LogGuard {
                    _guard: None,
                    file: None,
                };
            };
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(writer)
                .try_init();
            LogGuard {
                _guard: Some(guard),
                file: Some(paths.log_file_today()),
            }
        }
    }
}
