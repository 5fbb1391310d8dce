//! Drawing a dashboard table: a header and the visible rows, every cell cut to its column by
//! display width (CJK, emoji and combining marks measured properly), the selected row reversed
//! and marked with `▶`. Columns that do not fit a narrow terminal are dropped from the right,
//! least important first.
//!
//! ```text
//!    Name              Email                 Client        Linked
//!  ▶ Lovelace, Ada     ada@example.com       Lovelace hh   ✓ yes
//!    Hopper, Grace     grace@example.com     —             · no
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets;

#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub title: &'static str,
    /// Columns never get narrower than this.
    pub min: u16,
    /// Takes a share of the spare width.
    pub flex: bool,
    /// Dropped first (highest number first) when the terminal is narrow; 0 = never.
    pub drop: u8,
}

pub const fn col(title: &'static str, min: u16, flex: bool, drop: u8) -> Col {
    Col {
        title,
        min,
        flex,
        drop,
    }
}

pub type Cell = (String, Style);

pub fn cell(s: impl Into<String>) -> Cell {
    (s.into(), Style::new())
}

/// Widths for each column (0 = dropped) within `width` columns (after the marker).
pub fn widths(cols: &[Col], width: u16) -> Vec<u16> {
    let gap = 1u16;
    let mut on: Vec<bool> = vec![true; cols.len()];
    let need = |on: &[bool]| -> u16 {
        cols.iter()
            .zip(on)
            .filter(|(_, o)| **o)
            .map(|(c, _)| c.min.saturating_add(gap))
            .fold(0u16, u16::saturating_add)
    };
    while need(&on) > width {
        let victim = cols
            .iter()
            .enumerate()
            .filter(|(i, c)| on[*i] && c.drop > 0)
            .max_by_key(|(i, c)| (c.drop, *i))
            .map(|(i, _)| i);
        match victim {
            Some(i) => on[i] = false,
            None => break,
        }
    }
    let spare = width.saturating_sub(need(&on));
    let flex_n = cols.iter().zip(&on).filter(|(c, o)| **o && c.flex).count() as u16;
    let mut out = Vec::with_capacity(cols.len());
    let mut given = 0u16;
    let mut flex_seen = 0u16;
    for (c, o) in cols.iter().zip(&on) {
        if !*o {
            out.push(0);
            continue;
        }
        let mut w = c.min;
        if c.flex && flex_n > 0 {
            flex_seen += 1;
            let share = if flex_seen == flex_n {
                spare.saturating_sub(given)
            } else {
                spare / flex_n
            };
            given = given.saturating_add(share);
            w = w.saturating_add(share);
        }
        out.push(w);
    }
    out
}

/// One line of cells laid out in the given widths.
fn line_of(cells: &[Cell], widths: &[u16], prefix: &str, base: Style) -> Line<'static> {
    let mut spans = vec![Span::styled(prefix.to_string(), base)];
    for (i, ((text, style), w)) in cells.iter().zip(widths).enumerate() {
        if *w == 0 {
            continue;
        }
        let sep = if i + 1 < widths.len() { " " } else { "" };
        spans.push(Span::styled(
            format!("{}{sep}", widgets::fit(text, usize::from(*w))),
            base.patch(*style),
        ));
    }
    Line::from(spans)
}

/// Draws the header and `rows` (already the visible ones), marking `sel`.
#[allow(clippy::too_many_arguments)]
pub fn render(
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    cols: &[Col],
    rows: &[Vec<Cell>],
    sel: Option<usize>,
    focused: bool,
    empty: &str,
) {
    if area.height == 0 || area.width < 4 {
        return;
    }
    let ws = widths(cols, area.width.saturating_sub(2));
    let header: Vec<Cell> = cols.iter().map(|c| cell(c.title)).collect();
    line_of(
        &header,
        &ws,
        NO_MARKER,
        theme.title().add_modifier(Modifier::UNDERLINED),
    )
    .render(Rect::new(area.x, area.y, area.width, 1), buf);
    if rows.is_empty() {
        if area.height > 1 {
            Line::styled(format!("  {empty}"), theme.dim())
                .render(Rect::new(area.x, area.y + 1, area.width, 1), buf);
        }
        return;
    }
    for (i, row) in rows.iter().enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let is_sel = sel == Some(i);
        let (prefix, style) = if is_sel && focused {
            (MARKER, theme.selected())
        } else if is_sel {
            (MARKER, Style::new().add_modifier(Modifier::BOLD))
        } else {
            (NO_MARKER, Style::new())
        };
        let r = Rect::new(area.x, y, area.width, 1);
        if is_sel && focused {
            buf.set_style(r, style);
        }
        line_of(row, &ws, prefix, style).render(r, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_tables_drop_optional_columns_and_flex_fills() {
        let cols = [
            col("A", 10, true, 0),
            col("B", 10, false, 2),
            col("C", 10, false, 1),
        ];
        assert_eq!(widths(&cols, 40), vec![17, 10, 10]);
        assert_eq!(widths(&cols, 25), vec![13, 0, 10]);
        assert_eq!(widths(&cols, 5), vec![10, 0, 0]);
    }
}
