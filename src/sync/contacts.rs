//! `synccontacts`: Constant Contact's contacts into the `ctct_contacts` cache, their subscription
//! state onto linked CRM contacts, and links for CRM contacts that have none yet.
//!
//! Passes: the first run lists every contact (`status=all`); later runs list only contacts changed
//! since the marks, once by `updated_after` and once by `optout_after` (opt-outs do not move
//! `updated_at`), each with an hour of overlap. Each page's rows and the resume cursor are
//! committed together, so a killed run continues from the page after the last one stored; the
//! marks move only when every pass of the run is complete.
//!
//! Linking reads the cache, not the API: a CRM contact without a Constant Contact id is linked to
//! the live Constant Contact contact with the same email (trimmed, case-insensitive), so contacts
//! imported into the CRM later are linked by the next run without a full pass. Two CRM contacts with
//! one email are reported, never guessed. Links are never broken by a later CRM email change (the id
//! is the link), CRM contacts are never created and no field is copied back.

use rusqlite::{Connection, params};

use crate::store::{self, StoreError, contacts, ctct_contacts, lists, sync_state, time};

use super::api::{ContactQuery, CtctApi, RemoteContact};
use super::run::Tracker;
use super::{SyncError, check_cancel};

const SCOPE: &str = "contacts";
/// How far before the marks an incremental pass starts (clock skew, late commits).
const OVERLAP: chrono::Duration = chrono::Duration::hours(1);

/// A pass in progress, stored under ('contacts', 'pass') so a killed run resumes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct PassState {
    /// "full", or "updated" then "optout".
    phase: String,
    next: Option<String>,
    /// The query of this pass (fixed when the pass starts).
    updated_after: Option<String>,
    optout_after: Option<String>,
    /// Newest `updated_at` / `email_address.updated_at` seen so far in the pass.
    max_updated: Option<String>,
    max_email_updated: Option<String>,
}

fn load_pass(conn: &Connection) -> Result<Option<PassState>, StoreError> {
    Ok(sync_state::get(conn, SCOPE, "pass")?.and_then(|v| serde_json::from_str(&v).ok()))
}

fn save_pass(conn: &Connection, p: &PassState) -> Result<(), StoreError> {
    let v = serde_json::to_string(p).map_err(|e| StoreError::Invalid(e.to_string()))?;
    sync_state::set(conn, SCOPE, "pass", &v)
}

fn minus_overlap(mark: &str) -> String {
    match time::parse(mark) {
        Some(t) => time::fmt(t - OVERLAP),
        None => mark.to_string(),
    }
}

fn max_opt(a: Option<String>, b: Option<&String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.as_str() > a.as_str() {
            b.clone()
        } else {
            a
        }),
        (a, b) => a.or_else(|| b.cloned()),
    }
}

fn new_pass(conn: &Connection) -> Result<PassState, StoreError> {
    let updated = sync_state::get(conn, SCOPE, "updated_after")?;
    let optout = sync_state::get(conn, SCOPE, "optout_after")?;
    Ok(match updated {
        None => PassState {
            phase: "full".into(),
            ..PassState::default()
        },
        Some(u) => PassState {
            phase: "updated".into(),
            updated_after: Some(minus_overlap(&u)),
            optout_after: Some(minus_overlap(optout.as_deref().unwrap_or(&u))),
            ..PassState::default()
        },
    })
}

pub async fn run<A: CtctApi>(api: &A, conn: &mut Connection, t: &Tracker) -> Result<(), SyncError> {
    let mut pass = match load_pass(conn)? {
        Some(p) => p,
        None => new_pass(conn)?,
    };
    let mut pages = 0i64;
    loop {
        let query = match pass.phase.as_str() {
            "updated" => ContactQuery {
                updated_after: pass.updated_after.clone(),
                optout_after: None,
            },
            "optout" => ContactQuery {
                updated_after: None,
                optout_after: pass.optout_after.clone(),
            },
            _ => ContactQuery::default(),
        };
        let page = api.contacts_page(&query, pass.next.as_deref()).await?;
        pages += 1;
        let tx = store::write_tx(conn)?;
        let (updated, skipped) = store_page(&tx, &page.items)?;
        for c in &page.items {
            pass.max_updated = max_opt(pass.max_updated.take(), c.updated_at.as_ref());
            pass.max_email_updated =
                max_opt(pass.max_email_updated.take(), c.email_updated_at.as_ref());
        }
        pass.next = page.next;
        let finished = pass.next.is_none() && pass.phase != "updated";
        if pass.next.is_none() && pass.phase == "updated" {
            pass.phase = "optout".into();
        }
        if finished {
            // The whole pass is stored: advance the marks and forget the cursor, atomically.
            if let Some(m) = &pass.max_updated {
                let keep = sync_state::get(&tx, SCOPE, "updated_after")?;
                sync_state::set(
                    &tx,
                    SCOPE,
                    "updated_after",
                    &max_opt(keep, Some(m)).unwrap_or_default(),
                )?;
            } else if sync_state::get(&tx, SCOPE, "updated_after")?.is_none() {
                sync_state::set(&tx, SCOPE, "updated_after", &time::now())?;
            }
            let om = max_opt(pass.max_email_updated.clone(), pass.max_updated.as_ref());
            if let Some(m) = om {
                let keep = sync_state::get(&tx, SCOPE, "optout_after")?;
                sync_state::set(
                    &tx,
                    SCOPE,
                    "optout_after",
                    &max_opt(keep, Some(&m)).unwrap_or_default(),
                )?;
            }
            sync_state::delete(&tx, SCOPE, "pass")?;
        } else {
            save_pass(&tx, &pass)?;
        }
        tx.commit().map_err(StoreError::from)?;
        let n = page.items.len() as i64;
        let phase = pass.phase.clone();
        t.note_requests(api.requests_sent());
        t.update(|p, s| {
            p.items += n;
            p.phase = Some(format!("page {pages} of contacts ({phase} pass)"));
            s.updated += updated;
            s.skipped += skipped;
        });
        if finished {
            break;
        }
        check_cancel(t)?;
    }
    t.set_phase("linking CRM contacts by email");
    let tx = store::write_tx(conn)?;
    let report = link_by_email(&tx)?;
    ctct_contacts::fill_memberships_of_new_links(&tx)?;
    tx.commit().map_err(StoreError::from)?;
    t.update(|p, s| {
        p.progress = 1.0;
        s.linked += report.linked;
        s.skipped += report.duplicates.len() as i64;
        for (email, ids) in &report.duplicates {
            s.notes.push(format!(
                "{} CRM contacts share the email {email} (ids {}): not linked; give each its own email in the CRM",
                ids.len(),
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
    });
    Ok(())
}

/// Stores one page: the cache rows, and the subscription state (and memberships) of linked CRM
/// contacts. Returns (CRM contacts whose state changed, unchanged rows).
fn store_page(conn: &Connection, page: &[RemoteContact]) -> Result<(i64, i64), StoreError> {
    let (mut updated, mut skipped) = (0, 0);
    for c in page {
        ctct_contacts::upsert(conn, &cache_entry(c))?;
        let status = if c.deleted {
            Some("deleted")
        } else {
            c.permission.as_deref()
        };
        if contacts::set_ctct_status(conn, &c.contact_id, status, c.opt_out_source.as_deref())? {
            updated += 1;
        } else {
            skipped += 1;
        }
        ctct_contacts::set_lists(conn, &c.contact_id, &c.list_memberships)?;
        if let Some(crm) = contacts::get_by_ctct_id(conn, &c.contact_id)? {
            lists::replace_memberships(conn, crm.id, &c.list_memberships)?;
        }
    }
    Ok((updated, skipped))
}

/// What linking did.
#[derive(Debug, Default)]
pub struct LinkReport {
    pub linked: i64,
    /// Emails shared by several unlinked CRM contacts, with their ids.
    pub duplicates: Vec<(String, Vec<i64>)>,
}

/// Links every CRM contact without a Constant Contact id to the live cached Constant Contact
/// contact with the same normalized email, unless that contact is linked already or several CRM
/// contacts share the email. A contact linked after activity marks exist is queued for an activity
/// back-fill (its earlier activities lie below the marks).
pub fn link_by_email(conn: &Connection) -> Result<LinkReport, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT c.email_norm, group_concat(c.id), min(cc.contact_id), min(cc.permission),
                min(cc.opt_out_source), count(DISTINCT cc.contact_id)
         FROM contacts c
         JOIN ctct_contacts cc ON cc.email_norm = c.email_norm AND cc.status = 'active'
         WHERE c.ctct_id IS NULL AND c.email_norm IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.ctct_id = cc.contact_id)
         GROUP BY c.email_norm",
    )?;
    type Row = (String, String, String, Option<String>, Option<String>, i64);
    let rows: Vec<Row> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let backfill = sync_state::scope(conn, "activity")?
        .iter()
        .any(|(k, _)| k.starts_with("mark/"));
    let mut report = LinkReport::default();
    for (email, ids, ctct_id, permission, opt_out, distinct) in rows {
        let mut ids: Vec<i64> = ids.split(',').filter_map(|s| s.parse().ok()).collect();
        ids.sort_unstable();
        // Every CRM contact with the email counts, linked ones included.
        let all: i64 = conn.query_row(
            "SELECT count(*) FROM contacts WHERE email_norm = ?1",
            [&email],
            |r| r.get(0),
        )?;
        if all > 1 || ids.len() > 1 || distinct > 1 {
            let all_ids: Vec<i64> = contacts::find_by_email(conn, &email)?
                .into_iter()
                .map(|c| c.id)
                .collect();
            report.duplicates.push((email, all_ids));
            continue;
        }
        let Some(&id) = ids.first() else { continue };
        if contacts::link(
            conn,
            id,
            &ctct_id,
            permission.as_deref(),
            opt_out.as_deref(),
        )? {
            report.linked += 1;
            if backfill {
                sync_state::set(conn, "activity_backfill", &ctct_id, &time::now())?;
            }
        }
    }
    Ok(report)
}

/// What the contact cache keeps of a Constant Contact contact.
fn cache_entry(c: &RemoteContact) -> ctct_contacts::CtctContact {
    ctct_contacts::CtctContact {
        contact_id: c.contact_id.clone(),
        email: c.email.clone(),
        permission: c.permission.clone(),
        opt_out_source: c.opt_out_source.clone(),
        deleted: c.deleted,
        updated_at: c.updated_at.clone(),
        email_updated_at: c.email_updated_at.clone(),
    }
}

/// Links one CRM contact (used by the push after it created or found the Constant Contact contact).
pub fn link_one(conn: &Connection, crm_id: i64, c: &RemoteContact) -> Result<bool, StoreError> {
    ctct_contacts::upsert(conn, &cache_entry(c))?;
    let backfill = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sync_state WHERE scope = 'activity' AND key LIKE 'mark/%')",
        [],
        |r| r.get::<_, bool>(0),
    )?;
    let linked = contacts::link(
        conn,
        crm_id,
        &c.contact_id,
        c.permission.as_deref(),
        c.opt_out_source.as_deref(),
    )?;
    if linked && backfill {
        conn.execute(
            "INSERT OR IGNORE INTO sync_state (scope, key, value, updated_at) VALUES ('activity_backfill', ?1, ?2, ?2)",
            params![c.contact_id, time::now()],
        )?;
    }
    Ok(linked)
}
