//! The store: migrations, idempotent writes, and several writers at once on one file.

use ctctsync::store::{
    self, Store, api_usage, campaigns, clients, contacts, ctct_contacts, events, interactions,
    jobs, layouts, leases, lists, outbox, settings, sync_state, users,
};

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_in(dir.path()).expect("open store");
    (dir, store)
}

#[test]
fn migrates_from_empty_and_reopens_without_change() {
    let (dir, store) = temp_store();
    let v1 = store.schema_version().expect("version");
    assert!(v1 >= 1, "schema version after migration: {v1}");
    // Re-opening runs the migrations again: nothing to do, same version, data kept.
    let conn = store.connect().expect("connect");
    settings::set(&conn, "ctct.client_id", "abc-123-def").expect("set");
    drop(conn);
    let again = Store::open_in(dir.path()).expect("reopen");
    assert_eq!(again.schema_version().expect("version"), v1);
    let conn = again.connect().expect("connect");
    assert_eq!(
        settings::get(&conn, "ctct.client_id")
            .expect("get")
            .as_deref(),
        Some("abc-123-def")
    );
    // Pragmas: WAL and foreign keys.
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode.to_lowercase(), "wal");
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .expect("foreign_keys");
    assert_eq!(fk, 1);
}

#[cfg(unix)]
#[test]
fn store_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, store) = temp_store();
    let mode = std::fs::metadata(store.path())
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "store file mode {mode:o}");
}

/// Every row of every table, to prove a second identical write changes nothing at all.
fn snapshot(conn: &rusqlite::Connection) -> Vec<(String, Vec<Vec<rusqlite::types::Value>>)> {
    let tables = [
        "settings",
        "clients",
        "contacts",
        "ctct_contacts",
        "ctct_lists",
        "list_memberships",
        "campaigns",
        "campaign_activities",
        "interactions",
        "events",
        "sync_state",
        "jobs",
        "outbox",
        "crm_users",
        "layouts",
    ];
    tables
        .iter()
        .map(|t| {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {t} ORDER BY 1, 2"))
                .expect("prepare");
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| r.get::<_, rusqlite::types::Value>(i))
                        .collect::<Result<Vec<_>, _>>()
                })
                .expect("query")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows");
            (t.to_string(), rows)
        })
        .collect()
}

fn write_everything(conn: &rusqlite::Connection) {
    settings::set(conn, "sync.activity_batch_size", "25").expect("setting");
    let (client, _) = clients::upsert(
        conn,
        Some("H-1"),
        "O'Brien Household",
        clients::ClientKind::Household,
    )
    .expect("client");
    let c = contacts::upsert(
        conn,
        &contacts::ContactFields {
            crm_id: Some("C-1".into()),
            client_id: Some(client),
            first_name: "Zoë".into(),
            last_name: "O'Brien".into(),
            email: Some("Zoe@Example.com".into()),
            do_not_email: false,
        },
    )
    .expect("contact")
    .id();
    contacts::link(conn, c, "ctct-1", Some("implicit"), None).expect("link");
    ctct_contacts::upsert(
        conn,
        &ctct_contacts::CtctContact {
            contact_id: "ctct-1".into(),
            email: Some("zoe@example.com".into()),
            permission: Some("implicit".into()),
            ..Default::default()
        },
    )
    .expect("ctct contact");
    lists::upsert(
        conn,
        &lists::ListFields {
            list_id: "list-1".into(),
            name: "Newsletter".into(),
            membership_count: Some(3),
            ..Default::default()
        },
    )
    .expect("list");
    lists::set_membership(conn, c, "list-1", "member").expect("membership");
    campaigns::upsert_campaign(
        conn,
        &campaigns::CampaignFields {
            campaign_id: "camp-1".into(),
            name: "Q1 Newsletter".into(),
            ..Default::default()
        },
    )
    .expect("campaign");
    campaigns::upsert_activity(
        conn,
        &campaigns::ActivityFields {
            campaign_activity_id: "ca-1".into(),
            campaign_id: Some("camp-1".into()),
            role: Some("primary_email".into()),
            ..Default::default()
        },
    )
    .expect("activity");
    let rows: Vec<_> = [interactions::Kind::Send, interactions::Kind::Open]
        .into_iter()
        .map(|k| interactions::NewInteraction {
            contact_id: c,
            ctct_contact_id: "ctct-1".into(),
            campaign_activity_id: "ca-1".into(),
            kind: Some(k),
            occurred_at: interactions::normalize_time("2026-01-02T03:04:05Z").expect("time"),
            ..Default::default()
        })
        .collect();
    interactions::insert_many(conn, &rows).expect("interactions");
    events::upsert(
        conn,
        c,
        Some(client),
        "ca-1",
        interactions::Kind::Open,
        "Q1 Newsletter",
        "2026-01-02T03:04:05.000Z",
    )
    .expect("event");
    sync_state::set(
        conn,
        "activity",
        "ca-1/em_opens",
        "2026-01-02T03:04:05.000Z",
    )
    .expect("mark");
    users::set_permission(conn, "admin", true).expect("user");
    layouts::set_visible(conn, "client", "timeline", false).expect("layout");
    jobs::set_enabled(conn, jobs::JobName::Synccontacts, true).expect("job");
}

#[test]
fn every_sync_write_is_idempotent() {
    let (_dir, store) = temp_store();
    let conn = store.connect().expect("connect");
    write_everything(&conn);
    let first = snapshot(&conn);
    let updated_at: String = conn
        .query_row("SELECT updated_at FROM contacts", [], |r| r.get(0))
        .expect("updated_at");
    write_everything(&conn);
    assert_eq!(
        snapshot(&conn),
        first,
        "a second identical write changed rows"
    );
    let updated_again: String = conn
        .query_row("SELECT updated_at FROM contacts", [], |r| r.get(0))
        .expect("updated_at");
    assert_eq!(updated_at, updated_again);
    // The interaction natural key holds: the same activity in another time format is the same row.
    let same = interactions::NewInteraction {
        contact_id: 1,
        ctct_contact_id: "ctct-1".into(),
        campaign_activity_id: "ca-1".into(),
        kind: Some(interactions::Kind::Open),
        occurred_at: interactions::normalize_time("2026-01-01T22:04:05.000-05:00").expect("time"),
        ..Default::default()
    };
    assert_eq!(
        interactions::insert_many(&conn, &[same]).expect("insert"),
        0
    );
    assert_eq!(interactions::count(&conn).expect("count"), 2);
    assert_eq!(events::count(&conn).expect("count"), 1);
}

#[test]
fn contact_edit_and_outbox_row_land_together_and_coalesce() {
    let (_dir, store) = temp_store();
    let mut conn = store.connect().expect("connect");
    write_everything(&conn);
    let id = contacts::find_by_email(&conn, "zoe@example.com").expect("find")[0].id;
    let tx = store::write_tx(&mut conn).expect("tx");
    let first = contacts::save_edit(
        &tx,
        id,
        &contacts::ContactEdit {
            last_name: Some("Brien".into()),
            ..Default::default()
        },
        true,
    )
    .expect("edit")
    .expect("queued");
    tx.commit().expect("commit");
    let tx = store::write_tx(&mut conn).expect("tx");
    let second = contacts::save_edit(
        &tx,
        id,
        &contacts::ContactEdit {
            do_not_email: Some(true),
            ..Default::default()
        },
        true,
    )
    .expect("edit")
    .expect("queued");
    tx.commit().expect("commit");
    assert_eq!(first, second, "a pending push for the contact is reused");
    assert_eq!(outbox::counts(&conn).expect("counts"), (1, 0));
    // Saving the same values again queues nothing.
    assert_eq!(
        contacts::save_edit(
            &conn,
            id,
            &contacts::ContactEdit {
                do_not_email: Some(true),
                ..Default::default()
            },
            true
        )
        .expect("edit"),
        None
    );
}

#[test]
fn job_runs_never_overlap_and_stale_runs_are_reaped() {
    let (_dir, store) = temp_store();
    let conn = store.connect().expect("connect");
    let run = jobs::start_run(&conn, jobs::JobName::Syncactivities, "cli", 60).expect("start");
    let err = jobs::start_run(&conn, jobs::JobName::Syncactivities, "cli", 60)
        .expect_err("second run must be refused");
    assert!(err.to_string().contains("already running"), "{err}");
    // A run whose heartbeat is old belonged to a killed process: it is marked failed and a new
    // run may start.
    conn.execute(
        "UPDATE job_runs SET heartbeat_at = '2000-01-01T00:00:00Z' WHERE id = ?1",
        [run.id],
    )
    .expect("age");
    let next = jobs::start_run(&conn, jobs::JobName::Syncactivities, "cli", 60).expect("start");
    assert_ne!(next.id, run.id);
    let old = jobs::get_run(&conn, run.id).expect("get").expect("row");
    assert_eq!(old.status, jobs::RunStatus::Failed);
}

#[test]
fn leases_exclude_others_and_are_taken_over_when_dead() {
    let (_dir, store) = temp_store();
    let conn = store.connect().expect("connect");
    assert!(
        leases::try_acquire(&conn, "daemon", "a", 60)
            .expect("a")
            .is_none()
    );
    assert!(
        leases::try_acquire(&conn, "daemon", "a", 60)
            .expect("renew")
            .is_none()
    );
    let held = leases::try_acquire(&conn, "daemon", "b", 60).expect("b");
    assert_eq!(held.map(|l| l.holder).as_deref(), Some("a"));
    // A holder whose process is gone loses the lease.
    conn.execute(
        "UPDATE leases SET pid = 999999999 WHERE name = 'daemon'",
        [],
    )
    .expect("fake pid");
    assert!(
        leases::try_acquire(&conn, "daemon", "b", 60)
            .expect("takeover")
            .is_none()
    );
}

#[test]
fn pacer_allows_four_starts_per_sliding_window() {
    let (_dir, store) = temp_store();
    let mut conn = store.connect().expect("connect");
    let mut try_at = |ms: i64| {
        let tx = store::write_tx(&mut conn).expect("tx");
        let r = api_usage::try_start(&tx, ms, 4, 1_000).expect("try");
        tx.commit().expect("commit");
        r
    };
    for t in [1_000, 1_010, 1_020, 1_030] {
        assert_eq!(try_at(t), None, "start at {t}");
    }
    // The fifth start within the window waits until the oldest leaves it.
    assert_eq!(try_at(1_500), Some(500));
    assert_eq!(try_at(2_000), None);
    assert_eq!(try_at(2_005), Some(5));
    assert_eq!(try_at(2_010), None);
}

/// Two OS processes (this test binary re-run as a child) write to one store at once: no
/// "database is locked", and every write lands.
#[test]
fn two_processes_write_at_once() {
    if let Ok(dir) = std::env::var("CTCTSYNC_TEST_WRITER_DIR") {
        let who = std::env::var("CTCTSYNC_TEST_WRITER_ID").unwrap_or_default();
        let store = Store::open_in(&dir).expect("open");
        let mut conn = store.connect().expect("connect");
        for i in 0..300 {
            let tx = store::write_tx(&mut conn).expect("tx");
            contacts::upsert(
                &tx,
                &contacts::ContactFields {
                    crm_id: Some(format!("{who}-{i}")),
                    first_name: format!("Writer {who}"),
                    last_name: format!("Row {i}"),
                    email: Some(format!("w{who}.{i}@example.com")),
                    ..Default::default()
                },
            )
            .expect("upsert");
            api_usage::record_request(&tx, chrono::Utc::now()).expect("count");
            tx.commit().expect("commit");
        }
        return;
    }
    let (dir, store) = temp_store();
    let exe = std::env::current_exe().expect("exe");
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|who| {
            std::process::Command::new(&exe)
                .args(["--exact", "two_processes_write_at_once", "--nocapture"])
                .env("CTCTSYNC_TEST_WRITER_DIR", dir.path())
                .env("CTCTSYNC_TEST_WRITER_ID", who)
                .spawn()
                .expect("spawn writer")
        })
        .collect();
    // This process reads meanwhile.
    let reader = store.connect_read_only().expect("ro");
    for _ in 0..50 {
        let _ = contacts::counts(&reader).expect("read while writing");
    }
    for mut c in children {
        assert!(c.wait().expect("wait").success(), "a writer failed");
    }
    let conn = store.connect().expect("connect");
    assert_eq!(contacts::counts(&conn).expect("counts").contacts, 600);
    assert_eq!(api_usage::requests_today(&conn).expect("requests"), 600);
}
