//! The dashboard (SPEC §7) — a PLACEHOLDER until issue 7 replaces it with one file per tab
//! (jobs.rs, contacts.rs, contact.rs, clients.rs, lists.rs, outbox.rs, settings.rs).
//!
//! What it shows now: "Setup complete" and a Settings list from which any wizard step can be
//! reopened (`Effect::Navigate(Nav::Wizard { step, from_settings: true })`; the wizard returns
//! here when done).
//!
//! ```text
//!  ctctsync — setup complete
//!  Settings: reopen a setup step
//!  ▶  1 Constant Contact application
//!     2 Auth provider …
//!  ↑ move up  ↓ move down  Enter open  ? help  q quit
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::action::Action;
use super::effect::{Effect, Nav};
use super::keymap::Context;
use super::screen::{Screen, ScreenEvent};
use super::theme::{MARKER, NO_MARKER, Theme};
use super::widgets::{self, hint_bar};
use super::wizard::StepId;

pub struct DashboardScreen {
    pub user: String,
    pub selected: usize,
}

impl DashboardScreen {
    pub fn new(user: &str) -> DashboardScreen {
        DashboardScreen {
            user: user.to_string(),
            selected: 0,
        }
    }

    fn open(&self) -> Vec<Effect> {
        vec![Effect::Navigate(Nav::Wizard {
            step: Some(StepId::from_index(self.selected)),
            from_settings: true,
        })]
    }
}

impl Screen for DashboardScreen {
    fn init(&mut self) -> Vec<Effect> {
        Vec::new()
    }
    fn contexts(&self) -> Vec<Context> {
        vec![Context::Dashboard, Context::Global]
    }
    fn update(&mut self, ev: ScreenEvent) -> Vec<Effect> {
        let n = StepId::ALL.len();
        match ev {
            ScreenEvent::Action(Action::Up) => self.selected = self.selected.saturating_sub(1),
            ScreenEvent::Action(Action::Down) => self.selected = (self.selected + 1).min(n - 1),
            ScreenEvent::Action(Action::Confirm) => return self.open(),
            ScreenEvent::Action(Action::Quit) => return vec![Effect::Quit],
            ScreenEvent::Click { row, .. } => {
                if let Some(i) = usize::from(row).checked_sub(4).filter(|i| *i < n) {
                    self.selected = i;
                    return self.open();
                }
            }
            _ => {}
        }
        Vec::new()
    }
    fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let w = usize::from(area.width);
        let mut y = area.y;
        let mut line = |l: Line<'static>, buf: &mut Buffer| {
            if y < area.y + area.height.saturating_sub(1) {
                l.render(Rect::new(area.x, y, area.width, 1), buf);
            }
            y += 1;
        };
        line(
            Line::styled(" ctctsync — ✓ setup complete", theme.title()),
            buf,
        );
        line(
            Line::raw(widgets::truncate(
                " The dashboard (jobs, contacts, clients, lists, outbox) arrives with issue 7.",
                w,
            )),
            buf,
        );
        line(Line::raw(""), buf);
        line(
            Line::styled(" Settings: reopen a setup step", theme.title()),
            buf,
        );
        for (i, step) in StepId::ALL.iter().enumerate() {
            let sel = i == self.selected;
            let text = format!(
                " {}{:>2} {}",
                if sel { MARKER } else { NO_MARKER },
                step.number(),
                step.title()
            );
            let l = Line::raw(widgets::truncate(&text, w));
            line(if sel { l.style(theme.selected()) } else { l }, buf);
        }
        let footer = Rect::new(
            area.x,
            area.y + area.height.saturating_sub(1),
            area.width,
            1,
        );
        hint_bar::render(&self.contexts(), footer, buf, theme);
    }
}
