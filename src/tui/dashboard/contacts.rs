//! The Contacts tab: every CRM contact, filtered as you type (name or email), read one window at
//! a time by (last name, first name, id). Enter opens the contact's page (`contact.rs`).

use super::browse::BrowseKind;
use super::data::{ContactRow, Cursor, DashQuery, PAGE};
use super::fmt;
use super::shared::Shared;
use super::table::{Cell, Col, cell, col};
use super::window::Keyed;
use crate::tui::theme::Theme;

impl Keyed for ContactRow {
    fn cursor(&self) -> Cursor {
        let c = &self.contact;
        Cursor::Name3(c.last_name.clone(), c.first_name.clone(), c.id)
    }
    fn id(&self) -> i64 {
        self.contact.id
    }
}

/// "Lovelace, Ada" — the table sorts by last name.
pub fn sort_name(first: &str, last: &str) -> String {
    match (last.is_empty(), first.is_empty()) {
        (false, false) => format!("{last}, {first}"),
        (false, true) => last.to_string(),
        (true, false) => first.to_string(),
        (true, true) => "(no name)".to_string(),
    }
}

pub struct Contacts;

impl BrowseKind for Contacts {
    type Row = ContactRow;
    fn query(after: Option<Cursor>, filter: &str) -> DashQuery {
        DashQuery::Contacts {
            after,
            filter: filter.to_string(),
            limit: PAGE,
        }
    }
    fn cols() -> Vec<Col> {
        vec![
            col("Name", 16, true, 0),
            col("Email", 18, true, 0),
            col("Client", 12, true, 3),
            col("Linked", 6, false, 0),
            col("Do Not Email", 12, false, 4),
            col("CC status", 12, false, 5),
            col("Last activity", 13, false, 2),
        ]
    }
    fn cells(r: &ContactRow, sh: &Shared, theme: &Theme) -> Vec<Cell> {
        let c = &r.contact;
        let zone = sh.tz();
        vec![
            cell(sort_name(&c.first_name, &c.last_name)),
            cell(c.email.clone().unwrap_or_else(|| "—".into())),
            cell(r.client.clone().unwrap_or_else(|| "—".into())),
            if c.ctct_id.is_some() {
                ("✓ yes".into(), theme.ok())
            } else {
                ("· no".into(), theme.dim())
            },
            if c.do_not_email {
                ("✗ yes".into(), theme.warn())
            } else {
                cell("no")
            },
            cell(c.ctct_status.clone().unwrap_or_else(|| "—".into())),
            cell(
                c.last_activity_at
                    .as_deref()
                    .map(|t| fmt::local_str(t, zone).chars().take(10).collect::<String>())
                    .unwrap_or_else(|| "—".into()),
            ),
        ]
    }
    fn title() -> &'static str {
        "Contacts"
    }
    fn filter_hint(filter: &str) -> Option<&'static str> {
        match filter.chars().count() {
            1 | 2 => Some("last names starting so; 3+ letters search names and emails"),
            _ => None,
        }
    }
}
