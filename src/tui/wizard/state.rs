//! The wizard's pure state machine: `update(event) -> Vec<Effect>`. No terminal, no I/O, no
//! awaiting — reads arrive as `Reply::Setup`, writes leave as `Effect::Write`, so every
//! transition is testable without a terminal or a store.
//!
//! Fields are drafts over the store's values: a draft is saved (validated by
//! `config::validate`) when it is left, when the step is confirmed or when the step changes; an
//! invalid draft stays on screen with the problem in words and counts as unsaved.

use std::collections::BTreeMap;

use crate::config;
use crate::ctct::reachability::ProbeReport;
use crate::store::jobs::JobName;
use crate::store::layouts;

use super::super::action::Action;
use super::super::effect::{Effect, Nav};
use super::super::keymap::Context;
use super::super::msg::Reply;
pub use super::super::screen::ScreenEvent;
use super::super::widgets::text_field::TextField;
use super::super::worker::{Query, WriteOp};
use super::oauth::{LoginCmd, LoginEvent};
use super::steps::{self, SetupSnapshot, StepId, StepStatus};

/// One focusable thing on a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// A text field for a config key.
    Field(&'static str),
    /// A boolean config key.
    Switch(&'static str),
    JobSwitch(JobName),
    /// "I registered this redirect URL" tick-box.
    RedirectTick,
    CopyRedirect,
    RunChecks,
    StartLogin,
    /// The field for the redirected URL (no-browser path).
    PasteUrl,
    User(String),
    /// Index into `layouts::TABS`.
    Layout(usize),
}

impl Control {
    pub fn is_text(&self) -> bool {
        matches!(self, Control::Field(_) | Control::PasteUrl)
    }
}

/// The config keys with a text field, by step.
pub fn field_keys(step: StepId) -> &'static [&'static str] {
    match step {
        StepId::Application => &["ctct.client_id", "ctct.client_secret"],
        StepId::Provider => &[
            "ctct.authorize_url",
            "ctct.token_url",
            "ctct.api_base",
            "ctct.scopes",
        ],
        StepId::Redirect => &["ctct.redirect_uri"],
        StepId::Settings => &["sync.activity_batch_size"],
        StepId::Jobs => &[
            "schedule.timezone",
            "schedule.synccontactlists",
            "schedule.synccontacts",
            "schedule.syncactivities",
        ],
        _ => &[],
    }
}

pub fn job_schedule_key(job: JobName) -> &'static str {
    match job {
        JobName::Synccontactlists => "schedule.synccontactlists",
        JobName::Synccontacts => "schedule.synccontacts",
        JobName::Syncactivities => "schedule.syncactivities",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Steps,
    /// Every step's outcome; Enter finishes.
    Summary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// Quit with these unsaved fields?
    QuitUnsaved(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginView {
    Idle,
    /// Waiting for earlier saves to land, then for the library to start.
    Starting,
    Waiting {
        url: String,
        browser_opened: bool,
        note: Option<String>,
    },
    Succeeded {
        organization: String,
    },
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    pub label: &'static str,
    pub url: String,
    /// None while running.
    pub report: Option<ProbeReport>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probes {
    pub run: u64,
    pub targets: Vec<ProbeTarget>,
}

impl Probes {
    pub fn running(&self) -> bool {
        self.targets.iter().any(|t| t.report.is_none())
    }
}

/// A line under the step: what just happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct WizardState {
    /// The CRM user running the wizard.
    pub user: String,
    /// None until the first read arrives.
    pub snapshot: Option<SetupSnapshot>,
    pub step: StepId,
    pub focus: usize,
    pub fields: BTreeMap<&'static str, TextField>,
    pub paste: TextField,
    pub phase: Phase,
    pub dialog: Option<Dialog>,
    /// Opened from the dashboard's Settings: finishing returns there.
    pub from_settings: bool,
    /// Start at this step instead of the saved one (reopened from Settings).
    pub start_step: Option<StepId>,
    pub probes: Option<Probes>,
    pub login: LoginView,
    pub notice: Option<Notice>,
    /// Generation of the latest Setup query; older replies are dropped.
    pub generation: u64,
    /// Spinner frame (advanced by ticks, so snapshots are stable).
    pub spinner: usize,
    /// Writes sent and not yet confirmed.
    pub saving: usize,
    /// Values to offer for unset keys (the demo prefills the sandbox's).
    pub prefill: BTreeMap<String, String>,
    /// The authorize address is shown alone, full-screen (`u`), while the login waits.
    pub url_alone: bool,
}

impl WizardState {
    pub fn new(user: &str) -> WizardState {
        WizardState {
            user: user.to_string(),
            url_alone: false,
            snapshot: None,
            step: StepId::Application,
            focus: 0,
            fields: BTreeMap::new(),
            paste: TextField::default(),
            phase: Phase::Steps,
            dialog: None,
            from_settings: false,
            start_step: None,
            probes: None,
            login: LoginView::Idle,
            notice: None,
            generation: 0,
            spinner: 0,
            saving: 0,
            prefill: BTreeMap::new(),
        }
    }

    /// The effects to run when the screen opens: read the store.
    pub fn init(&mut self) -> Vec<Effect> {
        vec![self.refresh()]
    }

    fn refresh(&mut self) -> Effect {
        self.generation += 1;
        Effect::Query {
            generation: self.generation,
            query: Query::Setup,
        }
    }

    pub fn status(&self, step: StepId) -> StepStatus {
        match &self.snapshot {
            Some(s) => s.status(step),
            None => StepStatus::NotStarted,
        }
    }

    /// The focusable controls of a step, in focus order.
    pub fn controls(&self, step: StepId) -> Vec<Control> {
        let f = |k: &'static str| Control::Field(k);
        match step {
            StepId::Application => vec![f("ctct.client_id"), f("ctct.client_secret")],
            StepId::Provider => field_keys(step).iter().map(|k| f(k)).collect(),
            StepId::Redirect => vec![
                f("ctct.redirect_uri"),
                Control::CopyRedirect,
                Control::RedirectTick,
            ],
            StepId::RemoteSites => vec![Control::RunChecks],
            StepId::Authorize => vec![Control::StartLogin, Control::PasteUrl],
            StepId::Settings => vec![
                Control::Switch("sync.lists_enabled"),
                Control::Switch("sync.contacts_enabled"),
                Control::Switch("sync.activities_enabled"),
                f("sync.activity_batch_size"),
                Control::Switch("sync.activities_to_events"),
            ],
            StepId::Jobs => {
                let mut v = vec![f("schedule.timezone")];
                for job in JobName::ALL {
                    v.push(Control::JobSwitch(job));
                    v.push(f(job_schedule_key(job)));
                }
                v
            }
            StepId::Trigger => vec![Control::Switch("sync.trigger_enabled")],
            StepId::Permissions => self
                .user_rows()
                .into_iter()
                .map(|(name, _, _)| Control::User(name))
                .collect(),
            StepId::Layouts => (0..layouts::TABS.len()).map(Control::Layout).collect(),
        }
    }

    /// (username, display name, has permission), the running user always included.
    pub fn user_rows(&self) -> Vec<(String, String, bool)> {
        let mut rows: Vec<(String, String, bool)> = self
            .snapshot
            .as_ref()
            .map(|s| {
                s.users
                    .iter()
                    .map(|u| {
                        (
                            u.username.clone(),
                            u.display_name.clone(),
                            u.ctct_permission,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !rows.iter().any(|(n, _, _)| *n == self.user) {
            rows.insert(0, (self.user.clone(), String::new(), false));
        }
        rows
    }

    pub fn focused(&self) -> Option<Control> {
        self.controls(self.step).get(self.focus).cloned()
    }

    /// Key contexts active now, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        if self.dialog.is_some() {
            return vec![Context::Dialog];
        }
        if self.showing_url_alone() {
            return vec![Context::UrlAlone, Context::Global];
        }
        let waiting =
            self.step == StepId::Authorize && matches!(self.login, LoginView::Waiting { .. });
        let mut v = self.step_contexts();
        if waiting && self.phase == Phase::Steps {
            // First, so the footer names it: the way out when no browser opened.
            v.insert(0, Context::WizardUrl);
        }
        v
    }

    /// The address alone is on screen (only while the login waits on the Authorize step).
    pub fn showing_url_alone(&self) -> bool {
        self.url_alone
            && self.step == StepId::Authorize
            && matches!(self.login, LoginView::Waiting { .. })
    }

    fn step_contexts(&self) -> Vec<Context> {
        if self.phase == Phase::Summary {
            return vec![Context::List, Context::Wizard, Context::Global];
        }
        match self.focused() {
            Some(Control::Field(k))
                if config::key_def(k).is_some_and(|d| d.kind == config::KeyKind::Secret) =>
            {
                vec![
                    Context::Secret,
                    Context::Text,
                    Context::Wizard,
                    Context::Global,
                ]
            }
            Some(c) if c.is_text() => vec![Context::Text, Context::Wizard, Context::Global],
            _ => vec![Context::List, Context::Wizard, Context::Global],
        }
    }

    /// Something moves on screen (a spinner): the runtime ticks only then.
    pub fn animating(&self) -> bool {
        self.probes.as_ref().is_some_and(Probes::running)
            || matches!(self.login, LoginView::Starting | LoginView::Waiting { .. })
    }

    /// The stored (effective) value of a key.
    pub fn stored(&self, key: &str) -> String {
        self.snapshot
            .as_ref()
            .map(|s| s.value(key).to_string())
            .unwrap_or_default()
    }

    /// Fields whose text differs from the store.
    pub fn unsaved(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, f)| f.value() != self.stored(k))
            .map(|(k, _)| field_label(k).to_string())
            .collect()
    }

    // ---- update -------------------------------------------------------------------------

    pub fn update(&mut self, ev: ScreenEvent) -> Vec<Effect> {
        match ev {
            ScreenEvent::Reply(r) => self.on_reply(r),
            ScreenEvent::Tick => {
                self.spinner = self.spinner.wrapping_add(1);
                Vec::new()
            }
            ScreenEvent::Key(k) => {
                self.on_text(|f| f.key(k));
                Vec::new()
            }
            ScreenEvent::Paste(text) => {
                self.on_text(|f| f.paste(&text));
                Vec::new()
            }
            ScreenEvent::Click { col, row, area } => self.on_click(col, row, area),
            ScreenEvent::Action(a) => {
                if self.snapshot.is_none() {
                    // Still loading: only quitting works.
                    return if a == Action::Quit {
                        vec![Effect::Quit]
                    } else {
                        Vec::new()
                    };
                }
                if let Some(d) = self.dialog.clone() {
                    return self.on_dialog(d, a);
                }
                match self.phase {
                    Phase::Summary => self.on_summary(a),
                    Phase::Steps => self.on_action(a),
                }
            }
        }
    }

    fn on_text(&mut self, edit: impl FnOnce(&mut TextField) -> bool) {
        match self.focused() {
            Some(Control::Field(k)) => {
                if let Some(f) = self.fields.get_mut(k)
                    && edit(f)
                {
                    f.error = config::validate(k, f.value()).err().map(|e| problem(&e));
                    if k == "ctct.client_secret" && f.value().is_empty() {
                        f.error = None;
                    }
                }
            }
            Some(Control::PasteUrl) => {
                edit(&mut self.paste);
                self.paste.error = None;
            }
            _ => {}
        }
    }

    fn on_dialog(&mut self, d: Dialog, a: Action) -> Vec<Effect> {
        match (d, a) {
            (Dialog::QuitUnsaved(_), Action::Yes | Action::Quit) => vec![Effect::Quit],
            (Dialog::QuitUnsaved(_), Action::No | Action::Back) => {
                self.dialog = None;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_summary(&mut self, a: Action) -> Vec<Effect> {
        match a {
            Action::Confirm => {
                let first_open = StepId::ALL.into_iter().find(|s| !self.status(*s).is_done());
                match first_open {
                    Some(step) => {
                        self.phase = Phase::Steps;
                        self.notice = Some(Notice {
                            error: true,
                            text: format!(
                                "Step {} “{}” is not done yet.",
                                step.number(),
                                step.title()
                            ),
                        });
                        self.go_to(step)
                    }
                    None => vec![
                        Effect::set_setting(steps::FINISHED, "true"),
                        Effect::Navigate(Nav::Dashboard),
                    ],
                }
            }
            Action::Back | Action::PrevPage => {
                self.phase = Phase::Steps;
                Vec::new()
            }
            Action::Quit => self.quit(),
            _ => Vec::new(),
        }
    }

    fn quit(&mut self) -> Vec<Effect> {
        let unsaved = self.unsaved();
        if unsaved.is_empty() {
            vec![Effect::Quit]
        } else {
            self.dialog = Some(Dialog::QuitUnsaved(unsaved));
            Vec::new()
        }
    }

    fn on_action(&mut self, a: Action) -> Vec<Effect> {
        let n = self.controls(self.step).len();
        match a {
            Action::Quit => self.quit(),
            Action::FocusNext | Action::Down => {
                let mut fx = self.commit_focused();
                if n > 0 {
                    self.focus = (self.focus + 1) % n;
                }
                fx.extend(self.on_focus_entered());
                fx
            }
            Action::FocusPrev | Action::Up => {
                let fx = self.commit_focused();
                if n > 0 {
                    self.focus = (self.focus + n - 1) % n;
                }
                fx
            }
            Action::Toggle => self.toggle(),
            Action::Confirm => self.confirm(),
            Action::NextPage => {
                let mut fx = self.commit_step();
                fx.extend(self.step_done_effects());
                match self.step.next() {
                    Some(next) => fx.extend(self.go_to(next)),
                    None => self.phase = Phase::Summary,
                }
                fx
            }
            Action::PrevPage | Action::Back => {
                let mut fx = self.commit_step();
                match self.step.prev() {
                    Some(prev) => fx.extend(self.go_to(prev)),
                    None if self.from_settings && a == Action::Back => {
                        fx.push(Effect::Navigate(Nav::Dashboard))
                    }
                    None => {}
                }
                fx
            }
            Action::Reveal => {
                if let Some(Control::Field(k)) = self.focused()
                    && let Some(f) = self.fields.get_mut(k)
                {
                    f.revealed = !f.revealed;
                }
                Vec::new()
            }
            Action::Copy => self.copy(),
            Action::ShowUrl => {
                self.url_alone = !self.showing_url_alone();
                Vec::new()
            }
            Action::Retry => match self.step {
                StepId::RemoteSites => self.run_checks(),
                StepId::Authorize => self.start_login(),
                _ => Vec::new(),
            },
            // Help is the runtime's; other screens' actions mean nothing here.
            _ => Vec::new(),
        }
    }

    fn on_focus_entered(&mut self) -> Vec<Effect> {
        Vec::new()
    }

    fn copy(&mut self) -> Vec<Effect> {
        let text = match (&self.step, &self.login) {
            (StepId::Authorize, LoginView::Waiting { url, .. }) => url.clone(),
            (StepId::Redirect, _) => self
                .fields
                .get("ctct.redirect_uri")
                .map(|f| f.value().to_string())
                .unwrap_or_default(),
            _ => return Vec::new(),
        };
        if text.is_empty() {
            return Vec::new();
        }
        self.notice = Some(Notice {
            error: false,
            text: "Copied to the clipboard (OSC 52; your terminal must allow it).".into(),
        });
        vec![Effect::Copy(text)]
    }

    /// Enter: press the focused button, or save and move on.
    fn confirm(&mut self) -> Vec<Effect> {
        let controls = self.controls(self.step);
        let last = self.focus + 1 >= controls.len();
        match self.focused() {
            Some(Control::CopyRedirect) => {
                // Copied: the next thing to do is the tick-box below, so Enter goes on to it.
                if !last {
                    self.focus += 1;
                }
                self.copy()
            }
            Some(Control::RunChecks) => {
                let done = self.status(StepId::RemoteSites).is_done();
                if done && self.probes.as_ref().is_some_and(|p| !p.running()) {
                    self.confirm_step()
                } else {
                    self.run_checks()
                }
            }
            Some(Control::StartLogin) => match self.login {
                LoginView::Succeeded { .. } => self.confirm_step(),
                _ if self.status(StepId::Authorize).is_done() && self.login == LoginView::Idle => {
                    self.confirm_step()
                }
                _ => self.start_login(),
            },
            Some(Control::PasteUrl) => {
                let url = self.paste.value().trim().to_string();
                if url.is_empty() {
                    if self.status(StepId::Authorize).is_done() {
                        return self.confirm_step();
                    }
                    self.paste.error = Some("paste the address the browser was sent to (it starts with the redirect URL)".into());
                    return Vec::new();
                }
                self.paste.set("");
                vec![Effect::Login(LoginCmd::Paste(url))]
            }
            Some(Control::Field(k)) => {
                let mut fx = self.commit_field(k);
                if self.fields.get(k).is_some_and(|f| f.error.is_some()) {
                    return fx;
                }
                if last {
                    fx.extend(self.confirm_step());
                } else {
                    self.focus += 1;
                }
                fx
            }
            _ => self.confirm_step(),
        }
    }

    /// Save the step; when every field is valid, go to the next step (or the summary).
    fn confirm_step(&mut self) -> Vec<Effect> {
        let mut fx = self.commit_step();
        if let Some(pos) = self
            .controls(self.step)
            .iter()
            .position(|c| matches!(c, Control::Field(k) if self.fields.get(k).is_some_and(|f| f.error.is_some())))
        {
            self.focus = pos;
            self.notice = Some(Notice {
                error: true,
                text: "Fix the field marked ✗ first.".into(),
            });
            return fx;
        }
        if self.step == StepId::Application
            && self
                .fields
                .get("ctct.client_id")
                .is_some_and(|f| f.value().trim().is_empty())
        {
            self.focus = 0;
            self.notice = Some(Notice {
                error: true,
                text: "Enter the API key from the developer portal.".into(),
            });
            return fx;
        }
        fx.extend(self.step_done_effects());
        if self.from_settings {
            // Reopened from the dashboard's Settings: one step, then back.
            fx.push(Effect::Navigate(Nav::Dashboard));
            return fx;
        }
        match self.step.next() {
            Some(next) => fx.extend(self.go_to(next)),
            None => {
                self.phase = Phase::Summary;
                self.notice = None;
            }
        }
        fx
    }

    /// Steps confirmed without a stored value of their own remember the confirmation.
    fn step_done_effects(&mut self) -> Vec<Effect> {
        if self.step == StepId::Provider
            && self
                .snapshot
                .as_ref()
                .and_then(|s| s.wizard_value(steps::PROVIDER_CONFIRMED))
                != Some("true")
            && field_keys(StepId::Provider)
                .iter()
                .all(|k| self.fields.get(k).is_some_and(|f| f.error.is_none()))
        {
            return self.write(vec![WriteOp::Setting {
                key: steps::PROVIDER_CONFIRMED.into(),
                value: "true".into(),
            }]);
        }
        Vec::new()
    }

    /// Move to a step: remember it in the store; start the reachability checks on arrival.
    pub fn go_to(&mut self, step: StepId) -> Vec<Effect> {
        self.step = step;
        self.focus = 0;
        self.phase = Phase::Steps;
        if !matches!(self.notice, Some(Notice { error: true, .. })) {
            self.notice = None;
        }
        let mut fx = Vec::new();
        if !self.from_settings {
            fx.extend(self.write(vec![WriteOp::Setting {
                key: steps::CURRENT_STEP.into(),
                value: step.key().into(),
            }]));
        }
        if step == StepId::RemoteSites && self.probes.is_none() && !self.status(step).is_done() {
            fx.extend(self.run_checks());
        }
        fx
    }

    fn write(&mut self, ops: Vec<WriteOp>) -> Vec<Effect> {
        self.saving += 1;
        vec![Effect::Write(ops)]
    }

    fn commit_focused(&mut self) -> Vec<Effect> {
        match self.focused() {
            Some(Control::Field(k)) => self.commit_field(k),
            _ => Vec::new(),
        }
    }

    fn commit_step(&mut self) -> Vec<Effect> {
        let mut fx = Vec::new();
        for k in field_keys(self.step) {
            fx.extend(self.commit_field(k));
        }
        fx
    }

    /// Validates a draft; a valid changed value is saved (and shown normalized at once).
    fn commit_field(&mut self, key: &'static str) -> Vec<Effect> {
        let stored = self.stored(key);
        let Some(f) = self.fields.get_mut(key) else {
            return Vec::new();
        };
        if f.value() == stored {
            f.error = None;
            return Vec::new();
        }
        if key == "ctct.client_secret" && f.value().trim().is_empty() {
            f.error = None;
            return Vec::new();
        }
        match config::validate(key, f.value()) {
            Ok(v) => {
                f.error = None;
                f.set(&v);
                if let Some(s) = self.snapshot.as_mut() {
                    s.values.insert(key.to_string(), v.clone());
                    s.explicit.insert(key.to_string());
                }
                self.write(vec![WriteOp::Config {
                    key: key.to_string(),
                    value: v,
                }])
            }
            Err(e) => {
                f.error = Some(problem(&e));
                Vec::new()
            }
        }
    }

    fn toggle(&mut self) -> Vec<Effect> {
        let focused = self.focused();
        let Some(snap) = self.snapshot.as_mut() else {
            return Vec::new();
        };
        match focused {
            Some(Control::Switch(k)) => {
                let on = !snap.flag(k);
                snap.values.insert(k.to_string(), on.to_string());
                snap.explicit.insert(k.to_string());
                if k == "sync.activities_to_events" && on {
                    let n = snap.pending_events;
                    self.notice = Some(Notice {
                        error: false,
                        text: format!(
                            "Warning: the next activity sync will create {n} event{} for activities already synced.",
                            if n == 1 { "" } else { "s" }
                        ),
                    });
                }
                self.write(vec![WriteOp::Config {
                    key: k.to_string(),
                    value: on.to_string(),
                }])
            }
            Some(Control::JobSwitch(job)) => {
                let on = !snap.job_enabled(job);
                match snap.jobs_enabled.iter_mut().find(|(j, _)| *j == job) {
                    Some(entry) => entry.1 = on,
                    None => snap.jobs_enabled.push((job, on)),
                }
                self.write(vec![WriteOp::JobEnabled { job, on }])
            }
            Some(Control::RedirectTick) => {
                let ticked = snap.wizard_value(steps::REDIRECT_CONFIRMED) == Some("true");
                let mut fx = self.commit_field("ctct.redirect_uri");
                if self
                    .fields
                    .get("ctct.redirect_uri")
                    .is_some_and(|f| f.error.is_some())
                {
                    return fx;
                }
                let Some(snap) = self.snapshot.as_mut() else {
                    return fx;
                };
                let value = (!ticked).to_string();
                snap.wizard
                    .insert(steps::REDIRECT_CONFIRMED.into(), value.clone());
                let authorized = snap.auth == crate::store::credentials::AuthState::Authorized;
                if let Some(st) = snap.progress.get_mut(StepId::Redirect.index())
                    && !authorized
                {
                    *st = if ticked {
                        StepStatus::NotStarted
                    } else {
                        StepStatus::Done
                    };
                }
                fx.extend(self.write(vec![WriteOp::Setting {
                    key: steps::REDIRECT_CONFIRMED.into(),
                    value,
                }]));
                fx
            }
            Some(Control::User(name)) => {
                let on = !snap
                    .users
                    .iter()
                    .any(|u| u.username == name && u.ctct_permission);
                match snap.users.iter_mut().find(|u| u.username == name) {
                    Some(u) => u.ctct_permission = on,
                    None => snap.users.push(crate::store::users::User {
                        username: name.clone(),
                        display_name: String::new(),
                        ctct_permission: on,
                    }),
                }
                self.write(vec![
                    WriteOp::User {
                        username: name.clone(),
                    },
                    WriteOp::Permission { username: name, on },
                ])
            }
            Some(Control::Layout(i)) => {
                let Some((page, tab, _)) = layouts::TABS.get(i) else {
                    return Vec::new();
                };
                let visible = snap
                    .layouts
                    .iter()
                    .find(|(p, t, _)| p == page && t == tab)
                    .is_none_or(|(_, _, v)| *v);
                let on = !visible;
                if let Some(row) = snap
                    .layouts
                    .iter_mut()
                    .find(|(p, t, _)| p == page && t == tab)
                {
                    row.2 = on;
                }
                self.write(vec![WriteOp::Layout {
                    page: page.to_string(),
                    tab: tab.to_string(),
                    on,
                }])
            }
            _ => Vec::new(),
        }
    }

    fn run_checks(&mut self) -> Vec<Effect> {
        let run = self.probes.as_ref().map(|p| p.run + 1).unwrap_or(1);
        // Drafts of step 2 were saved when it was left; check what is stored.
        let targets = vec![
            ProbeTarget {
                label: "API host",
                url: self.stored("ctct.api_base"),
                report: None,
            },
            ProbeTarget {
                label: "Token host",
                url: self.stored("ctct.token_url"),
                report: None,
            },
        ];
        let urls = targets.iter().map(|t| t.url.clone()).collect();
        self.probes = Some(Probes { run, targets });
        vec![Effect::Probe { run, targets: urls }]
    }

    fn start_login(&mut self) -> Vec<Effect> {
        if self.stored("ctct.client_id").is_empty()
            || !self
                .snapshot
                .as_ref()
                .is_some_and(|s| s.explicit.contains("ctct.client_id"))
        {
            self.login = LoginView::Failed {
                reason: "the API key is missing: enter it in step 1 (Constant Contact application) first".into(),
            };
            return Vec::new();
        }
        self.login = LoginView::Starting;
        if self.saving == 0 {
            vec![Effect::Login(LoginCmd::Begin)]
        } else {
            // Begin once the pending saves have landed, so the login reads them.
            Vec::new()
        }
    }

    fn on_reply(&mut self, r: Reply) -> Vec<Effect> {
        match r {
            Reply::Setup { generation, result } => {
                if generation != self.generation {
                    return Vec::new();
                }
                match result {
                    Ok(snap) => self.on_snapshot(*snap),
                    Err(e) => {
                        self.notice = Some(Notice {
                            error: true,
                            text: e,
                        });
                        Vec::new()
                    }
                }
            }
            Reply::Saved { result } => {
                self.saving = self.saving.saturating_sub(1);
                if let Err(e) = result {
                    self.notice = Some(Notice {
                        error: true,
                        text: format!("Not saved: {e}"),
                    });
                }
                let mut fx = vec![self.refresh()];
                if self.saving == 0 && self.login == LoginView::Starting {
                    fx.push(Effect::Login(LoginCmd::Begin));
                }
                fx
            }
            Reply::Probe {
                run,
                target,
                report,
            } => {
                let Some(p) = self.probes.as_mut().filter(|p| p.run == run) else {
                    return Vec::new();
                };
                if let Some(t) = p.targets.get_mut(target) {
                    t.report = Some(report);
                }
                if p.running() {
                    return Vec::new();
                }
                let failed: Vec<String> = p
                    .targets
                    .iter()
                    .filter_map(|t| {
                        t.report
                            .as_ref()
                            .and_then(|r| r.reason().map(|why| format!("{}: {why}", t.label)))
                    })
                    .collect();
                let ok = failed.is_empty();
                if let Some(s) = self.snapshot.as_mut() {
                    s.wizard
                        .insert(steps::REMOTE_SITES_OK.into(), ok.to_string());
                }
                self.write(vec![WriteOp::Setting {
                    key: steps::REMOTE_SITES_OK.into(),
                    value: ok.to_string(),
                }])
            }
            Reply::Login(ev) => {
                match ev {
                    LoginEvent::PasteRejected { reason } => {
                        self.paste.error = Some(reason);
                        Vec::new()
                    }
                    LoginEvent::Started {
                        url,
                        browser_opened,
                        note,
                    } => {
                        self.login = LoginView::Waiting {
                            url,
                            browser_opened,
                            note,
                        };
                        // Focus the paste field when no browser opened.
                        if !browser_opened && self.step == StepId::Authorize {
                            self.focus = 1;
                        }
                        Vec::new()
                    }
                    LoginEvent::Succeeded { organization } => {
                        self.login = LoginView::Succeeded { organization };
                        if self.step == StepId::Authorize {
                            self.focus = 0;
                        }
                        vec![self.refresh()]
                    }
                    LoginEvent::Failed { reason } => {
                        self.login = LoginView::Failed { reason };
                        vec![self.refresh()]
                    }
                }
            }
            // Other screens' replies (a dashboard reply arriving after a switch).
            _ => Vec::new(),
        }
    }

    fn on_snapshot(&mut self, snap: SetupSnapshot) -> Vec<Effect> {
        let first = self.snapshot.is_none();
        let mut fx = Vec::new();
        for step in StepId::ALL {
            for key in field_keys(step) {
                let new = snap.value(key).to_string();
                let secret =
                    config::key_def(key).is_some_and(|d| d.kind == config::KeyKind::Secret);
                match self.fields.get_mut(key) {
                    None => {
                        let initial = if snap.explicit.contains(*key) {
                            new
                        } else {
                            self.prefill.get(*key).cloned().unwrap_or(new)
                        };
                        self.fields.insert(key, TextField::new(&initial, secret));
                    }
                    Some(f) => {
                        let old = self
                            .snapshot
                            .as_ref()
                            .map(|s| s.value(key).to_string())
                            .unwrap_or_default();
                        // Keep the admin's draft; follow the store where there is none.
                        if f.value() == old && f.value() != new {
                            f.set(&new);
                            f.error = None;
                        }
                    }
                }
            }
        }
        self.snapshot = Some(snap);
        if first {
            let saved = self
                .snapshot
                .as_ref()
                .and_then(|s| s.wizard_value(steps::CURRENT_STEP))
                .and_then(StepId::parse);
            let step = self.start_step.or(saved).unwrap_or(StepId::Application);
            self.step = step;
            self.focus = 0;
            if step == StepId::RemoteSites && !self.status(step).is_done() {
                fx.extend(self.run_checks());
            }
            if self.start_step.is_none() && saved.is_none() && !self.from_settings {
                fx.extend(self.write(vec![WriteOp::Setting {
                    key: steps::CURRENT_STEP.into(),
                    value: step.key().into(),
                }]));
            }
        }
        let n = self.controls(self.step).len();
        if n > 0 && self.focus >= n {
            self.focus = n - 1;
        }
        fx
    }

    fn on_click(&mut self, col: u16, row: u16, area: ratatui::layout::Rect) -> Vec<Effect> {
        if self.dialog.is_some() || self.snapshot.is_none() {
            return Vec::new();
        }
        let layout = super::view::layout(self, area);
        if let Some(step) = layout.step_at(col, row) {
            let mut fx = self.commit_step();
            fx.extend(self.go_to(step));
            return fx;
        }
        if self.phase == Phase::Steps
            && let Some(i) = super::view::control_at(self, area, col, row)
        {
            let mut fx = Vec::new();
            if i != self.focus {
                fx.extend(self.commit_focused());
                self.focus = i;
                return fx;
            }
            // A second click on a switch toggles it; on a button, presses it.
            return match self.focused() {
                Some(
                    Control::Switch(_)
                    | Control::JobSwitch(_)
                    | Control::RedirectTick
                    | Control::User(_)
                    | Control::Layout(_),
                ) => self.toggle(),
                Some(Control::CopyRedirect | Control::RunChecks | Control::StartLogin) => {
                    self.confirm()
                }
                _ => fx,
            };
        }
        Vec::new()
    }
}

/// The problem part of a config error (the key is named by the field's label already).
fn problem(e: &config::ConfigError) -> String {
    match e {
        config::ConfigError::Invalid { problem, .. } => problem.clone(),
        other => other.to_string(),
    }
}

/// The label of a config key's field.
pub fn field_label(key: &str) -> &'static str {
    match key {
        "ctct.client_id" => "API key",
        "ctct.client_secret" => "Client secret",
        "ctct.authorize_url" => "Authorize endpoint",
        "ctct.token_url" => "Token endpoint",
        "ctct.api_base" => "API base URL",
        "ctct.redirect_uri" => "Redirect URL",
        "ctct.scopes" => "Scopes",
        "sync.lists_enabled" => "Sync contact lists",
        "sync.contacts_enabled" => "Sync contacts",
        "sync.activities_enabled" => "Sync activities",
        "sync.trigger_enabled" => "List-membership trigger",
        "sync.activities_to_events" => "Sync Activities to Event",
        "sync.activity_batch_size" => "Activity batch size",
        "schedule.timezone" => "Time zone",
        "schedule.synccontactlists" => "CTCT sync contact list",
        "schedule.synccontacts" => "CTCT sync contact",
        "schedule.syncactivities" => "CTCT sync activity",
        _ => "field",
    }
}
