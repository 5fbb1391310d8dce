//! Small reusable pieces: display-width-aware text helpers, the text field, the checklist, the
//! help overlay and the hint bar. All rendering is pure (`state → Buffer`).

pub mod checklist;
pub mod help;
pub mod hint_bar;
pub mod text_field;

use ratatui::layout::Rect;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `s` to at most `width` display columns, ending with `…` when cut. CJK, emoji and
/// combining marks are measured by their display width, never by bytes or chars.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width.saturating_sub(1) {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads or cuts `s` to exactly `width` columns.
pub fn fit(s: &str, width: usize) -> String {
    let t = truncate(s, width);
    let pad = width.saturating_sub(t.width());
    format!("{t}{}", " ".repeat(pad))
}

/// Word-wraps `s` to lines of at most `width` columns (long words are cut).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let need = if line.is_empty() {
                word.width()
            } else {
                line.width() + 1 + word.width()
            };
            if need > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            while line.width() > width {
                let head = truncate_exact(&line, width);
                let rest = line[head.len()..].to_string();
                lines.push(head);
                line = rest;
            }
        }
        lines.push(line);
    }
    lines
}

/// The longest prefix of `s` that fits in `width` columns (no ellipsis).
fn truncate_exact(s: &str, width: usize) -> String {
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    if end == 0 {
        // A single character wider than the line: take it anyway so wrapping progresses.
        s.chars().next().map(|c| c.to_string()).unwrap_or_default()
    } else {
        s[..end].to_string()
    }
}

/// `r` clipped to `bounds` (never outside the frame, never negative).
pub fn clamp_rect(r: Rect, bounds: Rect) -> Rect {
    r.intersection(bounds)
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Whether a mouse position lies inside `r`.
pub fn contains(r: Rect, col: u16, row: u16) -> bool {
    col >= r.x
        && col < r.x.saturating_add(r.width)
        && row >= r.y
        && row < r.y.saturating_add(r.height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_measures_display_width() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        // Each CJK character is two columns wide.
        assert_eq!(truncate("日本語テキスト", 7), "日本語…");
        assert_eq!(truncate("日本語", 0), "");
        assert!(truncate("e\u{301}e\u{301}e\u{301}xyz", 4).width() <= 4);
    }

    #[test]
    fn wrap_keeps_lines_within_width() {
        let lines = wrap(
            "the quick brown fox jumps over a verylongwordthatdoesnotfit",
            10,
        );
        assert!(lines.iter().all(|l| l.width() <= 10), "{lines:?}");
        assert_eq!(lines[0], "the quick");
    }

    #[test]
    fn wrap_never_drops_a_character() {
        let text = "Constant Contact refused the refresh token: the account was not used for 180 \
                    days and must be authorized with Constant Contact again — 日本語テキスト";
        // From 2 columns up: a 2-column character cannot fit a 1-column line.
        for width in 2..=60 {
            let lines = wrap(text, width);
            assert!(
                lines.iter().all(|l| l.width() <= width),
                "{width}: {lines:?}"
            );
            // Wrapping only ever replaces a space with a line break or cuts a long word.
            let joined: String = lines.concat().replace(' ', "");
            assert_eq!(joined, text.replace(' ', ""), "{width}: {lines:?}");
        }
    }

    #[test]
    fn centered_and_clamped_never_exceed_the_area() {
        let area = Rect::new(0, 0, 10, 5);
        let c = centered(area, 40, 40);
        assert_eq!(c, area);
        assert_eq!(
            clamp_rect(Rect::new(8, 4, 10, 10), area),
            Rect::new(8, 4, 2, 1)
        );
    }
}
