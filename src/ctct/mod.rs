//! The Constant Contact V3 protocol: typed client, pagination, rate limiting, tokens and the
//! OAuth2 PKCE login. No terminal code here; no printing (the CLI and the TUI do that).
//!
//! Public contract (other layers code against these names):
//!
//! - [`Client`] — cheap to clone. `Client::new(store, settings)`; typed async methods:
//!   `account_summary`, `contact_lists` (all pages, `status=all`, member counts),
//!   `contacts_pages(&ContactsQuery)` (a [`Pages`] stream), `contact(id, include)`,
//!   `contacts_by_email(email, status_all)`, `create_contact`, `update_contact(id, &ContactPut)`,
//!   `sign_up_form`, `add_list_memberships` / `remove_list_memberships`, `activity`,
//!   `emails_pages`, `email`, `email_activity`, `tracking_pages(activity_id, TrackingKind)`,
//!   `contact_activity_details(contact_id, types, limit)`, `email_campaign_summaries`,
//!   `campaign_activity_stats(ids)`, `custom_fields`. [`Client::request_count`] counts the
//!   API requests sent (retries included), for "API requests spent".
//! - [`CtctError`] — one error for both error-body shapes, OAuth errors and transport errors;
//!   `is_quota_exceeded`, `needs_authorization`, `is_not_found`, `is_conflict`, `is_retryable`.
//! - [`oauth`] — `begin_login(store, settings, LoginOptions) -> PendingLogin`
//!   (`authorize_url`, `browser_opened`, `submit_pasted_url`, `paste_sender`, `cancel`,
//!   `wait -> LoginOutcome`).
//!
//! Rules this module enforces (ctct-api.md §1–§8, §10; pitfalls P1–P13):
//! - at most 4 requests/s per application across every process on the store (`client.rs`:
//!   `store::api_usage::try_start`, a sliding window inside `write_tx`), each request counted
//!   in the store;
//! - `quota_exceeded` → `api_usage::mark_quota_exhausted`, then every call fails fast until
//!   the next UTC midnight; `throttled`, 5xx and no-answer are retried with capped exponential
//!   backoff and jitter; other 4xx are not retried, except one retry of a 401 after a refresh;
//! - tokens refreshed before expiry and once on 401, single-flight across processes
//!   (`tokens.rs`); `invalid_grant` → needs authorization, and calls fail fast after that;
//! - pagination follows `_links.next.href` verbatim (`pages.rs`); query values are
//!   percent-encoded (`+` → `%2B`); PUT bodies carry writable fields only (`models.rs`).
//!
//! It must not touch the terminal or import `tui`/`sandbox` code.

mod client;
mod endpoints;
pub mod error;
mod loopback;
pub mod models;
pub mod oauth;
mod pages;
pub mod reachability;
pub mod timefmt;
mod token_endpoint;
mod tokens;

pub use client::{Client, ClientOptions};
pub use endpoints::collect;
pub use error::{ApiErrorItem, CtctError};
pub use models::*;
pub use oauth::{LoginError, LoginOptions, LoginOutcome, PendingLogin, begin_login};
pub use pages::Pages;
pub use token_endpoint::TokenSet;
pub use tokens::unusable_reason;
