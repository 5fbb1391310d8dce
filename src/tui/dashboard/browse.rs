//! A filterable, windowed table whose rows open a page — what the Contacts and Clients tabs share.
//! Typing in the filter re-reads the first window at once (each keystroke is a new generation;
//! replies for older keystrokes are dropped), so the table follows the typing.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

use super::data::{Cursor, DashQuery};
use super::shared::Shared;
use super::table::{self, Cell, Col};
use super::window::{Keyed, Window};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::text_field::TextField;

/// What a browse table must say about itself.
pub trait BrowseKind {
    type Row: Keyed;
    fn query(after: Option<Cursor>, filter: &str) -> DashQuery;
    fn cols() -> Vec<Col>;
    fn cells(row: &Self::Row, sh: &Shared, theme: &Theme) -> Vec<Cell>;
    fn title() -> &'static str;
    /// Whether the table has a filter field.
    fn filterable() -> bool {
        true
    }
    /// What the filter matches, when it is worth saying.
    fn filter_hint(_filter: &str) -> Option<&'static str> {
        None
    }
}

pub struct Browse<R> {
    pub window: Window<R>,
    pub filter: TextField,
    pub editing: bool,
    /// The filter the window was read with.
    pub applied: String,
}

impl<R> Default for Browse<R> {
    fn default() -> Self {
        Browse {
            window: Window::default(),
            filter: TextField::default(),
            editing: false,
            applied: String::new(),
        }
    }
}

pub enum Outcome {
    None,
    Effects(Vec<Effect>),
    /// Open the page of the row with this id.
    Open(i64),
}

impl<R: Keyed> Browse<R> {
    /// Reads the first window for the current filter.
    pub fn load<K: BrowseKind<Row = R>>(&mut self, sh: &mut Shared) -> Effect {
        self.applied = self.filter.value().trim().to_string();
        let after = self.window.reset();
        sh.query(K::query(after, &self.applied))
    }

    /// Reads the current window again (live data), keeping the selection.
    pub fn reload<K: BrowseKind<Row = R>>(&mut self, sh: &mut Shared) -> Effect {
        sh.query(K::query(self.window.reload(), &self.applied))
    }

    pub fn arrive(&mut self, after: Option<Cursor>, filter: &str, rows: Vec<R>) {
        if filter == self.applied {
            self.window.arrive(after, rows);
        }
    }

    pub fn key<K: BrowseKind<Row = R>>(&mut self, key: KeyEvent, sh: &mut Shared) -> Vec<Effect> {
        if self.editing && self.filter.key(key) {
            return vec![self.load::<K>(sh)];
        }
        Vec::new()
    }

    pub fn paste<K: BrowseKind<Row = R>>(&mut self, text: &str, sh: &mut Shared) -> Vec<Effect> {
        if self.editing && self.filter.paste(text) {
            return vec![self.load::<K>(sh)];
        }
        Vec::new()
    }

    pub fn update<K: BrowseKind<Row = R>>(&mut self, a: Action, sh: &mut Shared) -> Outcome {
        let fetch = match a {
            Action::Filter => {
                self.editing = true;
                return Outcome::None;
            }
            // Leaving the filter keeps it; Esc in the table clears it.
            Action::Confirm if self.editing => {
                self.editing = false;
                return Outcome::None;
            }
            Action::Back if self.editing => {
                self.editing = false;
                return Outcome::None;
            }
            Action::Back => {
                if self.filter.value().is_empty() {
                    return Outcome::None;
                }
                self.filter.set("");
                return Outcome::Effects(vec![self.load::<K>(sh)]);
            }
            Action::Confirm => {
                return match self.window.selected() {
                    Some(r) => Outcome::Open(r.id()),
                    None => Outcome::None,
                };
            }
            Action::Up => self.window.step(-1),
            Action::Down => self.window.step(1),
            Action::NextPage => self.window.page(true),
            Action::PrevPage => self.window.page(false),
            _ => None,
        };
        match fetch {
            Some(after) => Outcome::Effects(vec![sh.query(K::query(after, &self.applied))]),
            None => Outcome::None,
        }
    }

    /// A click in the table: select, or open when the row was already selected.
    pub fn click(&mut self, row: u16, area: Rect) -> Outcome {
        let l = layout(area);
        if row == l.filter.y {
            self.editing = true;
            return Outcome::None;
        }
        if row > l.table.y && row < l.table.y + l.table.height {
            self.editing = false;
            if let Some(true) = self.window.click(usize::from(row - l.table.y - 1))
                && let Some(r) = self.window.selected()
            {
                return Outcome::Open(r.id());
            }
        }
        Outcome::None
    }

    /// ```text
    ///  Contacts · 100,000 · filter [ada        ]   (/ to filter)
    ///    Name            Email              Client
    ///  ▶ Lovelace, Ada   ada@example.com    Lovelace household
    /// ```
    pub fn render<K: BrowseKind<Row = R>>(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        sh: &Shared,
        count: Option<String>,
    ) {
        let l = layout(area);
        let mut spans = vec![Span::styled(format!(" {}", K::title()), theme.title())];
        if let Some(c) = count {
            spans.push(Span::raw(format!(" · {c}")));
        }
        if K::filterable() {
            spans.push(Span::raw("  filter "));
            spans.extend(self.filter.spans(24, self.editing, theme));
            let hint = if !self.editing && self.filter.value().is_empty() {
                Some("  / to filter".to_string())
            } else {
                K::filter_hint(self.filter.value().trim()).map(|h| format!("  {h}"))
            };
            // A hint that does not fit is left out rather than cut mid-word.
            let used: usize = spans.iter().map(|s| s.width()).sum();
            if let Some(h) = hint.filter(|h| used + h.width() <= usize::from(l.filter.width)) {
                spans.push(Span::styled(h, theme.dim()));
            }
        }
        Line::from(spans).render(l.filter, buf);
        let h = usize::from(l.table.height.saturating_sub(1));
        self.window.height.set(h.max(1));
        let (rows, sel) = self.window.visible(h);
        let cells: Vec<Vec<Cell>> = rows.iter().map(|r| K::cells(r, sh, theme)).collect();
        let empty = if !self.window.loaded {
            "reading…"
        } else if self.applied.is_empty() {
            "nothing here yet"
        } else {
            "nothing matches the filter (Esc clears it)"
        };
        table::render(
            l.table,
            buf,
            theme,
            &K::cols(),
            &cells,
            sel,
            !self.editing,
            empty,
        );
    }
}

pub struct BrowseLayout {
    pub filter: Rect,
    pub table: Rect,
}

pub fn layout(area: Rect) -> BrowseLayout {
    BrowseLayout {
        filter: Rect::new(area.x, area.y, area.width, area.height.min(1)),
        table: Rect::new(
            area.x,
            area.y.saturating_add(2).min(area.y + area.height),
            area.width,
            area.height.saturating_sub(2),
        ),
    }
}
