//! CRM contacts, their link to Constant Contact (`ctct_id`) and the edits that must be pushed.

use rusqlite::{Connection, Row, params};

use super::{OptionalRow, Result, StoreError, outbox, time};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contact {
    pub id: i64,
    pub crm_id: Option<String>,
    pub client_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub do_not_email: bool,
    pub ctct_id: Option<String>,
    pub ctct_status: Option<String>,
    pub ctct_opt_out_source: Option<String>,
    pub ctct_linked_at: Option<String>,
    pub last_activity_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Contact {
    pub fn full_name(&self) -> String {
        match (self.first_name.is_empty(), self.last_name.is_empty()) {
            (false, false) => format!("{} {}", self.first_name, self.last_name),
            (false, true) => self.first_name.clone(),
            (true, false) => self.last_name.clone(),
            (true, true) => String::new(),
        }
    }
}

pub const COLS: &str = "id, crm_id, client_id, first_name, last_name, email, do_not_email, ctct_id, \
     ctct_status, ctct_opt_out_source, ctct_linked_at, last_activity_at, created_at, updated_at";

pub fn from_row(r: &Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        crm_id: r.get(1)?,
        client_id: r.get(2)?,
        first_name: r.get(3)?,
        last_name: r.get(4)?,
        email: r.get(5)?,
        do_not_email: r.get(6)?,
        ctct_id: r.get(7)?,
        ctct_status: r.get(8)?,
        ctct_opt_out_source: r.get(9)?,
        ctct_linked_at: r.get(10)?,
        last_activity_at: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

/// Email as compared everywhere: trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The CRM-owned fields of a contact, as imported or edited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFields {
    pub crm_id: Option<String>,
    pub client_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub do_not_email: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted(i64),
    Updated(i64),
    Unchanged(i64),
}

impl Upserted {
    pub fn id(self) -> i64 {
        match self {
            Upserted::Inserted(id) | Upserted::Updated(id) | Upserted::Unchanged(id) => id,
        }
    }
}

/// Import upsert: matched by `crm_id` when given, otherwise by email (the first contact with that
/// email). Writing the same fields again changes nothing.
pub fn upsert(conn: &Connection, f: &ContactFields) -> Result<Upserted> {
    let email = f.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let norm = email.map(normalize_email);
    let existing: Option<Contact> = match (&f.crm_id, &norm) {
        (Some(cid), _) => get_by_crm_id(conn, cid)?,
        (None, Some(n)) => conn
            .prepare_cached(&format!(
                    "SELECT {COLS} FROM contacts WHERE email_norm = ?1 AND crm_id IS NULL ORDER BY id LIMIT 1"
                ))?
            .query_row(
                [n],
                from_row,
            )
            .optional_row()?,
        (None, None) => None,
    };
    let now = time::now();
    match existing {
        Some(c) => {
            let same = c.client_id == f.client_id
                && c.first_name == f.first_name
                && c.last_name == f.last_name
                && c.email.as_deref() == email
                && c.do_not_email == f.do_not_email;
            if same {
                return Ok(Upserted::Unchanged(c.id));
            }
            conn.prepare_cached(
                "UPDATE contacts SET client_id = ?2, first_name = ?3, last_name = ?4, email = ?5,
                 email_norm = ?6, do_not_email = ?7, updated_at = ?8 WHERE id = ?1",
            )?
            .execute(params![
                c.id,
                f.client_id,
                f.first_name,
                f.last_name,
                email,
                norm,
                f.do_not_email,
                now
            ])?;
            Ok(Upserted::Updated(c.id))
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO contacts (crm_id, client_id, first_name, last_name, email, email_norm,
                 do_not_email, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?
            .execute(params![
                f.crm_id,
                f.client_id,
                f.first_name,
                f.last_name,
                email,
                norm,
                f.do_not_email,
                now
            ])?;
            Ok(Upserted::Inserted(conn.last_insert_rowid()))
        }
    }
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Contact>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM contacts WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional_row()?)
}

pub fn get_by_crm_id(conn: &Connection, crm_id: &str) -> Result<Option<Contact>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM contacts WHERE crm_id = ?1"))?
        .query_row([crm_id], from_row)
        .optional_row()?)
}

pub fn get_by_ctct_id(conn: &Connection, ctct_id: &str) -> Result<Option<Contact>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM contacts WHERE ctct_id = ?1"))?
        .query_row([ctct_id], from_row)
        .optional_row()?)
}

/// Every contact with this email (trimmed, case-insensitive).
pub fn find_by_email(conn: &Connection, email: &str) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM contacts WHERE email_norm = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([normalize_email(email)], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds a contact by numeric id, CRM id, Constant Contact id or email — what a user types.
pub fn find(conn: &Connection, key: &str) -> Result<Vec<Contact>> {
    let key = key.trim();
    if let Ok(id) = key.parse::<i64>()
        && let Some(c) = get(conn, id)?
    {
        return Ok(vec![c]);
    }
    if let Some(c) = get_by_crm_id(conn, key)? {
        return Ok(vec![c]);
    }
    if let Some(c) = get_by_ctct_id(conn, key)? {
        return Ok(vec![c]);
    }
    find_by_email(conn, key)
}

/// Stores the link to a Constant Contact contact and its subscription state. Idempotent.
pub fn link(
    conn: &Connection,
    id: i64,
    ctct_id: &str,
    status: Option<&str>,
    opt_out_source: Option<&str>,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE contacts SET ctct_id = ?2, ctct_status = ?3, ctct_opt_out_source = ?4,
         ctct_linked_at = coalesce(ctct_linked_at, ?5)
         WHERE id = ?1 AND (ctct_id IS NOT ?2 OR ctct_status IS NOT ?3 OR ctct_opt_out_source IS NOT ?4)",
        params![id, ctct_id, status, opt_out_source, time::now()],
    )?;
    Ok(n > 0)
}

/// Records the subscription state Constant Contact reports for a linked contact. Idempotent.
pub fn set_ctct_status(
    conn: &Connection,
    ctct_id: &str,
    status: Option<&str>,
    opt_out_source: Option<&str>,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE contacts SET ctct_status = ?2, ctct_opt_out_source = ?3
         WHERE ctct_id = ?1 AND (ctct_status IS NOT ?2 OR ctct_opt_out_source IS NOT ?3)",
        params![ctct_id, status, opt_out_source],
    )?;
    Ok(n > 0)
}

pub fn unlink(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE contacts SET ctct_id = NULL, ctct_status = NULL, ctct_opt_out_source = NULL,
         ctct_linked_at = NULL WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// An edit made by a person in the UI or CLI: the changed CRM fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactEdit {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `Some(None)` clears the email.
    pub email: Option<Option<String>>,
    pub do_not_email: Option<bool>,
}

/// Saves an edit and, in the same transaction, queues the push to Constant Contact when the
/// contact is linked and `push` is on (the trigger setting). Returns the outbox row id, if any.
/// The caller passes a transaction (see [`super::write_tx`]).
pub fn save_edit(
    conn: &Connection,
    id: i64,
    edit: &ContactEdit,
    push: bool,
) -> Result<Option<i64>> {
    let c = get(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
    let first = edit.first_name.clone().unwrap_or(c.first_name.clone());
    let last = edit.last_name.clone().unwrap_or(c.last_name.clone());
    let email = match &edit.email {
        Some(e) => e
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string),
        None => c.email.clone(),
    };
    let dne = edit.do_not_email.unwrap_or(c.do_not_email);
    if first == c.first_name && last == c.last_name && email == c.email && dne == c.do_not_email {
        return Ok(None);
    }
    conn.execute(
        "UPDATE contacts SET first_name = ?2, last_name = ?3, email = ?4, email_norm = ?5,
         do_not_email = ?6, updated_at = ?7 WHERE id = ?1",
        params![
            id,
            first,
            last,
            email,
            email.as_deref().map(normalize_email),
            dne,
            time::now()
        ],
    )?;
    if push && c.ctct_id.is_some() {
        return Ok(Some(outbox::enqueue(
            conn,
            id,
            outbox::Kind::UpdateContact,
            &serde_json::json!({}),
        )?));
    }
    Ok(None)
}

/// Contacts ordered by (last, first, id) after a key, filtered by a substring of name or email.
pub fn page_after(
    conn: &Connection,
    after: Option<(&str, &str, i64)>,
    filter: &str,
    limit: usize,
) -> Result<Vec<Contact>> {
    let (l, f, id) = after.unwrap_or(("", "", 0));
    let filter = filter.trim().to_lowercase();
    let like = format!("%{filter}%");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM contacts
         WHERE (last_name COLLATE NOCASE, first_name COLLATE NOCASE, id) > (?1, ?2, ?3)
           AND (?4 = '' OR lower(first_name || ' ' || last_name) LIKE ?5 OR email_norm LIKE ?5)
         ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id LIMIT ?6"
    ))?;
    let rows = stmt.query_map(params![l, f, id, filter, like, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn by_client(conn: &Connection, client_id: i64) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM contacts WHERE client_id = ?1 ORDER BY last_name, first_name, id"
    ))?;
    let rows = stmt.query_map([client_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub contacts: i64,
    pub with_email: i64,
    pub linked: i64,
    pub do_not_email: i64,
}

pub fn counts(conn: &Connection) -> Result<Counts> {
    Ok(conn.query_row(
        "SELECT count(*), count(email_norm), count(ctct_id), coalesce(sum(do_not_email), 0) FROM contacts",
        [],
        |r| {
            Ok(Counts {
                contacts: r.get(0)?,
                with_email: r.get(1)?,
                linked: r.get(2)?,
                do_not_email: r.get(3)?,
            })
        },
    )?)
}

/// Groups of CRM contacts that share one email (reported by the contact sync, never guessed).
pub fn duplicate_emails(conn: &Connection) -> Result<Vec<(String, Vec<i64>)>> {
    let mut stmt = conn.prepare(
        "SELECT email_norm, group_concat(id) FROM contacts WHERE email_norm IS NOT NULL
         GROUP BY email_norm HAVING count(*) > 1 ORDER BY email_norm",
    )?;
    let rows = stmt.query_map([], |r| {
        let email: String = r.get(0)?;
        let ids: String = r.get(1)?;
        Ok((
            email,
            ids.split(',').filter_map(|s| s.parse().ok()).collect(),
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Matches above this many rows are dense enough that walking the name index in order finds a
/// page sooner than sorting every match.
const DENSE: i64 = 8000;

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The dashboard's contact search, ordered and paged like [`page_after`], fast at 100,000
/// contacts. A filter of 3+ characters matches a substring of "first last" or the email (through
/// the `contacts_fts` trigram index); 1–2 characters match the start of the last name (a range of
/// the name index). Sparse matches are fetched from the index and
/// sorted; dense ones are found by walking the name index in order.
pub fn search_after(
    conn: &Connection,
    after: Option<(&str, &str, i64)>,
    filter: &str,
    limit: usize,
) -> Result<Vec<Contact>> {
    let filter = filter.trim().to_lowercase();
    if filter.is_empty() {
        return page_after(conn, after, "", limit);
    }
    if let Some((last, first)) = last_first(&filter) {
        return search_last_first(conn, after, &last, &first, limit);
    }
    let (l, f, id) = after.unwrap_or(("", "", 0));
    let order = "ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id";
    let key = "(last_name COLLATE NOCASE, first_name COLLATE NOCASE, id) > (?1, ?2, ?3)";
    if filter.chars().count() < 3 {
        // One or two characters: last names that start with them — a range of the name index,
        // already in display order, so it costs one page whatever the data.
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLS} FROM contacts
             WHERE last_name COLLATE NOCASE >= ?4 AND last_name COLLATE NOCASE < ?4 || char(1114111)
               AND {key} {order} LIMIT ?5"
        ))?;
        let rows = stmt.query_map(params![l, f, id, filter, limit as i64], from_row)?;
        return Ok(rows.collect::<rusqlite::Result<_>>()?);
    }
    let phrase = format!("\"{}\"", filter.replace('"', "\"\""));
    let set = "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?4";
    let dense_test = "(lower(first_name || ' ' || last_name) LIKE ?5 ESCAPE '\\' OR email_norm LIKE ?5 ESCAPE '\\')";
    let arg = (phrase, format!("%{}%", like_escape(&filter)));
    let count = conn
        .prepare_cached(&format!("SELECT count(*) FROM ({set} LIMIT {})", DENSE + 1))
        .and_then(|mut s| s.query_row(params![l, f, id, arg.0], |r| r.get::<_, i64>(0)));
    let matches = match count {
        Ok(n) => n,
        // A store made before the search index existed: the plain (slower) filter.
        Err(e) if e.to_string().contains("no such table") => {
            return page_after(conn, after, &filter, limit);
        }
        Err(e) => return Err(e.into()),
    };
    let sql = if matches > DENSE {
        format!(
            "SELECT {COLS} FROM contacts WHERE {key} AND {dense_test} AND ?4 = ?4 {order} LIMIT ?6"
        )
    } else {
        // `+` keeps SQLite from walking the name index: it sorts the few matches instead.
        format!(
            "SELECT {COLS} FROM contacts WHERE id IN ({set}) AND {key} AND ?5 = ?5
             ORDER BY +last_name COLLATE NOCASE, +first_name COLLATE NOCASE, +id LIMIT ?6"
        )
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![l, f, id, arg.0, arg.1, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A filter typed the way the Name column shows a contact, "Last, First" (or a piece of it, such
/// as "son, Pat"): the parts before and after the first comma, trimmed. Emails and the
/// "first last" text never contain a comma, so a comma always means this form.
fn last_first(filter: &str) -> Option<(String, String)> {
    let (last, first) = filter.split_once(',')?;
    Some((last.trim().to_string(), first.trim().to_string()))
}

/// [`search_after`] for the "Last, First" form: it matches what a substring of the Name column
/// "Last, First" matches — a last name that ends with `last` and a first name that starts with
/// `first`. A `last` of 3+ characters narrows the candidates through the trigram index first
/// (sparse matches are sorted, dense ones found by walking the name index, as in
/// [`search_after`]); shorter ones walk the name index.
fn search_last_first(
    conn: &Connection,
    after: Option<(&str, &str, i64)>,
    last: &str,
    first: &str,
    limit: usize,
) -> Result<Vec<Contact>> {
    let (l, f, id) = after.unwrap_or(("", "", 0));
    let key = "(last_name COLLATE NOCASE, first_name COLLATE NOCASE, id) > (?1, ?2, ?3)";
    let test = "lower(last_name) LIKE ?4 ESCAPE '\\' AND lower(first_name) LIKE ?5 ESCAPE '\\'";
    let ends = format!("%{}", like_escape(last));
    let starts = format!("{}%", like_escape(first));
    let walk = || -> Result<Vec<Contact>> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLS} FROM contacts WHERE {key} AND {test}
             ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id LIMIT ?6"
        ))?;
        let rows = stmt.query_map(params![l, f, id, ends, starts, limit as i64], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    if last.chars().count() < 3 {
        return walk();
    }
    let phrase = format!("\"{}\"", last.replace('"', "\"\""));
    let set = "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?7";
    let count = conn
        .prepare_cached(&format!("SELECT count(*) FROM ({set} LIMIT {})", DENSE + 1))
        .and_then(|mut s| {
            s.query_row(params![l, f, id, ends, starts, limit as i64, phrase], |r| {
                r.get::<_, i64>(0)
            })
        });
    match count {
        Ok(n) if n <= DENSE => {
            // `+` keeps SQLite from walking the name index: it sorts the few matches instead.
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLS} FROM contacts WHERE id IN ({set}) AND {key} AND {test}
                 ORDER BY +last_name COLLATE NOCASE, +first_name COLLATE NOCASE, +id LIMIT ?6"
            ))?;
            let rows = stmt.query_map(
                params![l, f, id, ends, starts, limit as i64, phrase],
                from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        }
        Ok(_) => walk(),
        // A store made before the search index existed.
        Err(e) if e.to_string().contains("no such table") => walk(),
        Err(e) => Err(e.into()),
    }
}
