//! The `?` help overlay, generated from the key table for the contexts active right now.
//!
//! ```text
//! ┌ Keys ─────────────────────────────┐
//! │ Setup wizard                       │
//! │   Tab        next field            │
//! │   PgDn/n     next step             │
//! │ Everywhere                         │
//! │   ?/F1       help                  │
//! └ ? or Esc closes ───────────────────┘
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use crate::tui::keymap::{self, Context};
use crate::tui::theme::Theme;

pub fn render(contexts: &[Context], area: Rect, buf: &mut Buffer, theme: &Theme) {
    let rows = keymap::help_rows(contexts);
    let mut lines: Vec<Line> = Vec::new();
    let mut last: Option<Context> = None;
    for (ctx, keys, desc) in rows {
        if last != Some(ctx) {
            lines.push(Line::from(Span::styled(ctx.title(), theme.title())));
            last = Some(ctx);
        }
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(super::fit(&keys, 14), theme.key()),
            Span::raw(desc),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw("Mouse: click a step or a field to select it."));
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let r = super::centered(area, 56, h);
    Clear.render(r, buf);
    Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border())
                .title(" Keys ")
                .title_bottom(" ? or Esc closes "),
        )
        .render(r, buf);
}
