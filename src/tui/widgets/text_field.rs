//! A one-line text field on top of `tui-input`: typing, cursor movement, pasted text (which
//! `tui-input` ignores — we insert `Event::Paste` ourselves), a masked mode with a reveal toggle,
//! and an inline validation message.

use crossterm::event::{Event, KeyEvent};
use ratatui::style::Style;
use ratatui::text::Span;
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};
use unicode_width::UnicodeWidthStr;

use crate::tui::theme::Theme;

#[derive(Clone, Default)]
pub struct TextField {
    pub input: Input,
    /// Shown masked (`•`) unless revealed.
    pub secret: bool,
    pub revealed: bool,
    /// The validation problem with the current text, in words.
    pub error: Option<String>,
}

impl std::fmt::Debug for TextField {
    // A secret's text never reaches Debug output (logs, panics, test failures).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value: &dyn std::fmt::Debug = if self.secret {
            &"<redacted>"
        } else {
            &self.input.value()
        };
        f.debug_struct("TextField")
            .field("value", value)
            .field("secret", &self.secret)
            .field("revealed", &self.revealed)
            .field("error", &self.error)
            .finish()
    }
}

impl TextField {
    pub fn new(value: &str, secret: bool) -> TextField {
        TextField {
            input: Input::new(value.to_string()),
            secret,
            revealed: false,
            error: None,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    pub fn set(&mut self, value: &str) {
        self.input = Input::new(value.to_string());
    }

    /// A key typed into the field. Returns whether the text changed.
    pub fn key(&mut self, key: KeyEvent) -> bool {
        self.input
            .handle_event(&Event::Key(key))
            .is_some_and(|r| r.value)
    }

    /// Pasted text, inserted at the cursor; line breaks become nothing (one-line field).
    pub fn paste(&mut self, text: &str) -> bool {
        let mut changed = false;
        for c in text.chars().filter(|c| *c != '\n' && *c != '\r') {
            changed |= self
                .input
                .handle(InputRequest::InsertChar(c))
                .is_some_and(|r| r.value);
        }
        changed
    }

    /// The spans of the field's box `[text   ]` of `width` columns (brackets included), with
    /// the cursor drawn as a reversed cell when `focused`.
    pub fn spans(&self, width: usize, focused: bool, theme: &Theme) -> Vec<Span<'static>> {
        let inner = width.saturating_sub(2).max(1);
        let shown: String = if self.secret && !self.revealed {
            "•".repeat(self.input.value().chars().count())
        } else {
            self.input.value().to_string()
        };
        // A focused field scrolls to keep the cursor visible; others show their start.
        let scroll = if focused {
            self.input.visual_scroll(inner.saturating_sub(1))
        } else {
            0
        };
        let chars: Vec<char> = shown.chars().collect();
        // Scroll by display columns: skip characters worth `scroll` columns.
        let mut skipped = 0;
        let mut start = 0;
        while start < chars.len() && skipped < scroll {
            skipped += unicode_width::UnicodeWidthChar::width(chars[start]).unwrap_or(0);
            start += 1;
        }
        let visible: String = chars[start..].iter().collect();
        let visible = super::fit(&visible, inner);
        let cursor_col = self.input.visual_cursor().saturating_sub(scroll);
        let field_style = if self.error.is_some() {
            theme.error()
        } else {
            Style::new()
        };
        let mut out = vec![Span::styled("[", field_style)];
        if focused {
            let (before, at, after) = split_at_col(&visible, cursor_col);
            out.push(Span::raw(before));
            out.push(Span::styled(
                if at.is_empty() { " ".to_string() } else { at },
                theme.selected(),
            ));
            out.push(Span::raw(after));
        } else {
            out.push(Span::raw(visible));
        }
        out.push(Span::styled("]", field_style));
        out
    }
}

/// Splits `s` at display column `col` into (before, the character there, after).
fn split_at_col(s: &str, col: usize) -> (String, String, String) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        if used >= col {
            let next = i + c.len_utf8();
            // `fit` padded the text, so trimming one pad space keeps the box width.
            return (s[..i].to_string(), c.to_string(), s[next..].to_string());
        }
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    let trimmed = if s.ends_with(' ') && s.width() > col {
        s[..s.len() - 1].to_string()
    } else {
        s.to_string()
    };
    (trimmed, " ".to_string(), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn typing_pasting_and_masking() {
        let mut f = TextField::new("ab", true);
        assert!(f.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)));
        assert!(f.paste("d\ne"));
        assert_eq!(f.value(), "abcde");
        let theme = Theme::plain();
        let text: String = f
            .spans(12, false, &theme)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(text, "[•••••     ]");
        assert!(!format!("{f:?}").contains("abcde"), "no secret in Debug");
        f.revealed = true;
        let text: String = f
            .spans(12, true, &theme)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(text, "[abcde     ]");
    }
}
