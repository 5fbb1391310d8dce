//! Access tokens: cached per process, refreshed before expiry and once after a 401.
//!
//! Rotating refresh tokens are single-use (P1), so the refresh is single-flight across every
//! process sharing the store:
//!
//! 1. in-process, one task at a time (a tokio mutex around the cache);
//! 2. across processes, `BEGIN IMMEDIATE` (`store::write_tx`): re-read the credential inside
//!    the write lock; if another process already refreshed (the `generation` moved on, or the
//!    token is fresh again), use its tokens;
//! 3. otherwise call the token endpoint while holding the lock and commit the new pair before
//!    anyone uses it. A failed or partial refresh rolls back and keeps the old pair; only
//!    `invalid_grant` moves the credential to "needs authorization".
//!
//! The HTTP call runs on the blocking thread that holds the transaction (`Handle::block_on`),
//! bounded by [`REFRESH_DEADLINE`] so that other processes never wait past the store's busy
//! timeout.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::client::Client;
use super::error::CtctError;
use super::token_endpoint;
use crate::config::CtctSettings;
use crate::store::credentials::{self, AuthState, Credential, Tokens};
use crate::store::{self, time};

/// Longest a refresh (with its retries) may hold the store's write lock.
pub const REFRESH_DEADLINE: Duration = Duration::from_secs(20);

/// The access token in use and the credential generation it came from.
#[derive(Clone)]
pub(crate) struct Cached {
    pub access: String,
    pub expires_at: DateTime<Utc>,
    pub generation: i64,
}

impl Cached {
    fn fresh(&self, margin: Duration) -> bool {
        let margin =
            chrono::Duration::from_std(margin).unwrap_or_else(|_| chrono::Duration::zero());
        self.expires_at > Utc::now() + margin
    }
}

/// Why a stored credential cannot be used, in words.
pub fn unusable_reason(cred: Option<&Credential>, settings: &CtctSettings) -> Option<String> {
    let Some(c) = cred else {
        return Some("never authorized".to_string());
    };
    match c.state {
        AuthState::None => return Some("not authorized (logged out)".to_string()),
        AuthState::NeedsAuthorization => {
            return Some(
                c.state_reason
                    .clone()
                    .unwrap_or_else(|| "the authorization was withdrawn".to_string()),
            );
        }
        AuthState::Authorized => {}
    }
    if let Some(url) = &c.token_url
        && url != &settings.token_url
    {
        return Some(format!(
            "the stored tokens were issued by {url}, but ctct.token_url is now {}",
            settings.token_url
        ));
    }
    if c.refresh_token.is_none() && c.access_token.is_none() {
        return Some("no tokens are stored".to_string());
    }
    None
}

fn cached_of(c: &Credential) -> Option<Cached> {
    Some(Cached {
        access: c.access_token.clone()?,
        expires_at: c.access_expires_at.as_deref().and_then(time::parse)?,
        generation: c.generation,
    })
}

/// The stored token if it can be used as is: fresh, and not the generation a 401 condemned.
fn usable(c: &Credential, stale: Option<i64>, margin: Duration) -> Option<Cached> {
    cached_of(c).filter(|t| t.fresh(margin) && Some(t.generation) != stale)
}

/// An access token to send now.
pub(crate) async fn access_token(client: &Client, stale: Option<i64>) -> Result<Cached, CtctError> {
    let margin = client.inner.options.refresh_margin;
    let mut cache = client.inner.token.lock().await;
    if let Some(c) = cache.as_ref()
        && c.fresh(margin)
        && Some(c.generation) != stale
    {
        return Ok(c.clone());
    }
    *cache = None;
    let settings = client.inner.settings.clone();
    let http = client.inner.http.clone();
    let handle = tokio::runtime::Handle::current();
    let counter = client.clone();
    let fresh = client
        .db(move |conn| {
            refresh_if_needed(conn, &settings, stale, margin, |refresh_token| {
                counter
                    .inner
                    .token_requests
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                handle.block_on(async {
                    tokio::time::timeout(
                        REFRESH_DEADLINE,
                        token_endpoint::refresh(&http, &settings, refresh_token, None),
                    )
                    .await
                    .unwrap_or_else(|_| {
                        Err(CtctError::Transport {
                            what: "the token endpoint".into(),
                            message: format!("no answer within {} s", REFRESH_DEADLINE.as_secs()),
                        })
                    })
                })
            })
        })
        .await?;
    *cache = Some(fresh.clone());
    Ok(fresh)
}

/// Steps 2–3 of the module doc, on a blocking thread. `refresh` performs the HTTP call.
fn refresh_if_needed(
    conn: &mut Connection,
    settings: &CtctSettings,
    stale: Option<i64>,
    margin: Duration,
    refresh: impl FnOnce(&str) -> Result<token_endpoint::TokenSet, CtctError>,
) -> Result<Cached, CtctError> {
    // Cheap read first: most calls find a fresh token without taking the write lock.
    let cred = credentials::get(conn)?;
    if let Some(reason) = unusable_reason(cred.as_ref(), settings) {
        return Err(CtctError::NeedsAuthorization { reason });
    }
    if let Some(t) = cred.as_ref().and_then(|c| usable(c, stale, margin)) {
        return Ok(t);
    }
    let tx = store::write_tx(conn)?;
    let cred = credentials::get(&tx)?;
    if let Some(reason) = unusable_reason(cred.as_ref(), settings) {
        return Err(CtctError::NeedsAuthorization { reason });
    }
    let Some(cred) = cred else {
        return Err(CtctError::NeedsAuthorization {
            reason: "never authorized".into(),
        });
    };
    // Another process may have refreshed while we waited for the lock.
    if let Some(t) = usable(&cred, stale, margin) {
        return Ok(t);
    }
    if stale.is_some_and(|g| g != cred.generation)
        && let Some(t) = cached_of(&cred).filter(|t| t.expires_at > Utc::now())
    {
        return Ok(t);
    }
    let Some(refresh_token) = cred.refresh_token.clone() else {
        let reason = "the access token expired and no refresh token is stored".to_string();
        credentials::mark_needs_authorization(&tx, &reason)?;
        tx.commit().map_err(store::StoreError::from)?;
        return Err(CtctError::NeedsAuthorization { reason });
    };
    match refresh(&refresh_token) {
        Ok(set) => {
            credentials::save_refresh(
                &tx,
                &Tokens {
                    access_token: set.access_token.clone(),
                    access_expires_at: time::fmt(set.expires_at),
                    refresh_token: set.refresh_token.clone(),
                    scopes: set.scopes.clone(),
                    token_url: Some(settings.token_url.clone()),
                },
            )?;
            let generation = credentials::get(&tx)?.map_or(cred.generation + 1, |c| c.generation);
            tx.commit().map_err(store::StoreError::from)?;
            tracing::info!("access token refreshed (generation {generation})");
            Ok(Cached {
                access: set.access_token,
                expires_at: set.expires_at,
                generation,
            })
        }
        Err(CtctError::OAuth {
            error, description, ..
        }) if error == "invalid_grant" => {
            let reason = format!(
                "Constant Contact refused the refresh token ({}): it was revoked, already used, or not used for 180 days",
                description.as_deref().unwrap_or("invalid_grant")
            );
            credentials::mark_needs_authorization(&tx, &reason)?;
            tx.commit().map_err(store::StoreError::from)?;
            tracing::warn!("{reason}");
            Err(CtctError::NeedsAuthorization { reason })
        }
        // Anything else: roll back, keep the old pair, let the caller retry later.
        Err(e) => Err(e),
    }
}
