//! The Constant Contact sandbox: a local V3 API and OAuth2 server (SPEC §8, issue 3).
//!
//! An independent implementation written from ctct-api.md and Constant Contact's Swagger
//! document. It must NOT use `crate::ctct` types: client and sandbox are checked against each
//! other, so they must not be able to share a mistake.
//!
//! ```text
//!  request ─► router ─┬─ /oauth2/default/v1/{authorize,token}   oauth/ (mod.rs, token.rs)
//!                     ├─ /v3/...  ─► gate.rs (stats, faults, 401, 429, 403, 415)
//!                     │             ├─ contacts.rs, contact_write.rs (+ contact_fields.rs), sign_up.rs
//!                     │             ├─ lists_account.rs (lists, account summary)
//!                     │             ├─ bulk.rs (add/remove list memberships)
//!                     │             ├─ emails.rs (campaigns, campaign activities)
//!                     │             └─ reports.rs (tracking, activity_details, summaries, stats)
//!                     └─ /__sandbox/... control.rs, campaigns.rs
//!  state.rs: AppState { clock, data: model::Data (seed.rs), oauth, limits, stats, faults }
//! ```

// Validation helpers return the finished CC error response as their `Err`: it is the cold path
// of a request handler, and boxing every one would only add noise.
#![allow(clippy::result_large_err)]

mod bulk;
mod campaigns;
mod cli;
pub mod clock;
mod config;
mod contact_fields;
mod contact_write;
mod contacts;
mod control;
mod emails;
mod gate;
mod lists_account;
mod model;
mod names;
mod oauth;
mod reports;
mod seed;
mod seed_activity;
mod server;
mod sign_up;
mod state;
mod wire;

pub use cli::{SandboxArgs, run_cli};
pub use config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, RefreshMode, SandboxConfig};
pub use oauth::pkce_challenge;
pub use server::{SandboxHandle, spawn};

/// Seeds an account in-process without serving it and reports its size; used by the bench.
#[doc(hidden)]
pub fn seed_only(config: &SandboxConfig) -> (usize, usize) {
    let spec = server::seed_spec(config, chrono::Utc::now().timestamp_millis());
    let data = seed::build(&spec);
    (data.contacts.len(), data.tracks.len())
}

#[doc(hidden)]
pub use server::router as __router;
