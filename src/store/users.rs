//! CRM users and the Constant Contact permission (SPEC §4 step 9).

use rusqlite::{Connection, params};

use super::{Result, time};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub ctct_permission: bool,
}

/// Adds a user (or renames one); keeps its permission.
pub fn upsert(conn: &Connection, username: &str, display_name: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO crm_users (username, display_name, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(username) DO UPDATE SET display_name = excluded.display_name,
           updated_at = excluded.updated_at WHERE crm_users.display_name IS NOT excluded.display_name",
        params![username, display_name, time::now()],
    )?;
    Ok(())
}

pub fn set_permission(conn: &Connection, username: &str, on: bool) -> Result<()> {
    conn.execute(
        "INSERT INTO crm_users (username, ctct_permission, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(username) DO UPDATE SET ctct_permission = excluded.ctct_permission,
           updated_at = excluded.updated_at WHERE crm_users.ctct_permission IS NOT excluded.ctct_permission",
        params![username, on, time::now()],
    )?;
    Ok(())
}

pub fn all(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare_cached(
        "SELECT username, display_name, ctct_permission FROM crm_users ORDER BY username",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(User {
            username: r.get(0)?,
            display_name: r.get(1)?,
            ctct_permission: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether a user may see the Constant Contact tabs. With no users configured at all, everyone
/// may (a fresh install must not lock its admin out).
pub fn has_permission(conn: &Connection, username: &str) -> Result<bool> {
    let (any, this): (i64, Option<bool>) = conn.query_row(
        "SELECT (SELECT count(*) FROM crm_users WHERE ctct_permission = 1),
                (SELECT ctct_permission FROM crm_users WHERE username = ?1)",
        [username],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(any == 0 || this.unwrap_or(false))
}
