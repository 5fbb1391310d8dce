//! The engagement chart on a contact's (or client's) Constant Contact tab: the last twelve
//! months, one pair of bars per month — emails sent (`▒`) and engagement (opened + clicked +
//! forwarded, `█` with eighth-block tops). Drawn with glyphs, so it reads without colour.
//!
//! ```text
//!  Engagement, last 12 months: 24 sent · 10 opened · 3 clicked · 1 bounced   ▒ sent █ engaged
//!        ▒█          ▒▆
//!    ▒▃  ▒█    ▒▂    ▒█
//!   Jan Feb Mar Apr May …
//! ```

use chrono::{DateTime, Datelike, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use super::data::Month;
use crate::tui::theme::Theme;

const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The twelve (year, month) pairs ending with `now`'s month, oldest first.
pub fn last_12(now: DateTime<Utc>) -> Vec<(i32, u32)> {
    let mut y = now.year();
    let mut m = now.month();
    let mut out = Vec::with_capacity(12);
    for _ in 0..12 {
        out.push((y, m));
        if m == 1 {
            m = 12;
            y -= 1;
        } else {
            m -= 1;
        }
    }
    out.reverse();
    out
}

/// The totals line, in words when they fit the width and in short words when they do not (80
/// columns hold the short form for a contact with thousands of sends).
fn summary_line(t: &[i64; 6], width: u16) -> (String, String) {
    let long = (
        " Engagement, 12 months: ".to_string(),
        format!(
            "{} sent, {} opened, {} clicked, {} bounced, {} opted out, {} forwarded",
            t[0], t[1], t[2], t[3], t[4], t[5]
        ),
    );
    if long.0.width() + long.1.width() <= usize::from(width) {
        return long;
    }
    (
        " 12 months: ".to_string(),
        format!(
            "{} sent, {} opened, {} clicked, {} bounced, {} opt-out, {} fwd",
            t[0], t[1], t[2], t[3], t[4], t[5]
        ),
    )
}

pub fn render(months: &[Month], now: DateTime<Utc>, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.height < 3 || area.width < 20 {
        return;
    }
    let span = last_12(now);
    let counts: Vec<[i64; 6]> = span
        .iter()
        .map(|(y, m)| {
            months
                .iter()
                .find(|x| x.year == *y && x.month == *m)
                .map(|x| x.counts)
                .unwrap_or([0; 6])
        })
        .collect();
    let mut totals = [0i64; 6];
    for c in &counts {
        for (t, v) in totals.iter_mut().zip(c) {
            *t += v;
        }
    }
    let engaged = |c: &[i64; 6]| c[1] + c[2] + c[5];
    let (title, counts_text) = summary_line(&totals, area.width);
    Line::from(vec![
        Span::styled(title, theme.title()),
        Span::raw(counts_text),
    ])
    .render(Rect::new(area.x, area.y, area.width, 1), buf);

    let bars_h = area.height.saturating_sub(2);
    // Leave room on the right for the legend.
    let slot = (area.width.saturating_sub(20) / 12).clamp(3, 8);
    let max = counts
        .iter()
        .map(|c| c[0].max(engaged(c)))
        .max()
        .unwrap_or(0)
        .max(1);
    let units = i64::from(bars_h) * 8;
    for (i, c) in counts.iter().enumerate() {
        let x = area.x + 1 + slot * i as u16;
        if x + 2 > area.x + area.width {
            break;
        }
        let sent_u = (c[0] * units + max - 1) / max;
        let eng_u = (engaged(c) * units + max - 1) / max;
        for row in 0..bars_h {
            let y = area.y + 1 + bars_h - 1 - row;
            let base = i64::from(row) * 8;
            // Sent: whole cells only (▒), so it never looks like engagement.
            if sent_u > base {
                buf.set_string(x, y, "▒", theme.dim());
            }
            let e = (eng_u - base).clamp(0, 8) as usize;
            if e > 0 {
                buf.set_string(x + 1, y, EIGHTHS[e], theme.ok());
            }
        }
        let (_, m) = span[i];
        let label = NAMES[(m as usize).saturating_sub(1) % 12];
        buf.set_string(
            x,
            area.y + area.height - 1,
            &label[..usize::from(slot.min(3))],
            theme.dim(),
        );
    }
    let legend = "▒ sent █ engaged";
    let lw = legend.chars().count() as u16;
    let bars_end = 1 + slot * 12;
    if area.width >= bars_end + lw + 2 && bars_h > 0 {
        buf.set_string(area.x + bars_end + 1, area.y + 1, legend, theme.dim());
    }
}
