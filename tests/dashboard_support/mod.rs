//! The dashboard's fixture: a small firm built with the store API (clients, contacts, lists,
//! campaigns, interactions, events, job runs, pushes) at a pinned clock, and a driver that runs
//! a screen's queries and writes synchronously through the UI's own worker functions.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use ctctsync::config;
use ctctsync::store::clients::ClientKind;
use ctctsync::store::contacts::ContactFields;
use ctctsync::store::interactions::{Kind, NewInteraction};
use ctctsync::store::rusqlite::{Connection, params};
use ctctsync::store::{
    self, Store, campaigns, clients, contacts, credentials, events, interactions, lists, outbox,
    users,
};
use ctctsync::tui::effect::Effect;
use ctctsync::tui::msg::Reply;
use ctctsync::tui::runtime::App;
use ctctsync::tui::screen::ScreenEvent;
use ctctsync::tui::worker;

/// The pinned "now" of every fixture: 14:00 in New York.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 19, 0, 0)
        .single()
        .unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

fn contact(
    c: &Connection,
    first: &str,
    last: &str,
    email: &str,
    client: Option<i64>,
    dne: bool,
) -> i64 {
    contacts::upsert(
        c,
        &ContactFields {
            crm_id: Some(format!("crm-{first}-{last}")),
            client_id: client,
            first_name: first.into(),
            last_name: last.into(),
            email: Some(email.into()),
            do_not_email: dne,
        },
    )
    .unwrap()
    .id()
}

#[allow(clippy::too_many_arguments)]
fn act(
    c: &Connection,
    contact_id: i64,
    ctct: &str,
    activity: &str,
    kind: Kind,
    at: &str,
    link: &str,
    extra: Option<&str>,
) {
    interactions::insert_many(
        c,
        &[NewInteraction {
            contact_id,
            ctct_contact_id: ctct.into(),
            campaign_activity_id: activity.into(),
            kind: Some(kind),
            occurred_at: at.into(),
            link_url: link.into(),
            bounce_code: extra.filter(|_| kind == Kind::Bounce).map(str::to_string),
            opt_out_reason: extra.filter(|_| kind == Kind::OptOut).map(str::to_string),
            device_type: (kind == Kind::Open).then(|| "desktop".to_string()),
            ..Default::default()
        }],
    )
    .unwrap();
}

/// Builds the fixture. `authorized = false` leaves the credential needing authorization.
pub fn fixture(authorized: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let mut conn = store.connect().unwrap();
    let c = store::write_tx(&mut conn).unwrap();
    config::set(&c, "schedule.timezone", "America/New_York").unwrap();
    users::upsert(&c, "alice", "Alice Admin").unwrap();
    users::set_permission(&c, "alice", true).unwrap();
    users::upsert(&c, "bob", "Bob Jones").unwrap();
    credentials::save_login(
        &c,
        &credentials::Tokens {
            access_token: "at".into(),
            access_expires_at: "2099-01-01T00:00:00Z".into(),
            refresh_token: Some("rt".into()),
            scopes: Some(config::DEFAULT_SCOPES.into()),
            token_url: None,
        },
        Some("Riverbend Advisors"),
        None,
    )
    .unwrap();
    if !authorized {
        credentials::mark_needs_authorization(
            &c,
            "the refresh token was revoked in Constant Contact",
        )
        .unwrap();
    }

    let (lovelace, _) =
        clients::upsert(&c, Some("H-1"), "Lovelace household", ClientKind::Household).unwrap();
    let (hopper, _) =
        clients::upsert(&c, Some("O-7"), "Hopper & Co", ClientKind::Organization).unwrap();
    let (tanaka, _) = clients::upsert(&c, Some("H-2"), "田中家", ClientKind::Household).unwrap();

    let ada = contact(
        &c,
        "Ada",
        "Lovelace",
        "ada@example.com",
        Some(lovelace),
        false,
    );
    let byron = contact(
        &c,
        "Byron",
        "Lovelace",
        "byron@example.com",
        Some(lovelace),
        true,
    );
    let grace = contact(
        &c,
        "Grace",
        "Hopper",
        "grace@hopper.example",
        Some(hopper),
        false,
    );
    contact(&c, "太郎", "田中", "taro@example.jp", Some(tanaka), false);
    contact(&c, "Alan", "Turing", "alan@example.org", None, false);
    let emilie = contact(
        &c,
        "Émilie",
        "du Châtelet",
        "emilie@example.fr",
        None,
        false,
    );
    for i in 1..=40 {
        contact(
            &c,
            &format!("Person{i:02}"),
            "Zeta",
            &format!("p{i:02}@example.com"),
            Some(hopper),
            false,
        );
    }
    contacts::link(&c, ada, "ct-ada", Some("implicit"), None).unwrap();
    contacts::link(&c, byron, "ct-byron", Some("unsubscribed"), Some("Contact")).unwrap();
    contacts::link(&c, grace, "ct-grace", Some("explicit"), None).unwrap();
    contacts::link(&c, emilie, "ct-emilie", Some("implicit"), None).unwrap();

    for (id, name, count) in [
        ("l-news", "Newsletter", 1204),
        ("l-events", "Events", 310),
        ("l-prospects", "Prospects", 57),
    ] {
        lists::upsert(
            &c,
            &lists::ListFields {
                list_id: id.into(),
                name: name.into(),
                membership_count: Some(count),
                ..Default::default()
            },
        )
        .unwrap();
    }
    lists::set_membership(&c, ada, "l-news", "member").unwrap();
    lists::set_membership(&c, ada, "l-events", "pending_add").unwrap();
    lists::set_membership(&c, byron, "l-news", "member").unwrap();
    lists::set_membership(&c, grace, "l-prospects", "pending_remove").unwrap();

    for (cid, aid, name) in [
        ("c-q1", "a-q1", "Q1 Newsletter"),
        ("c-autumn", "a-autumn", "Autumn Event Invite"),
        ("c-summer", "a-summer", "Summer Update"),
    ] {
        campaigns::upsert_campaign(
            &c,
            &campaigns::CampaignFields {
                campaign_id: cid.into(),
                name: name.into(),
                ..Default::default()
            },
        )
        .unwrap();
        campaigns::upsert_activity(
            &c,
            &campaigns::ActivityFields {
                campaign_activity_id: aid.into(),
                campaign_id: Some(cid.into()),
                name: Some(name.into()),
                ..Default::default()
            },
        )
        .unwrap();
    }
    act(
        &c,
        ada,
        "ct-ada",
        "a-q1",
        Kind::Send,
        "2026-11-02T14:00:00.000Z",
        "",
        None,
    );
    act(
        &c,
        ada,
        "ct-ada",
        "a-q1",
        Kind::Open,
        "2026-11-02T14:31:00.000Z",
        "",
        None,
    );
    act(
        &c,
        ada,
        "ct-ada",
        "a-q1",
        Kind::Click,
        "2026-11-02T14:33:00.000Z",
        "https://riverbend.example/q1-letter",
        None,
    );
    act(
        &c,
        ada,
        "ct-ada",
        "a-autumn",
        Kind::Send,
        "2026-10-05T13:00:00.000Z",
        "",
        None,
    );
    act(
        &c,
        ada,
        "ct-ada",
        "a-autumn",
        Kind::Open,
        "2026-10-06T08:12:00.000Z",
        "",
        None,
    );
    act(
        &c,
        ada,
        "ct-ada",
        "a-autumn",
        Kind::Forward,
        "2026-10-06T08:20:00.000Z",
        "",
        None,
    );
    act(
        &c,
        ada,
        "ct-ada",
        "a-summer",
        Kind::Send,
        "2026-07-01T12:00:00.000Z",
        "",
        None,
    );
    act(
        &c,
        byron,
        "ct-byron",
        "a-q1",
        Kind::Send,
        "2026-11-02T14:00:00.000Z",
        "",
        None,
    );
    act(
        &c,
        byron,
        "ct-byron",
        "a-q1",
        Kind::Bounce,
        "2026-11-02T14:01:00.000Z",
        "",
        Some("B"),
    );
    act(
        &c,
        byron,
        "ct-byron",
        "a-autumn",
        Kind::Send,
        "2026-10-05T13:00:00.000Z",
        "",
        None,
    );
    act(
        &c,
        byron,
        "ct-byron",
        "a-autumn",
        Kind::OptOut,
        "2026-10-05T18:40:00.000Z",
        "",
        Some("Too many emails"),
    );
    act(
        &c,
        grace,
        "ct-grace",
        "a-q1",
        Kind::Send,
        "2026-11-02T14:00:00.000Z",
        "",
        None,
    );
    act(
        &c,
        grace,
        "ct-grace",
        "a-q1",
        Kind::Open,
        "2026-11-03T09:00:00.000Z",
        "",
        None,
    );
    interactions::refresh_last_activity(&c).unwrap();
    events::upsert(
        &c,
        ada,
        Some(lovelace),
        "a-q1",
        Kind::Click,
        "Q1 Newsletter",
        "2026-11-02T14:33:00.000Z",
    )
    .unwrap();
    events::upsert(
        &c,
        ada,
        Some(lovelace),
        "a-autumn",
        Kind::Open,
        "Autumn Event Invite",
        "2026-10-06T08:12:00.000Z",
    )
    .unwrap();
    events::upsert(
        &c,
        byron,
        Some(lovelace),
        "a-q1",
        Kind::Bounce,
        "Q1 Newsletter",
        "2026-11-02T14:01:00.000Z",
    )
    .unwrap();
    events::upsert(
        &c,
        byron,
        Some(lovelace),
        "a-autumn",
        Kind::OptOut,
        "Autumn Event Invite",
        "2026-10-05T18:40:00.000Z",
    )
    .unwrap();

    // Job runs at fixed times (the run API stamps the real clock).
    let run = |job: &str,
               status: &str,
               start: &str,
               end: Option<&str>,
               items: i64,
               total: Option<i64>,
               req: i64,
               progress: f64,
               phase: Option<&str>,
               summary: Option<&str>,
               error: Option<&str>,
               trigger: &str| {
        c.execute(
            "INSERT INTO job_runs (job, status, trigger, started_at, ended_at, heartbeat_at, pid, items, items_total,
               api_requests, progress, phase, summary, error)
             VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?5, '2026-12-03T18:59:59Z'), 4242, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![job, status, trigger, start, end, items, total, req, progress, phase, summary, error],
        )
        .unwrap();
    };
    run(
        "synccontactlists",
        "succeeded",
        "2026-12-02T05:30:00Z",
        Some("2026-12-02T05:30:09Z"),
        3,
        Some(3),
        2,
        1.0,
        None,
        Some(r#"{"created":3}"#),
        None,
        "schedule",
    );
    run(
        "synccontactlists",
        "succeeded",
        "2026-12-03T05:30:00Z",
        Some("2026-12-03T05:30:12Z"),
        3,
        Some(3),
        2,
        1.0,
        None,
        Some(r#"{"updated":1}"#),
        None,
        "schedule",
    );
    run(
        "synccontacts",
        "succeeded",
        "2026-12-02T06:00:00Z",
        Some("2026-12-02T06:04:05Z"),
        46,
        Some(46),
        12,
        1.0,
        None,
        Some(r#"{"linked":4,"notes":["2 CRM contacts share kim@example.com: not linked"]}"#),
        None,
        "schedule",
    );
    run(
        "synccontacts",
        "failed",
        "2026-12-03T06:00:00Z",
        Some("2026-12-03T06:00:03Z"),
        0,
        None,
        1,
        0.0,
        None,
        None,
        Some(
            "Constant Contact refused the access token (HTTP 401): authorize again in Settings → 5 Authorize",
        ),
        "schedule",
    );
    run(
        "syncactivities",
        "succeeded",
        "2026-12-02T07:00:00Z",
        Some("2026-12-02T07:12:30Z"),
        2950,
        Some(2950),
        61,
        1.0,
        None,
        Some(r#"{"created":2950}"#),
        None,
        "schedule",
    );
    run(
        "syncactivities",
        "running",
        "2026-12-03T18:58:00Z",
        None,
        1200,
        Some(3000),
        27,
        0.4,
        Some("campaign 3 of 8"),
        None,
        None,
        "manual",
    );
    c.execute(
        "INSERT INTO api_usage (day, requests) VALUES ('2026-12-03', 1234)",
        [],
    )
    .unwrap();

    // Pushes: one retrying, one waiting, one failed; fixed times.
    let p1 = outbox::enqueue(&c, ada, outbox::Kind::UpdateContact, &serde_json::json!({})).unwrap();
    let p2 = lists::request_membership_change(&c, ada, "l-events", true).unwrap();
    let p3 = lists::request_membership_change(&c, grace, "l-prospects", false).unwrap();
    c.execute(
        "UPDATE outbox SET attempts = 2, last_error = 'Constant Contact is unavailable (HTTP 503)',
           created_at = '2026-12-03T18:40:00Z', next_attempt_at = '2026-12-03T19:02:00Z' WHERE id = ?1",
        [p1],
    )
    .unwrap();
    c.execute("UPDATE outbox SET created_at = '2026-12-03T18:55:00Z', next_attempt_at = '2026-12-03T18:55:00Z' WHERE id = ?1", [p2]).unwrap();
    outbox::mark_failed(
        &c,
        p3,
        "the email address grace@hopper.example was rejected by Constant Contact (invalid domain)",
    )
    .unwrap();
    c.execute(
        "UPDATE outbox SET created_at = '2026-12-01T10:00:00Z' WHERE id = ?1",
        [p3],
    )
    .unwrap();
    c.commit().unwrap();
    Fixture { dir, store }
}

/// Runs effects like the executor would, synchronously: queries on a read-only connection,
/// writes on a read-write one; replies go back to the screen until nothing is left. Effects for
/// the outside world (job runs, timers, the outbox worker) are returned untouched.
pub fn drive(app: &mut App, store: &Store, effects: Vec<Effect>) -> Vec<Effect> {
    let ro = store.connect_read_only().unwrap();
    let mut rw = store.connect().unwrap();
    let mut queue: std::collections::VecDeque<Effect> = app.apply(effects).into();
    let mut other = Vec::new();
    while let Some(e) = queue.pop_front() {
        let reply = match e {
            Effect::Query { generation, query } => worker::run_query(&ro, generation, query),
            Effect::Write(ops) => Reply::Saved {
                result: worker::apply(&mut rw, &ops),
            },
            other_effect => {
                other.push(other_effect);
                continue;
            }
        };
        let fx = app.screen.update(ScreenEvent::Reply(reply));
        queue.extend(app.apply(fx));
    }
    other
}

pub fn send(app: &mut App, store: &Store, ev: ScreenEvent) -> Vec<Effect> {
    let fx = app.screen.update(ev);
    drive(app, store, fx)
}
