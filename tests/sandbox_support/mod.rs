//! Shared helpers for the sandbox tests: start a sandbox on 127.0.0.1:0 and drive its OAuth
//! flow over real HTTP (auto-approve, PKCE S256).
#![allow(dead_code)]

use ctctsync::sandbox::{SandboxConfig, SandboxHandle, pkce_challenge, spawn};
use reqwest::StatusCode;
use serde_json::Value;

pub const SCOPES: &str = "contact_data campaign_data account_read offline_access";
pub const VERIFIER: &str = "sandbox-test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const REDIRECT: &str = "http://127.0.0.1:8899/callback";

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub async fn start(config: SandboxConfig) -> SandboxHandle {
    spawn(config).await.expect("sandbox starts")
}

pub async fn start_default() -> SandboxHandle {
    start(SandboxConfig::for_tests()).await
}

/// Runs `/authorize` (auto-approve) and returns the code from the redirect.
pub async fn code(
    h: &SandboxHandle,
    http: &reqwest::Client,
    scope: &str,
    verifier: &str,
) -> String {
    let response = http
        .get(h.authorize_url())
        .query(&[
            ("client_id", h.client_id().as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", scope),
            ("state", "xyz"),
            ("code_challenge", pkce_challenge(verifier).as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let url = url::Url::parse(&location).expect("redirect url");
    assert!(location.starts_with(REDIRECT));
    let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs.get("state").map(String::as_str), Some("xyz"));
    pairs.get("code").expect("code").clone()
}

pub async fn exchange(
    h: &SandboxHandle,
    http: &reqwest::Client,
    code: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    let response = http
        .post(h.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", h.client_id().as_str()),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("token");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

pub async fn refresh(
    h: &SandboxHandle,
    http: &reqwest::Client,
    token: &str,
) -> (StatusCode, Value) {
    let response = http
        .post(h.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", h.client_id().as_str()),
        ])
        .send()
        .await
        .expect("token");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

/// A full PKCE login; returns (access_token, refresh_token).
pub async fn login(h: &SandboxHandle, scope: &str) -> (String, Option<String>) {
    let http = http();
    let code = code(h, &http, scope, VERIFIER).await;
    let (status, body) = exchange(h, &http, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["access_token"].as_str().expect("access").to_string(),
        body["refresh_token"].as_str().map(str::to_string),
    )
}

/// An authenticated API client for one sandbox.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub origin: String,
    pub token: String,
}

impl Api {
    pub async fn new(h: &SandboxHandle) -> Api {
        let (token, _) = login(h, SCOPES).await;
        Api {
            http: http(),
            base: h.api_base(),
            origin: h.base_url(),
            token,
        }
    }

    /// GET a path relative to `/v3` (e.g. "/contacts?limit=5") or an absolute "/v3/..." href.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let url = if path.starts_with("/v3/") {
            format!("{}{}", self.origin, path)
        } else {
            format!("{}{}", self.base, path)
        };
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("get");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("send");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn control(&self, path: &str, body: &Value) -> Value {
        self.http
            .post(format!("{}/__sandbox{}", self.origin, path))
            .json(body)
            .send()
            .await
            .expect("control")
            .json()
            .await
            .expect("json")
    }
}
