//! The ten setup steps (SPEC §4) and how each one's state is derived from the store — never from
//! having visited a screen. A step satisfied through `ctctsync config set` or `ctctsync auth login`
//! shows ✓; a successful authorization also proves the application, provider, redirect and
//! remote-site steps; steps with sensible defaults are satisfied by them until changed.
//!
//! [`load`] reads everything the wizard shows in one go (it runs on the query worker);
//! [`SetupSnapshot::status`] is pure.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::config::{self, KEYS};
use crate::setup;
use crate::store::credentials::{self, AuthState};
use crate::store::jobs::{self, JobName};
use crate::store::rusqlite::Connection;
use crate::store::{self, events, layouts, settings, users};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepId {
    Application,
    Provider,
    Redirect,
    RemoteSites,
    Authorize,
    Settings,
    Jobs,
    Trigger,
    Permissions,
    Layouts,
}

impl StepId {
    pub const ALL: [StepId; 10] = [
        StepId::Application,
        StepId::Provider,
        StepId::Redirect,
        StepId::RemoteSites,
        StepId::Authorize,
        StepId::Settings,
        StepId::Jobs,
        StepId::Trigger,
        StepId::Permissions,
        StepId::Layouts,
    ];

    pub fn index(self) -> usize {
        StepId::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
    pub fn number(self) -> usize {
        self.index() + 1
    }
    pub fn from_index(i: usize) -> StepId {
        StepId::ALL[i.min(StepId::ALL.len() - 1)]
    }
    pub fn next(self) -> Option<StepId> {
        StepId::ALL.get(self.index() + 1).copied()
    }
    pub fn prev(self) -> Option<StepId> {
        self.index().checked_sub(1).map(StepId::from_index)
    }

    /// The name saved in `wizard.current_step`.
    pub fn key(self) -> &'static str {
        match self {
            StepId::Application => "application",
            StepId::Provider => "provider",
            StepId::Redirect => "redirect",
            StepId::RemoteSites => "remote_sites",
            StepId::Authorize => "authorize",
            StepId::Settings => "settings",
            StepId::Jobs => "jobs",
            StepId::Trigger => "trigger",
            StepId::Permissions => "permissions",
            StepId::Layouts => "layouts",
        }
    }
    pub fn parse(s: &str) -> Option<StepId> {
        StepId::ALL.into_iter().find(|x| x.key() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            StepId::Application => "Constant Contact application",
            StepId::Provider => "Auth provider",
            StepId::Redirect => "Redirect URL",
            StepId::RemoteSites => "Remote sites",
            StepId::Authorize => "Authorize",
            StepId::Settings => "Integration settings",
            StepId::Jobs => "Sync jobs",
            StepId::Trigger => "Trigger",
            StepId::Permissions => "Permissions",
            StepId::Layouts => "Layouts",
        }
    }
}

/// A step's state in the checklist. Every state has a glyph and a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    Done,
    /// Something needs fixing; the reason in words.
    Attention(String),
    NotStarted,
}

impl StepStatus {
    pub fn glyph(&self) -> &'static str {
        match self {
            StepStatus::Done => "✓",
            StepStatus::Attention(_) => "!",
            StepStatus::NotStarted => "·",
        }
    }
    pub fn word(&self) -> &'static str {
        match self {
            StepStatus::Done => "done",
            StepStatus::Attention(_) => "fix",
            StepStatus::NotStarted => "to do",
        }
    }
    pub fn is_done(&self) -> bool {
        matches!(self, StepStatus::Done)
    }
}

/// Settings the wizard keeps about its own progress (names shared with `crate::setup`).
pub const CURRENT_STEP: &str = setup::KEY_CURRENT_STEP;
pub const FINISHED: &str = setup::KEY_FINISHED;
pub const PROVIDER_CONFIRMED: &str = setup::KEY_PROVIDER_CONFIRMED;
pub const REDIRECT_CONFIRMED: &str = setup::KEY_REDIRECT_CONFIRMED;
/// `true` / `false`: the outcome of the last reachability check.
pub const REMOTE_SITES_OK: &str = setup::KEY_REMOTE_SITES_OK;

/// Everything the wizard shows, read from the store at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupSnapshot {
    /// Effective value of every config key (stored, else default).
    pub values: BTreeMap<String, String>,
    /// Keys stored explicitly (not defaulted).
    pub explicit: BTreeSet<String>,
    /// The wizard's own `wizard.*` settings.
    pub wizard: BTreeMap<String, String>,
    pub auth: AuthState,
    pub auth_reason: Option<String>,
    pub organization: Option<String>,
    pub users: Vec<users::User>,
    /// (page, tab, visible) in `layouts::TABS` order.
    pub layouts: Vec<(String, String, bool)>,
    pub jobs_enabled: Vec<(JobName, bool)>,
    /// Events the next activity sync would create if Sync Activities to Event were on.
    pub pending_events: i64,
    /// Each step's state as `crate::setup` derives it (shared with `ctctsync status`).
    pub progress: Vec<StepStatus>,
    /// When this was read (the wizard's clock for next fire times).
    pub now: DateTime<Utc>,
}

/// Reads the snapshot (runs on the query worker's read-only connection).
pub fn load(conn: &Connection) -> Result<SetupSnapshot, store::StoreError> {
    let stored = settings::all(conn)?;
    let mut values = BTreeMap::new();
    let mut explicit = BTreeSet::new();
    for def in KEYS {
        match stored.get(def.key) {
            Some(v) => {
                explicit.insert(def.key.to_string());
                values.insert(def.key.to_string(), v.clone());
            }
            None => {
                if let Some(d) = config::default_of(def.key) {
                    values.insert(def.key.to_string(), d);
                }
            }
        }
    }
    let wizard = stored
        .iter()
        .filter(|(k, _)| k.starts_with("wizard."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let cred = credentials::get(conn)?;
    let jobs_enabled = jobs::all(conn)?
        .into_iter()
        .map(|j| (j.name, j.enabled))
        .collect();
    Ok(SetupSnapshot {
        values,
        explicit,
        wizard,
        auth: cred.as_ref().map(|c| c.state).unwrap_or(AuthState::None),
        auth_reason: cred.as_ref().and_then(|c| c.state_reason.clone()),
        organization: cred.as_ref().and_then(|c| c.organization_name.clone()),
        users: users::all(conn)?,
        layouts: layouts::all(conn)?,
        jobs_enabled,
        pending_events: events::pending_count(conn)?,
        progress: setup::progress(conn)?
            .steps
            .into_iter()
            .map(|(_, st)| match st {
                setup::StepState::Done => StepStatus::Done,
                setup::StepState::Attention { reason } => StepStatus::Attention(reason),
                setup::StepState::NotStarted => StepStatus::NotStarted,
            })
            .collect(),
        now: Utc::now(),
    })
}

impl SetupSnapshot {
    /// An empty store's snapshot with fixed defaults (tests and the first frame).
    pub fn defaults(now: DateTime<Utc>, timezone: &str) -> SetupSnapshot {
        let mut values = BTreeMap::new();
        for def in KEYS {
            let v = if def.key == "schedule.timezone" {
                Some(timezone.to_string())
            } else {
                config::default_of(def.key)
            };
            if let Some(v) = v {
                values.insert(def.key.to_string(), v);
            }
        }
        SetupSnapshot {
            values,
            explicit: BTreeSet::new(),
            wizard: BTreeMap::new(),
            auth: AuthState::None,
            auth_reason: None,
            organization: None,
            users: Vec::new(),
            layouts: layouts::TABS
                .iter()
                .map(|(p, t, _)| (p.to_string(), t.to_string(), true))
                .collect(),
            jobs_enabled: JobName::ALL.iter().map(|j| (*j, true)).collect(),
            pending_events: 0,
            progress: StepId::ALL
                .iter()
                .map(|s| match s {
                    StepId::Settings
                    | StepId::Jobs
                    | StepId::Trigger
                    | StepId::Permissions
                    | StepId::Layouts => StepStatus::Done,
                    _ => StepStatus::NotStarted,
                })
                .collect(),
            now,
        }
    }

    pub fn value(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
    pub fn flag(&self, key: &str) -> bool {
        config::parse_bool(self.value(key)).unwrap_or(false)
    }
    pub fn wizard_value(&self, key: &str) -> Option<&str> {
        self.wizard.get(key).map(String::as_str)
    }
    pub fn authorized(&self) -> bool {
        self.auth == AuthState::Authorized
    }
    pub fn job_enabled(&self, job: JobName) -> bool {
        self.jobs_enabled
            .iter()
            .find(|(j, _)| *j == job)
            .is_none_or(|(_, on)| *on)
    }
    /// Whether `user` holds the permission (no users with it at all = everyone may).
    pub fn user_permitted(&self, user: &str) -> bool {
        let any = self.users.iter().any(|u| u.ctct_permission);
        !any || self
            .users
            .iter()
            .any(|u| u.username == user && u.ctct_permission)
    }

    /// The step's state: `crate::setup`'s derivation from the store — the same for every user,
    /// as `ctctsync status` says. Whether the running user lacks the permission is a note in the
    /// Permissions step ([`SetupSnapshot::permission_note`]), never a reason to reopen setup: a
    /// user without it would otherwise be sent to the wizard on every start.
    pub fn status(&self, step: StepId) -> StepStatus {
        self.progress
            .get(step.index())
            .cloned()
            .unwrap_or(StepStatus::NotStarted)
    }

    /// The warning the Permissions step shows when `user` would not see the Constant Contact
    /// tabs (the admin setting up must not lock themselves out unknowingly).
    pub fn permission_note(&self, user: &str) -> Option<String> {
        (!self.user_permitted(user)).then(|| {
            format!(
                "{user} (you) would not see the Constant Contact tabs: give yourself the permission"
            )
        })
    }

    /// Every step satisfied (the store's answer, the same for every user).
    pub fn is_complete(&self) -> bool {
        StepId::ALL.iter().all(|s| self.status(*s).is_done())
    }

    /// Whether the wizard should open at start: setup incomplete, or a wizard run was started
    /// and not finished (so quitting mid-way resumes there).
    pub fn wizard_needed(&self) -> bool {
        !self.is_complete()
            || (self.wizard.contains_key(CURRENT_STEP)
                && self.wizard_value(FINISHED) != Some("true"))
    }
}
