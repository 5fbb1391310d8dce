//! Interactive authorization: OAuth2 Authorization Code + PKCE (S256) with a loopback listener
//! and a paste fallback, as a library API that never prints (the CLI and the wizard both drive
//! it).
//!
//! ```text
//! begin_login ─► PKCE pair + fresh random state ─► authorize URL
//!      │          bind ctct.redirect_uri's host:port (localhost = 127.0.0.1 + ::1)
//!      │          open the browser (output silenced) unless asked not to / none available
//!      ▼
//! PendingLogin::wait ─ first of: loopback callback | submit_pasted_url | 5-min timeout | cancel
//!      │   wrong state → refused (the page says so), keeps waiting
//!      ▼
//! token exchange (code + verifier; secret as Basic auth when configured)
//!      → no refresh_token → fail (offline_access missing)
//!      → credentials::save_login (before any use) → account_summary → organization name
//!      → the browser page shows the outcome
//! ```

use std::time::Duration;

use chrono::{DateTime, Utc};
use oauth2::{CsrfToken, PkceCodeChallenge, Scope};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::client::Client;
use super::error::CtctError;
use super::loopback::{self, Callback, Page};
use super::token_endpoint::{self, TokenSet};
use crate::config::CtctSettings;
use crate::store::credentials::{self, Tokens};
use crate::store::{Store, time};

/// How long a login waits for the browser or a paste before giving up (and closing the port).
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    /// Try to open the system browser. Ignored (treated as false) when no browser can be opened
    /// here; see [`browser_unavailable_reason`].
    pub open_browser: bool,
    /// Open the authorize URL this way instead of with the system browser, even where no
    /// browser is available (the demo passes a terminal stand-in for its sandbox).
    pub opener: Option<BrowserOpener>,
}

/// Something that opens the authorize URL, for places where the system browser can't (the
/// demo's terminal stand-in). Returns whether it could.
#[derive(Clone)]
pub struct BrowserOpener(pub std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl std::fmt::Debug for BrowserOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BrowserOpener")
    }
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub organization_name: Option<String>,
    pub encoded_account_id: Option<String>,
    pub scopes: Option<String>,
    pub access_expires_at: DateTime<Utc>,
    /// Set when the tokens were stored but the account name could not be read.
    pub account_warning: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// A setting is missing or invalid (CLI exit code 2).
    #[error("{0}")]
    NotConfigured(String),
    #[error(
        "cannot listen for the browser's redirect on {addr} (from ctct.redirect_uri): the port is in use by another program. Close that program, or run `ctctsync auth login --no-browser` and paste the redirected URL, or choose another port with `ctctsync config set ctct.redirect_uri http://localhost:PORT/callback` (and register it in the Constant Contact developer portal)"
    )]
    PortBusy { addr: String },
    #[error("cannot listen for the browser's redirect on {addr}: {message}")]
    Listener { addr: String, message: String },
    #[error(
        "refused: this authorization response belongs to another or an older sign-in attempt (its state does not match). Use the link from this attempt, or start `ctctsync auth login` again"
    )]
    StateMismatch,
    #[error("Constant Contact did not authorize ctctsync: {error}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Denied {
        error: String,
        description: Option<String>,
    },
    #[error(
        "that is not the redirected URL: {0}. Paste the whole address from the browser's address bar after clicking Allow (it starts with the redirect URL and contains code= and state=)"
    )]
    InvalidPaste(String),
    #[error(
        "Constant Contact issued no refresh token (granted scopes: {scopes}), so ctctsync could not stay authorized; add offline_access to ctct.scopes (`ctctsync config set ctct.scopes \"contact_data campaign_data account_read offline_access\"`) and log in again"
    )]
    NoRefreshToken { scopes: String },
    #[error("the authorization code could not be exchanged for tokens: {0}")]
    Exchange(#[source] CtctError),
    #[error("no authorization arrived within {}; the listener is closed. Run `ctctsync auth login` again", human(*.0))]
    TimedOut(Duration),
    #[error("the sign-in was cancelled")]
    Cancelled,
    #[error("the tokens could not be stored: {0}")]
    Store(String),
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 && s.is_multiple_of(60) {
        format!("{} minutes", s / 60)
    } else {
        format!("{s} seconds")
    }
}

impl LoginError {
    /// Bad settings rather than a failed attempt.
    pub fn is_configuration(&self) -> bool {
        matches!(self, LoginError::NotConfigured(_))
    }
}

/// Why this machine cannot open a browser (SSH session, no display), or `None`.
pub fn browser_unavailable_reason() -> Option<String> {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") || set("SSH_CLIENT") {
        return Some("this is an SSH session".into());
    }
    if cfg!(all(unix, not(target_os = "macos"))) && !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
        return Some("no graphical display (DISPLAY / WAYLAND_DISPLAY unset)".into());
    }
    None
}

/// Opens `url` with the system opener, its output silenced (it must not scribble on a TUI).
fn open_browser(url: &str) -> bool {
    for mut cmd in open::commands(url) {
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        if let Ok(mut child) = cmd.spawn() {
            // Reap it in the background; we do not wait for the browser.
            std::thread::spawn(move || {
                let _ = child.wait();
            });
            return true;
        }
    }
    false
}

/// A login in progress: show [`authorize_url`](Self::authorize_url), then [`wait`](Self::wait).
pub struct PendingLogin {
    authorize_url: String,
    browser_opened: bool,
    no_browser_reason: Option<String>,
    listener_note: Option<String>,
    listening_on: Option<String>,
    state: String,
    redirect_uri: String,
    pasted: mpsc::Sender<Vec<(String, String)>>,
    cancel: CancellationToken,
    done: oneshot::Receiver<Result<LoginOutcome, LoginError>>,
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin")
            .field("browser_opened", &self.browser_opened)
            .field("listening_on", &self.listening_on)
            .finish_non_exhaustive()
    }
}

impl PendingLogin {
    /// The URL to open (contains no secret: the PKCE verifier and the client secret stay here).
    pub fn authorize_url(&self) -> &str {
        &self.authorize_url
    }
    pub fn browser_opened(&self) -> bool {
        self.browser_opened
    }
    /// Why no browser was opened automatically (SSH, no display), when that is the reason.
    pub fn no_browser_reason(&self) -> Option<&str> {
        self.no_browser_reason.as_deref()
    }
    /// `host:port` the loopback listener is on, if one is.
    pub fn listening_on(&self) -> Option<&str> {
        self.listening_on.as_deref()
    }
    /// A note about the listener (e.g. the port is busy, so only pasting works).
    pub fn listener_note(&self) -> Option<&str> {
        self.listener_note.as_deref()
    }
    /// The redirect URL the pasted address should start with.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Hands over the address the browser was redirected to (paste mode). Checked at once: a
    /// malformed URL or a foreign state is refused here and the login keeps waiting.
    pub fn submit_pasted_url(&self, pasted: &str) -> Result<(), LoginError> {
        let params = parse_pasted(pasted)?;
        let state = param(&params, "state");
        if state != Some(self.state.as_str()) {
            return Err(LoginError::StateMismatch);
        }
        self.pasted
            .try_send(params)
            .map_err(|_| LoginError::InvalidPaste("the login is no longer waiting".into()))
    }

    /// A handle that can submit pasted URLs from another task or thread.
    pub fn paste_sender(&self) -> PasteSender {
        PasteSender {
            state: self.state.clone(),
            tx: self.pasted.clone(),
        }
    }

    /// Stops the login; `wait` then returns [`LoginError::Cancelled`] and the port is closed.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A token that cancels this login (for a UI that hands `wait` to a task).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Waits for the outcome (callback or paste, exchange, storing, account name).
    pub async fn wait(self) -> Result<LoginOutcome, LoginError> {
        self.done.await.unwrap_or(Err(LoginError::Cancelled))
    }
}

/// Submits pasted URLs to a [`PendingLogin`] from elsewhere (e.g. a stdin reader thread).
#[derive(Clone)]
pub struct PasteSender {
    state: String,
    tx: mpsc::Sender<Vec<(String, String)>>,
}

impl PasteSender {
    pub fn submit(&self, pasted: &str) -> Result<(), LoginError> {
        let params = parse_pasted(pasted)?;
        if param(&params, "state") != Some(self.state.as_str()) {
            return Err(LoginError::StateMismatch);
        }
        self.tx
            .try_send(params)
            .map_err(|_| LoginError::InvalidPaste("the login is no longer waiting".into()))
    }
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn parse_pasted(pasted: &str) -> Result<Vec<(String, String)>, LoginError> {
    let text = pasted.trim();
    if text.is_empty() {
        return Err(LoginError::InvalidPaste("nothing was pasted".into()));
    }
    let query = match Url::parse(text) {
        Ok(u) => u.query().unwrap_or("").to_string(),
        Err(_) => text.trim_start_matches('?').to_string(),
    };
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if param(&params, "code").is_none() && param(&params, "error").is_none() {
        return Err(LoginError::InvalidPaste(
            "it has no code= or error= parameter".into(),
        ));
    }
    Ok(params)
}

/// Exchanges an authorization code (exposed for tests and tools; the login flow calls it).
pub async fn exchange_code(
    settings: &CtctSettings,
    code: &str,
    verifier: &str,
) -> Result<TokenSet, CtctError> {
    let http = token_endpoint::http_client()?;
    token_endpoint::exchange_code(&http, settings, code, verifier).await
}

/// Starts a login: builds the authorize URL, binds the loopback listener, opens the browser
/// when asked and possible. Never prints.
pub async fn begin_login(
    store: Store,
    settings: CtctSettings,
    options: LoginOptions,
) -> Result<PendingLogin, LoginError> {
    begin_login_with_timeout(store, settings, options, LOGIN_TIMEOUT).await
}

/// [`begin_login`] with another waiting time than [`LOGIN_TIMEOUT`] (tests, tools).
pub async fn begin_login_with_timeout(
    store: Store,
    settings: CtctSettings,
    options: LoginOptions,
    timeout: Duration,
) -> Result<PendingLogin, LoginError> {
    let client = token_endpoint::oauth_client(&settings)
        .map_err(|e| LoginError::NotConfigured(e.to_string()))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(
            settings
                .scopes
                .split_whitespace()
                .map(|s| Scope::new(s.to_string())),
        )
        .set_pkce_challenge(challenge)
        .url();
    let state = csrf.secret().clone();

    let no_browser_reason = match options.opener {
        Some(_) => None,
        None => browser_unavailable_reason(),
    };
    let want_browser =
        (options.open_browser || options.opener.is_some()) && no_browser_reason.is_none();

    // The listener: required when the browser is opened for the user; in paste mode a busy or
    // impossible port only leaves pasting.
    let (cb_tx, cb_rx) = mpsc::channel::<Callback>(8);
    let cancel = CancellationToken::new();
    let mut listener_note = None;
    let mut listening_on = None;
    match loopback::target(&settings.redirect_uri) {
        Ok(target) => match loopback::bind(&target).await {
            Ok(listeners) => {
                listening_on = Some(target.display.clone());
                loopback::serve(listeners, target.path.clone(), cb_tx, cancel.clone());
            }
            Err(loopback::BindError::Busy(addr)) if want_browser => {
                return Err(LoginError::PortBusy {
                    addr: addr.to_string(),
                });
            }
            Err(loopback::BindError::Busy(addr)) => {
                listener_note = Some(format!(
                    "port {} is in use by another program, so only pasting the redirected URL works",
                    addr.port()
                ));
            }
            Err(loopback::BindError::Other(addr, e)) if want_browser => {
                return Err(LoginError::Listener {
                    addr: addr.to_string(),
                    message: e.to_string(),
                });
            }
            Err(loopback::BindError::Other(addr, e)) => {
                listener_note = Some(format!(
                    "cannot listen on {addr} ({e}); paste the redirected URL"
                ));
            }
        },
        Err(why) if want_browser => {
            return Err(LoginError::NotConfigured(format!(
                "{why}; use `ctctsync auth login --no-browser` to paste the redirected URL instead"
            )));
        }
        Err(why) => listener_note = Some(why),
    }

    let browser_opened = want_browser
        && match &options.opener {
            Some(opener) => (opener.0)(url.as_str()),
            None => open_browser(url.as_str()),
        };
    let (paste_tx, paste_rx) = mpsc::channel(8);
    let (done_tx, done_rx) = oneshot::channel();
    let driver = Driver {
        store,
        settings: settings.clone(),
        state: state.clone(),
        verifier: verifier.secret().clone(),
        cancel: cancel.clone(),
        timeout,
    };
    tokio::spawn(async move {
        let result = driver.run(cb_rx, paste_rx).await;
        let _ = done_tx.send(result);
    });
    Ok(PendingLogin {
        authorize_url: url.to_string(),
        browser_opened,
        no_browser_reason: if options.open_browser {
            no_browser_reason
        } else {
            None
        },
        listener_note,
        listening_on,
        state,
        redirect_uri: settings.redirect_uri,
        pasted: paste_tx,
        cancel,
        done: done_rx,
    })
}

struct Driver {
    store: Store,
    settings: CtctSettings,
    state: String,
    verifier: String,
    cancel: CancellationToken,
    timeout: Duration,
}

impl Driver {
    async fn run(
        self,
        mut callbacks: mpsc::Receiver<Callback>,
        mut pasted: mpsc::Receiver<Vec<(String, String)>>,
    ) -> Result<LoginOutcome, LoginError> {
        let deadline = tokio::time::sleep(self.timeout);
        tokio::pin!(deadline);
        let result = loop {
            let (params, reply) = tokio::select! {
                _ = self.cancel.cancelled() => break Err(LoginError::Cancelled),
                _ = &mut deadline => break Err(LoginError::TimedOut(self.timeout)),
                Some(cb) = callbacks.recv() => (cb.params, Some(cb.reply)),
                Some(p) = pasted.recv() => (p, None),
            };
            if param(&params, "state") != Some(self.state.as_str()) {
                tracing::warn!("authorization response with a foreign state refused");
                if let Some(reply) = reply {
                    let _ = reply.send(Page {
                        status: 400,
                        title: "Refused: not this sign-in attempt".into(),
                        body: "This authorization response belongs to another or an older ctctsync sign-in attempt, so it was refused and nothing was stored. Use the link from the attempt that is running now, or start it again.".into(),
                    });
                }
                continue;
            }
            let outcome = self.finish(&params).await;
            if let Some(reply) = reply {
                let _ = reply.send(outcome_page(&outcome));
            }
            break outcome;
        };
        // Closes the listener (its tasks stop on cancel).
        self.cancel.cancel();
        result
    }

    async fn finish(&self, params: &[(String, String)]) -> Result<LoginOutcome, LoginError> {
        if let Some(error) = param(params, "error") {
            return Err(LoginError::Denied {
                error: error.to_string(),
                description: param(params, "error_description").map(str::to_string),
            });
        }
        let code =
            param(params, "code").ok_or_else(|| LoginError::InvalidPaste("no code".into()))?;
        let http = token_endpoint::http_client().map_err(LoginError::Exchange)?;
        let set = token_endpoint::exchange_code(&http, &self.settings, code, &self.verifier)
            .await
            .map_err(LoginError::Exchange)?;
        let Some(refresh) = set.refresh_token.clone() else {
            return Err(LoginError::NoRefreshToken {
                scopes: set.scopes.clone().unwrap_or_else(|| "none listed".into()),
            });
        };
        // Store before any use (P1): the new pair is the only valid one.
        let tokens = Tokens {
            access_token: set.access_token.clone(),
            access_expires_at: time::fmt(set.expires_at),
            refresh_token: Some(refresh),
            scopes: set.scopes.clone(),
            token_url: Some(self.settings.token_url.clone()),
        };
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || -> Result<(), crate::store::StoreError> {
            let mut conn = store.connect()?;
            let tx = crate::store::write_tx(&mut conn)?;
            credentials::save_login(&tx, &tokens, None, None)?;
            tx.commit()?;
            Ok(())
        })
        .await
        .map_err(|e| LoginError::Store(e.to_string()))?
        .map_err(|e| LoginError::Store(e.to_string()))?;

        let mut outcome = LoginOutcome {
            organization_name: None,
            encoded_account_id: None,
            scopes: set.scopes.clone(),
            access_expires_at: set.expires_at,
            account_warning: None,
        };
        let account = match Client::new(self.store.clone(), self.settings.clone()) {
            Ok(client) => client.account_summary().await,
            Err(e) => Err(e),
        };
        match account {
            Ok(a) => {
                let store = self.store.clone();
                let (org, id) = (a.organization_name.clone(), a.encoded_account_id.clone());
                let saved =
                    tokio::task::spawn_blocking(move || -> Result<(), crate::store::StoreError> {
                        let mut conn = store.connect()?;
                        let tx = crate::store::write_tx(&mut conn)?;
                        credentials::set_organization(&tx, org.as_deref(), id.as_deref())?;
                        Ok(tx.commit()?)
                    })
                    .await;
                if !matches!(saved, Ok(Ok(()))) {
                    outcome.account_warning = Some("the account name could not be stored".into());
                }
                outcome.organization_name = a.organization_name;
                outcome.encoded_account_id = a.encoded_account_id;
            }
            Err(e) => {
                outcome.account_warning = Some(format!(
                    "authorized, but the account name could not be read: {e}"
                ));
            }
        }
        Ok(outcome)
    }
}

fn outcome_page(outcome: &Result<LoginOutcome, LoginError>) -> Page {
    match outcome {
        Ok(o) => Page {
            status: 200,
            title: "ctctsync is authorized".into(),
            body: match &o.organization_name {
                Some(org) => format!(
                    "Authenticated as {org}. You can close this tab and return to ctctsync."
                ),
                None => "Authorized. You can close this tab and return to ctctsync.".into(),
            },
        },
        Err(e) => Page {
            status: 400,
            title: "Authorization failed".into(),
            body: format!("{e}"),
        },
    }
}
