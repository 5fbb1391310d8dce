//! The outbox: pushes to Constant Contact, written in the same transaction as the edit that caused
//! them, delivered by the outbox worker (`crate::sync`), kept with their reason when they fail.

use rusqlite::{Connection, Row, params};

use super::{OptionalRow, Result, time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    UpdateContact,
    AddToList,
    RemoveFromList,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UpdateContact => "update_contact",
            Kind::AddToList => "add_to_list",
            Kind::RemoveFromList => "remove_from_list",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "update_contact" => Some(Kind::UpdateContact),
            "add_to_list" => Some(Kind::AddToList),
            "remove_from_list" => Some(Kind::RemoveFromList),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Delivering,
    Delivered,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivering => "delivering",
            Status::Delivered => "delivered",
            Status::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Status {
        match s {
            "delivering" => Status::Delivering,
            "delivered" => Status::Delivered,
            "failed" => Status::Failed,
            _ => Status::Pending,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub contact_id: i64,
    pub kind: Kind,
    pub payload: serde_json::Value,
    pub status: Status,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub outcome: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub delivered_at: Option<String>,
}

pub const COLS: &str = "id, contact_id, kind, payload, status, attempts, next_attempt_at, last_error, \
     outcome, created_at, updated_at, delivered_at";

pub fn from_row(r: &Row<'_>) -> rusqlite::Result<Entry> {
    let kind: String = r.get(2)?;
    let payload: String = r.get(3)?;
    let status: String = r.get(4)?;
    Ok(Entry {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        kind: Kind::parse(&kind).unwrap_or(Kind::UpdateContact),
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        status: Status::parse(&status),
        attempts: r.get(5)?,
        next_attempt_at: r.get(6)?,
        last_error: r.get(7)?,
        outcome: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        delivered_at: r.get(11)?,
    })
}

/// Queues a push, due now. An `update_contact` already pending for the contact is reused
/// (coalescing: the worker sends the contact's current fields, so one push carries every edit).
pub fn enqueue(
    conn: &Connection,
    contact_id: i64,
    kind: Kind,
    payload: &serde_json::Value,
) -> Result<i64> {
    let now = time::now();
    if kind == Kind::UpdateContact {
        let pending: Option<i64> = conn
            .query_row(
                "SELECT id FROM outbox WHERE contact_id = ?1 AND kind = 'update_contact'
                 AND status = 'pending' ORDER BY id LIMIT 1",
                [contact_id],
                |r| r.get(0),
            )
            .optional_row()?;
        if let Some(id) = pending {
            conn.execute(
                "UPDATE outbox SET next_attempt_at = min(next_attempt_at, ?2), updated_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            return Ok(id);
        }
    }
    conn.execute(
        "INSERT INTO outbox (contact_id, kind, payload, next_attempt_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
        params![contact_id, kind.as_str(), payload.to_string(), now],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Entry>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM outbox WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional_row()?)
}

/// Pending entries due at or before `now`, oldest first.
pub fn due(conn: &Connection, now: &str, limit: usize) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1
         ORDER BY id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![now, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn mark_delivered(conn: &Connection, id: i64, outcome: &str) -> Result<()> {
    let now = time::now();
    conn.execute(
        "UPDATE outbox SET status = 'delivered', outcome = ?2, last_error = NULL,
         attempts = attempts + 1, delivered_at = ?3, updated_at = ?3 WHERE id = ?1",
        params![id, outcome, now],
    )?;
    Ok(())
}

/// A failed attempt that will be retried at `next_attempt_at`.
pub fn mark_retry(conn: &Connection, id: i64, error: &str, next_attempt_at: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET status = 'pending', last_error = ?2, attempts = attempts + 1,
         next_attempt_at = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, error, next_attempt_at, time::now()],
    )?;
    Ok(())
}

/// A permanent failure (bad input Constant Contact refuses): kept with its reason for the user.
pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET status = 'failed', last_error = ?2, attempts = attempts + 1,
         updated_at = ?3 WHERE id = ?1",
        params![id, error, time::now()],
    )?;
    Ok(())
}

/// Puts a failed entry back in the queue, due now (the user's "retry").
pub fn retry_now(conn: &Connection, id: i64) -> Result<bool> {
    let now = time::now();
    let n = conn.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?2, updated_at = ?2
         WHERE id = ?1 AND status IN ('failed', 'pending')",
        params![id, now],
    )?;
    Ok(n > 0)
}

/// Entries not yet delivered (pending and failed), newest first, for the Outbox tab.
pub fn undelivered(conn: &Connection, limit: usize) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM outbox WHERE status != 'delivered' ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest entries of one contact (to show the outcome of a save).
pub fn for_contact(conn: &Connection, contact_id: i64, limit: usize) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM outbox WHERE contact_id = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![contact_id, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (pending, failed) counts.
pub fn counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(status IN ('pending', 'delivering')), 0), coalesce(sum(status = 'failed'), 0) FROM outbox",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// Undelivered entries (pending and failed) newest first, below the id of the last row shown.
pub fn undelivered_before(
    conn: &Connection,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM outbox WHERE status != 'delivered' AND id < ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
