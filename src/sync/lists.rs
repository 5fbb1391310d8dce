//! `synccontactlists`: every Constant Contact list (status all) into `ctct_lists`. Renamed lists
//! are updated, lists Constant Contact reports deleted (or no longer returns) are marked deleted,
//! membership counts are kept. Lists are few (hundreds at most), so one pass stores them all in a
//! single transaction at the end: a killed run simply starts over.

use crate::store::{self, lists};

use super::api::CtctApi;
use super::run::Tracker;
use super::{SyncError, check_cancel};

pub async fn run<A: CtctApi>(
    api: &A,
    conn: &mut rusqlite::Connection,
    t: &Tracker,
) -> Result<(), SyncError> {
    let mut all = Vec::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = api.lists_page(next.as_deref()).await?;
        pages += 1;
        all.extend(page.items);
        let fetched = all.len() as i64;
        t.note_requests(api.requests_sent());
        t.update(|p, _| {
            p.items = fetched;
            p.phase = Some(format!("page {pages} of lists"));
        });
        next = page.next;
        if next.is_none() {
            break;
        }
        check_cancel(t)?;
    }
    let tx = store::write_tx(conn)?;
    let mut seen = Vec::with_capacity(all.len());
    let (mut created, mut updated, mut skipped) = (0, 0, 0);
    for l in &all {
        let existed = lists::get(&tx, &l.list_id)?.is_some();
        let changed = lists::upsert(
            &tx,
            &lists::ListFields {
                list_id: l.list_id.clone(),
                name: l.name.clone(),
                description: l.description.clone(),
                favorite: l.favorite,
                membership_count: l.membership_count,
                created_at: l.created_at.clone(),
                updated_at: l.updated_at.clone(),
                deleted_at: l.deleted_at.clone(),
            },
        )?;
        match (existed, changed) {
            (false, _) => created += 1,
            (true, true) => updated += 1,
            (true, false) => skipped += 1,
        }
        if l.deleted_at.is_none() {
            seen.push(l.list_id.clone());
        }
    }
    // Lists returned as deleted keep their own deleted_at; lists not returned at all are marked.
    let returned: Vec<String> = all.iter().map(|l| l.list_id.clone()).collect();
    let gone = lists::mark_missing_deleted(&tx, &returned)?;
    tx.commit().map_err(store::StoreError::from)?;
    let total = all.len() as i64;
    t.note_requests(api.requests_sent());
    t.update(|p, s| {
        p.items = total;
        p.items_total = Some(total);
        p.progress = 1.0;
        p.phase = Some(format!("{total} lists"));
        s.created += created;
        s.updated += updated + gone as i64;
        s.skipped += skipped;
    });
    Ok(())
}
