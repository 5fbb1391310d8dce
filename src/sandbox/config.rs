//! Sandbox configuration: what the `ctctsync sandbox` flags and `sandbox::spawn` callers set.

use std::net::{Ipv4Addr, SocketAddr};

use chrono::{DateTime, Utc};

/// How `grant_type=refresh_token` treats the refresh token it was given (an app-level setting at
/// Constant Contact).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RefreshMode {
    /// Each refresh returns a new refresh token and invalidates every earlier one.
    #[default]
    Rotating,
    /// The same refresh token comes back each time and stays valid while used within 180 days.
    LongLived,
}

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Loopback address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    pub seed: u64,
    pub contacts: usize,
    pub lists: usize,
    /// Named bulk email campaigns (two automated emails are added on top).
    pub campaigns: usize,
    /// Activity volume: the number of tracking rows (sends, opens, clicks, bounces, opt-outs,
    /// forwards) spread over the campaigns.
    pub activities: usize,
    /// "Now" of the seeded history; `None` = the start of the current UTC day.
    pub anchor: Option<DateTime<Utc>>,
    /// Registered redirect URIs (exact match).
    pub redirect_uris: Vec<String>,
    /// Skip the consent page: `/authorize` redirects with a code at once.
    pub auto_approve: bool,
    /// Access token lifetime in seconds.
    pub access_token_lifetime: u64,
    pub refresh_mode: RefreshMode,
    /// Requests per second per client_id on `/v3`; `None` = unlimited.
    pub rate_limit_per_sec: Option<u32>,
    /// Requests per UTC day per client_id on `/v3`; `None` = unlimited.
    pub daily_quota: Option<u32>,
    /// Limit `/token` to about one request per second per client.
    pub token_endpoint_limit: bool,
    pub client_id: String,
    pub client_secret: String,
}

pub const DEFAULT_CLIENT_ID: &str = "5a1d0b6e-3c8f-4e2a-9d71-0c5b8e4f2a93";
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-secret-Qm9yZWFsaXMtdGVzdC1vbmx5";
pub const DEFAULT_PORT: u16 = 8911;

pub fn default_redirect_uris() -> Vec<String> {
    vec![
        "http://localhost:8899/callback".to_string(),
        "http://127.0.0.1:8899/callback".to_string(),
    ]
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            seed: 42,
            contacts: 1_000,
            lists: 6,
            campaigns: 12,
            activities: 20_000,
            anchor: None,
            redirect_uris: default_redirect_uris(),
            auto_approve: false,
            access_token_lifetime: 86_400,
            refresh_mode: RefreshMode::Rotating,
            rate_limit_per_sec: Some(4),
            daily_quota: Some(10_000),
            token_endpoint_limit: true,
            client_id: DEFAULT_CLIENT_ID.to_string(),
            client_secret: DEFAULT_CLIENT_SECRET.to_string(),
        }
    }
}

impl SandboxConfig {
    /// A config for tests: port 0, auto-approve, no rate limits, a small account.
    pub fn for_tests() -> Self {
        SandboxConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            contacts: 200,
            campaigns: 6,
            activities: 3_000,
            auto_approve: true,
            rate_limit_per_sec: None,
            daily_quota: None,
            token_endpoint_limit: false,
            ..SandboxConfig::default()
        }
    }
}
