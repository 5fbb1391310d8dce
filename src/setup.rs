//! Setup progress: the ten steps of SPEC §4 and whether each is satisfied, derived from the store
//! (never from having visited a screen). The wizard, `ctctsync status` and the dashboard's banner
//! all read it from here.

use rusqlite::Connection;

use crate::config;
use crate::store::{self, credentials::AuthState, settings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Application,
    AuthProvider,
    RedirectUrl,
    RemoteSites,
    Authorize,
    IntegrationSettings,
    SyncJobs,
    Trigger,
    Permissions,
    Layouts,
}

impl Step {
    pub const ALL: [Step; 10] = [
        Step::Application,
        Step::AuthProvider,
        Step::RedirectUrl,
        Step::RemoteSites,
        Step::Authorize,
        Step::IntegrationSettings,
        Step::SyncJobs,
        Step::Trigger,
        Step::Permissions,
        Step::Layouts,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Application => "Constant Contact application",
            Step::AuthProvider => "Auth provider",
            Step::RedirectUrl => "Redirect URL",
            Step::RemoteSites => "Remote sites",
            Step::Authorize => "Authorize",
            Step::IntegrationSettings => "Integration settings",
            Step::SyncJobs => "Sync jobs",
            Step::Trigger => "Trigger",
            Step::Permissions => "Permissions",
            Step::Layouts => "Layouts",
        }
    }

    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Settings keys the wizard writes for steps that have no configuration key of their own.
pub const KEY_PROVIDER_CONFIRMED: &str = "wizard.provider_confirmed";
pub const KEY_REDIRECT_CONFIRMED: &str = "wizard.redirect_confirmed";
pub const KEY_REMOTE_SITES_OK: &str = "wizard.remote_sites_ok";
pub const KEY_CURRENT_STEP: &str = "wizard.current_step";
pub const KEY_FINISHED: &str = "wizard.finished";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepState {
    Done,
    /// Something must be fixed; the words say what.
    Attention {
        reason: String,
    },
    NotStarted,
}

impl StepState {
    pub fn is_done(&self) -> bool {
        matches!(self, StepState::Done)
    }
    /// Glyph and word, never colour alone.
    pub fn mark(&self) -> (&'static str, &'static str) {
        match self {
            StepState::Done => ("✓", "done"),
            StepState::Attention { .. } => ("!", "needs attention"),
            StepState::NotStarted => ("·", "not started"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub steps: Vec<(Step, StepState)>,
}

impl Progress {
    pub fn done_count(&self) -> usize {
        self.steps.iter().filter(|(_, s)| s.is_done()).count()
    }
    pub fn complete(&self) -> bool {
        self.done_count() == self.steps.len()
    }
    pub fn state(&self, step: Step) -> &StepState {
        self.steps
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, st)| st)
            .unwrap_or(&StepState::NotStarted)
    }
    /// The first step that is not done (where the wizard opens when it has no saved step).
    pub fn first_open(&self) -> Option<Step> {
        self.steps
            .iter()
            .find(|(_, s)| !s.is_done())
            .map(|(s, _)| *s)
    }
}

fn flag(conn: &Connection, key: &str) -> store::Result<bool> {
    Ok(settings::get(conn, key)?.and_then(|v| config::parse_bool(&v)) == Some(true))
}

/// Derives every step's state from the store.
pub fn progress(conn: &Connection) -> store::Result<Progress> {
    let auth = store::credentials::state(conn)?;
    let authorized = auth == AuthState::Authorized;
    let mut steps = Vec::with_capacity(10);

    // 1. Application: a valid API key (the secret is optional with PKCE).
    let app = match settings::get(conn, "ctct.client_id")? {
        Some(id) => match config::validate_api_key(&id) {
            Ok(()) => StepState::Done,
            Err(e) => StepState::Attention { reason: e },
        },
        None if authorized => StepState::Done,
        None => StepState::NotStarted,
    };
    steps.push((Step::Application, app));

    // 2. Auth provider: prefilled defaults, confirmed by the admin, set by `config set`, or proven by
    // a successful authorization. Any invalid stored value needs attention.
    let provider_keys = [
        "ctct.authorize_url",
        "ctct.token_url",
        "ctct.api_base",
        "ctct.scopes",
    ];
    let mut provider = StepState::NotStarted;
    let mut any_set = false;
    for k in provider_keys {
        if let Some(v) = settings::get(conn, k)? {
            any_set = true;
            if let Err(e) = config::validate(k, &v) {
                provider = StepState::Attention {
                    reason: e.to_string(),
                };
                break;
            }
        }
    }
    if provider == StepState::NotStarted
        && (any_set || authorized || flag(conn, KEY_PROVIDER_CONFIRMED)?)
    {
        provider = StepState::Done;
    }
    steps.push((Step::AuthProvider, provider));

    // 3. Redirect URL registered (ticked by the admin) — proven by a successful authorization.
    let redirect = match settings::get(conn, "ctct.redirect_uri")? {
        Some(v) if config::validate("ctct.redirect_uri", &v).is_err() => StepState::Attention {
            reason: format!("the redirect URL `{v}` is not valid"),
        },
        _ if authorized || flag(conn, KEY_REDIRECT_CONFIRMED)? => StepState::Done,
        _ => StepState::NotStarted,
    };
    steps.push((Step::RedirectUrl, redirect));

    // 4. Remote sites reachable (last check passed) — proven by a successful authorization.
    let remote = match settings::get(conn, KEY_REMOTE_SITES_OK)?.as_deref() {
        _ if authorized => StepState::Done,
        Some("true") => StepState::Done,
        Some("false") => StepState::Attention {
            reason: "the last reachability check failed; run it again".into(),
        },
        _ => StepState::NotStarted,
    };
    steps.push((Step::RemoteSites, remote));

    // 5. Authorize.
    let authorize = match auth {
        AuthState::Authorized => StepState::Done,
        AuthState::NeedsAuthorization => StepState::Attention {
            reason: store::credentials::get(conn)?
                .and_then(|c| c.state_reason)
                .unwrap_or_else(|| "authorization expired or was revoked; authorize again".into()),
        },
        AuthState::None => StepState::NotStarted,
    };
    steps.push((Step::Authorize, authorize));

    // 6. Integration settings: defaults are sensible; an invalid stored value needs attention.
    steps.push((
        Step::IntegrationSettings,
        keys_state(
            conn,
            &[
                "sync.lists_enabled",
                "sync.contacts_enabled",
                "sync.activities_enabled",
                "sync.activities_to_events",
                "sync.activity_batch_size",
            ],
        )?,
    ));

    // 7. Sync jobs: valid schedules and zone (defaults are valid).
    steps.push((
        Step::SyncJobs,
        keys_state(
            conn,
            &[
                "schedule.timezone",
                "schedule.synccontactlists",
                "schedule.synccontacts",
                "schedule.syncactivities",
            ],
        )?,
    ));

    // 8. Trigger: on by default.
    steps.push((Step::Trigger, keys_state(conn, &["sync.trigger_enabled"])?));

    // 9. Permissions: satisfied by default (with no users configured, everyone may see the tabs);
    // configured users but nobody holding the permission needs attention.
    let users = store::users::all(conn)?;
    let perms = if !users.is_empty() && !users.iter().any(|u| u.ctct_permission) {
        StepState::Attention {
            reason: "no user holds the Constant Contact permission; nobody will see the Constant Contact tabs".into(),
        }
    } else {
        StepState::Done
    };
    steps.push((Step::Permissions, perms));

    // 10. Layouts: defaults (every tab shown).
    steps.push((Step::Layouts, StepState::Done));

    Ok(Progress { steps })
}

fn keys_state(conn: &Connection, keys: &[&str]) -> store::Result<StepState> {
    for k in keys {
        if let Some(v) = settings::get(conn, k)?
            && let Err(e) = config::validate(k, &v)
        {
            return Ok(StepState::Attention {
                reason: e.to_string(),
            });
        }
    }
    Ok(StepState::Done)
}
