//! `ctctsync sandbox`: flags, the one-line JSON announcement on stdout, and running until
//! ctrl-c / SIGTERM. Logs go to stderr (set up by the caller or here if nobody did).

use std::io::Write;
use std::net::SocketAddr;

use super::config::{RefreshMode, SandboxConfig, default_redirect_uris};
use super::server::spawn;

#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Loopback address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8911", value_parser = loopback_addr)]
    pub addr: SocketAddr,
    /// Seed for the generated account; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of contacts to generate.
    #[arg(long, default_value_t = 1_000, value_parser = at_most::<1_000_000>)]
    pub contacts: usize,
    /// Number of contact lists to generate.
    #[arg(long, default_value_t = 6, value_parser = at_most::<1_000>)]
    pub lists: usize,
    /// Number of named email campaigns (two automated emails are added).
    #[arg(long, default_value_t = 12, value_parser = at_most::<10_000>)]
    pub campaigns: usize,
    /// Activity volume: number of tracking rows (sends, opens, clicks, bounces, opt-outs, forwards).
    #[arg(long, default_value_t = 20_000, value_parser = at_most::<20_000_000>)]
    pub activities: usize,
    /// Registered OAuth redirect URI (repeatable; default: http://localhost:8899/callback and
    /// http://127.0.0.1:8899/callback).
    #[arg(long = "redirect-uri", value_name = "URL", value_parser = redirect_uri)]
    pub redirect_uris: Vec<String>,
    /// Skip the consent page: /authorize redirects with a code at once.
    #[arg(long)]
    pub auto_approve: bool,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 86_400, value_name = "SECS")]
    pub token_lifetime: u64,
    /// Refresh token behaviour: rotating (single use) or long-lived.
    #[arg(long, value_enum, default_value_t = RefreshMode::Rotating)]
    pub refresh_mode: RefreshMode,
    /// API requests per second per client_id.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub rate_limit: u32,
    /// Turn off the per-second limit and the daily quota.
    #[arg(long)]
    pub no_rate_limit: bool,
    /// API requests per UTC day per client_id (0 = unlimited).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub daily_quota: u32,
    /// Do not limit the token endpoint to about one request per second.
    #[arg(long)]
    pub no_token_limit: bool,
    /// OAuth client_id (API key) the sandbox accepts.
    #[arg(long, default_value = super::config::DEFAULT_CLIENT_ID)]
    pub client_id: String,
    /// OAuth client secret for confidential (Basic auth) clients.
    #[arg(long, default_value = super::config::DEFAULT_CLIENT_SECRET)]
    pub client_secret: String,
}

/// The sandbox listens on loopback only: it serves tokens to whoever can reach it.
fn loopback_addr(s: &str) -> Result<SocketAddr, String> {
    let addr: SocketAddr = s
        .parse()
        .map_err(|_| format!("`{s}` is not an address: give IP:PORT, e.g. 127.0.0.1:8911"))?;
    if addr.ip().is_loopback() {
        Ok(addr)
    } else {
        Err(format!(
            "{} is not a loopback address; the sandbox never listens on the network: use 127.0.0.1:{} (or [::1]:{})",
            addr.ip(),
            addr.port(),
            addr.port()
        ))
    }
}

/// A size flag with a ceiling that keeps the seeded account within memory (100,000 contacts and
/// 1,000,000 activities take about 140 MiB).
fn at_most<const MAX: usize>(s: &str) -> Result<usize, String> {
    let n: usize = s
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number"))?;
    if n > MAX {
        return Err(format!(
            "{n} is more than the sandbox can seed; use at most {MAX}"
        ));
    }
    Ok(n)
}

fn redirect_uri(s: &str) -> Result<String, String> {
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(s.to_string()),
        _ => Err(format!(
            "`{s}` is not an http(s) URL; give the exact redirect URL, e.g. http://localhost:8899/callback"
        )),
    }
}

impl SandboxArgs {
    pub fn to_config(&self) -> SandboxConfig {
        SandboxConfig {
            addr: self.addr,
            seed: self.seed,
            contacts: self.contacts,
            lists: self.lists,
            campaigns: self.campaigns,
            activities: self.activities,
            anchor: None,
            redirect_uris: if self.redirect_uris.is_empty() {
                default_redirect_uris()
            } else {
                self.redirect_uris.clone()
            },
            auto_approve: self.auto_approve,
            access_token_lifetime: self.token_lifetime,
            refresh_mode: self.refresh_mode,
            rate_limit_per_sec: (!self.no_rate_limit && self.rate_limit > 0)
                .then_some(self.rate_limit),
            daily_quota: (!self.no_rate_limit && self.daily_quota > 0).then_some(self.daily_quota),
            token_endpoint_limit: !self.no_token_limit,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
        }
    }
}

async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Starts the sandbox, prints exactly one JSON line to stdout, and serves until ctrl-c/SIGTERM.
pub async fn run_cli(args: SandboxArgs) -> anyhow::Result<()> {
    // If the binary has not installed a subscriber, log to stderr (never stdout).
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let config = args.to_config();
    let started = std::time::Instant::now();
    let handle = spawn(config.clone()).await?;
    tracing::info!(
        contacts = config.contacts,
        activities = config.activities,
        seconds = started.elapsed().as_secs_f64(),
        "sandbox seeded"
    );
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", handle.announcement())?;
        out.flush()?;
    }
    terminated().await;
    tracing::info!("sandbox stopping");
    handle.shutdown().await;
    Ok(())
}
