//! `POST /oauth2/default/v1/token`: the authorization-code grant (PKCE for public clients, Basic
//! auth or `client_secret` for confidential ones) and the refresh-token grant (rotating or
//! long-lived), with Okta-style `{error, error_description}` bodies and about one request per
//! second per client.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{REFRESH_IDLE_MS, TOKEN_PATH};
use crate::sandbox::config::RefreshMode;
use crate::sandbox::state::AppState;

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn invalid_grant(description: &str) -> Response {
    token_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// S256: BASE64URL(SHA-256(verifier)) without padding.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `POST /oauth2/default/v1/token`: parameters from the form body or the query string.
pub async fn token(
    State(app): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let config = app.config();
    let now = app.clock.now_ms();
    let mut params: HashMap<String, String> = query
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    if !body.is_empty() {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The token request must use Content-Type application/x-www-form-urlencoded.",
            );
        }
        params.extend(url::form_urlencoded::parse(&body).into_owned());
    }
    let param = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());

    // Client authentication: Basic header, client_secret in the body, or a public client.
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|b64| {
            STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|s| {
                    s.split_once(':')
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                })
        });
    let (client_id, confidential) = match basic {
        Some(Some((id, secret))) => {
            if id != config.client_id {
                return token_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "Invalid value for 'client_id' parameter.",
                );
            }
            if secret != config.client_secret {
                return token_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "The client secret supplied for a confidential client is invalid.",
                );
            }
            (id, true)
        }
        Some(None) => {
            return token_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Malformed Basic authorization header.",
            );
        }
        None => {
            let Some(id) = param("client_id") else {
                return token_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "Client authentication failed: no client_id.",
                );
            };
            if id != config.client_id {
                return token_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "Invalid value for 'client_id' parameter.",
                );
            }
            match param("client_secret") {
                Some(secret) if secret != config.client_secret => {
                    return token_error(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        "The client secret supplied for a confidential client is invalid.",
                    );
                }
                Some(_) => (id.to_string(), true),
                None => (id.to_string(), false),
            }
        }
    };
    app.stats()
        .record(format!("POST {TOKEN_PATH}"), Some(&client_id));
    if let Some(fault) = app.take_fault("POST", TOKEN_PATH)
        && let Some(response) = crate::sandbox::gate::fault_response(fault).await
    {
        return response;
    }
    if config.token_endpoint_limit && !app.limits().token_request(&client_id, now) {
        return crate::sandbox::wire::throttled();
    }
    let issuer = app.base_url().to_string();
    let (scope, family) = match param("grant_type") {
        Some("authorization_code") => {
            let Some(code) = param("code") else {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The 'code' parameter is required.",
                );
            };
            let mut store = app.oauth();
            let Some(grant) = store.codes.get_mut(code) else {
                return invalid_grant("The authorization code is invalid or has expired.");
            };
            // Single use: any exchange attempt consumes the code.
            let reused = grant.used;
            grant.used = true;
            if reused || grant.expires_at <= now || grant.client_id != client_id {
                return invalid_grant("The authorization code is invalid or has expired.");
            }
            if param("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return invalid_grant(
                    "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
                );
            }
            match (&grant.challenge, param("code_verifier")) {
                (Some(challenge), Some(verifier)) => {
                    if !valid_verifier(verifier) || &pkce_challenge(verifier) != challenge {
                        return invalid_grant("PKCE verification failed.");
                    }
                }
                (Some(_), None) => {
                    return invalid_grant(
                        "PKCE verification failed: the 'code_verifier' parameter is required.",
                    );
                }
                (None, _) if !confidential => {
                    return token_error(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        "Client authentication failed: a public client must use PKCE.",
                    );
                }
                (None, _) => {}
            }
            let scope = grant.scope.clone();
            store.next_family += 1;
            (scope, store.next_family)
        }
        Some("refresh_token") => {
            let Some(token) = param("refresh_token") else {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The 'refresh_token' parameter is required.",
                );
            };
            let mut store = app.oauth();
            let Some(grant) = store.refresh.get_mut(token) else {
                return invalid_grant("The refresh token is invalid or expired.");
            };
            if grant.revoked
                || grant.client_id != client_id
                || now - grant.last_used > REFRESH_IDLE_MS
            {
                return invalid_grant("The refresh token is invalid or expired.");
            }
            let mut scope = grant.scope.clone();
            if let Some(asked) = param("scope") {
                if asked
                    .split_whitespace()
                    .any(|s| !scope.split_whitespace().any(|g| g == s))
                {
                    return token_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_scope",
                        "The requested scope is invalid, unknown, or malformed.",
                    );
                }
                scope = asked.split_whitespace().collect::<Vec<_>>().join(" ");
            }
            let family = grant.family;
            grant.last_used = now;
            if config.refresh_mode == RefreshMode::LongLived {
                let access = store.issue_access(
                    &client_id,
                    &scope,
                    config.access_token_lifetime,
                    now,
                    &issuer,
                );
                return token_ok(&access, &scope, Some(token), config.access_token_lifetime);
            }
            for g in store.refresh.values_mut() {
                if g.family == family {
                    g.revoked = true;
                }
            }
            (scope, family)
        }
        Some(other) => {
            return token_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!(
                    "The authorization grant type is not supported by the authorization server: {other}"
                ),
            );
        }
        None => {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The 'grant_type' parameter is required.",
            );
        }
    };
    let mut store = app.oauth();
    let access = store.issue_access(
        &client_id,
        &scope,
        config.access_token_lifetime,
        now,
        &issuer,
    );
    let refresh = scope
        .split_whitespace()
        .any(|s| s == "offline_access")
        .then(|| store.issue_refresh(&client_id, &scope, family, now));
    token_ok(
        &access,
        &scope,
        refresh.as_deref(),
        config.access_token_lifetime,
    )
}

fn token_ok(access: &str, scope: &str, refresh: Option<&str>, lifetime: u64) -> Response {
    let mut body = json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "access_token": access,
        "scope": scope,
    });
    if let (Some(obj), Some(refresh)) = (body.as_object_mut(), refresh) {
        obj.insert("refresh_token".into(), json!(refresh));
    }
    let mut response = axum::Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
