//! The Outbox tab: pushes to Constant Contact not delivered yet — pending ones (with the last
//! attempt's error, if any) and failed ones (with the reason) — newest first, read by id window.
//! `r` puts the selected push back in the queue now; Enter opens the contact it concerns. The
//! selected push's whole reason is shown under the table (the Reason column cuts it).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::browse::{Browse, BrowseKind};
use super::data::{Cursor, DashQuery, PAGE};
use super::fmt;
use super::shared::Shared;
use super::table::{Cell, Col, cell, col};
use super::window::Keyed;
use crate::store::outbox::{Entry, Kind, Status};
use crate::tui::theme::Theme;
use crate::tui::widgets;

/// An outbox row with the contact's name.
pub type OutboxRow = (Entry, String);

impl Keyed for OutboxRow {
    fn cursor(&self) -> Cursor {
        Cursor::Id(self.0.id)
    }
    fn id(&self) -> i64 {
        self.0.id
    }
}

pub fn kind_words(k: Kind) -> &'static str {
    match k {
        Kind::UpdateContact => "update contact",
        Kind::AddToList => "add to list",
        Kind::RemoveFromList => "remove from list",
    }
}

pub struct Outbox;

impl BrowseKind for Outbox {
    type Row = OutboxRow;
    fn query(after: Option<Cursor>, _filter: &str) -> DashQuery {
        DashQuery::Outbox { after, limit: PAGE }
    }
    fn cols() -> Vec<Col> {
        vec![
            col("#", 5, false, 0),
            col("Contact", 14, true, 0),
            col("Push", 16, false, 3),
            col("Status", 10, false, 0),
            col("Age", 8, false, 2),
            col("Tries", 5, false, 4),
            col("Reason", 16, true, 1),
        ]
    }
    fn cells((e, who): &OutboxRow, sh: &Shared, theme: &Theme) -> Vec<Cell> {
        let status = status(e, theme);
        let status = (status.0.to_string(), status.1);
        let age = super::fmt::elapsed(&e.created_at, None, sh.now);
        let reason = reason(e, sh);
        vec![
            cell(e.id.to_string()),
            cell(who.clone()),
            cell(kind_words(e.kind)),
            status,
            cell(fmt::span(age)),
            cell(e.attempts.to_string()),
            cell(reason),
        ]
    }
    fn filterable() -> bool {
        false
    }
    fn title() -> &'static str {
        "Outbox: pushes waiting for Constant Contact"
    }
}

/// The push's state as a glyph and a word, with its colour.
fn status(e: &Entry, theme: &Theme) -> (&'static str, ratatui::style::Style) {
    match e.status {
        Status::Failed => ("✗ failed", theme.error()),
        Status::Delivering => ("… sending", theme.key()),
        Status::Pending if e.attempts > 0 => ("↻ retrying", theme.warn()),
        Status::Pending => ("… pending", theme.body()),
        Status::Delivered => ("✓ delivered", theme.ok()),
    }
}

/// The push's reason in words: the error, and when a pending push is tried next.
fn reason(e: &Entry, sh: &Shared) -> String {
    match (e.status, &e.last_error) {
        (Status::Pending, Some(err)) => format!(
            "{err} · next try {}",
            fmt::relative_str(&e.next_attempt_at, sh.now)
        ),
        (_, Some(err)) => err.clone(),
        (_, None) => String::new(),
    }
}

/// Rows the detail area takes under the table: a title and the reason wrapped, at most half
/// the body (the table keeps the rest).
fn detail_height(b: &Browse<OutboxRow>, area: Rect, sh: &Shared) -> u16 {
    let Some((e, _)) = b.window.selected() else {
        return 0;
    };
    let text = reason(e, sh);
    let lines = if text.is_empty() {
        1
    } else {
        widgets::wrap(&text, usize::from(area.width.saturating_sub(2))).len()
    };
    let want = u16::try_from(lines.saturating_add(2)).unwrap_or(u16::MAX);
    want.min(area.height / 2)
}

/// The Outbox tab: the table, and under it the selected push with its whole reason.
///
/// ```text
///  Outbox: pushes waiting for Constant Contact · 1 pending · 2 failed
///
///  #    Contact        Push            Status    Age   Tries  Reason
///  ▶ 12 Ada Lovelace   update contact  ✗ failed  2 h   5      Constant Contact refused it: …
///
///  Push #12 · update contact · Ada Lovelace · ✗ failed · Enter opens the contact
///  Constant Contact refused it: Constant Contact answered 409 to PUT /v3/contacts/…
///  (the whole reason, wrapped)
/// ```
pub fn render(
    b: &Browse<OutboxRow>,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    sh: &Shared,
    count: Option<String>,
) {
    let dh = detail_height(b, area, sh);
    let table = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(dh));
    b.render::<Outbox>(table, buf, theme, sh, count);
    let Some((e, who)) = b.window.selected() else {
        return;
    };
    if dh < 2 {
        return;
    }
    let detail = Rect::new(area.x, table.y + table.height, area.width, dh);
    let w = usize::from(area.width);
    let (status, style) = status(e, theme);
    let head = Line::from(vec![
        Span::styled(
            format!(" Push #{} · {} · {who} · ", e.id, kind_words(e.kind)),
            theme.title(),
        ),
        Span::styled(status, style),
        Span::styled(" · Enter opens the contact", theme.dim()),
    ]);
    let mut y = detail.y + 1;
    head.render(Rect::new(detail.x, y, detail.width, 1), buf);
    let text = reason(e, sh);
    let lines = if text.is_empty() {
        vec!["no error recorded".to_string()]
    } else {
        widgets::wrap(&text, w.saturating_sub(2))
    };
    for l in lines {
        y += 1;
        if y >= detail.y + detail.height {
            break;
        }
        Line::raw(format!(" {l}")).render(Rect::new(detail.x, y, detail.width, 1), buf);
    }
}
