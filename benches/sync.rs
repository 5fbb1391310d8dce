//! Benchmark of the activity sync against the sandbox, which runs as a child process
//! (`ctctsync sandbox`) so its memory is not counted here.
//!
//! Part 1 (rate limits off): 10,000 CRM contacts, 50 campaigns, 1,000,000 tracking rows.
//! Reports: API requests of a full activity sync against the report pages it needed (target
//! ≤ 1.1×) and against one request per linked contact (target ≥ 10× fewer); the local ingest rate
//! (report rows stored per second of local work, pages committed with their cursor) against a
//! bare rusqlite insert of the same rows into the same tables in this run (target ≥ half); peak
//! RSS of this process (VmHWM, target < 150 MB).
//! Part 2 (4 requests/s limit on, a smaller account): wall time of a full activity sync against
//! requests ÷ 4 s (target ≤ 1.15×).
//!
//! Run: `cargo bench --bench sync`

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ctctsync::config::{self, CtctSettings};
use ctctsync::ctct::oauth::{self, LoginOptions};
use ctctsync::ctct::{Client, ClientOptions};
use ctctsync::store::contacts::{self, ContactFields};
use ctctsync::store::jobs::{JobName, RunStatus};
use ctctsync::store::{self, Store, interactions};
use ctctsync::sync::{self, CtctApi, Trigger};
use tokio_util::sync::CancellationToken;

struct Sandbox {
    child: Child,
    api_base: String,
    authorize_url: String,
    token_url: String,
    client_id: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn sandbox(args: &[&str], redirect: &str) -> Sandbox {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctctsync"))
        .args([
            "sandbox",
            "--addr",
            "127.0.0.1:0",
            "--auto-approve",
            "--no-token-limit",
        ])
        .args(["--redirect-uri", redirect])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sandbox");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("announcement");
    let v: serde_json::Value = serde_json::from_str(&line).expect("announcement JSON");
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    Sandbox {
        api_base: s("api_base"),
        authorize_url: s("authorize_url"),
        token_url: s("token_url"),
        client_id: s("client_id"),
        child,
    }
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// A store configured for the sandbox and logged in through the real OAuth flow.
async fn store_for(sb: &Sandbox, dir: &std::path::Path, redirect: &str) -> (Store, CtctSettings) {
    let store = Store::open_in(dir).expect("store");
    {
        let conn = store.connect().expect("conn");
        for (k, v) in [
            ("ctct.client_id", sb.client_id.as_str()),
            ("ctct.authorize_url", &sb.authorize_url),
            ("ctct.token_url", &sb.token_url),
            ("ctct.api_base", &sb.api_base),
            ("ctct.redirect_uri", redirect),
            (
                "ctct.scopes",
                "contact_data campaign_data account_read offline_access",
            ),
        ] {
            config::set(&conn, k, v).expect("config");
        }
    }
    let settings = config::ctct_settings(&store.connect().expect("conn")).expect("settings");
    let pending = oauth::begin_login(
        store.clone(),
        settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
    )
    .await
    .expect("begin_login");
    reqwest::get(pending.authorize_url())
        .await
        .expect("authorize");
    pending.wait().await.expect("login");
    (store, settings)
}

/// Puts the first `n` live sandbox contacts into the CRM.
async fn import_crm(sb: &Sandbox, store: &Store, n: usize) -> usize {
    let base = sb.api_base.trim_end_matches("/v3");
    let text = reqwest::get(format!("{base}/__sandbox/contacts.csv"))
        .await
        .expect("csv")
        .text()
        .await
        .expect("csv text");
    let mut conn = store.connect().expect("conn");
    let tx = store::write_tx(&mut conn).expect("tx");
    let mut added = 0;
    for r in csv::Reader::from_reader(text.as_bytes()).records() {
        let r = r.expect("row");
        if &r[3] == "deleted" || added >= n {
            continue;
        }
        contacts::upsert(
            &tx,
            &ContactFields {
                crm_id: Some(format!("C{added}")),
                first_name: r[1].to_string(),
                last_name: r[2].to_string(),
                email: Some(r[0].to_string()),
                ..ContactFields::default()
            },
        )
        .expect("upsert");
        added += 1;
    }
    tx.commit().expect("commit");
    added
}

async fn run(api: &Client, store: &Store, job: JobName) -> sync::RunOutcome {
    let o = sync::run_job_with(
        api,
        store,
        job,
        Trigger::Cli,
        CancellationToken::new(),
        None,
    )
    .await
    .expect("run");
    assert_eq!(o.status, RunStatus::Succeeded, "{job}: {:?}", o.error);
    o
}

async fn tracking_requests(sb: &Sandbox) -> u64 {
    let base = sb.api_base.trim_end_matches("/v3");
    let s: serde_json::Value = reqwest::get(format!("{base}/__sandbox/stats"))
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats json");
    s["by_endpoint"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.contains("/tracking/"))
                .filter_map(|(_, v)| v.as_u64())
                .sum()
        })
        .unwrap_or(0)
}

/// The same rows inserted with a bare prepared statement in one transaction, into a fresh store
/// with the same tables and indexes. Returns rows per second.
fn bare_insert_rate(rows: &[interactions::NewInteraction]) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_in(dir.path()).expect("store");
    let mut conn = store.connect().expect("conn");
    // The same CRM ids must exist (foreign key).
    let max_contact = rows.iter().map(|r| r.contact_id).max().unwrap_or(0);
    {
        let tx = conn.transaction().expect("tx");
        for id in 1..=max_contact {
            tx.execute(
                "INSERT INTO contacts (id, created_at, updated_at) VALUES (?1, '', '')",
                [id],
            )
            .expect("contact");
        }
        tx.commit().expect("commit");
    }
    let started = Instant::now();
    let tx = conn.transaction().expect("tx");
    {
        let mut stmt = tx.prepare(interactions::INSERT_SQL).expect("prepare");
        for r in rows {
            stmt.execute(rusqlite::params![
                r.contact_id,
                r.ctct_contact_id,
                r.campaign_activity_id,
                r.kind.map(|k| k.code()).unwrap_or("em_sends"),
                r.occurred_at,
                r.link_url,
                r.url_id,
                r.bounce_code,
                r.device_type,
                r.opt_out_reason
            ])
            .expect("insert");
        }
    }
    tx.commit().expect("commit");
    rows.len() as f64 / started.elapsed().as_secs_f64()
}

fn stored_rows(store: &Store) -> Vec<interactions::NewInteraction> {
    let conn = store.connect().expect("conn");
    let mut stmt = conn
        .prepare(
            "SELECT contact_id, ctct_contact_id, campaign_activity_id, kind, occurred_at, link_url,
                    url_id, bounce_code, device_type, opt_out_reason FROM interactions ORDER BY id",
        )
        .expect("prepare");
    stmt.query_map([], |r| {
        Ok(interactions::NewInteraction {
            contact_id: r.get(0)?,
            ctct_contact_id: r.get(1)?,
            campaign_activity_id: r.get(2)?,
            kind: interactions::Kind::parse(&r.get::<_, String>(3)?),
            occurred_at: r.get(4)?,
            link_url: r.get(5)?,
            url_id: r.get(6)?,
            bounce_code: r.get(7)?,
            device_type: r.get(8)?,
            opt_out_reason: r.get(9)?,
        })
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn fast(store: &Store, settings: &CtctSettings) -> Client {
    Client::with_options(
        store.clone(),
        settings.clone(),
        ClientOptions {
            pace_interval: Duration::from_millis(0),
            ..ClientOptions::default()
        },
    )
    .expect("client")
}

async fn part1() {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let t = Instant::now();
    let sb = sandbox(
        &[
            "--contacts",
            "20000",
            "--campaigns",
            "50",
            "--activities",
            "1000000",
            "--no-rate-limit",
        ],
        &redirect,
    );
    println!(
        "sandbox seeded in {:.1} s (child process)",
        t.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, settings) = store_for(&sb, dir.path(), &redirect).await;
    let crm = import_crm(&sb, &store, 10_000).await;
    let api = fast(&store, &settings);
    run(&api, &store, JobName::Synccontactlists).await;
    let c = run(&api, &store, JobName::Synccontacts).await;
    let linked: i64 = store
        .connect()
        .expect("conn")
        .query_row(
            "SELECT count(*) FROM contacts WHERE ctct_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .expect("linked");
    println!(
        "CRM contacts: {crm}; linked by the contact sync: {linked} ({} requests)",
        c.progress.api_requests
    );

    let before_tracking = tracking_requests(&sb).await;
    let t = Instant::now();
    let o = run(&api, &store, JobName::Syncactivities).await;
    let wall = t.elapsed().as_secs_f64();
    let pages = tracking_requests(&sb).await - before_tracking;
    let requests = o.progress.api_requests as f64;
    let (rows_seen, ingest_time) = sync::activities::ingest_stats();
    let stored = interactions::count(&store.connect().expect("conn")).expect("count");
    println!(
        "full activity sync: {wall:.1} s wall, {} report rows read, {stored} interactions stored",
        o.progress.items
    );
    println!(
        "  API requests: {requests} total; report pages needed: {pages}; ratio {:.3} (target ≤ 1.1)",
        requests / pages.max(1) as f64
    );
    println!(
        "  vs one request per linked contact ({linked}): {:.1}× fewer (target ≥ 10×)",
        linked as f64 / requests.max(1.0)
    );
    let ingest_rate = rows_seen as f64 / ingest_time.as_secs_f64().max(1e-9);
    // Peak RSS of the sync, before this bench loads every row for the bare-insert comparison.
    let hwm = vm_hwm_kb();
    let rows = stored_rows(&store);
    let bare = bare_insert_rate(&rows);
    // The sync's own rate counted on stored rows only (unlinked contacts' rows are skipped cheaply).
    let stored_rate = rows.len() as f64 / ingest_time.as_secs_f64().max(1e-9);
    println!(
        "  local ingest: {rows_seen} report rows in {:.2} s = {ingest_rate:.0} rows/s ({stored_rate:.0} stored rows/s); bare rusqlite insert of the same {} rows: {bare:.0} rows/s; ratio {:.2} (target ≥ 0.5)",
        ingest_time.as_secs_f64(),
        rows.len(),
        stored_rate / bare
    );
    drop(rows);
    println!(
        "  peak RSS of this process during the sync (VmHWM): {:.1} MB (target < 150 MB); after loading the rows for the comparison: {:.1} MB",
        hwm as f64 / 1024.0,
        vm_hwm_kb() as f64 / 1024.0
    );
    let quiet = run(&api, &store, JobName::Syncactivities).await;
    println!(
        "  second run with nothing new: {} requests, {} rows stored",
        quiet.progress.api_requests, quiet.summary.created
    );
}

async fn part2() {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let sb = sandbox(
        &[
            "--contacts",
            "3000",
            "--campaigns",
            "10",
            "--activities",
            "60000",
            "--rate-limit",
            "4",
            "--daily-quota",
            "100000",
        ],
        &redirect,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, settings) = store_for(&sb, dir.path(), &redirect).await;
    import_crm(&sb, &store, 2_000).await;
    // The product's client: paced across processes to stay under 4 requests a second.
    let api = Client::new(store.clone(), settings).expect("client");
    run(&api, &store, JobName::Synccontacts).await;
    let before = api.requests_sent();
    let t = Instant::now();
    let o = run(&api, &store, JobName::Syncactivities).await;
    let wall = t.elapsed().as_secs_f64();
    let requests = (api.requests_sent() - before) as f64;
    let ideal = requests / 4.0;
    println!(
        "rate limit 4/s: full activity sync of {} rows: {requests} requests in {wall:.1} s; requests ÷ 4 = {ideal:.1} s; ratio {:.3} (target ≤ 1.15)",
        o.progress.items,
        wall / ideal.max(1e-9)
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        part1().await;
        part2().await;
    });
}
