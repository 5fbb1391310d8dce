//! The footer: the keys that work right now, generated from the key table. The everywhere-keys
//! (help, quit) sit at the right and are never crowded out; the rest fill from the left.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use crate::tui::keymap::{self, Context};
use crate::tui::theme::Theme;

fn spans(
    hints: &[(String, &'static str)],
    room: usize,
    theme: &Theme,
) -> (Vec<Span<'static>>, usize) {
    let mut out = Vec::new();
    let mut used = 0usize;
    for (keys, desc) in hints {
        let w = keys.width() + 1 + desc.width() + 2;
        if used + w > room {
            break;
        }
        used += w;
        out.push(Span::styled(keys.clone(), theme.key()));
        out.push(Span::raw(format!(" {desc}  ")));
    }
    (out, used)
}

/// Draws as many hints as fit in one line.
pub fn render(contexts: &[Context], area: Rect, buf: &mut Buffer, theme: &Theme) {
    let width = usize::from(area.width);
    let global: Vec<Context> = contexts
        .iter()
        .copied()
        .filter(|c| *c == Context::Global)
        .collect();
    let all = keymap::hints(contexts);
    let global_hints: Vec<(String, &'static str)> = if global.is_empty() {
        Vec::new()
    } else {
        let g = keymap::hints(contexts);
        let globals = keymap::hints(&[Context::Global]);
        g.into_iter()
            .filter(|(_, d)| globals.iter().any(|(_, gd)| gd == d))
            .collect()
    };
    let local: Vec<(String, &'static str)> = all
        .into_iter()
        .filter(|h| !global_hints.contains(h))
        .collect();
    let (right, right_w) = spans(&global_hints, width, theme);
    let (mut left, left_w) = spans(&local, width.saturating_sub(right_w), theme);
    left.insert(0, Span::raw(" "));
    let pad = width.saturating_sub(left_w + 1 + right_w);
    left.push(Span::raw(" ".repeat(pad)));
    left.extend(right);
    Line::from(left).render(area, buf);
}
