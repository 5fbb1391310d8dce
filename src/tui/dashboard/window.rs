//! A table read from SQLite one window at a time, by key.
//!
//! The window holds at most [`PAGE`](super::data::PAGE) rows that start after a [`Cursor`]. Moving
//! past its last row asks for the window that starts a little before the end (so the rows on
//! screen stay put); moving above its first row pops the previous start cursor off a stack and
//! asks for that window again. Only forward keyset queries (`WHERE key > ? LIMIT n`) are ever
//! made, memory stays bounded, and the selection is restored by row id when a window arrives
//! (rows may have changed meanwhile).
//!
//! ```text
//!  stack: [None, c1]   start: c2
//!  rows:  ┌ r0 … r119 ┐   top ─► first visible row   sel ─► selected row
//! ```

use std::cell::Cell;

use super::data::{Cursor, PAGE};

/// A row that can be windowed: its sort key and a stable id.
pub trait Keyed {
    fn cursor(&self) -> Cursor;
    fn id(&self) -> i64;
}

/// Rows kept from the old window when sliding forward (context above the selection).
const KEEP: usize = 40;

#[derive(Debug, Clone)]
pub struct Window<R> {
    pub rows: Vec<R>,
    /// The cursor the current rows start after (None = the beginning).
    pub start: Option<Cursor>,
    stack: Vec<Option<Cursor>>,
    pub sel: usize,
    pub top: usize,
    /// Rows visible at the last draw (interior: set by the pure render, read by update).
    pub height: Cell<usize>,
    /// The last window was full: more rows may follow.
    pub more: bool,
    pub loaded: bool,
    /// Row id to select when the requested window arrives, and extra steps to move then.
    want: Option<(i64, isize)>,
    /// Absolute position of row 0 in the table, when known (for "row N" and scrollbars).
    pub base: usize,
}

impl<R> Default for Window<R> {
    fn default() -> Self {
        Window {
            rows: Vec::new(),
            start: None,
            stack: Vec::new(),
            sel: 0,
            top: 0,
            height: Cell::new(10),
            more: false,
            loaded: false,
            want: None,
            base: 0,
        }
    }
}

/// What the window needs read next: the rows after this cursor.
pub type Fetch = Option<Cursor>;

impl<R: Keyed> Window<R> {
    /// Start over from the first row (a new filter, a refresh from the top).
    pub fn reset(&mut self) -> Fetch {
        self.stack.clear();
        self.start = None;
        self.sel = 0;
        self.top = 0;
        self.base = 0;
        self.want = None;
        None
    }

    /// The same window again (live data), keeping the selection.
    pub fn reload(&self) -> Fetch {
        self.start.clone()
    }

    pub fn selected(&self) -> Option<&R> {
        self.rows.get(self.sel)
    }

    /// A window arrived for `after`; ignored when it is not the one the window starts at now.
    pub fn arrive(&mut self, after: Option<Cursor>, rows: Vec<R>) {
        if after != self.start {
            return;
        }
        let keep_id = self.rows.get(self.sel).map(Keyed::id);
        self.more = rows.len() >= PAGE;
        self.rows = rows;
        self.loaded = true;
        let (want, steps) = match self.want.take() {
            Some((id, steps)) => (Some(id), steps),
            None => (keep_id, 0),
        };
        let found = want.and_then(|id| self.rows.iter().position(|r| r.id() == id));
        let at = found.unwrap_or(self.sel) as isize + steps;
        self.sel = at.clamp(0, self.rows.len().saturating_sub(1) as isize) as usize;
        self.fix_top();
    }

    fn fix_top(&mut self) {
        let h = self.height.get().max(1);
        if self.sel < self.top {
            self.top = self.sel;
        }
        if self.sel >= self.top + h {
            self.top = self.sel + 1 - h;
        }
        let max_top = self.rows.len().saturating_sub(h);
        self.top = self.top.min(max_top);
    }

    /// Moves the selection by `n` rows (negative = up); returns a fetch when the move leaves
    /// the window.
    pub fn step(&mut self, n: isize) -> Option<Fetch> {
        if self.rows.is_empty() {
            return None;
        }
        let target = self.sel as isize + n;
        let last = self.rows.len() as isize - 1;
        if target > last && self.more {
            // Slide forward: the new window starts after the row before the kept tail.
            let pivot = self.rows.len().saturating_sub(KEEP).max(1);
            let id = self.rows[self.sel].id();
            let cursor = self.rows[pivot - 1].cursor();
            self.stack.push(self.start.take());
            self.start = Some(cursor.clone());
            self.base += pivot;
            self.want = Some((id, target - self.sel as isize));
            return Some(Some(cursor));
        }
        if target < 0 && !self.stack.is_empty() {
            let prev = self.stack.pop().flatten();
            let id = self.rows[self.sel].id();
            self.start = prev.clone();
            self.base = self.base.saturating_sub(PAGE - KEEP);
            self.want = Some((id, target - self.sel as isize));
            return Some(prev);
        }
        self.sel = target.clamp(0, last) as usize;
        self.fix_top();
        None
    }

    /// A page of rows (PgDn / PgUp).
    pub fn page(&mut self, down: bool) -> Option<Fetch> {
        let h = self.height.get().max(1) as isize;
        self.step(if down { h } else { -h })
    }

    /// Selects the visible row at `offset` from the top (a click); true when it was already
    /// selected (a second click opens it).
    pub fn click(&mut self, offset: usize) -> Option<bool> {
        let i = self.top + offset;
        if i >= self.rows.len() {
            return None;
        }
        let again = i == self.sel;
        self.sel = i;
        Some(again)
    }

    /// The rows to draw and the selected index among them.
    pub fn visible(&self, h: usize) -> (&[R], Option<usize>) {
        // The frame may be smaller than the one `top` was chosen for: keep the selection in view.
        let h = h.max(1);
        let mut top = self.top.min(self.rows.len());
        if self.sel >= top + h {
            top = self.sel + 1 - h;
        }
        if self.sel < top {
            top = self.sel;
        }
        let end = (top + h).min(self.rows.len());
        let sel = (self.sel >= top && self.sel < end).then(|| self.sel - top);
        (&self.rows[top..end], sel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    struct R(i64);
    impl Keyed for R {
        fn cursor(&self) -> Cursor {
            Cursor::Id(self.0)
        }
        fn id(&self) -> i64 {
            self.0
        }
    }

    fn page_after(after: &Option<Cursor>, total: i64) -> Vec<R> {
        let start = match after {
            Some(Cursor::Id(i)) => i + 1,
            _ => 0,
        };
        (start..total.min(start + PAGE as i64)).map(R).collect()
    }

    #[test]
    fn scrolling_through_a_long_table_keeps_the_selection_and_bounded_memory() {
        let total = 1000;
        let mut w: Window<R> = Window::default();
        w.height.set(20);
        let f = w.reset();
        w.arrive(f.clone(), page_after(&f, total));
        // Down through everything, one row at a time.
        for expected in 1..total {
            if let Some(f) = w.step(1) {
                w.arrive(f.clone(), page_after(&f, total));
            }
            assert_eq!(w.selected().map(|r| r.0), Some(expected));
            assert!(w.rows.len() <= PAGE);
            assert!(w.sel >= w.top && w.sel < w.top + 20);
        }
        // Past the end: at most one more read, and the selection stays on the last row.
        if let Some(f) = w.step(1) {
            w.arrive(f.clone(), page_after(&f, total));
        }
        assert_eq!(w.selected().map(|r| r.0), Some(total - 1));
        assert!(w.step(1).is_none(), "the end is the end");
        // And back up to the first row.
        for expected in (0..total - 1).rev() {
            if let Some(f) = w.step(-1) {
                w.arrive(f.clone(), page_after(&f, total));
            }
            assert_eq!(w.selected().map(|r| r.0), Some(expected));
        }
    }

    #[test]
    fn stale_windows_are_ignored() {
        let mut w: Window<R> = Window::default();
        let f = w.reset();
        w.arrive(
            Some(Cursor::Id(500)),
            page_after(&Some(Cursor::Id(500)), 1000),
        );
        assert!(!w.loaded);
        w.arrive(f.clone(), page_after(&f, 1000));
        assert!(w.loaded);
    }
}
