//! `e`: writes what a table shows (same filter, same order) to a CSV file in the data dir. Rows
//! are streamed from SQLite one keyset page at a time, so exporting 100,000 contacts never holds
//! them all in memory. Runs on the query worker thread, never on the event loop.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::data::{ExportSpec, contact_label};
use crate::store::interactions::Interaction;
use crate::store::{self, StoreError};

const CHUNK: usize = 1000;

fn io(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("cannot write {}: {e}", path.display()))
}

/// Writes the export; returns the file and the number of data rows.
pub fn export(
    conn: &Connection,
    spec: &ExportSpec,
    dir: &Path,
    stamp: &str,
) -> Result<(PathBuf, usize), StoreError> {
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let path = dir.join(spec.file_name(stamp));
    let mut w = csv::Writer::from_path(&path).map_err(|e| io(&path, e))?;
    let mut n = 0usize;
    let mut put = |w: &mut csv::Writer<std::fs::File>, rec: &[String]| -> Result<(), StoreError> {
        n += 1;
        w.write_record(rec).map_err(|e| io(&path, e))
    };
    match spec {
        ExportSpec::Jobs => {
            w.write_record([
                "job",
                "run",
                "status",
                "trigger",
                "started_at",
                "ended_at",
                "items",
                "api_requests",
                "summary",
                "error",
            ])
            .map_err(|e| io(&path, e))?;
            for job in store::jobs::JobName::ALL {
                for r in store::jobs::recent_runs(conn, job, 100_000)? {
                    put(
                        &mut w,
                        &[
                            job.as_str().into(),
                            r.id.to_string(),
                            r.status.as_str().into(),
                            r.trigger,
                            r.started_at,
                            r.ended_at.unwrap_or_default(),
                            r.items.to_string(),
                            r.api_requests.to_string(),
                            r.summary.map(|s| s.to_string()).unwrap_or_default(),
                            r.error.unwrap_or_default(),
                        ],
                    )?;
                }
            }
        }
        ExportSpec::Contacts { filter } => {
            w.write_record([
                "id",
                "crm_id",
                "first_name",
                "last_name",
                "email",
                "client_id",
                "linked",
                "ctct_id",
                "do_not_email",
                "ctct_status",
                "last_activity_at",
            ])
            .map_err(|e| io(&path, e))?;
            let mut after: Option<(String, String, i64)> = None;
            loop {
                let page = store::contacts::search_after(
                    conn,
                    after.as_ref().map(|(l, f, i)| (l.as_str(), f.as_str(), *i)),
                    filter,
                    CHUNK,
                )?;
                let Some(last) = page.last() else { break };
                after = Some((last.last_name.clone(), last.first_name.clone(), last.id));
                for c in page {
                    put(
                        &mut w,
                        &[
                            c.id.to_string(),
                            c.crm_id.unwrap_or_default(),
                            c.first_name,
                            c.last_name,
                            c.email.unwrap_or_default(),
                            c.client_id.map(|i| i.to_string()).unwrap_or_default(),
                            if c.ctct_id.is_some() { "yes" } else { "no" }.into(),
                            c.ctct_id.unwrap_or_default(),
                            if c.do_not_email { "yes" } else { "no" }.into(),
                            c.ctct_status.unwrap_or_default(),
                            c.last_activity_at.unwrap_or_default(),
                        ],
                    )?;
                }
            }
        }
        ExportSpec::Interactions { contact } => {
            write_activity(&mut w, &path, &mut put, |before| {
                store::interactions::page_for_contact(conn, *contact, before, CHUNK)
            })?;
        }
        ExportSpec::ClientActivity { client } => {
            write_activity(&mut w, &path, &mut put, |before| {
                store::interactions::page_for_client(conn, *client, before, CHUNK)
            })?;
        }
        ExportSpec::Clients { filter } => {
            w.write_record(["id", "crm_id", "name", "kind"])
                .map_err(|e| io(&path, e))?;
            let mut after: Option<(String, i64)> = None;
            loop {
                let page = store::clients::page_after(
                    conn,
                    after.as_ref().map(|(k, i)| (k.as_str(), *i)),
                    filter,
                    CHUNK,
                )?;
                let Some(last) = page.last() else { break };
                after = Some((store::clients::name_key(&last.name), last.id));
                for c in page {
                    put(
                        &mut w,
                        &[
                            c.id.to_string(),
                            c.crm_id.unwrap_or_default(),
                            c.name,
                            c.kind.as_str().into(),
                        ],
                    )?;
                }
            }
        }
        ExportSpec::ClientTimeline { client } => {
            w.write_record(["occurred_at", "subject", "action", "contact_id", "subtype"])
                .map_err(|e| io(&path, e))?;
            let mut before: Option<(String, i64)> = None;
            loop {
                let page = store::events::page_for_client(
                    conn,
                    *client,
                    before.as_ref().map(|(t, i)| (t.as_str(), *i)),
                    CHUNK,
                )?;
                let Some(last) = page.last() else { break };
                before = Some((last.occurred_at.clone(), last.id));
                for e in page {
                    put(
                        &mut w,
                        &[
                            e.occurred_at,
                            e.subject,
                            e.action,
                            e.contact_id.to_string(),
                            e.subtype,
                        ],
                    )?;
                }
            }
        }
        ExportSpec::Lists => {
            w.write_record([
                "list_id",
                "name",
                "members_in_constant_contact",
                "crm_members",
                "pending",
            ])
            .map_err(|e| io(&path, e))?;
            let counts = store::lists::member_counts(conn)?;
            for l in store::lists::all(conn)?
                .into_iter()
                .filter(|l| l.deleted_at.is_none())
            {
                let (m, p) = counts
                    .iter()
                    .find(|(id, _, _)| *id == l.list_id)
                    .map(|(_, m, p)| (*m, *p))
                    .unwrap_or((0, 0));
                put(
                    &mut w,
                    &[
                        l.list_id,
                        l.name,
                        l.membership_count
                            .map(|c| c.to_string())
                            .unwrap_or_default(),
                        m.to_string(),
                        p.to_string(),
                    ],
                )?;
            }
        }
        ExportSpec::Outbox => {
            w.write_record([
                "id",
                "contact",
                "kind",
                "status",
                "attempts",
                "created_at",
                "next_attempt_at",
                "last_error",
            ])
            .map_err(|e| io(&path, e))?;
            let mut before: Option<i64> = None;
            loop {
                let page = store::outbox::undelivered_before(conn, before, CHUNK)?;
                let Some(last) = page.last() else { break };
                before = Some(last.id);
                for e in page {
                    let who = store::contacts::get(conn, e.contact_id)?
                        .map(|c| contact_label(&c))
                        .unwrap_or_default();
                    put(
                        &mut w,
                        &[
                            e.id.to_string(),
                            who,
                            e.kind.as_str().into(),
                            e.status.as_str().into(),
                            e.attempts.to_string(),
                            e.created_at,
                            e.next_attempt_at,
                            e.last_error.unwrap_or_default(),
                        ],
                    )?;
                }
            }
        }
    }
    w.flush().map_err(|e| io(&path, e))?;
    Ok((path, n))
}

/// Writes interactions newest first, one keyset page at a time (a contact's or a client's).
fn write_activity(
    w: &mut csv::Writer<std::fs::File>,
    path: &Path,
    put: &mut impl FnMut(&mut csv::Writer<std::fs::File>, &[String]) -> Result<(), StoreError>,
    mut page_before: impl FnMut(Option<(&str, i64)>) -> Result<Vec<Interaction>, StoreError>,
) -> Result<(), StoreError> {
    interactions_header(w, path)?;
    let mut before: Option<(String, i64)> = None;
    loop {
        let page = page_before(before.as_ref().map(|(t, i)| (t.as_str(), *i)))?;
        let Some(last) = page.last() else { break };
        before = Some((last.occurred_at.clone(), last.id));
        for i in page {
            put(w, &interaction_record(i))?;
        }
    }
    Ok(())
}

fn interactions_header(w: &mut csv::Writer<std::fs::File>, path: &Path) -> Result<(), StoreError> {
    w.write_record([
        "occurred_at",
        "contact_id",
        "campaign",
        "activity",
        "link",
        "bounce_code",
        "device",
        "opt_out_reason",
    ])
    .map_err(|e| io(path, e))
}

fn interaction_record(i: Interaction) -> Vec<String> {
    vec![
        i.occurred_at,
        i.contact_id.to_string(),
        i.campaign_name.unwrap_or(i.campaign_activity_id),
        i.kind.label().into(),
        i.link_url,
        i.bounce_code.unwrap_or_default(),
        i.device_type.unwrap_or_default(),
        i.opt_out_reason.unwrap_or_default(),
    ]
}
