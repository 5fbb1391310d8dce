//! Sync high-water marks and resumable cursors, keyed by (scope, key).

use rusqlite::{Connection, params};

use super::{OptionalRow, Result, time};

pub fn get(conn: &Connection, scope: &str, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM sync_state WHERE scope = ?1 AND key = ?2",
            params![scope, key],
            |r| r.get(0),
        )
        .optional_row()?)
}

pub fn set(conn: &Connection, scope: &str, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO sync_state (scope, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
         WHERE sync_state.value IS NOT excluded.value",
        params![scope, key, value, time::now()],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, scope: &str, key: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM sync_state WHERE scope = ?1 AND key = ?2",
        params![scope, key],
    )?;
    Ok(())
}

/// Every (key, value) of a scope.
pub fn scope(conn: &Connection, scope: &str) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, value FROM sync_state WHERE scope = ?1 ORDER BY key")?;
    let rows = stmt.query_map([scope], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn clear_scope(conn: &Connection, scope: &str) -> Result<()> {
    conn.execute("DELETE FROM sync_state WHERE scope = ?1", [scope])?;
    Ok(())
}
