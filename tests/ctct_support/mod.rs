//! Shared set-up for the ctct tests: a sandbox on 127.0.0.1 (port 0), a real store file in a
//! tempdir configured for it, and a full auto-approved login over real HTTP.
#![allow(dead_code)]

use std::net::TcpListener;

use ctctsync::config::{self, CtctSettings};
use ctctsync::ctct::oauth::{self, LoginOptions, LoginOutcome};
use ctctsync::sandbox::{self, SandboxConfig, SandboxHandle};
use ctctsync::store::Store;
use serde_json::Value;

pub const SCOPES: &str = "contact_data campaign_data account_read offline_access";

/// A port that was free a moment ago (for the loopback redirect URI).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub struct Env {
    pub sandbox: SandboxHandle,
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub settings: CtctSettings,
    pub port: u16,
}

impl Env {
    pub fn redirect_uri(&self) -> String {
        self.settings.redirect_uri.clone()
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        let r = reqwest::Client::new()
            .post(format!("{}{path}", self.sandbox.base_url()))
            .json(&body)
            .send()
            .await
            .expect("control request");
        assert!(r.status().is_success(), "control {path}: {}", r.status());
        r.json().await.expect("control json")
    }

    pub async fn fault(&self, body: Value) {
        self.control("/__sandbox/faults", body).await;
    }

    pub async fn stats(&self) -> Value {
        reqwest::get(format!("{}/__sandbox/stats", self.sandbox.base_url()))
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats json")
    }

    /// Token endpoint requests the sandbox has seen.
    pub async fn token_requests(&self) -> u64 {
        let s = self.stats().await;
        s["by_endpoint"]["POST /oauth2/default/v1/token"]
            .as_u64()
            .unwrap_or(0)
    }

    /// API requests (under /v3) the sandbox has seen.
    pub async fn api_requests(&self) -> u64 {
        let s = self.stats().await;
        s["by_endpoint"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.contains(" /v3/"))
                    .filter_map(|(_, v)| v.as_u64())
                    .sum()
            })
            .unwrap_or(0)
    }

    /// Logs in through the real flow: the "browser" is a plain HTTP GET of the authorize URL
    /// that follows the redirect to our loopback listener.
    pub async fn login(&self) -> LoginOutcome {
        let pending = oauth::begin_login(
            self.store.clone(),
            self.settings.clone(),
            LoginOptions {
                open_browser: false,
                ..Default::default()
            },
        )
        .await
        .expect("begin_login");
        let page = reqwest::get(pending.authorize_url())
            .await
            .expect("the browser step")
            .text()
            .await
            .expect("page");
        assert!(page.contains("Authenticated as"), "browser page: {page}");
        pending.wait().await.expect("login outcome")
    }
}

/// `host` is `127.0.0.1` or `localhost` (for the redirect URI).
pub async fn env_with(host: &str, tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
    let port = free_port();
    let redirect = format!("http://{host}:{port}/callback");
    let mut cfg = SandboxConfig::for_tests();
    cfg.redirect_uris = vec![redirect.clone()];
    tweak(&mut cfg);
    let sandbox = sandbox::spawn(cfg).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_in(dir.path()).expect("store");
    {
        let conn = store.connect().expect("conn");
        for (k, v) in [
            ("ctct.client_id", sandbox.client_id()),
            ("ctct.authorize_url", sandbox.authorize_url()),
            ("ctct.token_url", sandbox.token_url()),
            ("ctct.api_base", sandbox.api_base()),
            ("ctct.redirect_uri", redirect.clone()),
            ("ctct.scopes", SCOPES.to_string()),
        ] {
            config::set(&conn, k, &v).expect("config set");
        }
    }
    let settings = {
        let conn = store.connect().expect("conn");
        config::ctct_settings(&conn).expect("settings")
    };
    Env {
        sandbox,
        dir,
        store,
        settings,
        port,
    }
}

pub async fn env() -> Env {
    env_with("127.0.0.1", |_| {}).await
}

/// Extracts a query parameter from a URL.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// GET without following redirects; returns the Location header.
pub async fn location_of(url: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = client.get(url).send().await.expect("authorize GET");
    assert_eq!(r.status().as_u16(), 302, "authorize should redirect");
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string()
}
