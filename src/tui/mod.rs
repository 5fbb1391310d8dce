//! The terminal UI: the only module that knows ratatui and crossterm.
//!
//! ```text
//!  terminal.rs   TerminalGuard: raw mode, alt screen, paste, mouse; restored exactly once
//!  runtime.rs    the event loop + App (active Screen, help overlay, too-small guard)
//!  screen.rs     the Screen trait and ScreenEvent
//!  action.rs     Action: every user intent        keymap.rs  the one key table
//!  effect.rs     Effect + Executor                worker.rs  read-only query thread, writer thread
//!  msg.rs        Msg/Reply into the loop          theme.rs   colours that work light and dark
//!  wizard/       the setup wizard (state machine, steps, views, OAuth glue)
//!  dashboard/    the dashboard (issue 7; a placeholder until then)
//!  widgets/      checklist, text field, help overlay, hint bar, text helpers
//! ```
//!
//! ## How to add a screen (or a dashboard tab)
//!
//! 1. Write a state struct and implement [`screen::Screen`] for it: `init` returns the first
//!    effects (usually an `Effect::Query`), `update(ScreenEvent) -> Vec<Effect>` never waits and
//!    never touches the store or the network, `render(area, buf, theme)` is pure (put an ASCII
//!    diagram of the region on it), `contexts()` says which key contexts are active and
//!    `animating()` is true only while a spinner moves.
//! 2. Add the keys to `keymap::BINDINGS` with a `Context` of your own (add the variant and its
//!    title): the help overlay and the hint bar pick them up. Printable keys never fire while a
//!    `Context::Text` field has focus.
//! 3. Reads: add a variant to `worker::Query` and its answer to `msg::Reply`, run it in
//!    `worker::run_query` (read-only connection, own thread). Keep a generation counter in your
//!    state, send `Effect::Query { generation, .. }`, and drop replies whose `generation` is not the latest.
//!    Writes: `Effect::Write(vec![WriteOp::..])` (add a `WriteOp` if needed); `Reply::Saved`
//!    follows, then re-query.
//! 4. Navigation: return `Effect::Navigate(Nav::..)`; add the destination to `effect::Nav` and
//!    build the screen in `runtime::App::make_screen`.
//! 5. Test it like the wizard: pure `update` tests, and insta snapshots of `render` into a
//!    `ratatui::backend::TestBackend` at 80×24 and 120×40 (see `tests/tui_snapshots.rs`);
//!    end-to-end with the pty harness in `tests/support/pty.rs`.

pub mod action;
pub mod dashboard;
pub mod effect;
pub mod keymap;
pub mod msg;
pub mod runtime;
pub mod screen;
pub mod terminal;
pub mod theme;
pub mod widgets;
pub mod wizard;
pub mod worker;

use std::collections::BTreeMap;
use std::io::IsTerminal;

use crate::paths::Paths;
use crate::store::Store;

/// What the UI needs from the command line.
#[derive(Debug, Clone)]
pub struct TuiContext {
    pub store: Store,
    pub paths: Paths,
    /// The CRM user running the UI (`--user`, default the OS user).
    pub user: String,
    pub options: TuiOptions,
}

#[derive(Clone, Default)]
pub struct TuiOptions {
    /// Never try to open a browser (the Authorize step offers the paste field).
    pub no_browser: bool,
    /// Values offered in the wizard's fields for keys not set yet (the demo passes the
    /// sandbox's URLs and credentials). Saved only when the admin confirms them.
    pub prefill: BTreeMap<String, String>,
    /// Opens the authorize URL instead of the system browser (the demo's terminal stand-in).
    pub opener: Option<crate::ctct::oauth::BrowserOpener>,
    /// Run the three jobs, one after another, the first time the dashboard opens (the demo).
    pub run_jobs_on_start: bool,
}

impl std::fmt::Debug for TuiOptions {
    // The prefill may hold the client secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TuiOptions")
            .field("no_browser", &self.no_browser)
            .field("prefill", &self.prefill.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Runs the UI: the wizard while setup is incomplete, else the dashboard. Returns the exit code.
/// Works inside a multi-thread tokio runtime (it blocks in place) or outside any runtime.
pub fn run(ctx: TuiContext) -> anyhow::Result<u8> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => tokio::task::block_in_place(|| handle.block_on(run_async(ctx))),
        Err(_) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(run_async(ctx)),
    }
}

/// The async form of [`run`], for callers already in a runtime.
pub async fn run_async(ctx: TuiContext) -> anyhow::Result<u8> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the terminal UI needs an interactive terminal; use a subcommand (see `ctctsync --help`) or run it in a terminal"
        );
    }
    runtime::run_loop(ctx).await
}
