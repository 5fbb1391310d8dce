//! CRM clients: households and organizations.

use rusqlite::{Connection, Row, params};

use super::{OptionalRow, Result, StoreError, time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientKind {
    Household,
    Organization,
}

impl ClientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Household => "household",
            ClientKind::Organization => "organization",
        }
    }
    pub fn parse(s: &str) -> Option<ClientKind> {
        match s {
            "household" => Some(ClientKind::Household),
            "organization" => Some(ClientKind::Organization),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Client {
    pub id: i64,
    pub crm_id: Option<String>,
    pub name: String,
    pub kind: ClientKind,
    pub created_at: String,
    pub updated_at: String,
}

const COLS: &str = "id, crm_id, name, kind, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Client> {
    let kind: String = r.get(3)?;
    Ok(Client {
        id: r.get(0)?,
        crm_id: r.get(1)?,
        name: r.get(2)?,
        kind: ClientKind::parse(&kind).unwrap_or(ClientKind::Household),
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

/// The natural key of a client name: trimmed and lower-cased.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Inserted,
    Updated,
    Unchanged,
}

/// Inserts or updates a client found by `crm_id` (when given) or by name; returns its id and
/// what changed.
pub fn upsert(
    conn: &Connection,
    crm_id: Option<&str>,
    name: &str,
    kind: ClientKind,
) -> Result<(i64, Change)> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a client needs a name".into()));
    }
    let key = name_key(name);
    let existing: Option<(i64, String, String)> = match crm_id {
        Some(cid) => conn
            .prepare_cached("SELECT id, name, kind FROM clients WHERE crm_id = ?1")?
            .query_row([cid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional_row()?,
        None => None,
    };
    let existing = match existing {
        Some(e) => Some(e),
        None => conn
            .prepare_cached("SELECT id, name, kind FROM clients WHERE name_key = ?1")?
            .query_row([&key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional_row()?,
    };
    let now = time::now();
    match existing {
        Some((id, old_name, old_kind)) => {
            if old_name == name && old_kind == kind.as_str() {
                return Ok((id, Change::Unchanged));
            }
            conn.prepare_cached(
                "UPDATE clients SET name = ?2, name_key = ?3, kind = ?4, updated_at = ?5 WHERE id = ?1",
            )?
            .execute(
                params![id, name, key, kind.as_str(), now],
            )?;
            Ok((id, Change::Updated))
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO clients (crm_id, name, name_key, kind, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![crm_id, name, key, kind.as_str(), now])?;
            Ok((conn.last_insert_rowid(), Change::Inserted))
        }
    }
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Client>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM clients WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional_row()?)
}

/// A page of clients ordered by name, after the (name_key, id) key given.
pub fn page_after(
    conn: &Connection,
    after: Option<(&str, i64)>,
    filter: &str,
    limit: usize,
) -> Result<Vec<Client>> {
    let (k, id) = after.unwrap_or(("", 0));
    let like = format!("%{}%", filter.trim().to_lowercase());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM clients WHERE (name_key, id) > (?1, ?2) AND name_key LIKE ?3
         ORDER BY name_key, id LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![k, id, like, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM clients", [], |r| r.get(0))?)
}
