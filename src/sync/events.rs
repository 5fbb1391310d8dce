//! Timeline events (SPEC §6), derived from interactions: one per (contact, campaign activity),
//! showing the strongest action (`store::events::strength`: Send < Forward < Open < Click < Bounce <
//! Opt Out), subject `CTCT: <Action> - <campaign name>`, subtype `CTCT`, on the contact and its
//! client. Events are recomputed for the pairs a page touched (in the page's transaction), and a
//! back-fill at the end of every activity run creates the missing ones and repairs blank ones — so
//! turning the setting on covers every existing activity on the next run.

use std::collections::BTreeSet;

use rusqlite::{Connection, params};

use crate::store::events::{self, strength};
use crate::store::interactions::Kind;
use crate::store::{StoreError, campaigns};

/// The name used when a campaign activity cannot be resolved to a campaign.
pub fn unresolved_label(campaign_activity_id: &str) -> String {
    let short: String = campaign_activity_id.chars().take(8).collect();
    format!("Unknown campaign ({short}…)")
}

/// The display name of a campaign activity, or its label when unresolved.
pub fn campaign_name(conn: &Connection, campaign_activity_id: &str) -> Result<String, StoreError> {
    Ok(campaigns::activity_name(conn, campaign_activity_id)?
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| unresolved_label(campaign_activity_id)))
}

/// The strongest action of a pair among its interactions, with the time of the latest such action.
pub fn strongest(
    conn: &Connection,
    contact_id: i64,
    campaign_activity_id: &str,
) -> Result<Option<(Kind, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, max(occurred_at) FROM interactions
         WHERE contact_id = ?1 AND campaign_activity_id = ?2 GROUP BY kind",
    )?;
    let rows = stmt.query_map(params![contact_id, campaign_activity_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut best: Option<(Kind, String)> = None;
    for row in rows {
        let (code, at) = row?;
        let Some(kind) = Kind::parse(&code) else {
            continue;
        };
        if best
            .as_ref()
            .is_none_or(|(b, _)| strength(kind) > strength(*b))
        {
            best = Some((kind, at));
        }
    }
    Ok(best)
}

/// Recomputes the events of these (contact, campaign activity) pairs. Returns how many changed.
pub fn refresh_pairs(
    conn: &Connection,
    pairs: &BTreeSet<(i64, String)>,
) -> Result<usize, StoreError> {
    let mut changed = 0;
    for (contact_id, ca) in pairs {
        let Some((kind, at)) = strongest(conn, *contact_id, ca)? else {
            continue;
        };
        let client_id: Option<i64> = conn.query_row(
            "SELECT client_id FROM contacts WHERE id = ?1",
            [contact_id],
            |r| r.get(0),
        )?;
        let name = campaign_name(conn, ca)?;
        if events::upsert(conn, *contact_id, client_id, ca, kind, &name, &at)? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// Creates the events that are missing and repairs blank ones (or ones whose campaign name was
/// resolved since), `batch` pairs per call; returns how many pairs were handled (0 = done).
pub fn backfill_batch(conn: &Connection, batch: usize) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.contact_id, p.campaign_activity_id
         FROM (SELECT DISTINCT contact_id, campaign_activity_id FROM interactions) p
         WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.contact_id = p.contact_id
             AND e.campaign_activity_id = p.campaign_activity_id AND trim(e.subject) != ''
             AND e.subject NOT LIKE '% - ' AND trim(e.action) != '')
         LIMIT ?1",
    )?;
    let pairs: BTreeSet<(i64, String)> = stmt
        .query_map([batch as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let n = pairs.len();
    refresh_pairs(conn, &pairs)?;
    Ok(n)
}

/// Renames events whose campaign was unresolved when they were made and is resolved now.
pub fn rename_resolved(conn: &Connection) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT e.contact_id, e.campaign_activity_id FROM events e
         JOIN campaign_activities a ON a.campaign_activity_id = e.campaign_activity_id
         LEFT JOIN campaigns c ON c.campaign_id = a.campaign_id
         WHERE coalesce(a.name, c.name) IS NOT NULL AND e.subject LIKE '% - Unknown campaign (%'",
    )?;
    let pairs: BTreeSet<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    refresh_pairs(conn, &pairs)
}
