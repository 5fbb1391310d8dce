//! The pluggable unit of the UI: a [`Screen`] owns its state, turns events into effects and
//! draws itself. The runtime owns the terminal, the key table lookup, the help overlay and the
//! effect executor; a screen only says which key contexts are active and what to do.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::Action;
use super::effect::Effect;
use super::keymap::Context;
use super::msg::Reply;
use super::theme::Theme;

/// What a screen receives.
#[derive(Debug)]
pub enum ScreenEvent {
    /// A key (or click) the key table turned into an action.
    Action(Action),
    /// A key no binding claimed: for the focused text field, if any.
    Key(KeyEvent),
    /// Bracketed paste (tui-input ignores it; screens insert it into the focused field).
    Paste(String),
    /// A left click at a cell already clamped to the frame, with the frame's area.
    Click { col: u16, row: u16, area: Rect },
    /// A database reply or a finished effect.
    Reply(Reply),
    /// The animation clock; sent only while [`Screen::animating`] is true.
    Tick,
}

pub trait Screen: Send {
    /// Effects to run when the screen opens (typically its first query).
    fn init(&mut self) -> Vec<Effect>;
    /// Key contexts active now, most specific first (see `keymap`).
    fn contexts(&self) -> Vec<Context>;
    /// Never waits, never does I/O: returns effects instead.
    fn update(&mut self, ev: ScreenEvent) -> Vec<Effect>;
    /// Pure drawing into `buf` within `area`.
    fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme);
    /// Something moves (a spinner): the runtime ticks at ~10 Hz only while this is true.
    fn animating(&self) -> bool {
        false
    }
}
