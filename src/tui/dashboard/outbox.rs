//! The Outbox tab: pushes to Constant Contact not delivered yet — pending ones (with the last
//! attempt's error, if any) and failed ones (with the reason) — newest first, read by id window.
//! `r` puts the selected push back in the queue now.

use super::browse::BrowseKind;
use super::data::{Cursor, DashQuery, PAGE};
use super::fmt;
use super::shared::Shared;
use super::table::{Cell, Col, cell, col};
use super::window::Keyed;
use crate::store::outbox::{Entry, Kind, Status};
use crate::tui::theme::Theme;

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
        let status = match e.status {
            Status::Failed => ("✗ failed".to_string(), theme.error()),
            Status::Delivering => ("… sending".to_string(), theme.key()),
            Status::Pending if e.attempts > 0 => ("↻ retrying".to_string(), theme.warn()),
            Status::Pending => ("… pending".to_string(), Default::default()),
            Status::Delivered => ("✓ delivered".to_string(), theme.ok()),
        };
        let age = super::fmt::elapsed(&e.created_at, None, sh.now);
        let reason = match (e.status, &e.last_error) {
            (Status::Pending, Some(err)) => format!(
                "{err} · next try {}",
                fmt::relative_str(&e.next_attempt_at, sh.now)
            ),
            (_, Some(err)) => err.clone(),
            (_, None) => String::new(),
        };
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
