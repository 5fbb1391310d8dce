//! `ctctsync auth login [--no-browser] | status [--json] | logout`: the CLI face of
//! `crate::ctct::oauth` and the stored credential. Exit codes: 0 ok, 1 operational failure
//! (not authorized, refused, timed out), 2 bad input (a missing or invalid setting).

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::cli::AuthCommand;
use crate::config::{self, CtctSettings};
use crate::ctct::oauth::{self, LoginError, LoginOptions};
use crate::ctct::{Client, CtctError};
use crate::store::credentials::{self, AuthState, Credential};
use crate::store::{self, Store, time};

use super::{Ctx, UsageError};

/// A refresh token expires when unused for this many days (ctct-api.md §1.6).
pub const REFRESH_IDLE_DAYS: i64 = 180;

pub async fn run(ctx: &Ctx, cmd: AuthCommand) -> anyhow::Result<u8> {
    match cmd {
        AuthCommand::Login { no_browser } => login(ctx, no_browser).await,
        AuthCommand::Status { json } => status(ctx, json).await,
        AuthCommand::Logout => logout(ctx),
    }
}

fn settings(store: &Store) -> anyhow::Result<CtctSettings> {
    let conn = store.connect()?;
    Ok(config::ctct_settings(&conn)?)
}

fn missing_client_id() -> UsageError {
    UsageError(
        "ctct.client_id (the Constant Contact application's API key) is not set.\n  Fix: ctctsync config set ctct.client_id <API key>   (and, if the application has one, `ctctsync config set ctct.client_secret -` to type the secret)"
            .to_string(),
    )
}

async fn login(ctx: &Ctx, no_browser: bool) -> anyhow::Result<u8> {
    let store = ctx.store()?;
    let settings = settings(&store)?;
    if settings.client_id.is_none() {
        return Err(missing_client_id().into());
    }
    let pending = match oauth::begin_login(
        store,
        settings,
        LoginOptions {
            open_browser: !no_browser,
            ..Default::default()
        },
    )
    .await
    {
        Ok(p) => p,
        Err(e) if e.is_configuration() => return Err(UsageError(e.to_string()).into()),
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(1);
        }
    };
    if pending.browser_opened() {
        eprintln!("Opening your browser to authorize ctctsync with Constant Contact.");
        eprintln!("Sign in and click Allow. If the browser did not open, visit this URL:");
        println!("{}", pending.authorize_url());
    } else {
        if let Some(why) = pending.no_browser_reason() {
            eprintln!("Not opening a browser: {why}.");
        }
        eprintln!("Open this URL in a browser, sign in to Constant Contact and click Allow:");
        eprintln!();
        println!("{}", pending.authorize_url());
        eprintln!();
        eprintln!(
            "Then paste here the address the browser was sent to (it starts with {}) and press Enter.",
            pending.redirect_uri()
        );
    }
    if let Some(note) = pending.listener_note() {
        eprintln!("Note: {note}.");
    } else if let Some(on) = pending.listening_on() {
        eprintln!("Waiting for the browser on {on} (up to 5 minutes; Ctrl-C to stop)…");
    }
    if !pending.browser_opened() {
        // Paste mode: read lines from stdin while the listener keeps listening; first wins.
        let sender = pending.paste_sender();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                if line.trim().is_empty() {
                    continue;
                }
                match sender.submit(&line) {
                    Ok(()) => return,
                    Err(LoginError::InvalidPaste(m)) if m.contains("no longer waiting") => return,
                    Err(e) => eprintln!("{e}\nPaste the redirected address again:"),
                }
            }
            // Standard input ended (a script, `< /dev/null`): only the browser can finish now.
            eprintln!(
                "Nothing more can be pasted (standard input is closed); still waiting for the browser. Ctrl-C stops."
            );
        });
    }
    let cancel = pending.cancel_token();
    let outcome = tokio::select! {
        r = pending.wait() => r,
        _ = tokio::signal::ctrl_c() => {
            cancel.cancel();
            Err(LoginError::Cancelled)
        }
    };
    match outcome {
        Ok(o) => {
            match &o.organization_name {
                Some(org) => println!("✓ Authenticated as {org}"),
                None => println!("✓ Authorized"),
            }
            println!(
                "  access token valid until {} (refreshed automatically)",
                time::fmt(o.access_expires_at)
            );
            if let Some(s) = &o.scopes {
                println!("  scopes: {s}");
            }
            if let Some(w) = &o.account_warning {
                eprintln!("warning: {w}");
            }
            Ok(0)
        }
        Err(e) if e.is_configuration() => Err(UsageError(e.to_string()).into()),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(1)
        }
    }
}

/// "in 3h 12m" / "2d 4h ago".
fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = t.signed_duration_since(now);
    let secs = d.num_seconds().abs();
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    let text = if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else {
        format!("{mins}m")
    };
    if d.num_seconds() >= 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

fn refresh_expiry(c: &Credential) -> Option<DateTime<Utc>> {
    c.refresh_last_used_at
        .as_deref()
        .or(c.refresh_issued_at.as_deref())
        .and_then(time::parse)
        .map(|t| t + chrono::Duration::days(REFRESH_IDLE_DAYS))
}

async fn status(ctx: &Ctx, json_out: bool) -> anyhow::Result<u8> {
    let store = ctx.store()?;
    let settings = settings(&store)?;
    let cred = {
        let conn = store.connect()?;
        credentials::get(&conn)?
    };
    let now = Utc::now();
    let mut doc = json!({
        "state": cred.as_ref().map_or("none", |c| c.state.as_str()),
        "client_id_set": settings.client_id.is_some(),
        "api_base": settings.api_base,
    });

    // Verify online with one cheap call when there is something to verify: it also refreshes
    // an expiring token (single-flight across processes).
    let mut verified: Option<Result<(), CtctError>> = None;
    let usable = crate::ctct::unusable_reason(cred.as_ref(), &settings).is_none();
    if settings.client_id.is_some() && usable {
        let result = match Client::new(store.clone(), settings.clone()) {
            Ok(client) => client.account_summary().await.map(|a| (client, a)),
            Err(e) => Err(e),
        };
        verified = Some(match result {
            Ok((_, a)) => {
                let s2 = store.clone();
                let changed = cred.as_ref().is_some_and(|c| {
                    c.organization_name != a.organization_name
                        || c.encoded_account_id != a.encoded_account_id
                });
                if changed {
                    let (org, id) = (a.organization_name.clone(), a.encoded_account_id.clone());
                    let _ = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                        let mut conn = s2.connect()?;
                        let tx = store::write_tx(&mut conn)?;
                        credentials::set_organization(&tx, org.as_deref(), id.as_deref())?;
                        tx.commit()?;
                        Ok(())
                    })
                    .await;
                }
                Ok(())
            }
            Err(e) => Err(e),
        });
    }
    // Re-read: a refresh or a refusal may have changed the credential.
    let cred = {
        let conn = store.connect()?;
        credentials::get(&conn)?
    };
    let state = cred.as_ref().map_or(AuthState::None, |c| c.state);
    doc["state"] = json!(state.as_str());
    if let Some(c) = &cred {
        doc["organization_name"] = json!(c.organization_name);
        doc["encoded_account_id"] = json!(c.encoded_account_id);
        doc["access_expires_at"] = json!(c.access_expires_at);
        doc["scopes"] = json!(c.scopes);
        doc["authorized_at"] = json!(c.authorized_at);
        doc["refresh_token_issued_at"] = json!(c.refresh_issued_at);
        doc["refresh_token_last_used_at"] = json!(c.refresh_last_used_at);
        doc["refresh_token_expires_if_unused_at"] = json!(refresh_expiry(c).map(time::fmt));
        doc["reason"] = json!(c.state_reason);
    }
    let verify_error = verified.as_ref().and_then(|v| v.as_ref().err());
    doc["verified"] = json!(matches!(verified, Some(Ok(()))));
    doc["verify_error"] = json!(verify_error.map(|e| e.to_string()));

    let problem: Option<(String, String)> = match (&cred, state) {
        _ if settings.client_id.is_none() => Some((
            "Constant Contact is not configured: ctct.client_id is not set.".into(),
            "ctctsync config set ctct.client_id <API key>, then ctctsync auth login".into(),
        )),
        (None, _) | (_, AuthState::None) => Some((
            "Not authorized with Constant Contact.".into(),
            "ctctsync auth login".into(),
        )),
        (Some(c), AuthState::NeedsAuthorization) => Some((
            format!(
                "Needs authorization: {}",
                c.state_reason
                    .as_deref()
                    .unwrap_or("the authorization was withdrawn")
            ),
            "ctctsync auth login (sync jobs stop until then)".into(),
        )),
        (Some(c), AuthState::Authorized) => match verify_error {
            Some(e) if e.needs_authorization() => Some((
                format!("Needs authorization: {e}"),
                "ctctsync auth login".into(),
            )),
            _ => crate::ctct::unusable_reason(Some(c), &settings).map(|r| {
                (
                    format!("The stored authorization cannot be used: {r}."),
                    "ctctsync auth login".into(),
                )
            }),
        },
    };
    doc["what_to_do"] = json!(problem.as_ref().map(|(_, fix)| fix.clone()));

    if json_out {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if let Some((what, fix)) = &problem {
        println!("{what}");
        println!("  Fix: {fix}");
    } else if let Some(c) = &cred {
        print_authorized(c, verify_error, &settings, now);
    }
    Ok(if problem.is_some() { 1 } else { 0 })
}

fn print_authorized(
    c: &Credential,
    verify_error: Option<&CtctError>,
    settings: &CtctSettings,
    now: DateTime<Utc>,
) {
    match &c.organization_name {
        Some(org) => println!("Authenticated as {org}"),
        None => println!("Authenticated (organization name unknown)"),
    }
    match verify_error {
        None => println!("  verified just now with {}", settings.api_base),
        Some(e) => println!("  could not verify with Constant Contact just now: {e}"),
    }
    if let Some(exp) = c.access_expires_at.as_deref().and_then(time::parse) {
        println!(
            "  access token expires {} ({}; refreshed automatically)",
            time::fmt(exp),
            relative(exp, now)
        );
    }
    if let Some(s) = &c.scopes {
        println!("  scopes: {s}");
        if !s.split_whitespace().any(|x| x == "offline_access") {
            println!("  warning: offline_access is missing, so no refresh is possible");
        }
    }
    if let Some(issued) = c.refresh_issued_at.as_deref().and_then(time::parse) {
        let age = now.signed_duration_since(issued).num_days();
        println!(
            "  refresh token: received {} ({age} days ago)",
            time::fmt(issued)
        );
    }
    if let Some(exp) = refresh_expiry(c) {
        let left = exp.signed_duration_since(now).num_days();
        println!(
            "  refresh token expires if unused for {REFRESH_IDLE_DAYS} days: on {} ({left} days left; every refresh resets it)",
            time::fmt(exp)
        );
    }
    if let Some(id) = &c.encoded_account_id {
        println!("  account: {id}");
    }
}

fn logout(ctx: &Ctx) -> anyhow::Result<u8> {
    let store = ctx.store()?;
    let mut conn = store.connect()?;
    let had = credentials::get(&conn)?.is_some();
    let tx = store::write_tx(&mut conn)?;
    credentials::clear(&tx)?;
    tx.commit()?;
    if had {
        println!("Logged out: the stored Constant Contact tokens were deleted.");
        println!(
            "  To withdraw the application's access at Constant Contact too, remove it from your account's connected apps."
        );
    } else {
        println!("Not logged in: there were no stored tokens.");
    }
    Ok(0)
}
