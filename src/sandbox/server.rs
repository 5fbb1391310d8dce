//! Router assembly, `spawn` and the handle tests use.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use anyhow::Context;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::clock::Clock;
use super::config::SandboxConfig;
use super::oauth::{self, OAuthStore};
use super::seed::{self, SeedSpec};
use super::state::{AppState, Limits, Stats};
use super::{
    bulk, contact_write, contacts, control, emails, gate, lists_account, reports, sign_up, wire,
};

pub fn seed_spec(config: &SandboxConfig, now_ms: i64) -> SeedSpec {
    let anchor = config
        .anchor
        .map(|a| a.timestamp_millis())
        .unwrap_or_else(|| now_ms - now_ms.rem_euclid(86_400_000));
    SeedSpec {
        seed: config.seed,
        contacts: config.contacts,
        lists: config.lists,
        campaigns: config.campaigns,
        activities: config.activities,
        anchor,
    }
}

fn api_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v3/account/summary", get(lists_account::account_summary))
        .route(
            "/v3/contact_lists",
            get(lists_account::list).post(lists_account::create),
        )
        .route("/v3/contact_lists/{list_id}", get(lists_account::get))
        .route(
            "/v3/contacts",
            get(contacts::list).post(contact_write::create),
        )
        .route("/v3/contacts/sign_up_form", post(sign_up::sign_up_form))
        .route(
            "/v3/contacts/{contact_id}",
            get(contacts::get)
                .put(contact_write::update)
                .delete(contact_write::delete),
        )
        .route(
            "/v3/activities/add_list_memberships",
            post(bulk::add_list_memberships),
        )
        .route(
            "/v3/activities/remove_list_memberships",
            post(bulk::remove_list_memberships),
        )
        .route("/v3/activities/{activity_id}", get(bulk::get))
        .route("/v3/activities", get(bulk::list))
        .route("/v3/emails", get(emails::emails))
        .route("/v3/emails/{campaign_id}", get(emails::email))
        .route(
            "/v3/emails/activities/{campaign_activity_id}",
            get(emails::campaign_activity),
        )
        .route(
            "/v3/reports/email_reports/{campaign_activity_id}/tracking/{kind}",
            get(reports::tracking),
        )
        .route(
            "/v3/reports/contact_reports/{contact_id}/activity_details",
            get(reports::activity_details),
        )
        .route(
            "/v3/reports/summary_reports/email_campaign_summaries",
            get(reports::campaign_summaries),
        )
        .route(
            "/v3/reports/stats/email_campaign_activities/{campaign_activity_ids}",
            get(reports::activity_stats),
        )
}

async fn not_found() -> Response {
    wire::error_array(
        StatusCode::NOT_FOUND,
        "not_found",
        "The requested resource was not found.",
    )
}

pub fn router(state: Arc<AppState>) -> Router {
    let api = api_routes()
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::gate,
        ))
        .method_not_allowed_fallback(|| async {
            wire::error_array(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Unsupported method used.",
            )
        });
    Router::new()
        .merge(api)
        .route(oauth::AUTHORIZE_PATH, get(oauth::authorize))
        .route(oauth::DECISION_PATH, post(oauth::decision))
        .route(oauth::TOKEN_PATH, post(oauth::token))
        .merge(control::routes())
        .fallback(not_found)
        .with_state(state)
}

/// Builds the state (seeding the account) without binding a socket; used by `spawn` and benches.
pub fn build_state(config: SandboxConfig) -> Arc<AppState> {
    let clock = Clock::default();
    let data = seed::build(&seed_spec(&config, clock.now_ms()));
    Arc::new(AppState {
        config: RwLock::new(config),
        clock,
        data: RwLock::new(data),
        oauth: Mutex::new(OAuthStore::default()),
        limits: Mutex::new(Limits::default()),
        stats: Mutex::new(Stats::default()),
        faults: Mutex::new(Vec::new()),
        base_url: OnceLock::new(),
    })
}

/// A running sandbox. Dropping it stops the server.
pub struct SandboxHandle {
    addr: SocketAddr,
    base: String,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT/v3`.
    pub fn api_base(&self) -> String {
        format!("{}/v3", self.base)
    }
    pub fn authorize_url(&self) -> String {
        format!("{}{}", self.base, oauth::AUTHORIZE_PATH)
    }
    pub fn token_url(&self) -> String {
        format!("{}{}", self.base, oauth::TOKEN_PATH)
    }
    /// `http://127.0.0.1:PORT` — prefix for `/__sandbox/...` control endpoints.
    pub fn base_url(&self) -> String {
        self.base.clone()
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn client_id(&self) -> String {
        self.state.config().client_id
    }
    pub fn client_secret(&self) -> String {
        self.state.config().client_secret
    }
    pub fn redirect_uris(&self) -> Vec<String> {
        self.state.config().redirect_uris
    }
    /// The sandbox's current time (moves with `POST /__sandbox/clock`).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now()
    }
    /// The one-line JSON the CLI prints on start.
    pub fn announcement(&self) -> serde_json::Value {
        serde_json::json!({
            "api_base": self.api_base(),
            "authorize_url": self.authorize_url(),
            "token_url": self.token_url(),
            "client_id": self.client_id(),
            "client_secret": self.client_secret(),
            "redirect_uris": self.redirect_uris(),
        })
    }

    /// Stops accepting connections and waits for the server task to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Resolves when the server stops (e.g. after `shutdown` from another handle clone).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Seeds the account, binds `config.addr` (port 0 allowed) and serves in a background task.
pub async fn spawn(config: SandboxConfig) -> anyhow::Result<SandboxHandle> {
    if !config.addr.ip().is_loopback() {
        anyhow::bail!(
            "the sandbox only binds loopback addresses, not {}",
            config.addr
        );
    }
    let addr = config.addr;
    let state = tokio::task::spawn_blocking(move || build_state(config))
        .await
        .context("seeding the sandbox account")?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the sandbox to {addr}"))?;
    let local = listener.local_addr()?;
    let base = format!("http://{local}");
    let _ = state.base_url.set(base.clone());
    let app = router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = server.await {
            tracing::error!("sandbox server stopped: {e}");
        }
    });
    tracing::info!(%base, "sandbox listening");
    Ok(SandboxHandle {
        addr: local,
        base,
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}
