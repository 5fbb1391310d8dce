//! Configuration keys (SPEC §10): names, defaults, validation and typed access over the store's
//! settings table. `ctctsync config get|set`, the wizard and the engine all go through here, so a
//! value is validated the same way wherever it is entered.

use rusqlite::Connection;

use crate::schedule::cron::{Schedule, parse_tz};
use crate::store::{self, settings};

pub const DEFAULT_AUTHORIZE_URL: &str =
    "https://authz.constantcontact.com/oauth2/default/v1/authorize";
pub const DEFAULT_TOKEN_URL: &str = "https://authz.constantcontact.com/oauth2/default/v1/token";
pub const DEFAULT_API_BASE: &str = "https://api.cc.email/v3";
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:8899/callback";
pub const DEFAULT_SCOPES: &str = "contact_data campaign_data account_read offline_access";

/// What kind of value a key holds (drives validation and display).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Text,
    Secret,
    Url,
    Scopes,
    Bool,
    BatchSize,
    TimeZone,
    Cron,
}

#[derive(Debug, Clone, Copy)]
pub struct KeyDef {
    pub key: &'static str,
    pub kind: KeyKind,
    pub help: &'static str,
}

/// Every configuration key, in SPEC §10 order.
pub const KEYS: &[KeyDef] = &[
    KeyDef {
        key: "ctct.client_id",
        kind: KeyKind::Text,
        help: "the application's API key (client id) from the Constant Contact developer portal",
    },
    KeyDef {
        key: "ctct.client_secret",
        kind: KeyKind::Secret,
        help: "the application's client secret (optional with PKCE); set it with `-` to read standard input",
    },
    KeyDef {
        key: "ctct.authorize_url",
        kind: KeyKind::Url,
        help: "OAuth2 authorize endpoint",
    },
    KeyDef {
        key: "ctct.token_url",
        kind: KeyKind::Url,
        help: "OAuth2 token endpoint",
    },
    KeyDef {
        key: "ctct.api_base",
        kind: KeyKind::Url,
        help: "Constant Contact V3 API base URL",
    },
    KeyDef {
        key: "ctct.redirect_uri",
        kind: KeyKind::Url,
        help: "loopback redirect URL registered with the application",
    },
    KeyDef {
        key: "ctct.scopes",
        kind: KeyKind::Scopes,
        help: "OAuth2 scopes, space separated",
    },
    KeyDef {
        key: "sync.lists_enabled",
        kind: KeyKind::Bool,
        help: "run the contact-list sync",
    },
    KeyDef {
        key: "sync.contacts_enabled",
        kind: KeyKind::Bool,
        help: "run the contact sync (linking by email)",
    },
    KeyDef {
        key: "sync.activities_enabled",
        kind: KeyKind::Bool,
        help: "run the activity sync",
    },
    KeyDef {
        key: "sync.trigger_enabled",
        kind: KeyKind::Bool,
        help: "push contact edits and list adds to Constant Contact immediately",
    },
    KeyDef {
        key: "sync.activities_to_events",
        kind: KeyKind::Bool,
        help: "also create a timeline event per contact and campaign email",
    },
    KeyDef {
        key: "sync.activity_batch_size",
        kind: KeyKind::BatchSize,
        help: "contacts per request batch in per-contact activity mode (1–500)",
    },
    KeyDef {
        key: "schedule.timezone",
        kind: KeyKind::TimeZone,
        help: "IANA time zone the schedules are read in",
    },
    KeyDef {
        key: "schedule.synccontactlists",
        kind: KeyKind::Cron,
        help: "when the contact-list sync runs (Quartz cron)",
    },
    KeyDef {
        key: "schedule.synccontacts",
        kind: KeyKind::Cron,
        help: "when the contact sync runs (Quartz cron)",
    },
    KeyDef {
        key: "schedule.syncactivities",
        kind: KeyKind::Cron,
        help: "when the activity sync runs (Quartz cron)",
    },
];

pub fn key_def(key: &str) -> Option<&'static KeyDef> {
    KEYS.iter().find(|k| k.key == key)
}

/// The machine's time zone (falls back to UTC when it cannot be told).
pub fn machine_timezone() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|z| z.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_string())
}

/// The default of a key, if it has one.
pub fn default_of(key: &str) -> Option<String> {
    let v = match key {
        "ctct.authorize_url" => DEFAULT_AUTHORIZE_URL,
        "ctct.token_url" => DEFAULT_TOKEN_URL,
        "ctct.api_base" => DEFAULT_API_BASE,
        "ctct.redirect_uri" => DEFAULT_REDIRECT_URI,
        "ctct.scopes" => DEFAULT_SCOPES,
        "sync.lists_enabled"
        | "sync.contacts_enabled"
        | "sync.activities_enabled"
        | "sync.trigger_enabled" => "true",
        "sync.activities_to_events" => "false",
        "sync.activity_batch_size" => "50",
        "schedule.timezone" => return Some(machine_timezone()),
        "schedule.synccontactlists" => "00 30 00 * * ?",
        "schedule.synccontacts" => "00 00 01 * * ?",
        "schedule.syncactivities" => "00 00 02 * * ?",
        _ => return None,
    };
    Some(v.to_string())
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown configuration key `{0}`; run `ctctsync config list` to see every key")]
    UnknownKey(String),
    #[error("{key}: {problem}")]
    Invalid { key: String, problem: String },
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Checks and normalizes a value for a key. The error names the problem and the fix.
pub fn validate(key: &str, value: &str) -> Result<String, ConfigError> {
    let def = key_def(key).ok_or_else(|| ConfigError::UnknownKey(key.to_string()))?;
    let bad = |problem: String| ConfigError::Invalid {
        key: key.to_string(),
        problem,
    };
    let v = value.trim();
    match def.kind {
        KeyKind::Text => {
            if v.is_empty() {
                return Err(bad("must not be empty".into()));
            }
            if key == "ctct.client_id" {
                validate_api_key(v).map_err(bad)?;
            }
            Ok(v.to_string())
        }
        KeyKind::Secret => {
            if v.chars().any(char::is_whitespace) {
                return Err(bad(
                    "contains spaces or line breaks: paste the secret exactly as the developer portal shows it".into(),
                ));
            }
            Ok(v.to_string())
        }
        KeyKind::Url => validate_url(v).map_err(bad),
        KeyKind::Scopes => validate_scopes(v).map_err(bad),
        KeyKind::Bool => parse_bool(v).map(|b| b.to_string()).ok_or_else(|| {
            bad(format!(
                "`{v}` is not true or false (yes/no, on/off, 1/0 also work)"
            ))
        }),
        KeyKind::BatchSize => match v.parse::<u32>() {
            Ok(n) if (1..=500).contains(&n) => Ok(n.to_string()),
            _ => Err(bad(format!("`{v}` is not a whole number from 1 to 500"))),
        },
        KeyKind::TimeZone => parse_tz(v).map(|tz| tz.name().to_string()).map_err(bad),
        KeyKind::Cron => Schedule::parse(v).map(|s| s.expr).map_err(bad),
    }
}

/// A Constant Contact API key (client id) is a UUID or a 24+ character token of letters, digits
/// and dashes. Anything with spaces or URL characters is a paste mistake.
pub fn validate_api_key(v: &str) -> Result<(), String> {
    if v.len() < 8 || v.len() > 128 {
        return Err(format!(
            "`{v}` does not look like an API key (expected the client id from the developer portal, e.g. a UUID)"
        ));
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err("an API key holds only letters, digits, dashes and underscores: copy it again from the developer portal".into());
    }
    Ok(())
}

pub fn validate_url(v: &str) -> Result<String, String> {
    let u = url::Url::parse(v)
        .map_err(|e| format!("`{v}` is not a URL ({e}): it must look like https://host/path"))?;
    if u.scheme() != "https" && u.scheme() != "http" {
        return Err(format!(
            "`{v}` must start with https:// (or http:// for a loopback address)"
        ));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{v}` has no host name"));
    }
    if u.fragment().is_some() {
        return Err(format!("`{v}` must not contain a #fragment"));
    }
    let loopback = matches!(
        u.host_str(),
        Some("localhost" | "127.0.0.1" | "[::1]" | "::1")
    );
    if u.scheme() == "http" && !loopback {
        return Err(format!(
            "`{v}` uses plain http on a non-loopback host: use https:// (http is only for localhost / 127.0.0.1)"
        ));
    }
    Ok(v.trim_end_matches('/').to_string())
}

pub fn validate_scopes(v: &str) -> Result<String, String> {
    let scopes: Vec<&str> = v
        .split(|c: char| c.is_whitespace() || c == '+' || c == ',')
        .filter(|s| !s.is_empty())
        .collect();
    const KNOWN: [&str; 5] = [
        "contact_data",
        "campaign_data",
        "account_read",
        "account_update",
        "offline_access",
    ];
    if let Some(u) = scopes.iter().find(|s| !KNOWN.contains(s)) {
        return Err(format!(
            "unknown scope `{u}`; known scopes: {}",
            KNOWN.join(", ")
        ));
    }
    for needed in ["contact_data", "campaign_data", "offline_access"] {
        if !scopes.contains(&needed) {
            return Err(format!(
                "`{needed}` is required ({}); the default is `{DEFAULT_SCOPES}`",
                match needed {
                    "contact_data" => "to read contacts and lists",
                    "campaign_data" => "to read campaign reports",
                    _ => "to get a refresh token, so sync keeps working after 24 hours",
                }
            ));
        }
    }
    Ok(scopes.join(" "))
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// The effective value of a key: stored, else default.
pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, ConfigError> {
    key_def(key).ok_or_else(|| ConfigError::UnknownKey(key.to_string()))?;
    Ok(settings::get(conn, key)?.or_else(|| default_of(key)))
}

/// Whether the key has been set explicitly (not just defaulted).
pub fn is_set(conn: &Connection, key: &str) -> Result<bool, ConfigError> {
    Ok(settings::get(conn, key)?.is_some())
}

/// Validates and stores a value; returns the normalized value stored.
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<String, ConfigError> {
    let v = validate(key, value)?;
    settings::set(conn, key, &v)?;
    Ok(v)
}

pub fn get_bool(conn: &Connection, key: &str) -> Result<bool, ConfigError> {
    Ok(get(conn, key)?
        .and_then(|v| parse_bool(&v))
        .unwrap_or(false))
}

/// Everything the Constant Contact client needs, read at once.
#[derive(Clone, PartialEq, Eq)]
pub struct CtctSettings {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub authorize_url: String,
    pub token_url: String,
    pub api_base: String,
    pub redirect_uri: String,
    pub scopes: String,
}

impl std::fmt::Debug for CtctSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CtctSettings")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("authorize_url", &self.authorize_url)
            .field("token_url", &self.token_url)
            .field("api_base", &self.api_base)
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .finish()
    }
}

pub fn ctct_settings(conn: &Connection) -> Result<CtctSettings, ConfigError> {
    let g = |k: &str| -> Result<String, ConfigError> { Ok(get(conn, k)?.unwrap_or_default()) };
    Ok(CtctSettings {
        client_id: settings::get(conn, "ctct.client_id")?.filter(|s| !s.is_empty()),
        client_secret: settings::get(conn, "ctct.client_secret")?.filter(|s| !s.is_empty()),
        authorize_url: g("ctct.authorize_url")?,
        token_url: g("ctct.token_url")?,
        api_base: g("ctct.api_base")?,
        redirect_uri: g("ctct.redirect_uri")?,
        scopes: g("ctct.scopes")?,
    })
}

/// Shows a value for display: secrets masked.
pub fn display_value(key: &str, value: &str) -> String {
    match key_def(key).map(|d| d.kind) {
        Some(KeyKind::Secret) if !value.is_empty() => "•••••••• (set)".to_string(),
        _ => value.to_string(),
    }
}
