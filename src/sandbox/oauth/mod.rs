//! The OAuth2 authorization server (ctct-api.md §1): `/oauth2/default/v1/authorize` with a
//! consent page, and `/oauth2/default/v1/token` for the authorization-code (PKCE or Basic) and
//! refresh-token grants. Access tokens are JWT-shaped but opaque to the sandbox: it looks them up.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde_json::json;

use super::clock::Millis;
use super::state::AppState;

pub const AUTHORIZE_PATH: &str = "/oauth2/default/v1/authorize";
pub const DECISION_PATH: &str = "/oauth2/default/v1/authorize/decision";
pub const TOKEN_PATH: &str = "/oauth2/default/v1/token";

const CODE_LIFETIME_MS: Millis = 5 * 60 * 1000;
const REFRESH_IDLE_MS: Millis = 180 * 86_400_000;
pub const KNOWN_SCOPES: &[&str] = &[
    "contact_data",
    "campaign_data",
    "account_read",
    "account_update",
    "offline_access",
    "openid",
    "profile",
    "email",
];

struct PendingAuth {
    redirect_uri: String,
    scope: String,
    state: String,
    challenge: Option<String>,
    created_at: Millis,
}

struct AuthCode {
    client_id: String,
    redirect_uri: String,
    scope: String,
    challenge: Option<String>,
    expires_at: Millis,
    used: bool,
}

pub struct AccessGrant {
    pub client_id: String,
    pub scope: String,
    pub expires_at: Millis,
}

struct RefreshGrant {
    client_id: String,
    scope: String,
    family: u64,
    revoked: bool,
    last_used: Millis,
}

#[derive(Default)]
pub struct OAuthStore {
    pending: HashMap<String, PendingAuth>,
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, AccessGrant>,
    refresh: HashMap<String, RefreshGrant>,
    next_family: u64,
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

impl OAuthStore {
    /// The grant behind a bearer token, if it exists and has not expired.
    pub fn bearer(&self, token: &str, now: Millis) -> Option<&AccessGrant> {
        self.access.get(token).filter(|g| g.expires_at > now)
    }

    /// Which client a token belongs to, even if expired (for request statistics).
    pub fn client_of(&self, token: &str) -> Option<&str> {
        self.access.get(token).map(|g| g.client_id.as_str())
    }

    pub fn expire_all_access(&mut self, now: Millis) {
        for grant in self.access.values_mut() {
            grant.expires_at = grant.expires_at.min(now);
        }
    }

    pub fn revoke_all_refresh(&mut self) {
        for grant in self.refresh.values_mut() {
            grant.revoked = true;
        }
    }

    fn issue_access(
        &mut self,
        client_id: &str,
        scope: &str,
        lifetime_s: u64,
        now: Millis,
        issuer: &str,
    ) -> String {
        if self.access.len() > 50_000 {
            self.access.retain(|_, g| g.expires_at > now);
        }
        let header = URL_SAFE_NO_PAD.encode(br#"{"kid":"sandbox-key-1","alg":"RS256"}"#);
        let scopes: Vec<&str> = scope.split_whitespace().collect();
        let iat = now / 1000;
        let claims = json!({
            "ver": 1,
            "jti": format!("AT.{}", random_token(24)),
            "iss": format!("{issuer}/oauth2/default"),
            "aud": "https://api.cc.email/v3",
            "iat": iat,
            "exp": iat + lifetime_s as i64,
            "cid": client_id,
            "uid": "00u1sandbox0user0id",
            "scp": scopes,
            "auth_time": iat,
            "sub": "sandbox.user@example.com",
            "platform_user_id": "8f3d1c2e-sandbox",
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let token = format!("{header}.{payload}.{}", random_token(64));
        self.access.insert(
            token.clone(),
            AccessGrant {
                client_id: client_id.to_string(),
                scope: scope.to_string(),
                expires_at: now + lifetime_s as i64 * 1000,
            },
        );
        token
    }

    fn issue_refresh(&mut self, client_id: &str, scope: &str, family: u64, now: Millis) -> String {
        let token = random_token(32);
        self.refresh.insert(
            token.clone(),
            RefreshGrant {
                client_id: client_id.to_string(),
                scope: scope.to_string(),
                family,
                revoked: false,
                last_used: now,
            },
        );
        token
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body><h1>{t}</h1><p>{d}</p></body></html>",
        t = html_escape(title),
        d = html_escape(detail)
    );
    (status, Html(body)).into_response()
}

fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            Redirect::to(url.as_str()).into_response()
        }
        Err(_) => error_page(
            StatusCode::BAD_REQUEST,
            "Bad redirect_uri",
            "The redirect_uri is not a valid URL.",
        ),
    }
}

fn redirect_error(
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    let mut response = redirect_with(redirect_uri, &pairs);
    *response.status_mut() = StatusCode::FOUND;
    response
}

fn is_b64url_43(text: &str) -> bool {
    text.len() == 43
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /oauth2/default/v1/authorize`.
pub async fn authorize(
    State(app): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let config = app.config();
    let now = app.clock.now_ms();
    let client_id = q.get("client_id").map(String::as_str).unwrap_or("");
    if client_id != config.client_id {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Unknown client_id: no application is registered with this API key.",
        );
    }
    let redirect_uri = q.get("redirect_uri").map(String::as_str).unwrap_or("");
    if !config.redirect_uris.iter().any(|u| u == redirect_uri) {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
        );
    }
    let state = q.get("state").map(String::as_str);
    if q.get("response_type").map(String::as_str) != Some("code") {
        return redirect_error(
            redirect_uri,
            state,
            "unsupported_response_type",
            "The response type is not supported by the authorization server. Configured response types: [code].",
        );
    }
    let scope = q.get("scope").map(String::as_str).unwrap_or("").trim();
    if scope.is_empty() {
        return redirect_error(
            redirect_uri,
            state,
            "invalid_scope",
            "The authorization request is missing the 'scope' parameter.",
        );
    }
    if let Some(bad) = scope.split_whitespace().find(|s| !KNOWN_SCOPES.contains(s)) {
        return redirect_error(
            redirect_uri,
            state,
            "invalid_scope",
            &format!(
                "One or more scopes are not configured for the authorization server resource: {bad}"
            ),
        );
    }
    let Some(state) = state.filter(|s| !s.is_empty()) else {
        return redirect_error(
            redirect_uri,
            None,
            "invalid_request",
            "The 'state' parameter is required.",
        );
    };
    let challenge = q.get("code_challenge").filter(|c| !c.is_empty());
    let method = q.get("code_challenge_method").map(String::as_str);
    match (challenge, method) {
        (None, None) => {}
        (Some(c), Some("S256")) if is_b64url_43(c) => {}
        (Some(_), Some("S256")) => {
            return redirect_error(
                redirect_uri,
                Some(state),
                "invalid_request",
                "PKCE code challenge must be a 43-character base64url SHA-256 hash.",
            );
        }
        (None, Some(_)) => {
            return redirect_error(
                redirect_uri,
                Some(state),
                "invalid_request",
                "The 'code_challenge' parameter is missing.",
            );
        }
        (Some(_), _) => {
            return redirect_error(
                redirect_uri,
                Some(state),
                "invalid_request",
                "PKCE code challenge method must be S256.",
            );
        }
    }
    let pending = PendingAuth {
        redirect_uri: redirect_uri.to_string(),
        scope: scope.split_whitespace().collect::<Vec<_>>().join(" "),
        state: state.to_string(),
        challenge: challenge.cloned(),
        created_at: now,
    };
    if config.auto_approve {
        return approve(&app, client_id, pending, now);
    }
    let request_id = random_token(18);
    let scopes_html: String = pending
        .scope
        .split_whitespace()
        .map(|s| format!("<li><code>{}</code></li>", html_escape(s)))
        .collect();
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Constant Contact sandbox – allow access?</title></head>\
         <body><h1>Allow access to your Constant Contact account?</h1>\
         <p>The application <b>{client}</b> asks for:</p><ul>{scopes_html}</ul>\
         <p>Account: <b>{org}</b> (sandbox)</p>\
         <form method=\"post\" action=\"{DECISION_PATH}\">\
         <input type=\"hidden\" name=\"request_id\" value=\"{rid}\">\
         <button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\
         </form></body></html>",
        client = html_escape(client_id),
        org = html_escape(&app.read().account.organization_name),
        rid = html_escape(&request_id),
    );
    {
        let mut store = app.oauth();
        store.pending.retain(|_, p| now - p.created_at < 3_600_000);
        store.pending.insert(request_id, pending);
    }
    let mut response = Html(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn approve(app: &AppState, client_id: &str, pending: PendingAuth, now: Millis) -> Response {
    let code = random_token(32);
    app.oauth().codes.insert(
        code.clone(),
        AuthCode {
            client_id: client_id.to_string(),
            redirect_uri: pending.redirect_uri.clone(),
            scope: pending.scope,
            challenge: pending.challenge,
            expires_at: now + CODE_LIFETIME_MS,
            used: false,
        },
    );
    let mut response = redirect_with(
        &pending.redirect_uri,
        &[("code", &code), ("state", &pending.state)],
    );
    *response.status_mut() = StatusCode::FOUND;
    response
}

/// `POST /oauth2/default/v1/authorize/decision` — the consent form's Allow / Deny.
pub async fn decision(
    State(app): State<Arc<AppState>>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let now = app.clock.now_ms();
    let id = form.get("request_id").map(String::as_str).unwrap_or("");
    let Some(pending) = app.oauth().pending.remove(id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Request expired",
            "This authorization request is unknown or was already answered. Start again from the application.",
        );
    };
    if form.get("decision").map(String::as_str) == Some("allow") {
        let client_id = app.config().client_id;
        approve(&app, &client_id, pending, now)
    } else {
        redirect_error(
            &pending.redirect_uri,
            Some(&pending.state),
            "access_denied",
            "The resource owner or authorization server denied the request.",
        )
    }
}

mod token;
pub use token::{pkce_challenge, token};
