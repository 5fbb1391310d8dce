//! The terminal guard: raw mode, the alternate screen, bracketed paste and mouse capture are
//! switched on by [`TerminalGuard::enter`] and restored exactly once — when the guard drops
//! (normal exit, error, ctrl-c, SIGTERM all end the loop and drop it) or from the panic hook,
//! whichever comes first. A process-wide flag makes the second restore a no-op.

use std::io::{self, Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Set while the terminal is in TUI mode; cleared by the one restore that runs.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

pub type Term = Terminal<CrosstermBackend<Stdout>>;

pub struct TerminalGuard {
    /// Always `Some` until the guard drops (an `Option` so that drop can decide its fate).
    terminal: Option<Term>,
}

impl TerminalGuard {
    /// Switches the terminal into TUI mode and installs the panic hook (once per process).
    pub fn enter() -> io::Result<TerminalGuard> {
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                // Restore first, so the panic message lands on a normal screen.
                restore();
                previous(info);
            }));
        });
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let mut out = io::stdout();
        if let Err(e) = execute!(
            out,
            EnterAlternateScreen,
            EnableBracketedPaste,
            EnableMouseCapture,
            Hide
        ) {
            restore();
            return Err(e);
        }
        let terminal = match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(t) => t,
            Err(e) => {
                restore();
                return Err(e);
            }
        };
        Ok(TerminalGuard {
            terminal: Some(terminal),
        })
    }

    pub fn terminal(&mut self) -> io::Result<&mut Term> {
        self.terminal
            .as_mut()
            .ok_or_else(|| io::Error::other("the terminal was already restored"))
    }

    /// Writes raw bytes to the terminal (OSC 52 clipboard).
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut out = io::stdout();
        out.write_all(bytes)?;
        out.flush()
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        // ratatui's Terminal shows the cursor again when it drops and `eprintln!`s when it cannot,
        // which panics once the terminal is gone (SIGHUP, a closed window): the exit would skip
        // the caller's clean-up. So show it here; if even that fails, the terminal is gone and the
        // Terminal is leaked instead of dropped (the process is exiting).
        if let Some(mut terminal) = self.terminal.take()
            && terminal.show_cursor().is_err()
        {
            std::mem::forget(terminal);
        }
    }
}

/// Leaves TUI mode if it is on. Safe to call any number of times from anywhere; only the first
/// call after [`TerminalGuard::enter`] does anything.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        let _ = execute!(
            out,
            DisableMouseCapture,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            Show
        );
        let _ = disable_raw_mode();
        let _ = out.flush();
    }
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07").into_bytes()
}
