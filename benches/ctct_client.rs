//! Constant Contact client benchmark (harness = false; prints figures):
//! 1. sustained throughput against the sandbox with its 4 requests/s limit on: several tasks
//!    and two clients (as two processes would) share the store's pacer; target 3.8–4.0
//!    requests/s with no `throttled` answer caused by our own pacing;
//! 2. decode time of a 500-contact page (with list memberships, custom fields, phones,
//!    addresses) into `ContactsPage`.
//!
//! Run: `cargo bench --bench ctct_client` (REQUESTS=N to change the sample, default 80).

use std::time::{Duration, Instant};

use ctctsync::config;
use ctctsync::ctct::oauth::{self, LoginOptions};
use ctctsync::ctct::{Client, ContactsPage};
use ctctsync::sandbox::{self, SandboxConfig};
use ctctsync::store::{Store, credentials};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18_899)
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let cfg = SandboxConfig {
        addr: "127.0.0.1:0".parse()?,
        auto_approve: true,
        contacts: 1_000,
        redirect_uris: vec![redirect.clone()],
        rate_limit_per_sec: Some(4),
        daily_quota: None,
        token_endpoint_limit: true,
        ..SandboxConfig::default()
    };
    let sb = sandbox::spawn(cfg).await?;
    let dir = tempfile::tempdir()?;
    let store = Store::open_in(dir.path())?;
    {
        let conn = store.connect()?;
        for (k, v) in [
            ("ctct.client_id", sb.client_id()),
            ("ctct.authorize_url", sb.authorize_url()),
            ("ctct.token_url", sb.token_url()),
            ("ctct.api_base", sb.api_base()),
            ("ctct.redirect_uri", redirect.clone()),
        ] {
            config::set(&conn, k, &v)?;
        }
    }
    let settings = config::ctct_settings(&store.connect()?)?;
    let pending = oauth::begin_login(
        store.clone(),
        settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
    )
    .await?;
    reqwest::get(pending.authorize_url()).await?.text().await?;
    pending.wait().await?;
    // Let the login's own request leave the sandbox's rolling window.
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    // 1. Throughput: 2 clients × 3 tasks, `total` calls in all.
    let total: usize = std::env::var("REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(80);
    let clients = [
        Client::new(store.clone(), settings.clone())?,
        Client::new(store.clone(), settings.clone())?,
    ];
    let per_task = total / 6;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in &clients {
        for _ in 0..3 {
            let c = client.clone();
            tasks.push(tokio::spawn(async move {
                let mut ok = 0usize;
                for _ in 0..per_task {
                    if c.account_summary().await.is_ok() {
                        ok += 1;
                    }
                }
                ok
            }));
        }
    }
    let mut calls = 0;
    for t in tasks {
        calls += t.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let sent: u64 = clients.iter().map(Client::request_count).sum();
    let throttled = sent.saturating_sub(calls as u64);
    println!("ctct_client/throughput: {calls} calls ok, {sent} requests sent in {elapsed:.2} s");
    println!(
        "ctct_client/throughput: {:.2} requests/s sustained (target 3.8–4.0), {throttled} throttled answers",
        sent as f64 / elapsed
    );

    // 2. Decode a 500-contact page (fetched raw once).
    let token = credentials::get(&store.connect()?)?
        .and_then(|c| c.access_token)
        .ok_or_else(|| anyhow::anyhow!("no token"))?;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let body = reqwest::Client::new()
        .get(format!(
            "{}/contacts?status=all&limit=500&include=custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes",
            sb.api_base()
        ))
        .bearer_auth(token)
        .send()
        .await?
        .bytes()
        .await?;
    let page: ContactsPage = serde_json::from_slice(&body)?;
    anyhow::ensure!(page.contacts.len() == 500, "got {}", page.contacts.len());
    let rounds = 200;
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let p: ContactsPage = serde_json::from_slice(&body)?;
        std::hint::black_box(&p);
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[rounds / 2];
    let p95 = times[rounds * 95 / 100];
    println!(
        "ctct_client/decode_500_contacts: {} KiB page, median {:.2} ms, p95 {:.2} ms ({:.1} µs per contact)",
        body.len() / 1024,
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e6 / 500.0
    );
    Ok(())
}
