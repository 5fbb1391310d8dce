//! The OAuth credential: tokens and authorization state (one row). Never logged or printed; the
//! `Debug` impl redacts the secrets.

use rusqlite::{Connection, params};

use super::{OptionalRow, Result, time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthState {
    /// Never authorized (or logged out).
    None,
    Authorized,
    /// The refresh token was refused (revoked, expired, reused): a person must authorize again.
    NeedsAuthorization,
}

impl AuthState {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthState::None => "none",
            AuthState::Authorized => "authorized",
            AuthState::NeedsAuthorization => "needs_authorization",
        }
    }
    fn parse(s: &str) -> AuthState {
        match s {
            "authorized" => AuthState::Authorized,
            "needs_authorization" => AuthState::NeedsAuthorization,
            _ => AuthState::None,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub state: AuthState,
    pub state_reason: Option<String>,
    pub access_token: Option<String>,
    pub access_expires_at: Option<String>,
    pub refresh_token: Option<String>,
    pub refresh_issued_at: Option<String>,
    pub refresh_last_used_at: Option<String>,
    pub scopes: Option<String>,
    pub token_url: Option<String>,
    pub organization_name: Option<String>,
    pub encoded_account_id: Option<String>,
    pub authorized_at: Option<String>,
    pub generation: i64,
    pub updated_at: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("state", &self.state)
            .field("state_reason", &self.state_reason)
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<redacted>"),
            )
            .field("access_expires_at", &self.access_expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("scopes", &self.scopes)
            .field("organization_name", &self.organization_name)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

pub fn get(conn: &Connection) -> Result<Option<Credential>> {
    Ok(conn
        .query_row(
            "SELECT state, state_reason, access_token, access_expires_at, refresh_token,
                    refresh_issued_at, refresh_last_used_at, scopes, token_url, organization_name,
                    encoded_account_id, authorized_at, generation, updated_at
             FROM credentials WHERE id = 1",
            [],
            |r| {
                let state: String = r.get(0)?;
                Ok(Credential {
                    state: AuthState::parse(&state),
                    state_reason: r.get(1)?,
                    access_token: r.get(2)?,
                    access_expires_at: r.get(3)?,
                    refresh_token: r.get(4)?,
                    refresh_issued_at: r.get(5)?,
                    refresh_last_used_at: r.get(6)?,
                    scopes: r.get(7)?,
                    token_url: r.get(8)?,
                    organization_name: r.get(9)?,
                    encoded_account_id: r.get(10)?,
                    authorized_at: r.get(11)?,
                    generation: r.get(12)?,
                    updated_at: r.get(13)?,
                })
            },
        )
        .optional_row()?)
}

pub fn state(conn: &Connection) -> Result<AuthState> {
    Ok(get(conn)?.map(|c| c.state).unwrap_or(AuthState::None))
}

/// A token response to store. `refresh_token` None keeps the stored one (long-lived mode may
/// omit it on refresh).
#[derive(Clone, Default)]
pub struct Tokens {
    pub access_token: String,
    pub access_expires_at: String,
    pub refresh_token: Option<String>,
    pub scopes: Option<String>,
    pub token_url: Option<String>,
}

/// Stores tokens after a login (state becomes authorized, generation bumps).
pub fn save_login(
    conn: &Connection,
    t: &Tokens,
    organization_name: Option<&str>,
    encoded_account_id: Option<&str>,
) -> Result<()> {
    let now = time::now();
    conn.execute(
        "INSERT INTO credentials (id, state, state_reason, access_token, access_expires_at, refresh_token,
           refresh_issued_at, refresh_last_used_at, scopes, token_url, organization_name, encoded_account_id,
           authorized_at, generation, updated_at)
         VALUES (1, 'authorized', NULL, ?1, ?2, ?3, ?6, ?6, ?4, ?5, ?7, ?8, ?6, 1, ?6)
         ON CONFLICT(id) DO UPDATE SET state = 'authorized', state_reason = NULL,
           access_token = excluded.access_token, access_expires_at = excluded.access_expires_at,
           refresh_token = excluded.refresh_token, refresh_issued_at = excluded.refresh_issued_at,
           refresh_last_used_at = excluded.refresh_last_used_at, scopes = excluded.scopes,
           token_url = excluded.token_url, organization_name = excluded.organization_name,
           encoded_account_id = excluded.encoded_account_id, authorized_at = excluded.authorized_at,
           generation = credentials.generation + 1, updated_at = excluded.updated_at",
        params![
            t.access_token,
            t.access_expires_at,
            t.refresh_token,
            t.scopes,
            t.token_url,
            now,
            organization_name,
            encoded_account_id
        ],
    )?;
    Ok(())
}

/// Stores refreshed tokens (generation bumps). A new refresh token value resets its issue time.
pub fn save_refresh(conn: &Connection, t: &Tokens) -> Result<()> {
    let now = time::now();
    conn.execute(
        "UPDATE credentials SET state = 'authorized', state_reason = NULL, access_token = ?1,
           access_expires_at = ?2,
           refresh_issued_at = CASE WHEN ?3 IS NOT NULL AND ?3 IS NOT refresh_token THEN ?4 ELSE refresh_issued_at END,
           refresh_token = coalesce(?3, refresh_token), refresh_last_used_at = ?4,
           scopes = coalesce(?5, scopes), generation = generation + 1, updated_at = ?4
         WHERE id = 1",
        params![t.access_token, t.access_expires_at, t.refresh_token, now, t.scopes],
    )?;
    Ok(())
}

pub fn set_organization(
    conn: &Connection,
    organization_name: Option<&str>,
    encoded_account_id: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE credentials SET organization_name = ?1, encoded_account_id = ?2, updated_at = ?3 WHERE id = 1",
        params![organization_name, encoded_account_id, time::now()],
    )?;
    Ok(())
}

/// The refresh token was refused: keep nothing usable and say why.
pub fn mark_needs_authorization(conn: &Connection, reason: &str) -> Result<()> {
    conn.execute(
        "UPDATE credentials SET state = 'needs_authorization', state_reason = ?1,
           access_token = NULL, generation = generation + 1, updated_at = ?2 WHERE id = 1",
        params![reason, time::now()],
    )?;
    Ok(())
}

/// `auth logout`: forget every token.
pub fn clear(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM credentials WHERE id = 1", [])?;
    Ok(())
}
