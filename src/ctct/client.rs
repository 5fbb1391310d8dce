//! [`Client`]: one Constant Contact connection shared by a process's tasks.
//!
//! Every API request goes through [`Client::execute`]:
//!
//! ```text
//!  token (tokens.rs: cached, refreshed before expiry / once after a 401, single-flight
//!         across processes under the store's write lock)
//!    → pacer (store: quota stop check, try_start = a sliding window of 4 starts per 1.05 s
//!             shared by every process, record_request; wait and ask again when full)
//!    → HTTP → 2xx: done
//!           → 401: refresh once, retry     → 429 quota_exceeded: mark the store, stop
//!           → 429 throttled / 5xx / no answer: capped exponential backoff + jitter, retry
//!           → other 4xx: error, never retried
//! ```
//!
//! SQLite is only touched on blocking threads (`spawn_blocking`), through one cached connection.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use url::Url;

use super::error::{CtctError, parse_error_body};
use super::token_endpoint;
use super::tokens::{self, Cached};
use crate::config::CtctSettings;
use crate::store::{self, Store, api_usage};

/// Tuning knobs; [`ClientOptions::default`] is what the product uses.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// A quarter of the pacing window: at most 4 requests start within any 4 × `pace_interval`
    /// across all processes. 262 ms (4 per 1.05 s, 3.8 requests/s) rather than 250 ms leaves
    /// 50 ms for the time between a start being recorded and the request reaching the server,
    /// so that our own pacing never trips Constant Contact's 4-per-rolling-second limit.
    pub pace_interval: Duration,
    /// Attempts for a request that meets `throttled`, a 5xx or no answer.
    pub max_attempts: u32,
    /// First backoff delay; doubles per attempt up to `backoff_cap`, with jitter.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Refresh the access token when it expires within this margin.
    pub refresh_margin: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            pace_interval: Duration::from_millis(262),
            max_attempts: 8,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            refresh_margin: Duration::from_secs(120),
        }
    }
}

/// The Constant Contact client. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_base", &self.inner.api_base.as_str())
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) store: Store,
    pub(crate) settings: CtctSettings,
    pub(crate) api_base: Url,
    pub(crate) options: ClientOptions,
    pub(crate) requests: AtomicU64,
    pub(crate) token_requests: AtomicU64,
    pub(crate) conn: Mutex<Option<Connection>>,
    pub(crate) token: tokio::sync::Mutex<Option<Cached>>,
}

impl Client {
    /// A client for the configured application. Tokens are read from the store on the first
    /// call (so this succeeds before authorization; calls then fail with a needs-authorization
    /// error). Fails only on missing or invalid settings.
    pub fn new(store: Store, settings: CtctSettings) -> Result<Client, CtctError> {
        Client::with_options(store, settings, ClientOptions::default())
    }

    pub fn with_options(
        store: Store,
        settings: CtctSettings,
        options: ClientOptions,
    ) -> Result<Client, CtctError> {
        token_endpoint::client_id(&settings)?;
        let mut api_base = Url::parse(settings.api_base.trim()).map_err(|e| {
            CtctError::NotConfigured(format!(
                "ctct.api_base is not a valid URL ({:?}: {e}); fix it with `ctctsync config set ctct.api_base https://api.cc.email/v3`",
                settings.api_base
            ))
        })?;
        if !matches!(api_base.scheme(), "http" | "https") || api_base.host_str().is_none() {
            return Err(CtctError::NotConfigured(format!(
                "ctct.api_base must be an http(s) URL with a host, not {:?}",
                settings.api_base
            )));
        }
        api_base.set_query(None);
        api_base.set_fragment(None);
        Ok(Client {
            inner: Arc::new(Inner {
                http: token_endpoint::http_client()?,
                store,
                settings,
                api_base,
                options,
                requests: AtomicU64::new(0),
                token_requests: AtomicU64::new(0),
                conn: Mutex::new(None),
                token: tokio::sync::Mutex::new(None),
            }),
        })
    }

    /// API requests this client (and its clones) sent, retries included.
    pub fn request_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Token endpoint requests (refreshes) this client sent.
    pub fn token_request_count(&self) -> u64 {
        self.inner.token_requests.load(Ordering::Relaxed)
    }

    pub fn settings(&self) -> &CtctSettings {
        &self.inner.settings
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Runs `f` on a blocking thread with this client's store connection.
    pub(crate) async fn db<T, F>(&self, f: F) -> Result<T, CtctError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, CtctError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut slot = inner.conn.lock().unwrap_or_else(|e| e.into_inner());
            if slot.is_none() {
                *slot = Some(inner.store.connect()?);
            }
            match slot.as_mut() {
                Some(conn) => f(conn),
                None => Err(CtctError::Internal("no store connection".into())),
            }
        })
        .await
        .map_err(|e| CtctError::Internal(format!("store worker failed: {e}")))?
    }

    /// An API URL: `api_base` + percent-encoded path segments + query pairs (form-encoded, so a
    /// `+` in a value is sent as `%2B`).
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.inner.api_base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            path.extend(segments);
        }
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// A `_links.next.href` joined verbatim to the API host. Refuses a link to another host,
    /// which would receive our bearer token.
    pub(crate) fn join_href(&self, href: &str) -> Result<Url, CtctError> {
        let joined = self
            .inner
            .api_base
            .join(href.trim())
            .map_err(|e| CtctError::Decode {
                what: "a pagination link".into(),
                message: format!("{href:?} is not a usable link: {e}"),
            })?;
        if joined.origin() != self.inner.api_base.origin() {
            return Err(CtctError::Decode {
                what: "a pagination link".into(),
                message: format!("{href:?} points to another host"),
            });
        }
        Ok(joined)
    }

    /// Waits until this request may start: at most 4 starts in any window of 4 × `pace_interval`
    /// across every process on the store (a sliding window, checked again after each wait).
    async fn acquire_slot(&self) -> Result<(), CtctError> {
        const PER_WINDOW: u32 = 4;
        let window = self.inner.options.pace_interval.as_millis() as i64 * i64::from(PER_WINDOW);
        loop {
            let wait = self
                .db(move |conn| {
                    let now = Utc::now();
                    let tx = store::write_tx(conn)?;
                    if let Some(until) = api_usage::quota_exhausted_until(&tx, now)? {
                        return Err(CtctError::QuotaExceeded { until });
                    }
                    let wait =
                        api_usage::try_start(&tx, now.timestamp_millis(), PER_WINDOW, window)?;
                    if wait.is_none() {
                        api_usage::record_request(&tx, now)?;
                    }
                    tx.commit().map_err(store::StoreError::from)?;
                    Ok(wait)
                })
                .await?;
            match wait {
                None => break,
                Some(ms) => tokio::time::sleep(Duration::from_millis(ms as u64)).await,
            }
        }
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn backoff(&self, attempt: u32, floor: Duration) -> Duration {
        let o = &self.inner.options;
        let exp = o
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(o.backoff_cap);
        let half = exp / 2;
        let jitter = rand::random_range(0..=half.as_millis().max(1) as u64);
        (half + Duration::from_millis(jitter)).max(floor)
    }

    /// Sends one API request with pacing, token handling and retries; returns the 2xx status
    /// and body.
    pub(crate) async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), CtctError> {
        let path = url.path().to_string();
        let idempotent = method != Method::POST;
        let max = self.inner.options.max_attempts.max(1);
        let mut attempt = 0u32;
        let mut refreshed_after_401 = false;
        let mut stale: Option<i64> = None;
        loop {
            attempt += 1;
            let token = tokens::access_token(self, stale.take()).await?;
            self.acquire_slot().await?;
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&token.access)
                .header(ACCEPT, "application/json");
            if let Some(b) = &body {
                req = req.header(CONTENT_TYPE, "application/json").body(b.clone());
            }
            let outcome = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    resp.bytes()
                        .await
                        .map(|b| (status, b.to_vec()))
                        .map_err(|e| (e, true))
                }
                Err(e) => {
                    let sent = !e.is_connect();
                    Err((e, sent))
                }
            };
            let (status, bytes) = match outcome {
                Ok(x) => x,
                Err((e, maybe_processed)) => {
                    let err = CtctError::Transport {
                        what: format!("{method} {path}"),
                        message: token_endpoint::transport_message(&e),
                    };
                    if attempt < max && (idempotent || !maybe_processed) {
                        let d = self.backoff(attempt, Duration::ZERO);
                        tracing::warn!("{err}; retrying in {d:?}");
                        tokio::time::sleep(d).await;
                        continue;
                    }
                    return Err(err);
                }
            };
            if (200..300).contains(&status) {
                return Ok((status, bytes));
            }
            let errors = parse_error_body(&bytes);
            let err = CtctError::Api {
                status,
                method: method.to_string(),
                path: path.clone(),
                errors,
            };
            match status {
                401 if !refreshed_after_401 => {
                    // The token may have been revoked or expired early: refresh once (unless
                    // another task or process already did) and retry once.
                    refreshed_after_401 = true;
                    stale = Some(token.generation);
                    attempt -= 1;
                    tracing::info!("401 on {method} {path}: refreshing the access token");
                    continue;
                }
                429 if err.is_quota_exceeded() => {
                    let until = self
                        .db(|conn| {
                            let tx = store::write_tx(conn)?;
                            let until = api_usage::mark_quota_exhausted(&tx, Utc::now())?;
                            tx.commit().map_err(store::StoreError::from)?;
                            Ok(until)
                        })
                        .await?;
                    tracing::warn!("daily quota exceeded; no requests until {until}");
                    return Err(CtctError::QuotaExceeded { until });
                }
                429 if attempt < max => {
                    let d = self.backoff(attempt, Duration::from_millis(1_000));
                    tracing::warn!("throttled on {method} {path}; retrying in {d:?}");
                    tokio::time::sleep(d).await;
                }
                500..=599 if attempt < max && (idempotent || status == 503) => {
                    let d = self.backoff(attempt, Duration::ZERO);
                    tracing::warn!("{status} on {method} {path}; retrying in {d:?}");
                    tokio::time::sleep(d).await;
                }
                _ => return Err(err),
            }
        }
    }

    pub(crate) fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, CtctError> {
        serde_json::from_slice(bytes).map_err(|e| CtctError::Decode {
            what: what.to_string(),
            message: e.to_string(),
        })
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, CtctError> {
        let what = format!("GET {}", url.path());
        let (_, bytes) = self.execute(Method::GET, url, None).await?;
        Client::decode(&what, &bytes)
    }

    pub(crate) async fn send_json<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: &B,
    ) -> Result<(u16, T), CtctError> {
        let what = format!("{method} {}", url.path());
        let body = serde_json::to_vec(body)
            .map_err(|e| CtctError::Internal(format!("cannot encode the request body: {e}")))?;
        let (status, bytes) = self.execute(method, url, Some(body)).await?;
        Ok((status, Client::decode(&what, &bytes)?))
    }
}
