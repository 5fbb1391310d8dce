//! [`CtctError`]: the one error type of the Constant Contact client.
//!
//! Constant Contact answers errors in three shapes, all decoded here: an array
//! `[{"error_key","error_message"}]` (most 4xx), a single object `{"error_key","error_message"}`
//! (401, 429) and the OAuth form `{"error","error_description"}` (the token endpoint). The
//! `Display` text says what happened and what to do; secrets never appear in it.

use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// One `{error_key, error_message}` item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ApiErrorItem {
    #[serde(default)]
    pub error_key: String,
    #[serde(default)]
    pub error_message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CtctError {
    /// A setting is missing or invalid (exit code 2 at the CLI).
    #[error("{0}")]
    NotConfigured(String),

    /// No usable tokens: never authorized, logged out, or the refresh token was refused.
    #[error(
        "ctctsync is not authorized with Constant Contact ({reason}). Run `ctctsync auth login` (or the wizard's Authorize step) to authorize it."
    )]
    NeedsAuthorization { reason: String },

    /// The daily request quota is used up; nothing is sent until `until` (next UTC midnight).
    #[error(
        "Constant Contact's daily request quota for this application is used up; ctctsync stops calling the API until {until} (UTC midnight) and resumes after that."
    )]
    QuotaExceeded { until: String },

    /// Constant Contact answered with an error status.
    #[error("Constant Contact answered {status} to {method} {path}: {}. {}", summary(.errors), hint(*.status, .errors))]
    Api {
        status: u16,
        method: String,
        /// Path without the query string.
        path: String,
        errors: Vec<ApiErrorItem>,
    },

    /// The OAuth token endpoint refused a request.
    #[error("the Constant Contact token endpoint refused the request: {error}{}. {}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(), oauth_hint(.error))]
    OAuth {
        status: u16,
        error: String,
        description: Option<String>,
    },

    /// The request did not get an answer (DNS, TLS, refused, reset, timeout).
    #[error(
        "cannot reach Constant Contact ({what}): {message}. Check the network connection and the ctct.api_base / ctct.token_url settings."
    )]
    Transport { what: String, message: String },

    /// An answer that could not be understood.
    #[error("Constant Contact's answer to {what} could not be read: {message}")]
    Decode { what: String, message: String },

    #[error("the local store failed: {0}")]
    Store(#[from] StoreError),

    /// The background worker (SQLite thread) went away: only on shutdown.
    #[error("internal error: {0}")]
    Internal(String),
}

fn summary(errors: &[ApiErrorItem]) -> String {
    if errors.is_empty() {
        return "no details given".to_string();
    }
    errors
        .iter()
        .map(
            |e| match (e.error_key.is_empty(), e.error_message.is_empty()) {
                (false, false) => format!("{} ({})", e.error_message, e.error_key),
                (true, false) => e.error_message.clone(),
                _ => e.error_key.clone(),
            },
        )
        .collect::<Vec<_>>()
        .join("; ")
}

fn hint(status: u16, errors: &[ApiErrorItem]) -> &'static str {
    let key = |k: &str| errors.iter().any(|e| e.error_key == k);
    match status {
        400 => "Fix the request data named above; retrying the same request will fail again",
        401 => "The access token was refused even after a refresh; run `ctctsync auth login`",
        403 => {
            "The token lacks a scope or the Constant Contact user lacks a privilege; check ctct.scopes (contact_data campaign_data account_read offline_access) and authorize again"
        }
        404 => "The item does not exist (any more) in Constant Contact",
        409 => {
            "It conflicts with an existing item (for a contact: the email address is already used, maybe by a deleted contact; find which contact has it in Constant Contact, or use another address)"
        }
        415 => "The request was not sent as JSON; this is a ctctsync bug",
        429 if key("quota_exceeded") => "The daily quota is used up; wait for UTC midnight",
        429 => "Too many requests per second even after retrying; try again in a minute",
        500..=599 => {
            "Constant Contact is having trouble; ctctsync retried several times, try again later"
        }
        _ => "See Constant Contact's message above",
    }
}

fn oauth_hint(error: &str) -> &'static str {
    match error {
        "invalid_grant" => {
            "The grant is no longer valid; run `ctctsync auth login` to authorize again"
        }
        "invalid_client" => "Check ctct.client_id (the API key) and ctct.client_secret",
        "invalid_scope" => "Check ctct.scopes",
        "unauthorized_client" => {
            "The application is not allowed this grant type; check its OAuth flow in the Constant Contact developer portal"
        }
        "throttled" => "The token endpoint allows about one request per second; try again shortly",
        _ => "Check the ctct.* settings and try again",
    }
}

impl CtctError {
    /// The `error_key`s of an API error (empty otherwise).
    pub fn error_keys(&self) -> Vec<&str> {
        match self {
            CtctError::Api { errors, .. } => errors.iter().map(|e| e.error_key.as_str()).collect(),
            _ => Vec::new(),
        }
    }
    pub fn status(&self) -> Option<u16> {
        match self {
            CtctError::Api { status, .. } | CtctError::OAuth { status, .. } => Some(*status),
            _ => None,
        }
    }
    pub fn is_quota_exceeded(&self) -> bool {
        matches!(self, CtctError::QuotaExceeded { .. })
            || self.error_keys().contains(&"quota_exceeded")
    }
    /// A person must authorize again: jobs should stop rather than retry. Also true for a 401
    /// that persisted after a successful refresh.
    pub fn needs_authorization(&self) -> bool {
        matches!(self, CtctError::NeedsAuthorization { .. })
            || matches!(self, CtctError::Api { status: 401, .. })
            || matches!(self, CtctError::OAuth { error, .. } if error == "invalid_grant")
    }
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }
    pub fn is_throttled(&self) -> bool {
        self.status() == Some(429) && !self.is_quota_exceeded()
    }
    /// Worth trying again later (the client already retried a few times).
    pub fn is_retryable(&self) -> bool {
        match self {
            CtctError::Transport { .. } => true,
            CtctError::Api { status, .. } => *status >= 500 || self.is_throttled(),
            CtctError::OAuth { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// Decodes an error body in any of Constant Contact's shapes. Unknown bodies become one item
/// whose message is the (truncated) text.
pub fn parse_error_body(body: &[u8]) -> Vec<ApiErrorItem> {
    #[derive(Deserialize)]
    struct OAuthBody {
        error: String,
        error_description: Option<String>,
    }
    #[derive(Deserialize)]
    struct Wrapped {
        errors: Vec<ApiErrorItem>,
    }
    if let Ok(items) = serde_json::from_slice::<Vec<ApiErrorItem>>(body) {
        return items;
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        if (v.get("error_key").is_some() || v.get("error_message").is_some())
            && let Ok(item) = serde_json::from_value::<ApiErrorItem>(v.clone())
        {
            return vec![item];
        }
        if let Ok(w) = serde_json::from_value::<Wrapped>(v.clone()) {
            return w.errors;
        }
        if let Ok(o) = serde_json::from_value::<OAuthBody>(v) {
            return vec![ApiErrorItem {
                error_key: o.error,
                error_message: o.error_description.unwrap_or_default(),
            }];
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let short: String = text.chars().take(200).collect();
    vec![ApiErrorItem {
        error_key: String::new(),
        error_message: short,
    }]
}

/// The OAuth error of a token endpoint body (`error`, `error_description`), or the API-style
/// key (`throttled`) when the token endpoint answered in that shape.
pub fn parse_oauth_error(body: &[u8]) -> (String, Option<String>) {
    let items = parse_error_body(body);
    match items.into_iter().next() {
        Some(i) if !i.error_key.is_empty() => {
            (i.error_key, Some(i.error_message).filter(|m| !m.is_empty()))
        }
        Some(i) => ("unknown_error".to_string(), Some(i.error_message)),
        None => ("unknown_error".to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_shape() {
        let a =
            parse_error_body(br#"[{"error_key":"contacts.api.conflict","error_message":"dup"}]"#);
        assert_eq!(a[0].error_key, "contacts.api.conflict");
        let o =
            parse_error_body(br#"{"error_key":"throttled","error_message":"Too Many Requests"}"#);
        assert_eq!(o[0].error_key, "throttled");
        let w = parse_error_body(br#"{"errors":[{"error_key":"x","error_message":"y"}]}"#);
        assert_eq!(w[0].error_key, "x");
        let oa = parse_error_body(br#"{"error":"invalid_grant","error_description":"gone"}"#);
        assert_eq!(oa[0].error_key, "invalid_grant");
        let t = parse_error_body(b"<html>Bad gateway</html>");
        assert_eq!(t[0].error_message, "<html>Bad gateway</html>");
        assert!(parse_error_body(b"").is_empty());
    }

    #[test]
    fn helpers_and_display() {
        let e = CtctError::Api {
            status: 429,
            method: "GET".into(),
            path: "/v3/contacts".into(),
            errors: parse_error_body(
                br#"{"error_key":"quota_exceeded","error_message":"Limit Exceeded"}"#,
            ),
        };
        assert!(e.is_quota_exceeded());
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("wait for UTC midnight"));
        let c = CtctError::Api {
            status: 409,
            method: "POST".into(),
            path: "/v3/contacts".into(),
            errors: vec![],
        };
        assert!(c.is_conflict() && !c.is_retryable());
    }
}
