//! Timeline events (SPEC §6): one per (contact, campaign activity), showing the strongest action.
//!
//! Strength, weakest to strongest: Send < Forward < Open < Click < Bounce < Opt Out. A bounce or an
//! opt-out says more about the relationship than any engagement, so it wins; a forward implies the
//! email was read but is rarer than a click, so it sits between send and open.

use rusqlite::{Connection, Row, params};

use super::interactions::Kind;
use super::{Result, time};

/// The ranking used to pick an event's action.
pub fn strength(kind: Kind) -> u8 {
    match kind {
        Kind::Send => 0,
        Kind::Forward => 1,
        Kind::Open => 2,
        Kind::Click => 3,
        Kind::Bounce => 4,
        Kind::OptOut => 5,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub id: i64,
    pub contact_id: i64,
    pub client_id: Option<i64>,
    pub campaign_activity_id: String,
    pub action: String,
    pub subject: String,
    pub subtype: String,
    pub occurred_at: String,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        client_id: r.get(2)?,
        campaign_activity_id: r.get(3)?,
        action: r.get(4)?,
        subject: r.get(5)?,
        subtype: r.get(6)?,
        occurred_at: r.get(7)?,
    })
}

/// The subject line of an event.
pub fn subject(kind: Kind, campaign_name: &str) -> String {
    format!("CTCT: {} - {}", kind.action(), campaign_name)
}

/// Inserts or updates the event of (contact, campaign activity); returns true when it changed.
pub fn upsert(
    conn: &Connection,
    contact_id: i64,
    client_id: Option<i64>,
    campaign_activity_id: &str,
    kind: Kind,
    campaign_name: &str,
    occurred_at: &str,
) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO events (contact_id, client_id, campaign_activity_id, action, subject, subtype,
           occurred_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'CTCT', ?6, ?7)
         ON CONFLICT(contact_id, campaign_activity_id) DO UPDATE SET client_id = excluded.client_id,
           action = excluded.action, subject = excluded.subject, occurred_at = excluded.occurred_at,
           updated_at = excluded.updated_at
         WHERE (events.client_id, events.action, events.subject, events.occurred_at)
           IS NOT (excluded.client_id, excluded.action, excluded.subject, excluded.occurred_at)",
        params![
            contact_id,
            client_id,
            campaign_activity_id,
            kind.action(),
            subject(kind, campaign_name),
            occurred_at,
            time::now()
        ],
    )?;
    Ok(n > 0)
}

const COLS: &str =
    "id, contact_id, client_id, campaign_activity_id, action, subject, subtype, occurred_at";

/// A client's timeline, newest first.
pub fn for_client(conn: &Connection, client_id: i64, limit: usize) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM events WHERE client_id = ?1 ORDER BY occurred_at DESC, id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![client_id, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn for_contact(conn: &Connection, contact_id: i64, limit: usize) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM events WHERE contact_id = ?1 ORDER BY occurred_at DESC, id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![contact_id, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?)
}

/// How many events the next run would create or repair: (contact, campaign activity) pairs with
/// interactions but no event, or with a blank subject. Shown by the wizard's warning.
pub fn pending_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM (SELECT DISTINCT contact_id, campaign_activity_id FROM interactions) p
         WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.contact_id = p.contact_id
           AND e.campaign_activity_id = p.campaign_activity_id AND e.subject != '')",
        [],
        |r| r.get(0),
    )?)
}

/// A client's timeline newest first, after the (occurred_at, id) key of the last row shown.
pub fn page_for_client(
    conn: &Connection,
    client_id: i64,
    before: Option<(&str, i64)>,
    limit: usize,
) -> Result<Vec<Event>> {
    let (t, id) = before.unwrap_or(("9999", i64::MAX));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM events WHERE client_id = ?1 AND occurred_at <= ?2 AND (occurred_at, id) < (?2, ?3)
         ORDER BY occurred_at DESC, id DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![client_id, t, id, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
