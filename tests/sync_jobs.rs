//! The three jobs end to end against the sandbox over real HTTP: lists, contact linking
//! (normalized email, duplicates reported, later imports linked from the cache, subscription
//! state), activities (names resolved, incremental runs fetch only what is new, idempotent),
//! events (strongest action, back-fill, repair of blank ones) and run bookkeeping.

mod sync_support;

use ctctsync::store::contacts;
use ctctsync::store::events::strength;
use ctctsync::store::interactions::Kind;
use ctctsync::store::jobs::{self, JobName, RunStatus};
use ctctsync::store::{self, lists};
use ctctsync::sync::{self, CtctApi, SyncError, Trigger};
use serde_json::json;
use sync_support::*;
use tokio_util::sync::CancellationToken;

async fn run_fast(env: &Env, job: JobName) -> sync::RunOutcome {
    let api = fast_client(env);
    let o = sync::run_job_with(
        &api,
        &env.store,
        job,
        Trigger::Cli,
        CancellationToken::new(),
        None,
    )
    .await
    .expect("run starts");
    assert_eq!(o.status, RunStatus::Succeeded, "{job}: {:?}", o.error);
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_contacts_link_by_email() {
    let env = env(120, 3, 1_500).await;
    let remote = sandbox_contacts(&env).await;
    let live = live_contacts(&env).await;
    // The CRM holds 60 of them; one with a differently written email, two sharing one email.
    let mut crm = live[..60].to_vec();
    crm[0].email = format!("  {}  ", crm[0].email.to_uppercase());
    let dup = crm[1].clone();
    let crm_ids = import_crm(&env.store, &crm);
    {
        let conn = env.store.connect().unwrap();
        conn.execute(
            "INSERT INTO contacts (first_name, last_name, email, email_norm, created_at, updated_at)
             VALUES ('Twin', 'Copy', ?1, lower(trim(?1)), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            [&dup.email],
        )
        .unwrap();
    }

    let o = run_fast(&env, JobName::Synccontactlists).await;
    let conn = env.store.connect().unwrap();
    assert!(lists::count_live(&conn).unwrap() > 0);
    assert_eq!(o.summary.created, lists::all(&conn).unwrap().len() as i64);
    assert!(o.progress.api_requests >= 1);

    let o = run_fast(&env, JobName::Synccontacts).await;
    // 60 CRM contacts, one email shared by two: 59 linked, the pair reported.
    assert_eq!(o.summary.linked, 59, "{:?}", o.summary);
    assert!(
        o.summary
            .notes
            .iter()
            .any(|n| n.contains(&dup.email.to_lowercase())),
        "duplicate reported: {:?}",
        o.summary.notes
    );
    let first = contacts::get(&conn, crm_ids[0].0).unwrap().unwrap();
    assert_eq!(
        first.ctct_id.as_deref(),
        Some(crm_ids[0].1.contact_id.as_str())
    );
    let pair = contacts::find_by_email(&conn, &dup.email).unwrap();
    assert!(pair.iter().all(|c| c.ctct_id.is_none()), "never guessed");
    // Subscription state recorded.
    let unsub_remote: Vec<_> = crm_ids
        .iter()
        .filter(|(_, c)| c.status == "unsubscribed")
        .collect();
    for (id, _) in &unsub_remote {
        let c = contacts::get(&conn, *id).unwrap().unwrap();
        assert_eq!(c.ctct_status.as_deref(), Some("unsubscribed"));
    }
    assert_eq!(
        count(&env.store, "SELECT count(*) FROM ctct_contacts"),
        remote.len() as i64,
        "the cache holds every Constant Contact contact, deleted ones included"
    );

    // A CRM contact imported later is linked from the cache by an incremental run.
    let before = env.api_requests().await;
    let later = import_crm(&env.store, &live[70..71]);
    let o = run_fast(&env, JobName::Synccontacts).await;
    let spent = env.api_requests().await - before;
    assert_eq!(o.summary.linked, 1);
    assert!(spent <= 4, "incremental contact pass used {spent} requests");
    let c = contacts::get(&conn, later[0].0).unwrap().unwrap();
    assert_eq!(c.ctct_id.as_deref(), Some(live[70].contact_id.as_str()));

    // Runs are recorded with summary and request counts; no field was copied back.
    let run = jobs::last_run(&conn, JobName::Synccontacts)
        .unwrap()
        .unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    assert!(run.summary.is_some() && run.ended_at.is_some());
    assert_eq!(first.email.as_deref(), Some(crm[0].email.trim()));
    assert_eq!(
        count(&env.store, "SELECT count(*) FROM contacts"),
        62,
        "no CRM contact created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activities_full_then_incremental_and_events() {
    let env = env(150, 3, 3_000).await;
    let live = live_contacts(&env).await;
    import_crm(&env.store, &live);
    run_fast(&env, JobName::Synccontactlists).await;
    run_fast(&env, JobName::Synccontacts).await;

    let o = run_fast(&env, JobName::Syncactivities).await;
    let rows = count(&env.store, "SELECT count(*) FROM interactions");
    assert!(rows > 200, "{rows} interactions");
    assert_eq!(o.summary.created, rows);
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM interactions i LEFT JOIN campaign_activities a USING (campaign_activity_id) WHERE a.name IS NULL"
        ),
        0,
        "every campaign name resolved"
    );
    // Far fewer requests than one per linked contact.
    let linked = count(
        &env.store,
        "SELECT count(*) FROM contacts WHERE ctct_id IS NOT NULL",
    );
    assert!(
        o.progress.api_requests < linked,
        "{} requests for {linked} contacts",
        o.progress.api_requests
    );
    assert_eq!(
        count(&env.store, "SELECT count(*) FROM events"),
        0,
        "events are off by default"
    );

    // Nothing new: a second run stores nothing and costs one request per (activity, type) at most.
    let keys = interaction_keys(&env.store);
    let quiet = run_fast(&env, JobName::Syncactivities).await;
    assert_eq!(quiet.summary.created, 0);
    assert_eq!(interaction_keys(&env.store), keys);
    let scans = count(
        &env.store,
        "SELECT count(*) FROM sync_state WHERE scope = 'activity' AND key LIKE 'mark/%'",
    );
    assert!(
        quiet.progress.api_requests <= scans + 2,
        "{} requests, {scans} scans",
        quiet.progress.api_requests
    );

    // A campaign sent now: the next run fetches only it (plus one page per other scan).
    let before = env.api_requests().await;
    env.control("/__sandbox/campaigns", json!({"name": "Fresh News"}))
        .await;
    let fresh = run_fast(&env, JobName::Syncactivities).await;
    let spent = env.api_requests().await - before;
    assert!(fresh.summary.created > 0);
    assert!(
        spent <= quiet.progress.api_requests as u64 + 1 + 2 + 6 * 2,
        "{spent} requests"
    );
    assert!(
        count(
            &env.store,
            "SELECT count(*) FROM interactions i JOIN campaign_activities a USING (campaign_activity_id) WHERE a.name = 'Fresh News'"
        ) > 0
    );

    // Events: switching the setting on back-fills every existing activity.
    {
        let conn = env.store.connect().unwrap();
        ctctsync::config::set(&conn, "sync.activities_to_events", "true").unwrap();
    }
    run_fast(&env, JobName::Syncactivities).await;
    let pairs = count(
        &env.store,
        "SELECT count(*) FROM (SELECT DISTINCT contact_id, campaign_activity_id FROM interactions)",
    );
    assert_eq!(count(&env.store, "SELECT count(*) FROM events"), pairs);
    // Each event shows the strongest action of its pair.
    let conn = env.store.connect().unwrap();
    let mut stmt = conn
        .prepare("SELECT contact_id, campaign_activity_id, action, subject, subtype FROM events")
        .unwrap();
    let events: Vec<(i64, String, String, String, String)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut upgraded = 0;
    for (contact, ca, action, subject, subtype) in &events {
        let mut s = conn
            .prepare("SELECT DISTINCT kind FROM interactions WHERE contact_id = ?1 AND campaign_activity_id = ?2")
            .unwrap();
        let kinds: Vec<Kind> = s
            .query_map(rusqlite::params![contact, ca], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|k| Kind::parse(&k.unwrap()).unwrap())
            .collect();
        let best = kinds.iter().copied().max_by_key(|k| strength(*k)).unwrap();
        assert_eq!(action, best.action());
        let name = ctctsync::store::campaigns::activity_name(&conn, ca)
            .unwrap()
            .unwrap();
        assert_eq!(subject, &format!("CTCT: {} - {name}", best.action()));
        assert_eq!(subtype, "CTCT");
        if kinds.len() > 1 {
            upgraded += 1;
        }
    }
    assert!(upgraded > 0, "some pairs have several actions");

    // Blank events are repaired on the next run.
    conn.execute(
        "UPDATE events SET subject = '', action = '' WHERE id IN (SELECT id FROM events LIMIT 5)",
        [],
    )
    .unwrap();
    run_fast(&env, JobName::Syncactivities).await;
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM events WHERE subject = '' OR action = ''"
        ),
        0
    );
    assert_eq!(count(&env.store, "SELECT count(*) FROM events"), pairs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_one_contact_and_overlapping_runs() {
    let env = env(60, 2, 800).await;
    let live = live_contacts(&env).await;
    let crm = import_crm(&env.store, &live);
    run_fast(&env, JobName::Synccontacts).await;

    // Per-contact refresh (what `contacts show --refresh` calls) uses the per-contact endpoint.
    let api = fast_client(&env);
    let mut any = 0;
    for (id, _) in crm.iter().take(10) {
        any += sync::refresh_contact_with(&api, &env.store, *id)
            .await
            .expect("refresh");
    }
    assert!(any > 0, "some activities found for 10 contacts");
    assert_eq!(
        any as i64,
        count(&env.store, "SELECT count(*) FROM interactions")
    );
    let before = api.requests_sent();
    let again = sync::refresh_contact_with(&api, &env.store, crm[0].0)
        .await
        .unwrap();
    assert_eq!(again, 0, "idempotent");
    assert!(api.requests_sent() - before <= 2);

    // Two runs of the same job never overlap.
    let conn = env.store.connect().unwrap();
    let slow = ctctsync::sync::run::ActiveRun::start(
        &env.store,
        JobName::Syncactivities,
        Trigger::Manual,
        CancellationToken::new(),
        None,
    )
    .expect("first run starts");
    let second = sync::run_job_with(
        &api,
        &env.store,
        JobName::Syncactivities,
        Trigger::Cli,
        CancellationToken::new(),
        None,
    )
    .await;
    assert!(
        matches!(second, Err(SyncError::AlreadyRunning(_))),
        "{second:?}"
    );
    // Progress is readable by other connections while it runs (heartbeat once a second).
    slow.tracker.update(|p, _| p.items = 42);
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    let running = jobs::running(&conn, JobName::Syncactivities)
        .unwrap()
        .unwrap();
    assert_eq!(running.items, 42);
    let out = slow.finish(Err(SyncError::Cancelled)).unwrap();
    assert_eq!(out.status, RunStatus::Cancelled);
    assert!(
        jobs::running(&conn, JobName::Syncactivities)
            .unwrap()
            .is_none()
    );

    // A run killed without finishing (its pid is gone) does not block the next one.
    conn.execute(
        "INSERT INTO job_runs (job, status, trigger, started_at, heartbeat_at, pid) VALUES ('syncactivities', 'running', 'cli', ?1, ?1, 999999999)",
        [store::time::now()],
    )
    .unwrap();
    run_fast(&env, JobName::Syncactivities).await;
    let dead = jobs::recent_runs(&conn, JobName::Syncactivities, 5).unwrap();
    assert!(dead.iter().any(|r| {
        r.status == RunStatus::Failed
            && r.error
                .as_deref()
                .is_some_and(|e| e.contains("stopped unexpectedly"))
    }));
}

/// Before any CRM contact is linked, the activity job downloads nothing and sets no marks, so
/// the contacts linked afterwards get their history from the campaign reports (a few pages), not
/// from one per-contact request each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activities_wait_for_linked_contacts() {
    let env = env(200, 3, 3_000).await;
    run_fast(&env, JobName::Synccontactlists).await;
    let before = env.api_requests().await;
    let o = run_fast(&env, JobName::Syncactivities).await;
    assert_eq!(env.api_requests().await - before, 0, "nothing to download");
    assert!(
        o.summary.notes.iter().any(|n| n.contains("no CRM contact")),
        "{:?}",
        o.summary.notes
    );

    let live = live_contacts(&env).await;
    import_crm(&env.store, &live[..150]);
    run_fast(&env, JobName::Synccontacts).await;
    let before = env.api_requests().await;
    run_fast(&env, JobName::Syncactivities).await;
    let spent = env.api_requests().await - before;
    assert!(
        spent < 100,
        "150 newly linked contacts took {spent} requests: the campaign reports, not a back-fill"
    );
    assert!(count(&env.store, "SELECT count(*) FROM interactions") > 0);
}
