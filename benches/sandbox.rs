//! Sandbox benchmark: seeding time and peak memory for 100,000 contacts / 1,000,000 tracking
//! rows, then p50/p99 latency of a 500-row contacts page and a 500-row tracking page over real
//! HTTP on loopback (rate limits off). Run: `cargo bench --bench sandbox`.

use std::time::{Duration, Instant};

use ctctsync::sandbox::{SandboxConfig, pkce_challenge, spawn};

const VERIFIER: &str = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG";
const REDIRECT: &str = "http://127.0.0.1:8899/callback";

/// Peak resident set size (VmHWM) in MiB, from /proc/self/status (Linux only).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn token(h: &ctctsync::sandbox::SandboxHandle, http: &reqwest::Client) -> String {
    let response = http
        .get(h.authorize_url())
        .query(&[
            ("client_id", h.client_id().as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "contact_data campaign_data account_read"),
            ("state", "bench"),
            ("code_challenge", pkce_challenge(VERIFIER).as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize");
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let code = url::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("code")
        .1
        .to_string();
    let body: serde_json::Value = http
        .post(h.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", h.client_id().as_str()),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    body["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}

async fn measure(
    http: &reqwest::Client,
    token: &str,
    urls: &[String],
    rounds: usize,
) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let url = &urls[i % urls.len()];
        let t = Instant::now();
        let response = http.get(url).bearer_auth(token).send().await.expect("get");
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        let bytes = response.bytes().await.expect("body");
        samples.push(t.elapsed());
        assert!(bytes.len() > 1000);
    }
    samples.sort();
    samples
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let config = SandboxConfig {
            contacts: 100_000,
            lists: 10,
            campaigns: 30,
            activities: 1_000_000,
            auto_approve: true,
            rate_limit_per_sec: None,
            daily_quota: None,
            token_endpoint_limit: false,
            addr: "127.0.0.1:0".parse().expect("addr"),
            ..SandboxConfig::default()
        };
        let started = Instant::now();
        let (contacts, rows) = ctctsync::sandbox::seed_only(&config);
        let seed_time = started.elapsed();
        println!(
            "seed: {contacts} contacts, {rows} tracking rows in {:.2} s; peak RSS {:.0} MiB",
            seed_time.as_secs_f64(),
            peak_rss_mib().unwrap_or(f64::NAN)
        );

        let started = Instant::now();
        let h = spawn(config).await.expect("spawn");
        println!(
            "spawn (seed + bind): {:.2} s; peak RSS {:.0} MiB",
            started.elapsed().as_secs_f64(),
            peak_rss_mib().unwrap_or(f64::NAN)
        );
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let token = token(&h, &http).await;

        // Contacts: every page of a full listing at limit 500 (follow the cursors once).
        let mut urls = Vec::new();
        let mut next = Some(format!(
            "{}/contacts?status=all&limit=500&include=list_memberships",
            h.api_base()
        ));
        while let Some(url) = next.take() {
            let body: serde_json::Value = http
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("json");
            next = body["_links"]["next"]["href"]
                .as_str()
                .map(|href| format!("{}{href}", h.base_url()));
            urls.push(url);
        }
        let contacts_samples = measure(&http, &token, &urls, 400).await;

        // Tracking: the biggest opens/sends buckets, first pages and deeper pages.
        let campaigns: serde_json::Value = http
            .get(format!("{}/__sandbox/campaigns", h.base_url()))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        let mut tracking = Vec::new();
        for c in campaigns["campaigns"].as_array().expect("campaigns") {
            for a in c["activities"].as_array().expect("activities") {
                if a["role"] != "primary_email" {
                    continue;
                }
                let id = a["campaign_activity_id"].as_str().expect("id");
                for kind in ["sends", "opens"] {
                    let url = format!(
                        "{}/reports/email_reports/{id}/tracking/{kind}?limit=500",
                        h.api_base()
                    );
                    let body: serde_json::Value = http
                        .get(&url)
                        .bearer_auth(&token)
                        .send()
                        .await
                        .expect("get")
                        .json()
                        .await
                        .expect("json");
                    if body["tracking_activities"]
                        .as_array()
                        .is_some_and(|r| r.len() == 500)
                    {
                        tracking.push(url);
                        if let Some(href) = body["_links"]["next"]["href"].as_str() {
                            tracking.push(format!("{}{href}", h.base_url()));
                        }
                    }
                }
            }
        }
        let tracking_samples = measure(&http, &token, &tracking, 400).await;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "contacts page (500 rows, {} distinct pages): p50 {:.2} ms, p99 {:.2} ms",
            urls.len(),
            ms(percentile(&contacts_samples, 0.50)),
            ms(percentile(&contacts_samples, 0.99))
        );
        println!(
            "tracking page (500 rows, {} distinct pages): p50 {:.2} ms, p99 {:.2} ms",
            tracking.len(),
            ms(percentile(&tracking_samples, 0.50)),
            ms(percentile(&tracking_samples, 0.99))
        );
        println!(
            "peak RSS overall {:.0} MiB",
            peak_rss_mib().unwrap_or(f64::NAN)
        );
        h.shutdown().await;
    });
}
