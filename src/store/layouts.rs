//! Page layouts (SPEC §4 step 10): which Constant Contact tabs the contact and client pages show.

use rusqlite::{Connection, params};

use super::Result;

/// Every (page, tab) the product knows, in display order.
pub const TABS: [(&str, &str, &str); 5] = [
    ("contact", "ctct", "Contact: Constant Contact tab"),
    ("client", "timeline", "Client: Timeline tab"),
    ("client", "ctct", "Client: Constant Contact tab"),
    (
        "client",
        "ctct.membership",
        "Client: Constant Contact → Membership",
    ),
    (
        "client",
        "ctct.activity",
        "Client: Constant Contact → Activity",
    ),
];

pub fn visible(conn: &Connection, page: &str, tab: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT visible FROM layouts WHERE page = ?1 AND tab = ?2",
            params![page, tab],
            |r| r.get(0),
        )
        .unwrap_or(true))
}

pub fn set_visible(conn: &Connection, page: &str, tab: &str, on: bool) -> Result<()> {
    conn.execute(
        "INSERT INTO layouts (page, tab, visible) VALUES (?1, ?2, ?3)
         ON CONFLICT(page, tab) DO UPDATE SET visible = excluded.visible",
        params![page, tab, on],
    )?;
    Ok(())
}

/// (page, tab, visible) for every known tab.
pub fn all(conn: &Connection) -> Result<Vec<(String, String, bool)>> {
    TABS.iter()
        .map(|(p, t, _)| Ok((p.to_string(), t.to_string(), visible(conn, p, t)?)))
        .collect()
}
