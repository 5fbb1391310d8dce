//! The wizard's checklist: one row per step, `✓ done` / `! fix` / `· to do` (glyph and word,
//! colour only as a bonus), the current step marked `▶` and reversed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::wizard::steps::StepStatus;

pub struct Row<'a> {
    pub number: usize,
    pub label: &'a str,
    pub status: &'a StepStatus,
    pub current: bool,
}

/// Draws the rows from the top of `area`, one per line (rows beyond the area are not drawn).
pub fn render(rows: &[Row<'_>], area: Rect, buf: &mut Buffer, theme: &Theme) {
    for (i, row) in rows.iter().enumerate() {
        let Ok(dy) = u16::try_from(i) else { break };
        if dy >= area.height {
            break;
        }
        let line_area = Rect::new(area.x, area.y + dy, area.width, 1);
        let status_style = match row.status {
            StepStatus::Done => theme.ok(),
            StepStatus::Attention(_) => theme.warn(),
            StepStatus::NotStarted => theme.dim(),
        };
        let marker = if row.current { MARKER } else { NO_MARKER };
        let label_w = (area.width as usize).saturating_sub(2 + 8 + 3);
        let mut line = Line::from(vec![
            Span::raw(marker),
            Span::styled(
                format!("{} {:<5} ", row.status.glyph(), row.status.word()),
                status_style,
            ),
            Span::raw(format!("{:>2} ", row.number)),
            Span::raw(super::truncate(row.label, label_w)),
        ]);
        if row.current {
            line = line.style(theme.selected());
        }
        line.render(line_area, buf);
    }
}
