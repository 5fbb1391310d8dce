//! Constant Contact's contacts as last seen by the contact sync: id, email and subscription state
//! only (no fields are ever copied into CRM contacts). Used to link CRM contacts by email.

use rusqlite::{Connection, params};

use super::{Result, time};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CtctContact {
    pub contact_id: String,
    pub email: Option<String>,
    pub permission: Option<String>,
    pub opt_out_source: Option<String>,
    pub deleted: bool,
    pub updated_at: Option<String>,
    pub email_updated_at: Option<String>,
}

/// Upserts one seen contact; returns true when something changed.
pub fn upsert(conn: &Connection, c: &CtctContact) -> Result<bool> {
    let email = c.email.as_deref().map(super::contacts::normalize_email);
    let status = if c.deleted { "deleted" } else { "active" };
    let n = conn.execute(
        "INSERT INTO ctct_contacts (contact_id, email_norm, permission, opt_out_source, status,
           updated_at, email_updated_at, synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(contact_id) DO UPDATE SET email_norm = excluded.email_norm,
           permission = excluded.permission, opt_out_source = excluded.opt_out_source,
           status = excluded.status, updated_at = excluded.updated_at,
           email_updated_at = excluded.email_updated_at, synced_at = excluded.synced_at
         WHERE (ctct_contacts.email_norm, ctct_contacts.permission, ctct_contacts.opt_out_source,
                ctct_contacts.status, ctct_contacts.updated_at, ctct_contacts.email_updated_at)
           IS NOT (excluded.email_norm, excluded.permission, excluded.opt_out_source,
                   excluded.status, excluded.updated_at, excluded.email_updated_at)",
        params![
            c.contact_id,
            email,
            c.permission,
            c.opt_out_source,
            status,
            c.updated_at,
            c.email_updated_at,
            time::now()
        ],
    )?;
    Ok(n > 0)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM ctct_contacts", [], |r| r.get(0))?)
}

/// Constant Contact contact ids whose (normalized) email matches, deleted ones last.
pub fn by_email(conn: &Connection, email: &str) -> Result<Vec<(String, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT contact_id, status = 'deleted' FROM ctct_contacts WHERE email_norm = ?1
         ORDER BY status = 'deleted', contact_id",
    )?;
    let rows = stmt.query_map([super::contacts::normalize_email(email)], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records the lists a Constant Contact contact is on (replacing what was known).
pub fn set_lists(conn: &Connection, contact_id: &str, list_ids: &[String]) -> Result<()> {
    conn.prepare_cached("DELETE FROM ctct_list_members WHERE contact_id = ?1")?
        .execute([contact_id])?;
    let mut ins = conn.prepare_cached(
        "INSERT OR IGNORE INTO ctct_list_members (contact_id, list_id) VALUES (?1, ?2)",
    )?;
    for l in list_ids {
        ins.execute(params![contact_id, l])?;
    }
    Ok(())
}

/// Gives linked CRM contacts that have no list memberships yet the lists their Constant Contact
/// contact is on (a contact linked after its page was stored). Returns the rows added.
pub fn fill_memberships_of_new_links(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO list_memberships (contact_id, list_id, state, updated_at)
         SELECT c.id, m.list_id, 'member', ?1
         FROM contacts c
         JOIN ctct_list_members m ON m.contact_id = c.ctct_id
         JOIN ctct_lists l ON l.list_id = m.list_id
         WHERE c.ctct_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM list_memberships x WHERE x.contact_id = c.id)",
        [time::now()],
    )?)
}
