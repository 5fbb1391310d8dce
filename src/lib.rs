//! ctctsync connects a firm's CRM contacts with its Constant Contact account.
//!
//! ```text
//!            main.rs / cli.rs  (parse, log, dispatch)
//!                   │
//!     ┌─────────────┼──────────────┬──────────────┐
//!     ▼             ▼              ▼              ▼
//!   tui/        schedule/       demo.rs       sandbox/   (independent CTCT simulator, axum)
//!     │             │              │
//!     └──────┬──────┘──────────────┘
//!            ▼
//!          sync/   (three jobs, push outbox, events)
//!        ┌───┴────┐
//!        ▼        ▼
//!      ctct/    import/      (Constant Contact client + OAuth; CRM CSV import)
//!        └───┬────┘
//!            ▼
//!   store/  config  paths    (SQLite, settings keys, file locations)
//! ```
//!
//! Each layer uses only the layers below it. `store/` knows no tokio, HTTP or terminal; `ctct/`
//! knows no terminal; only `tui/` knows ratatui and crossterm. The sandbox shares no model code
//! with `ctct/`, so the two cannot share a mistake and hide it from the tests.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod ctct;
pub mod demo;
pub mod import;
pub mod logging;
pub mod paths;
pub mod sandbox;
pub mod schedule;
pub mod setup;
pub mod store;
pub mod sync;
pub mod tui;
