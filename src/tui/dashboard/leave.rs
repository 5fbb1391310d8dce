//! The question asked before leaving a contact's page (Esc / Backspace) or quitting while its
//! edits are not saved: save, discard, or stay. Owns only the question's state and its drawing;
//! the dashboard decides what leaving means. The keys and their words come from the key table
//! (`Context::DashUnsaved`), so the box, the footer and `?` agree.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::tui::keymap::{self, Context};
use crate::tui::theme::Theme;
use crate::tui::widgets;

/// What the person asked for when the question came up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Back to the Contacts table.
    LeavePage,
    /// Quit the program.
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveQuestion {
    pub then: Then,
    /// Who the edits belong to ("Ada Lovelace").
    pub who: String,
    /// The fields changed, in words ("First name, Email").
    pub fields: Vec<&'static str>,
}

impl LeaveQuestion {
    /// ```text
    ///  ┌ Unsaved changes ─────────────────────────────┐
    ///  │Ada Lovelace: First name, Email not saved.    │
    ///  │                                              │
    ///  │s/y/Enter save and leave  d discard  n/Esc stay│
    ///  └──────────────────────────────────────────────┘
    /// ```
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let mut keys: Vec<Span> = Vec::new();
        for (k, d) in keymap::hints(&[Context::DashUnsaved]) {
            if !keys.is_empty() {
                keys.push(Span::raw("   "));
            }
            keys.push(Span::styled(k, theme.key()));
            keys.push(Span::raw(format!(" {}", self.word(d))));
        }
        let text = vec![
            Line::from(vec![
                Span::raw(format!("{}: ", self.who)),
                Span::styled(self.fields.join(", "), theme.warn()),
                Span::raw(" not saved."),
            ]),
            Line::from(""),
            Line::from(keys),
        ];
        let r = widgets::centered(area, 64, 6);
        Clear.render(r, buf);
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Unsaved changes "),
            )
            .render(r, buf);
    }

    /// The key table says "… and leave"; when quitting, say so.
    fn word(&self, desc: &'static str) -> String {
        match self.then {
            Then::LeavePage => desc.to_string(),
            Then::Quit => desc.replace("leave", "quit"),
        }
    }
}
