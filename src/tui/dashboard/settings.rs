//! The Settings tab: the ten setup steps with their state; Enter reopens one in the wizard,
//! which returns here when done.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::data::SettingsData;
use super::shared::Shared;
use crate::tui::action::Action;
use crate::tui::effect::{Effect, Nav};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets;
use crate::tui::wizard::StepId;

#[derive(Debug, Default)]
pub struct SettingsTab {
    pub data: Option<SettingsData>,
    pub sel: usize,
}

const FIRST_ROW: u16 = 2;

impl SettingsTab {
    fn open(&self) -> Vec<Effect> {
        vec![Effect::Navigate(Nav::Wizard {
            step: Some(StepId::from_index(self.sel)),
            from_settings: true,
        })]
    }

    pub fn update(&mut self, a: Action) -> Vec<Effect> {
        let n = StepId::ALL.len();
        match a {
            Action::Up => self.sel = self.sel.saturating_sub(1),
            Action::Down => self.sel = (self.sel + 1).min(n - 1),
            Action::Confirm => return self.open(),
            _ => {}
        }
        Vec::new()
    }

    pub fn click(&mut self, row: u16, area: Rect) -> Vec<Effect> {
        let first = area.y + FIRST_ROW;
        if row >= first {
            let i = usize::from(row - first);
            if i < StepId::ALL.len() {
                let again = i == self.sel;
                self.sel = i;
                if again {
                    return self.open();
                }
            }
        }
        Vec::new()
    }

    /// ```text
    ///  Setup: reopen any step (Enter)                     you: alice · ✓ Constant Contact permission
    ///  ▶ ✓ done      1 Constant Contact application
    ///    ! attention 5 Authorize — the refresh token was revoked
    /// ```
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, sh: &Shared) {
        let w = usize::from(area.width);
        let perm = if sh.visibility().ctct {
            "✓ Constant Contact permission"
        } else {
            "· no Constant Contact permission (its tabs are hidden)"
        };
        Line::from(vec![
            Span::styled(" Setup: reopen any step with Enter", theme.title()),
            Span::raw(format!("   user {} · {perm}", sh.user)),
        ])
        .render(
            Rect::new(area.x, area.y, area.width, area.height.min(1)),
            buf,
        );
        for (i, step) in StepId::ALL.iter().enumerate() {
            let y = area.y + FIRST_ROW + i as u16;
            if y >= area.y + area.height {
                break;
            }
            let state = self
                .data
                .as_ref()
                .and_then(|d| d.progress.steps.get(i).map(|(_, s)| s.clone()));
            let (glyph, word, reason) = match &state {
                Some(s) => {
                    let (g, w) = s.mark();
                    let reason = match s {
                        crate::setup::StepState::Attention { reason } => format!(" — {reason}"),
                        _ => String::new(),
                    };
                    (g, w, reason)
                }
                None => (" ", "", String::new()),
            };
            let sel = i == self.sel;
            let text = format!(
                " {}{glyph} {word:<15} {:>2} {}{reason}",
                if sel { MARKER } else { NO_MARKER },
                step.number(),
                step.title()
            );
            let style = match (&state, sel) {
                (_, true) => theme.selected(),
                (Some(crate::setup::StepState::Attention { .. }), false) => theme.warn(),
                _ => ratatui::style::Style::new(),
            };
            Line::styled(widgets::truncate(&text, w), style)
                .render(Rect::new(area.x, y, area.width, 1), buf);
        }
    }
}
