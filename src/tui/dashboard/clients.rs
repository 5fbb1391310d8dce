//! The Clients tab: households and organizations, filtered as you type, read by (name, id).
//! Enter opens the client's page (`client.rs`).

use super::browse::BrowseKind;
use super::data::{Cursor, DashQuery, PAGE};
use super::shared::Shared;
use super::table::{Cell, Col, cell, col};
use super::window::Keyed;
use crate::store::clients::{Client, ClientKind, name_key};
use crate::tui::theme::Theme;

impl Keyed for Client {
    fn cursor(&self) -> Cursor {
        Cursor::Name2(name_key(&self.name), self.id)
    }
    fn id(&self) -> i64 {
        self.id
    }
}

pub fn kind_word(k: ClientKind) -> &'static str {
    match k {
        ClientKind::Household => "household",
        ClientKind::Organization => "organization",
    }
}

pub struct Clients;

impl BrowseKind for Clients {
    type Row = Client;
    fn query(after: Option<Cursor>, filter: &str) -> DashQuery {
        DashQuery::Clients {
            after,
            filter: filter.to_string(),
            limit: PAGE,
        }
    }
    fn cols() -> Vec<Col> {
        vec![
            col("Name", 24, true, 0),
            col("Kind", 12, false, 0),
            col("CRM id", 12, false, 1),
        ]
    }
    fn cells(c: &Client, _sh: &Shared, _theme: &Theme) -> Vec<Cell> {
        vec![
            cell(c.name.clone()),
            cell(kind_word(c.kind)),
            cell(c.crm_id.clone().unwrap_or_else(|| "—".into())),
        ]
    }
    fn title() -> &'static str {
        "Clients (households and organizations)"
    }
}
