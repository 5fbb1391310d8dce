//! Constant Contact lists and CRM contacts' memberships of them.

use rusqlite::{Connection, Row, params};

use super::{OptionalRow, Result, time};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct List {
    pub list_id: String,
    pub name: String,
    pub description: Option<String>,
    pub favorite: bool,
    pub membership_count: Option<i64>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub deleted_at: Option<String>,
    pub synced_at: String,
}

const COLS: &str = "list_id, name, description, favorite, membership_count, created_at, updated_at, deleted_at, synced_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<List> {
    Ok(List {
        list_id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        favorite: r.get(3)?,
        membership_count: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        deleted_at: r.get(7)?,
        synced_at: r.get(8)?,
    })
}

/// The fields Constant Contact reports for a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFields {
    pub list_id: String,
    pub name: String,
    pub description: Option<String>,
    pub favorite: bool,
    pub membership_count: Option<i64>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub deleted_at: Option<String>,
}

/// Inserts or updates a list; returns true when something changed.
pub fn upsert(conn: &Connection, l: &ListFields) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO ctct_lists (list_id, name, description, favorite, membership_count, created_at,
         updated_at, deleted_at, synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(list_id) DO UPDATE SET name = excluded.name, description = excluded.description,
           favorite = excluded.favorite, membership_count = excluded.membership_count,
           created_at = excluded.created_at, updated_at = excluded.updated_at,
           deleted_at = excluded.deleted_at, synced_at = excluded.synced_at
         WHERE (ctct_lists.name, ctct_lists.description, ctct_lists.favorite, ctct_lists.membership_count,
                ctct_lists.updated_at, ctct_lists.deleted_at)
           IS NOT (excluded.name, excluded.description, excluded.favorite, excluded.membership_count,
                   excluded.updated_at, excluded.deleted_at)",
        params![
            l.list_id,
            l.name,
            l.description,
            l.favorite,
            l.membership_count,
            l.created_at,
            l.updated_at,
            l.deleted_at,
            time::now()
        ],
    )?;
    Ok(n > 0)
}

/// Marks lists that Constant Contact no longer returns as deleted (keeps them for history).
pub fn mark_missing_deleted(conn: &Connection, seen: &[String]) -> Result<usize> {
    let now = time::now();
    let mut n = 0;
    let mut stmt = conn.prepare("SELECT list_id FROM ctct_lists WHERE deleted_at IS NULL")?;
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        if !seen.contains(&id) {
            n += conn.execute(
                "UPDATE ctct_lists SET deleted_at = ?2 WHERE list_id = ?1",
                params![id, now],
            )?;
        }
    }
    Ok(n)
}

pub fn get(conn: &Connection, list_id: &str) -> Result<Option<List>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM ctct_lists WHERE list_id = ?1"),
            [list_id],
            from_row,
        )
        .optional_row()?)
}

/// Every list, live ones first, by name.
pub fn all(conn: &Connection) -> Result<Vec<List>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM ctct_lists ORDER BY deleted_at IS NOT NULL, name COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count_live(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM ctct_lists WHERE deleted_at IS NULL",
        [],
        |r| r.get(0),
    )?)
}

/// Sets a membership state (idempotent).
pub fn set_membership(
    conn: &Connection,
    contact_id: i64,
    list_id: &str,
    state: &str,
) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO list_memberships (contact_id, list_id, state, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(contact_id, list_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
         WHERE list_memberships.state IS NOT excluded.state",
        params![contact_id, list_id, state, time::now()],
    )?;
    Ok(n > 0)
}

pub fn remove_membership(conn: &Connection, contact_id: i64, list_id: &str) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM list_memberships WHERE contact_id = ?1 AND list_id = ?2",
        params![contact_id, list_id],
    )?;
    Ok(n > 0)
}

/// Replaces a contact's memberships with what Constant Contact reports (sync), keeping pending adds.
pub fn replace_memberships(conn: &Connection, contact_id: i64, list_ids: &[String]) -> Result<()> {
    let now = time::now();
    conn.execute(
        "DELETE FROM list_memberships WHERE contact_id = ?1 AND state = 'member'",
        [contact_id],
    )?;
    for l in list_ids {
        conn.execute(
            "INSERT INTO list_memberships (contact_id, list_id, state, updated_at)
             SELECT ?1, ?2, 'member', ?3 WHERE EXISTS (SELECT 1 FROM ctct_lists WHERE list_id = ?2)
             ON CONFLICT(contact_id, list_id) DO UPDATE SET state = 'member', updated_at = excluded.updated_at",
            params![contact_id, l, now],
        )?;
    }
    Ok(())
}

/// (list, state) pairs of one contact.
pub fn memberships_of(conn: &Connection, contact_id: i64) -> Result<Vec<(List, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.list_id, l.name, l.description, l.favorite, l.membership_count, l.created_at,
                l.updated_at, l.deleted_at, l.synced_at, m.state
         FROM list_memberships m JOIN ctct_lists l ON l.list_id = m.list_id
         WHERE m.contact_id = ?1 ORDER BY l.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([contact_id], |r| Ok((from_row(r)?, r.get(9)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A person asked to add (`add = true`) or remove a contact from a list: the membership becomes
/// `pending_add` / `pending_remove` and the push is queued in the same transaction (pass one).
/// Returns the outbox entry id.
pub fn request_membership_change(
    conn: &Connection,
    contact_id: i64,
    list_id: &str,
    add: bool,
) -> Result<i64> {
    if get(conn, list_id)?.is_none() {
        return Err(super::StoreError::NotFound(format!(
            "list {list_id} (run `ctctsync run synccontactlists` to refresh the lists)"
        )));
    }
    if super::contacts::get(conn, contact_id)?.is_none() {
        return Err(super::StoreError::NotFound(format!("contact {contact_id}")));
    }
    let (state, kind) = if add {
        ("pending_add", super::outbox::Kind::AddToList)
    } else {
        ("pending_remove", super::outbox::Kind::RemoveFromList)
    };
    set_membership(conn, contact_id, list_id, state)?;
    super::outbox::enqueue(
        conn,
        contact_id,
        kind,
        &serde_json::json!({ "list_id": list_id }),
    )
}

/// (list id, CRM members, pending changes) for every list with memberships (the Lists tab).
pub fn member_counts(conn: &Connection) -> Result<Vec<(String, i64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT list_id, sum(state != 'pending_add'), sum(state != 'member')
         FROM list_memberships GROUP BY list_id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
