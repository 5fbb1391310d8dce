//! Logging with `tracing`: to a daily-rotated file in the data dir (never to the terminal while the
//! TUI runs), or to stderr for the sandbox server. `RUST_LOG` overrides the level.

use std::path::PathBuf;

use std::io::{IsTerminal, Write};
use tracing_appender::non_blocking::WorkerGuard;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::paths::Paths;

pub enum Target {
    File,
    /// The file, and the client's warnings (retries, refusals) also on stderr, for one-shot
    /// commands that talk to Constant Contact: a user watching `ctctsync run` sees why it waits.
    FileAndWarnings,
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
        Target::File | Target::FileAndWarnings => {
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
            let file = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter);
            let console = matches!(target, Target::FileAndWarnings).then(|| {
                tracing_subscriber::fmt::layer()
                    .without_time()
                    .with_target(false)
                    .with_ansi(false)
                    .with_writer(FreshLine::maker())
                    // Only the client's retries and quota stop: the command prints its own
                    // outcome, and other warnings would repeat it.
                    .with_filter(EnvFilter::new("off,ctctsync::ctct::client=warn"))
            });
            let _ = tracing_subscriber::registry()
                .with(file)
                .with(console)
                .try_init();
            LogGuard {
                _guard: Some(guard),
                file: Some(paths.log_file_today()),
            }
        }
    }
}

/// Writes a console log line on a line of its own: on a terminal it first clears the live
/// progress line that `ctctsync run` keeps redrawing.
struct FreshLine {
    pending_clear: bool,
}

impl FreshLine {
    fn maker() -> impl for<'a> tracing_subscriber::fmt::MakeWriter<'a> {
        let tty = std::io::stderr().is_terminal();
        move || FreshLine { pending_clear: tty }
    }
}

impl Write for FreshLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut err = std::io::stderr().lock();
        if std::mem::take(&mut self.pending_clear) {
            err.write_all(b"\r\x1b[2K")?;
        }
        err.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
