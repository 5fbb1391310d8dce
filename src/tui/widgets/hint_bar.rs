//! The footer: the keys that work right now, generated from the key table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use crate::tui::keymap::{self, Context};
use crate::tui::theme::Theme;

/// Draws as many hints as fit in one line.
pub fn render(contexts: &[Context], area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (keys, desc) in keymap::hints(contexts) {
        let w = keys.width() + 1 + desc.width() + 2;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(keys, theme.key()));
        spans.push(Span::raw(format!(" {desc}  ")));
    }
    Line::from(spans).render(area, buf);
}
