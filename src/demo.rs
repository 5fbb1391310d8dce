//! `ctctsync demo`: the whole product on a fresh machine. Wires the sandbox (in-process, on a free
//! loopback port), a fresh data dir with a realistic CRM import, and the TUI with the sandbox's
//! URLs and credentials offered in the wizard's fields.
//!
//! ```text
//!   sandbox::spawn ──► http://127.0.0.1:PORT/v3 + OAuth      (seeded account, consent page)
//!   Store (fresh dir) ◄── import assets/demo-crm.csv           (≈2,000 CRM contacts)
//!   tui::run_async(prefill = sandbox values) ──► wizard ──► jobs ──► dashboard
//! ```
//!
//! Nothing here is special-cased in the client or the sync code: they only see other URLs.
//! With a browser, the Authorize step opens the sandbox's consent page (click Allow). Without
//! one (SSH, no display, `--no-browser`), the sandbox approves at once and the demo plays the
//! browser's part in the terminal: it follows the authorize URL to the loopback redirect.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;

use crate::ctct::oauth;
use crate::import::{ImportOptions, import_contacts_reader};
use crate::logging;
use crate::paths::Paths;
use crate::sandbox::{self, SandboxConfig};
use crate::store::{Store, users};
use crate::tui::{self, TuiContext, TuiOptions};

/// The CRM export the demo imports (households and organizations; most emails exist in the
/// sandbox's seeded account, some don't; mixed case, plus-addressing, accents, a duplicate email,
/// contacts without email).
pub const DEMO_CRM_CSV: &str = include_str!("../assets/demo-crm.csv");

/// The sandbox account the CRM file was made for (see `tests/demo.rs`).
pub fn demo_sandbox_config() -> SandboxConfig {
    SandboxConfig {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        seed: 2026,
        contacts: 2_400,
        lists: 6,
        campaigns: 10,
        activities: 30_000,
        ..SandboxConfig::default()
    }
}

#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    pub keep: bool,
    pub no_browser: bool,
    /// The CRM user running the demo (gets the Constant Contact permission).
    pub user: String,
}

/// A free loopback port for the OAuth redirect (the product default 8899 may be taken).
fn free_port() -> std::io::Result<u16> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(l.local_addr()?.port())
}

fn fresh_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "ctctsync-demo-{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    ));
    std::fs::create_dir_all(&dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir)
}

/// Prepares everything the demo needs and returns the TUI context (used by `run` and tests).
pub async fn prepare(
    opts: &DemoOptions,
    dir: PathBuf,
) -> anyhow::Result<(TuiContext, sandbox::SandboxHandle)> {
    let paths = Paths::new(&dir);
    let store = Store::open_in(&dir)?;
    let browser = !opts.no_browser && oauth::browser_unavailable_reason().is_none();
    let port = free_port()?;
    let redirect = format!("http://localhost:{port}/callback");
    let mut config = demo_sandbox_config();
    config.redirect_uris = vec![
        redirect.clone(),
        format!("http://127.0.0.1:{port}/callback"),
    ];
    // Without a browser there is no consent page to click: the sandbox approves at once.
    config.auto_approve = !browser;
    let sandbox = sandbox::spawn(config).await?;
    tracing::info!(api = %sandbox.api_base(), "demo sandbox started");

    let mut conn = store.connect()?;
    let report =
        import_contacts_reader(&mut conn, DEMO_CRM_CSV.as_bytes(), ImportOptions::default())?;
    tracing::info!(
        inserted = report.inserted,
        skipped = report.skipped,
        "demo CRM imported"
    );
    users::upsert(&conn, &opts.user, "You (admin)")?;
    users::set_permission(&conn, &opts.user, true)?;
    for (u, name, perm) in [
        ("ann.advisor", "Ann Okafor (advisor)", true),
        ("sam.support", "Sam Lindqvist (support)", true),
        ("pat.assistant", "Pat Moreau (assistant)", false),
    ] {
        users::upsert(&conn, u, name)?;
        users::set_permission(&conn, u, perm)?;
    }

    let prefill: BTreeMap<String, String> = [
        ("ctct.client_id", sandbox.client_id()),
        ("ctct.client_secret", sandbox.client_secret()),
        ("ctct.authorize_url", sandbox.authorize_url()),
        ("ctct.token_url", sandbox.token_url()),
        ("ctct.api_base", sandbox.api_base()),
        ("ctct.redirect_uri", redirect),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let options = TuiOptions {
        no_browser: false,
        prefill,
        opener: (!browser).then(terminal_browser),
        run_jobs_on_start: true,
    };
    Ok((
        TuiContext {
            store,
            paths,
            user: opts.user.clone(),
            options,
        },
        sandbox,
    ))
}

/// Plays the browser's part where there is none: follows the authorize URL (the sandbox approves
/// at once in that mode) to the loopback redirect, as a browser would after "Allow".
fn terminal_browser() -> oauth::BrowserOpener {
    oauth::BrowserOpener(std::sync::Arc::new(|url: &str| {
        let url = url.to_string();
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return false;
        };
        handle.spawn(async move {
            // Give the wizard a moment to show its waiting state, as a real browser would take.
            tokio::time::sleep(std::time::Duration::from_millis(800)).await;
            match reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
            {
                Ok(client) => {
                    if let Err(e) = client.get(&url).send().await {
                        tracing::warn!("demo browser stand-in: {e}");
                    }
                }
                Err(e) => tracing::warn!("demo browser stand-in: {e}"),
            }
        });
        true
    }))
}

pub async fn run(opts: DemoOptions) -> anyhow::Result<u8> {
    let dir = fresh_dir()?;
    let _log = logging::init(&Paths::new(&dir), logging::Target::File);
    let (ctx, sandbox) = prepare(&opts, dir.clone()).await?;
    let result = tui::run_async(ctx).await;
    sandbox.shutdown().await;
    if opts.keep {
        println!(
            "The demo's data is kept in {0}\nLook again (read-only, the sandbox has stopped): ctctsync --data-dir {0} status",
            dir.display()
        );
    } else {
        keep_exports(&dir);
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            eprintln!("could not remove the demo data dir {}: {e}", dir.display());
        }
    }
    result
}

/// CSV exports made during the demo (`e` writes them to the data dir) would go with the data dir:
/// move them to the current directory and say where they are.
fn keep_exports(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    for entry in entries.flatten() {
        let from = entry.path();
        if from.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let Some(name) = from.file_name() else {
            continue;
        };
        let to = cwd.join(name);
        // rename fails across file systems (/tmp is often its own): copy then.
        let moved = std::fs::rename(&from, &to).is_ok() || std::fs::copy(&from, &to).is_ok();
        if moved {
            println!("Your export is kept: {}", to.display());
        } else {
            eprintln!(
                "could not keep the export {} (run the demo with --keep to keep everything)",
                from.display()
            );
        }
    }
}
