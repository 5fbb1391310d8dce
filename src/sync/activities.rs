//! `syncactivities`: engagement of linked contacts into interactions (and events when on).
//!
//! Campaign-level mode (the default): campaign names from `/emails` (details only for new or
//! changed campaigns), then for every sendable campaign activity and each of the six report types,
//! a newest-first scan of `/reports/email_reports/{id}/tracking/{type}` (500 rows a request) that
//! stops at the (activity, type) high-water mark. The request count grows with report pages, never
//! with the number of contacts.
//!
//! Crash safety (sync_state scope `activity`):
//! - `scan/<activity>/<type>` = {next cursor, top}: written with each page's rows in one
//!   transaction, so a killed scan resumes after the last stored page;
//! - `mark/<activity>/<type>` = the newest activity time of a *completed* scan, moved in the same
//!   transaction as the scan's last page. A scan stops at the first row older than the mark and
//!   re-reads rows at the mark itself; inserts are idempotent on (contact, activity, type, time,
//!   link), so a resumed or repeated scan leaves no duplicate and no gap.
//!
//! Contacts linked after marks exist are back-filled one by one from the per-contact endpoint
//! (queue `activity_backfill`). Per-contact mode — the documented fallback for accounts whose
//! token may not read campaign reports (`sync_state` ('activity', 'mode') = `per_contact`, or set
//! automatically when the reports are refused) — walks linked contacts in batches of
//! `sync.activity_batch_size`, committing a cursor after each batch.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;

use crate::config;
use crate::store::interactions::{self, Kind, NewInteraction};
use crate::store::{self, StoreError, campaigns, sync_state};

use super::api::{ApiError, CtctApi, TrackingRow};
use super::events as ev;
use super::run::Tracker;
use super::{SyncError, check_cancel};

const SCOPE: &str = "activity";
/// Report rows buffered before a commit.
const FLUSH_ROWS: usize = 20_000;

/// Time spent storing report pages (rows + cursor/mark commits) and rows handled, for the bench.
static INGEST_NANOS: AtomicU64 = AtomicU64::new(0);
static INGEST_ROWS: AtomicU64 = AtomicU64::new(0);

/// (report rows handled, time spent storing them) since the process started.
#[doc(hidden)]
pub fn ingest_stats() -> (u64, std::time::Duration) {
    (
        INGEST_ROWS.load(Ordering::Relaxed),
        std::time::Duration::from_nanos(INGEST_NANOS.load(Ordering::Relaxed)),
    )
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct ScanState {
    next: Option<String>,
    /// Newest activity time seen by this scan (the mark once it completes).
    top: Option<String>,
}

/// Linked CRM contacts: Constant Contact id -> (CRM id).
fn linked_contacts(conn: &Connection) -> Result<HashMap<String, i64>, StoreError> {
    let mut stmt = conn.prepare("SELECT ctct_id, id FROM contacts WHERE ctct_id IS NOT NULL")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Turns report rows into interactions of linked contacts (others are skipped).
fn to_interactions(
    rows: &[TrackingRow],
    linked: &HashMap<String, i64>,
    fallback_kind: Option<Kind>,
) -> (Vec<NewInteraction>, i64) {
    let mut out = Vec::with_capacity(rows.len());
    let mut skipped = 0;
    for r in rows {
        let (Some(&contact_id), Some(at)) = (
            linked.get(&r.contact_id),
            interactions::normalize_time(&r.created_time),
        ) else {
            skipped += 1;
            continue;
        };
        let kind = r.kind.or(fallback_kind);
        out.push(NewInteraction {
            contact_id,
            ctct_contact_id: r.contact_id.clone(),
            campaign_activity_id: r.campaign_activity_id.clone(),
            kind,
            occurred_at: at,
            link_url: if kind == Some(Kind::Click) {
                r.link_url.clone().unwrap_or_default()
            } else {
                String::new()
            },
            url_id: r.url_id.clone(),
            bounce_code: r.bounce_code.clone(),
            device_type: r.device_type.clone(),
            opt_out_reason: r.opt_out_reason.clone(),
        });
    }
    (out, skipped)
}

/// Stores interactions and, when events are on, refreshes the touched pairs' events; returns
/// (new rows, events changed). Call inside the page's transaction.
fn ingest(
    conn: &Connection,
    rows: &[NewInteraction],
    events_on: bool,
) -> Result<(usize, usize), StoreError> {
    let new = interactions::insert_many(conn, rows)?;
    let mut changed = 0;
    if events_on && new > 0 {
        let pairs: BTreeSet<(i64, String)> = rows
            .iter()
            .map(|r| (r.contact_id, r.campaign_activity_id.clone()))
            .collect();
        changed = ev::refresh_pairs(conn, &pairs)?;
    }
    Ok((new, changed))
}

pub async fn run<A: CtctApi>(api: &A, conn: &mut Connection, t: &Tracker) -> Result<(), SyncError> {
    // Bulk insert: a 64 MB page cache (the default 2 MB spills and rereads index pages) and a
    // checkpoint every ~40 MB of WAL instead of every 4 MB; one checkpoint at the end.
    conn.pragma_update(None, "cache_size", -65_536)?;
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    let events_on = config::get_bool(conn, "sync.activities_to_events")?;
    let per_contact = sync_state::get(conn, SCOPE, "mode")?.as_deref() == Some("per_contact");
    let any_linked: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM contacts WHERE ctct_id IS NOT NULL)",
        [],
        |r| r.get(0),
    )?;
    if !any_linked {
        // Nothing to store, and no marks are set: the first run with linked contacts reads the
        // whole history through the campaign reports (marks set now would leave every contact
        // linked later to the one-request-per-contact back-fill).
        t.update(|_, s| {
            s.notes.push(
                "no CRM contact is linked to Constant Contact yet: nothing to download \
                 (import contacts, then run synccontacts)"
                    .into(),
            )
        });
        return finish(conn, t, events_on);
    }
    if per_contact {
        per_contact_mode(api, conn, t, events_on).await?;
    } else {
        t.set_phase("campaign names");
        let activities = resolve_campaigns(api, conn, t).await?;
        match campaign_mode(api, conn, t, &activities, events_on).await {
            Err(SyncError::Api(ApiError::Invalid(msg))) if msg.contains("403") => {
                // The token may not read campaign reports: fall back, and say so.
                {
                    let tx = store::write_tx(conn)?;
                    sync_state::set(&tx, SCOPE, "mode", "per_contact")?;
                    tx.commit().map_err(StoreError::from)?;
                }
                t.update(|_, s| {
                    s.notes.push(format!(
                        "campaign reports were refused ({msg}); switched to per-contact mode"
                    ))
                });
                per_contact_mode(api, conn, t, events_on).await?;
            }
            other => other?,
        }
        backfill_contacts(api, conn, t, events_on).await?;
    }
    finish(conn, t, events_on)
}

/// Events back-fill and repair, and each contact's last activity time.
fn finish(conn: &mut Connection, t: &Tracker, events_on: bool) -> Result<(), SyncError> {
    let started = std::time::Instant::now();
    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    INGEST_NANOS.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    if events_on {
        t.set_phase("events");
        let tx = store::write_tx(conn)?;
        ev::rename_resolved(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        loop {
            let tx = store::write_tx(conn)?;
            let n = ev::backfill_batch(&tx, 2_000)?;
            tx.commit().map_err(StoreError::from)?;
            t.update(|_, s| s.created += n as i64);
            if n < 2_000 {
                break;
            }
            check_cancel(t)?;
        }
    }
    t.set_phase("last activity per contact");
    let tx = store::write_tx(conn)?;
    interactions::refresh_last_activity(&tx)?;
    tx.commit().map_err(StoreError::from)?;
    t.update(|p, _| {
        p.progress = 1.0;
        p.phase = Some("done".into());
    });
    Ok(())
}

/// Campaign names and activities. Details are fetched only for campaigns that are new, changed,
/// or have no known activities. Returns the sendable campaign activity ids.
async fn resolve_campaigns<A: CtctApi>(
    api: &A,
    conn: &mut Connection,
    t: &Tracker,
) -> Result<Vec<String>, SyncError> {
    let mut next: Option<String> = None;
    let mut list = Vec::new();
    loop {
        let page = api.emails_page(next.as_deref()).await?;
        list.extend(page.items);
        t.note_requests(api.requests_sent());
        next = page.next;
        if next.is_none() {
            break;
        }
    }
    for c in &list {
        if matches!(
            c.current_status.as_deref(),
            Some("Draft" | "DRAFT" | "Scheduled" | "SCHEDULED")
        ) {
            continue;
        }
        let changed = {
            let tx = store::write_tx(conn)?;
            let changed = campaigns::upsert_campaign(
                &tx,
                &campaigns::CampaignFields {
                    campaign_id: c.campaign_id.clone(),
                    name: c.name.clone(),
                    current_status: c.current_status.clone(),
                    kind: c.kind.clone(),
                    created_at: c.created_at.clone(),
                    updated_at: c.updated_at.clone(),
                    last_sent_at: None,
                },
            )?;
            tx.commit().map_err(StoreError::from)?;
            changed
        };
        if !changed && !campaigns::activities_of(conn, &c.campaign_id)?.is_empty() {
            continue;
        }
        let detail = match api.email(&c.campaign_id).await {
            Ok(d) => d,
            Err(ApiError::NotFound(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        t.note_requests(api.requests_sent());
        let tx = store::write_tx(conn)?;
        for a in &detail.activities {
            campaigns::upsert_activity(
                &tx,
                &campaigns::ActivityFields {
                    campaign_activity_id: a.campaign_activity_id.clone(),
                    campaign_id: Some(c.campaign_id.clone()),
                    role: a.role.clone(),
                    subject: None,
                    name: Some(detail.campaign.name.clone()).filter(|n| !n.is_empty()),
                },
            )?;
        }
        tx.commit().map_err(StoreError::from)?;
    }
    let mut out = Vec::new();
    for c in &list {
        if matches!(
            c.current_status.as_deref(),
            Some("Draft" | "DRAFT" | "Scheduled" | "SCHEDULED")
        ) {
            continue;
        }
        out.extend(campaigns::activities_of(conn, &c.campaign_id)?);
    }
    Ok(out)
}

async fn campaign_mode<A: CtctApi>(
    api: &A,
    conn: &mut Connection,
    t: &Tracker,
    activities: &[String],
    events_on: bool,
) -> Result<(), SyncError> {
    let linked = linked_contacts(conn)?;
    let total = activities.len() * Kind::ALL.len();
    let mut done = 0usize;
    for ca in activities {
        for kind in Kind::ALL {
            scan(api, conn, t, &linked, ca, kind, events_on).await?;
            done += 1;
            t.update(|p, _| p.progress = done as f64 / total.max(1) as f64 * 0.95);
            check_cancel(t)?;
        }
    }
    Ok(())
}

/// One newest-first scan of (campaign activity, type), stopped at its mark.
async fn scan<A: CtctApi>(
    api: &A,
    conn: &mut Connection,
    t: &Tracker,
    linked: &HashMap<String, i64>,
    ca: &str,
    kind: Kind,
    events_on: bool,
) -> Result<(), SyncError> {
    let scan_key = format!("scan/{ca}/{}", kind.code());
    let mark_key = format!("mark/{ca}/{}", kind.code());
    let mark = sync_state::get(conn, SCOPE, &mark_key)?;
    let mut state: ScanState = sync_state::get(conn, SCOPE, &scan_key)?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default();
    let mut pages = 0;
    // Pages are stored in batches: rows of several pages and the cursor of the last of them in
    // one transaction (fewer, larger commits; a killed run refetches at most one batch).
    let mut buffer: Vec<NewInteraction> = Vec::new();
    let mut buffered_seen = 0i64;
    let mut buffered_skipped = 0i64;
    let mut local = std::time::Duration::ZERO;
    loop {
        let page = match api.tracking_page(ca, kind, state.next.as_deref()).await {
            Ok(p) => p,
            // A removed campaign's reports are gone: nothing (more) to read for it.
            Err(ApiError::NotFound(_)) => super::api::Page {
                items: Vec::new(),
                next: None,
            },
            Err(e) => return Err(e.into()),
        };
        pages += 1;
        let started = std::time::Instant::now();
        let mut reached = false;
        let mut keep = Vec::with_capacity(page.items.len());
        for r in page.items {
            let Some(at) = interactions::normalize_time(&r.created_time) else {
                continue;
            };
            if state.top.as_ref().is_none_or(|top| at > *top) {
                state.top = Some(at.clone());
            }
            if mark.as_ref().is_some_and(|m| at < *m) {
                reached = true;
                continue;
            }
            keep.push(r);
        }
        let (rows, skipped) = to_interactions(&keep, linked, Some(kind));
        buffer.extend(rows);
        buffered_seen += keep.len() as i64;
        buffered_skipped += skipped;
        let done = reached || page.next.is_none();
        state.next = page.next;
        let cancelled = t.is_cancelled();
        if done || cancelled || buffer.len() >= FLUSH_ROWS {
            // Sorted by the natural key, inserts touch the unique index's pages in order.
            buffer.sort_unstable_by(|a, b| {
                (&a.ctct_contact_id, &a.occurred_at).cmp(&(&b.ctct_contact_id, &b.occurred_at))
            });
            let tx = store::write_tx(conn)?;
            let (new, _events) = ingest(&tx, &buffer, events_on)?;
            if done {
                let new_mark = match (&state.top, &mark) {
                    (Some(top), Some(m)) if m > top => m.clone(),
                    (Some(top), _) => top.clone(),
                    (None, Some(m)) => m.clone(),
                    // Nothing sent yet: remember that the scan completed with no rows.
                    (None, None) => String::new(),
                };
                sync_state::set(&tx, SCOPE, &mark_key, &new_mark)?;
                sync_state::delete(&tx, SCOPE, &scan_key)?;
            } else {
                let v = serde_json::to_string(&state)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                sync_state::set(&tx, SCOPE, &scan_key, &v)?;
            }
            tx.commit().map_err(StoreError::from)?;
            local += started.elapsed();
            INGEST_NANOS.fetch_add(local.as_nanos() as u64, Ordering::Relaxed);
            INGEST_ROWS.fetch_add(buffered_seen as u64, Ordering::Relaxed);
            local = std::time::Duration::ZERO;
            let (seen, stored, skipped) = (buffered_seen, buffer.len(), buffered_skipped);
            t.update(|p, s| {
                p.items += seen;
                s.created += new as i64;
                s.skipped += skipped + (stored - new) as i64;
            });
            buffer.clear();
            buffered_seen = 0;
            buffered_skipped = 0;
        } else {
            local += started.elapsed();
        }
        t.note_requests(api.requests_sent());
        t.set_phase(format!("{} of {ca}, page {pages}", kind.label()));
        if done {
            return Ok(());
        }
        check_cancel(t)?;
    }
}

/// Ingests every page of one contact's activity details; returns new rows.
pub(crate) async fn ingest_contact<A: CtctApi>(
    api: &A,
    conn: &mut Connection,
    crm_id: i64,
    ctct_id: &str,
    stop_at: Option<&str>,
    events_on: bool,
) -> Result<(usize, Option<String>), SyncError> {
    let linked: HashMap<String, i64> = [(ctct_id.to_string(), crm_id)].into_iter().collect();
    let mut next: Option<String> = None;
    let mut total = 0;
    let mut top: Option<String> = None;
    loop {
        let page = api.contact_activity_page(ctct_id, next.as_deref()).await?;
        let mut reached = false;
        let mut keep = Vec::new();
        for r in page.items {
            let Some(at) = interactions::normalize_time(&r.created_time) else {
                continue;
            };
            if top.as_ref().is_none_or(|t| at > *t) {
                top = Some(at.clone());
            }
            if stop_at.is_some_and(|m| at.as_str() < m) {
                reached = true;
                continue;
            }
            keep.push(r);
        }
        let (rows, _) = to_interactions(&keep, &linked, None);
        let tx = store::write_tx(conn)?;
        // Activities of campaigns the campaigns API does not show (automated emails) are kept,
        // labelled with the name the report gives or as unresolved.
        for r in &keep {
            if campaigns::activity_name(&tx, &r.campaign_activity_id)?.is_none() {
                campaigns::upsert_activity(
                    &tx,
                    &campaigns::ActivityFields {
                        campaign_activity_id: r.campaign_activity_id.clone(),
                        name: Some(
                            r.campaign_activity_name
                                .clone()
                                .filter(|n| !n.trim().is_empty())
                                .unwrap_or_else(|| ev::unresolved_label(&r.campaign_activity_id)),
                        ),
                        ..Default::default()
                    },
                )?;
            }
        }
        let (new, _) = ingest(&tx, &rows, events_on)?;
        tx.commit().map_err(StoreError::from)?;
        total += new;
        next = page.next;
        if reached || next.is_none() {
            return Ok((total, top));
        }
    }
}

/// Contacts linked after the campaign marks existed: their earlier activities lie below the marks,
/// so each is read once from the per-contact endpoint. The queue entry is removed after.
async fn backfill_contacts<A: CtctApi>(
    api: &A,
    conn: &mut Connection,
    t: &Tracker,
    events_on: bool,
) -> Result<(), SyncError> {
    let queue = sync_state::scope(conn, "activity_backfill")?;
    for (i, (ctct_id, _)) in queue.iter().enumerate() {
        let crm: Option<i64> = super::contact_id_of(conn, ctct_id)?;
        if let Some(crm_id) = crm {
            t.set_phase(format!(
                "back-fill of newly linked contacts ({} of {})",
                i + 1,
                queue.len()
            ));
            let (new, _) = ingest_contact(api, conn, crm_id, ctct_id, None, events_on).await?;
            t.note_requests(api.requests_sent());
            t.update(|_, s| s.created += new as i64);
        }
        let tx = store::write_tx(conn)?;
        sync_state::delete(&tx, "activity_backfill", ctct_id)?;
        tx.commit().map_err(StoreError::from)?;
        check_cancel(t)?;
    }
    Ok(())
}

/// The fallback: per-contact activity details for every linked contact, in batches of
/// `sync.activity_batch_size`, each contact stopped at its own mark; the cursor (last CRM id done)
/// is committed after each batch.
async fn per_contact_mode<A: CtctApi>(
    api: &A,
    conn: &mut Connection,
    t: &Tracker,
    events_on: bool,
) -> Result<(), SyncError> {
    let batch: i64 = config::get(conn, "sync.activity_batch_size")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let total: i64 = conn.query_row(
        "SELECT count(*) FROM contacts WHERE ctct_id IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    let mut after: i64 = sync_state::get(conn, SCOPE, "per_contact_cursor")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut done = 0i64;
    loop {
        let ids: Vec<(i64, String)> = {
            let mut stmt = conn.prepare(
                "SELECT id, ctct_id FROM contacts WHERE ctct_id IS NOT NULL AND id > ?1 ORDER BY id LIMIT ?2",
            )?;
            stmt.query_map([after, batch], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        if ids.is_empty() {
            let tx = store::write_tx(conn)?;
            sync_state::delete(&tx, SCOPE, "per_contact_cursor")?;
            tx.commit().map_err(StoreError::from)?;
            return Ok(());
        }
        for (id, ctct_id) in &ids {
            let key = format!("contact_mark/{ctct_id}");
            let mark = sync_state::get(conn, SCOPE, &key)?.filter(|m| !m.is_empty());
            let (new, top) =
                ingest_contact(api, conn, *id, ctct_id, mark.as_deref(), events_on).await?;
            if let Some(top) = top {
                let tx = store::write_tx(conn)?;
                if mark.as_ref().is_none_or(|m| top > *m) {
                    sync_state::set(&tx, SCOPE, &key, &top)?;
                }
                tx.commit().map_err(StoreError::from)?;
            }
            done += 1;
            t.note_requests(api.requests_sent());
            t.update(|p, s| {
                p.items = done;
                p.items_total = Some(total);
                p.progress = done as f64 / total.max(1) as f64 * 0.95;
                s.created += new as i64;
            });
        }
        after = ids.last().map(|(id, _)| *id).unwrap_or(after);
        let tx = store::write_tx(conn)?;
        sync_state::set(&tx, SCOPE, "per_contact_cursor", &after.to_string())?;
        tx.commit().map_err(StoreError::from)?;
        check_cancel(t)?;
    }
}

/// Refreshes one contact from the per-contact endpoint (`ctctsync contacts show --refresh`).
/// Returns how many new interactions were stored.
pub async fn refresh_contact<A: CtctApi>(
    api: &A,
    conn: &mut Connection,
    crm_id: i64,
) -> Result<usize, SyncError> {
    let ctct_id: Option<String> = conn
        .query_row(
            "SELECT ctct_id FROM contacts WHERE id = ?1",
            [crm_id],
            |r| r.get(0),
        )
        .map_err(StoreError::from)?;
    let Some(ctct_id) = ctct_id else {
        return Err(SyncError::NotLinked(crm_id));
    };
    let events_on = config::get_bool(conn, "sync.activities_to_events")?;
    let (new, _) = ingest_contact(api, conn, crm_id, &ctct_id, None, events_on).await?;
    let tx = store::write_tx(conn)?;
    tx.execute(
        "UPDATE contacts SET last_activity_at = (SELECT max(occurred_at) FROM interactions WHERE contact_id = ?1) WHERE id = ?1",
        [crm_id],
    ).map_err(StoreError::from)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(new)
}
