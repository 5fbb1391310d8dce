//! Calls to the OAuth token endpoint (code exchange and refresh) through the `oauth2` crate.
//!
//! Every call passes a process-wide gate that spaces token requests at least [`TOKEN_GAP`]
//! apart (Constant Contact limits the endpoint to about one request per second, §10); across
//! processes, refreshes are already serialized by the store's write lock (see `tokens.rs`).
//! The HTTP status of the answer is kept so that a `throttled` 429 is told apart from a refusal.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenResponse,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, StandardRevocableToken,
    TokenResponse, TokenUrl,
};

use super::error::{CtctError, parse_oauth_error};
use crate::config::CtctSettings;

/// Minimum time between two token requests from this process.
pub const TOKEN_GAP: Duration = Duration::from_millis(1_050);

pub(crate) type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A token answer, ready to store.
#[derive(Clone)]
pub struct TokenSet {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: Option<String>,
    pub scopes: Option<String>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// The HTTP client for OAuth and API calls: rustls, no redirects (the oauth2 crate requires
/// that, and the API never redirects), bounded timeouts.
pub fn http_client() -> Result<reqwest::Client, CtctError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(90))
        .user_agent(concat!("ctctsync/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| CtctError::Internal(format!("cannot build the HTTP client: {e}")))
}

pub(crate) fn client_id(settings: &CtctSettings) -> Result<String, CtctError> {
    settings.client_id.clone().ok_or_else(|| {
        CtctError::NotConfigured(
            "ctct.client_id (the application's API key) is not set; set it with `ctctsync config set ctct.client_id <API key>`".to_string(),
        )
    })
}

pub(crate) fn oauth_client(settings: &CtctSettings) -> Result<OAuthClient, CtctError> {
    let bad = |key: &str, value: &str, e: &dyn std::fmt::Display| {
        CtctError::NotConfigured(format!(
            "{key} is not a valid URL ({value:?}: {e}); fix it with `ctctsync config set {key} <URL>`"
        ))
    };
    let auth = AuthUrl::new(settings.authorize_url.clone())
        .map_err(|e| bad("ctct.authorize_url", &settings.authorize_url, &e))?;
    let token = TokenUrl::new(settings.token_url.clone())
        .map_err(|e| bad("ctct.token_url", &settings.token_url, &e))?;
    let redirect = RedirectUrl::new(settings.redirect_uri.clone())
        .map_err(|e| bad("ctct.redirect_uri", &settings.redirect_uri, &e))?;
    let mut client = oauth2::basic::BasicClient::new(ClientId::new(client_id(settings)?))
        .set_auth_uri(auth)
        .set_token_uri(token)
        .set_redirect_uri(redirect);
    // With a secret the oauth2 crate sends HTTP Basic client authentication; without one
    // (a PKCE public client) it sends client_id in the form body.
    if let Some(secret) = &settings.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    Ok(client)
}

static GATE: Mutex<Option<Instant>> = Mutex::new(None);

/// Waits until this process may call the token endpoint again.
async fn token_gate() {
    let wait = {
        let mut last = GATE.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let at = last.map_or(now, |l| (l + TOKEN_GAP).max(now));
        *last = Some(at);
        at.saturating_duration_since(now)
    };
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
}

enum Grant<'a> {
    Code { code: &'a str, verifier: &'a str },
    Refresh(&'a str),
}

async fn call_once(
    http: &reqwest::Client,
    client: &OAuthClient,
    grant: &Grant<'_>,
    counter: Option<&std::sync::atomic::AtomicU64>,
) -> Result<TokenSet, CtctError> {
    let status = Arc::new(AtomicU16::new(0));
    let status2 = status.clone();
    let http = http.clone();
    let send = move |req: oauth2::HttpRequest| {
        let status = status2.clone();
        let http = http.clone();
        async move {
            token_gate().await;
            let r = oauth2::AsyncHttpClient::call(&http, req).await;
            if let Ok(resp) = &r {
                status.store(resp.status().as_u16(), Ordering::Relaxed);
            }
            r
        }
    };
    if let Some(c) = counter {
        c.fetch_add(1, Ordering::Relaxed);
    }
    let result = match grant {
        Grant::Code { code, verifier } => {
            client
                .exchange_code(AuthorizationCode::new(code.to_string()))
                .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
                .request_async(&send)
                .await
        }
        Grant::Refresh(token) => {
            let token = RefreshToken::new(token.to_string());
            client
                .exchange_refresh_token(&token)
                .request_async(&send)
                .await
        }
    };
    let status = status.load(Ordering::Relaxed);
    match result {
        Ok(r) => Ok(token_set(&r)),
        Err(RequestTokenError::ServerResponse(e)) => Err(CtctError::OAuth {
            status,
            error: e.error().to_string(),
            description: e.error_description().cloned(),
        }),
        Err(RequestTokenError::Parse(e, body)) if status != 200 => {
            let (error, description) = parse_oauth_error(&body);
            let _ = e;
            Err(CtctError::OAuth {
                status,
                error,
                description,
            })
        }
        Err(RequestTokenError::Parse(e, _)) => Err(CtctError::Decode {
            what: "the token request".to_string(),
            message: e.to_string(),
        }),
        Err(RequestTokenError::Request(e)) => Err(CtctError::Transport {
            what: "the token endpoint".to_string(),
            message: describe_transport(&e),
        }),
        Err(RequestTokenError::Other(m)) => Err(CtctError::OAuth {
            status,
            error: "unexpected_response".to_string(),
            description: Some(m),
        }),
    }
}

fn describe_transport(e: &oauth2::HttpClientError<reqwest::Error>) -> String {
    match e {
        oauth2::HttpClientError::Reqwest(inner) => transport_message(inner),
        other => other.to_string(),
    }
}

/// A transport error in words, without the URL (which may carry query values).
pub(crate) fn transport_message(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "request failed"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

fn token_set(r: &BasicTokenResponse) -> TokenSet {
    let lifetime = r
        .expires_in()
        .map(|d| chrono::Duration::seconds(d.as_secs().min(10 * 365 * 86_400) as i64))
        .unwrap_or_else(|| chrono::Duration::hours(24));
    TokenSet {
        access_token: r.access_token().secret().clone(),
        expires_at: Utc::now() + lifetime,
        refresh_token: r.refresh_token().map(|t| t.secret().clone()),
        scopes: r.scopes().map(|s| {
            s.iter()
                .map(|x| x.as_str().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        }),
    }
}

/// Worth another try: throttled, 5xx, or no answer.
fn transient(e: &CtctError) -> bool {
    match e {
        CtctError::OAuth { status, error, .. } => {
            *status == 429 || *status >= 500 || error == "throttled"
        }
        CtctError::Transport { .. } => true,
        _ => false,
    }
}

async fn call(
    http: &reqwest::Client,
    settings: &CtctSettings,
    grant: Grant<'_>,
    counter: Option<&std::sync::atomic::AtomicU64>,
) -> Result<TokenSet, CtctError> {
    let client = oauth_client(settings)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match call_once(http, &client, &grant, counter).await {
            Err(e) if transient(&e) && attempt < 4 && !matches!(grant, Grant::Code { .. }) => {
                tracing::warn!("token refresh attempt {attempt} failed, retrying: {e}");
                tokio::time::sleep(Duration::from_millis(400 * attempt)).await;
            }
            // An authorization code is single-use: a second exchange can only fail, so a
            // throttled exchange is retried only when the server clearly did not consume it.
            Err(e @ CtctError::OAuth { status: 429, .. }) if attempt < 4 => {
                tracing::warn!("code exchange throttled, retrying: {e}");
            }
            other => return other,
        }
    }
}

/// `grant_type=refresh_token`.
pub async fn refresh(
    http: &reqwest::Client,
    settings: &CtctSettings,
    refresh_token: &str,
    counter: Option<&std::sync::atomic::AtomicU64>,
) -> Result<TokenSet, CtctError> {
    call(http, settings, Grant::Refresh(refresh_token), counter).await
}

/// `grant_type=authorization_code` with the PKCE verifier.
pub async fn exchange_code(
    http: &reqwest::Client,
    settings: &CtctSettings,
    code: &str,
    verifier: &str,
) -> Result<TokenSet, CtctError> {
    call(http, settings, Grant::Code { code, verifier }, None).await
}
