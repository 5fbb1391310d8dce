//! The right-hand pane of each step, as a list of lines tagged with the control they show, so
//! drawing, scrolling and mouse hit-testing all read the same list. Pure: state in, lines out.

use chrono::Utc;
use ratatui::text::{Line, Span};

use crate::ctct::reachability::Check;
use crate::schedule::cron::{Schedule, parse_tz};
use crate::store::layouts;

use super::super::theme::{MARKER, NO_MARKER, Theme};
use super::super::widgets::{self, text_field::TextField};
use super::state::{Control, LoginView, Phase, WizardState, field_label, job_schedule_key};
use super::steps::{StepId, StepStatus};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub struct BodyLine {
    pub line: Line<'static>,
    /// The index of the control this line shows (clicks focus it).
    pub control: Option<usize>,
    /// A blank separator (ends the lines that belong to the previous control).
    pub gap: bool,
}

struct Lines {
    out: Vec<BodyLine>,
    width: usize,
    theme: Theme,
}

impl Lines {
    fn push(&mut self, line: Line<'static>, control: Option<usize>) {
        self.out.push(BodyLine {
            line,
            control,
            gap: false,
        });
    }
    fn gap(&mut self) {
        self.out.push(BodyLine {
            line: Line::raw(""),
            control: None,
            gap: true,
        });
    }
    /// Wrapped text with an indent.
    fn text(&mut self, s: &str, indent: usize) {
        for l in widgets::wrap(s, self.width.saturating_sub(indent)) {
            self.push(Line::raw(format!("{}{l}", " ".repeat(indent))), None);
        }
    }
    fn styled(
        &mut self,
        s: &str,
        indent: usize,
        style: ratatui::style::Style,
        control: Option<usize>,
    ) {
        for l in widgets::wrap(s, self.width.saturating_sub(indent)) {
            self.push(
                Line::styled(format!("{}{l}", " ".repeat(indent)), style),
                control,
            );
        }
    }
}

fn marker(focused: bool) -> &'static str {
    if focused { MARKER } else { NO_MARKER }
}

/// The lines of the current step (or the summary) for a pane `width` columns wide.
pub fn lines(state: &WizardState, width: usize, theme: &Theme) -> Vec<BodyLine> {
    let mut l = Lines {
        out: Vec::new(),
        width,
        theme: *theme,
    };
    if state.snapshot.is_none() {
        l.text("Reading the setup state…", 0);
        return l.out;
    }
    if state.phase == Phase::Summary {
        summary(state, &mut l);
        return l.out;
    }
    intro(state.step, state, &mut l);
    l.gap();
    let controls = state.controls(state.step);
    for (i, c) in controls.iter().enumerate() {
        control(state, c, i, &mut l);
    }
    outro(state, &mut l);
    l.out
}

fn intro(step: StepId, state: &WizardState, l: &mut Lines) {
    match step {
        StepId::Application => {
            l.text("In the Constant Contact developer portal:", 0);
            l.text(
                "1. Create an application. Its name must not mention Constant Contact or CTCT.",
                2,
            );
            l.text("2. Copy its API key.", 2);
            l.text(
                "3. Generate the client secret (the portal shows it only once).",
                2,
            );
            l.text("Enter them here:", 0);
        }
        StepId::Provider => {
            l.text("OAuth2 settings, prefilled for Constant Contact. Change them only for the sandbox or a proxy.", 0);
            l.text(
                "PKCE (S256): on · access token: sent in the Authorization header",
                0,
            );
        }
        StepId::Redirect => {
            l.text("Register this exact URL as the application's Redirect URI in the developer portal. ctctsync listens on it while you authorize:", 0);
            let url = state
                .fields
                .get("ctct.redirect_uri")
                .map(|f| f.value().to_string())
                .unwrap_or_default();
            let t = l.theme;
            l.styled(&url, 2, t.title(), None);
        }

        StepId::RemoteSites => {
            l.text("ctctsync must reach these hosts: each is checked for DNS, a secure connection and an HTTP answer.", 0);
        }
        StepId::Authorize => {
            l.text("ctctsync opens your browser at Constant Contact's sign-in page. Sign in and choose Allow; the tokens are stored here.", 0);
            login_state(state, l);
        }
        StepId::Settings => {
            let cred = state
                .snapshot
                .as_ref()
                .and_then(|s| s.organization.clone())
                .filter(|_| state.status(StepId::Authorize).is_done())
                .unwrap_or_else(|| "not authorized yet".into());
            l.text(&format!("API version v3 · credential: {cred}"), 0);
        }
        StepId::Jobs => {
            l.text("Schedules are Quartz cron (sec min hour day month weekday), read in the time zone.", 0);
        }
        StepId::Trigger => {
            l.text("The “CTCT Contact List Membership” trigger pushes contact creations and edits (email, names, Do Not Email) to Constant Contact at once, without waiting for a job.", 0);
        }
        StepId::Permissions => {
            l.text("Who holds the Constant Contact permission? Only they see the Constant Contact tabs. While nobody is picked, everyone sees them.", 0);
        }
        StepId::Layouts => {
            l.text(
                "Which Constant Contact tabs the contact and client pages show:",
                0,
            );
        }
    }
}

fn login_state(state: &WizardState, l: &mut Lines) {
    let spin = SPINNER[state.spinner % SPINNER.len()];
    let t = l.theme;
    match &state.login {
        LoginView::Idle => {
            if let Some(s) = &state.snapshot {
                match state.status(StepId::Authorize) {
                    StepStatus::Done => l.styled(
                        &format!(
                            "✓ Authenticated — {}",
                            s.organization
                                .clone()
                                .unwrap_or_else(|| "(account name unknown)".into())
                        ),
                        0,
                        t.ok(),
                        None,
                    ),
                    StepStatus::Attention(why) => l.styled(&format!("! {why}"), 0, t.warn(), None),
                    StepStatus::NotStarted => l.text("· Not authorized yet.", 0),
                }
            }
        }
        LoginView::Starting => l.text(&format!("{spin} Starting…"), 0),
        LoginView::Waiting {
            url,
            browser_opened,
            note,
        } => {
            l.text(&format!("{spin} Waiting for you to choose Allow…"), 0);
            if *browser_opened {
                l.text("The browser opened at:", 0);
            } else {
                l.text(
                    "No browser could be opened. Open this address yourself (C-y copies it):",
                    0,
                );
            }
            if let Some(n) = note {
                l.styled(&format!("({n})"), 0, t.dim(), None);
            }
            // The whole address, however many lines it takes (the body scrolls): a person
            // without a browser here must be able to read it.
            for w in widgets::wrap(url, l.width.saturating_sub(2)) {
                l.push(Line::styled(format!("  {w}"), t.link()), None);
            }
            l.styled(
                "u shows the address alone, full-screen, to select it with the mouse.",
                0,
                t.dim(),
                None,
            );
        }
        LoginView::Succeeded { organization } => l.styled(
            &format!("✓ Authenticated — {organization}"),
            0,
            t.ok(),
            None,
        ),
        LoginView::Failed { reason } => {
            l.styled(&format!("✗ Not authorized: {reason}"), 0, t.error(), None);
            l.text("Press r to try again.", 0);
        }
    }
}

fn check_box(on: bool) -> &'static str {
    if on { "[x] on " } else { "[ ] off" }
}

fn control(state: &WizardState, c: &Control, i: usize, l: &mut Lines) {
    let focused = state.focus == i && state.dialog.is_none();
    let t = l.theme;
    let sel = |line: Line<'static>| {
        if focused {
            line.style(t.selected())
        } else {
            line
        }
    };
    let Some(snap) = &state.snapshot else { return };
    match c {
        Control::Field(key) => {
            if let Some(f) = state.fields.get(key) {
                // Under its job's switch, a schedule field needs no job name of its own.
                let label = if job_schedule_key_of(key) {
                    "  schedule"
                } else {
                    field_label(key)
                };
                field_line(label, f, focused, i, l);
            }
            if *key == "ctct.client_secret" {
                l.styled("optional with PKCE · C-r shows it", 4, t.dim(), Some(i));
            }
            if job_schedule_key_of(key) {
                schedule_preview(state, key, i, l);
            }
        }
        Control::Switch(key) => {
            let on = snap.flag(key);
            l.push(
                sel(Line::from(format!(
                    "{}{} {}",
                    marker(focused),
                    check_box(on),
                    field_label(key)
                ))),
                Some(i),
            );
            if *key == "sync.activities_to_events" && on {
                let n = snap.pending_events;
                l.styled(
                    &format!("! warning: the next activity sync will create {n} event{} — one per contact and campaign email already synced, not only new ones.", if n == 1 { "" } else { "s" }),
                    4,
                    t.warn(),
                    Some(i),
                );
            }
        }
        Control::JobSwitch(job) => {
            let on = snap.job_enabled(*job);
            l.push(
                sel(Line::from(format!(
                    "{}{} {}",
                    marker(focused),
                    check_box(on),
                    job.display_name()
                ))),
                Some(i),
            );
        }
        Control::RedirectTick => {
            let on = snap.wizard_value(super::steps::REDIRECT_CONFIRMED) == Some("true");
            l.push(
                sel(Line::from(format!(
                    "{}{} I registered it in the developer portal",
                    marker(focused),
                    if on { "[x]" } else { "[ ]" }
                ))),
                Some(i),
            );
        }
        Control::CopyRedirect => {
            l.push(
                sel(Line::from(format!(
                    "{}< Copy the URL >  (c)",
                    marker(focused)
                ))),
                Some(i),
            );
        }
        Control::RunChecks => {
            let label = if state.probes.is_some() {
                "< Check again >  (r)"
            } else {
                "< Check now >"
            };
            l.push(
                sel(Line::from(format!("{}{label}", marker(focused)))),
                Some(i),
            );
        }
        Control::StartLogin => {
            let label = match state.login {
                LoginView::Waiting { .. } | LoginView::Starting => "< Start again >",
                LoginView::Failed { .. } => "< Try again >  (r)",
                LoginView::Succeeded { .. } => "< Continue >   (r authorizes again)",
                _ if state.status(StepId::Authorize).is_done() => {
                    "< Continue >   (r authorizes again)"
                }
                _ => "< Authorize in the browser >",
            };
            l.push(
                sel(Line::from(format!("{}{label}", marker(focused)))),
                Some(i),
            );
        }
        Control::PasteUrl => {
            l.gap();
            l.text("Without a browser here: open the address on any machine, choose Allow, then paste the address it was sent to:", 0);
            field_line("Redirected URL", &state.paste, focused, i, l);
        }
        Control::User(name) => {
            let rows = state.user_rows();
            let (display, on) = rows
                .iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, d, on)| (d.clone(), *on))
                .unwrap_or_default();
            let shown = user_label(name, &display, *name == state.user);
            l.push(
                sel(Line::from(format!(
                    "{}{} {shown}",
                    marker(focused),
                    if on { "[x]" } else { "[ ]" }
                ))),
                Some(i),
            );
        }
        Control::Layout(idx) => {
            let Some((page, tab, label)) = layouts::TABS.get(*idx) else {
                return;
            };
            let on = snap
                .layouts
                .iter()
                .find(|(p, tb, _)| p == page && tb == tab)
                .is_none_or(|(_, _, v)| *v);
            l.push(
                sel(Line::from(format!(
                    "{}{} {label}",
                    marker(focused),
                    check_box(on)
                ))),
                Some(i),
            );
        }
    }
}

fn job_schedule_key_of(key: &str) -> bool {
    crate::store::jobs::JobName::ALL
        .iter()
        .any(|j| job_schedule_key(*j) == key)
}

/// `label  [value]` and, below it, the validation problem.
fn field_line(label: &str, f: &TextField, focused: bool, i: usize, l: &mut Lines) {
    let t = l.theme;
    let label_w = if l.width >= 70 { 24 } else { 19 };
    let field_w = l.width.saturating_sub(2 + label_w + 1).max(4);
    let mut spans = vec![
        Span::styled(
            format!("{}{}", marker(focused), widgets::fit(label, label_w)),
            if focused {
                t.title()
            } else {
                ratatui::style::Style::new()
            },
        ),
        Span::raw(" "),
    ];
    spans.extend(f.spans(field_w, focused, &t));
    l.push(Line::from(spans), Some(i));
    if let Some(e) = &f.error {
        l.styled(&format!("✗ {e}"), 4, t.error(), Some(i));
    }
}

/// A schedule's meaning and next three fire times (or why it is invalid), from the draft.
fn schedule_preview(state: &WizardState, key: &str, i: usize, l: &mut Lines) {
    let Some(f) = state.fields.get(key) else {
        return;
    };
    if f.error.is_some() {
        return;
    }
    let Some(snap) = &state.snapshot else { return };
    let tz_text = state
        .fields
        .get("schedule.timezone")
        .map(|t| t.value().to_string())
        .unwrap_or_else(|| snap.value("schedule.timezone").to_string());
    let t = l.theme;
    let tz = match parse_tz(&tz_text) {
        Ok(tz) => tz,
        Err(_) => {
            l.styled("next runs: fix the time zone first", 4, t.dim(), Some(i));
            return;
        }
    };
    match Schedule::parse(f.value()) {
        Ok(s) => {
            let now = snap.now.with_timezone(&Utc);
            let next: Vec<String> = s
                .next_n(tz, now, 3)
                .iter()
                .map(|d| d.format("%a %-d %b %H:%M").to_string())
                .collect();
            l.styled(
                &format!("{} · next: {}", s.describe(), next.join(", ")),
                4,
                t.dim(),
                Some(i),
            );
        }
        Err(e) => l.styled(&format!("✗ {e}"), 4, t.error(), Some(i)),
    }
}

fn outro(state: &WizardState, l: &mut Lines) {
    let t = l.theme;
    match state.step {
        StepId::RemoteSites => {
            l.gap();
            let spin = SPINNER[state.spinner % SPINNER.len()];
            match &state.probes {
                None if state.status(StepId::RemoteSites).is_done() => l.styled(
                    "✓ Checked earlier (or proven by a successful authorization).",
                    0,
                    t.ok(),
                    None,
                ),
                None => l.text("· Not checked yet.", 0),
                Some(p) => {
                    for target in &p.targets {
                        match &target.report {
                            None => l.text(
                                &format!(
                                    "{spin} {}: {} — checking…",
                                    target.label,
                                    host_of(&target.url)
                                ),
                                0,
                            ),
                            Some(r) => {
                                let (g, style) = if r.ok() {
                                    ("✓", t.ok())
                                } else {
                                    ("✗", t.error())
                                };
                                l.styled(
                                    &format!("{g} {}: {}", target.label, host_of(&r.url)),
                                    0,
                                    style,
                                    None,
                                );
                                for (name, c) in [
                                    ("DNS    ", &r.dns),
                                    ("connect", &r.connect),
                                    ("HTTP   ", &r.http),
                                ] {
                                    let (g, style, text) = match c {
                                        Check::Ok(s) => ("✓", t.ok(), s.as_str()),
                                        Check::Failed(s) => ("✗", t.error(), s.as_str()),
                                        Check::Skipped => ("–", t.dim(), "not tried"),
                                    };
                                    l.styled(&format!("{name} {g} {text}"), 2, style, None);
                                }
                            }
                        }
                    }
                }
            }
        }
        StepId::Permissions => {
            l.gap();
            l.styled("Space gives or takes the permission. Users come from the CRM import; you are always listed.", 0, t.dim(), None);
            if let Some(note) = state
                .snapshot
                .as_ref()
                .and_then(|snap| snap.permission_note(&state.user))
            {
                l.styled(&format!("! {note}"), 0, t.warn(), None);
            }
        }
        StepId::Layouts => {
            l.gap();
            l.styled(
                "Enter on the last step shows the summary.",
                0,
                t.dim(),
                None,
            );
        }
        _ => {}
    }
}

fn summary(state: &WizardState, l: &mut Lines) {
    let t = l.theme;
    let Some(snap) = &state.snapshot else { return };
    for step in StepId::ALL {
        let st = state.status(step);
        let style = match st {
            StepStatus::Done => t.ok(),
            StepStatus::Attention(_) => t.warn(),
            StepStatus::NotStarted => t.dim(),
        };
        let detail = match step {
            StepId::Application => format!("API key {}", snap.value("ctct.client_id")),
            StepId::Provider => format!("scopes {}", snap.value("ctct.scopes")),
            StepId::Redirect => snap.value("ctct.redirect_uri").to_string(),
            StepId::RemoteSites => snap.value("ctct.api_base").to_string(),
            StepId::Authorize => snap
                .organization
                .clone()
                .filter(|_| snap.authorized())
                .map(|o| format!("Authenticated — {o}"))
                .unwrap_or_else(|| "not authorized".into()),
            StepId::Settings => format!(
                "lists {} · contacts {} · activities {} · events {} · batch {}",
                onoff(snap.flag("sync.lists_enabled")),
                onoff(snap.flag("sync.contacts_enabled")),
                onoff(snap.flag("sync.activities_enabled")),
                onoff(snap.flag("sync.activities_to_events")),
                snap.value("sync.activity_batch_size")
            ),
            StepId::Jobs => format!(
                "{} · {} / {} / {}",
                snap.value("schedule.timezone"),
                snap.value("schedule.synccontactlists"),
                snap.value("schedule.synccontacts"),
                snap.value("schedule.syncactivities")
            ),
            StepId::Trigger => format!("trigger {}", onoff(snap.flag("sync.trigger_enabled"))),
            StepId::Permissions => {
                let who: Vec<String> = snap
                    .users
                    .iter()
                    .filter(|u| u.ctct_permission)
                    .map(|u| u.username.clone())
                    .collect();
                if who.is_empty() {
                    "everyone".into()
                } else {
                    who.join(", ")
                }
            }
            StepId::Layouts => {
                let shown = snap.layouts.iter().filter(|(_, _, v)| *v).count();
                format!("{shown} of {} tabs shown", snap.layouts.len())
            }
        };
        let head = format!("{:>2} {} — ", step.number(), super::view::short_title(step));
        let room = l
            .width
            .saturating_sub(8 + unicode_width::UnicodeWidthStr::width(head.as_str()));
        l.push(
            Line::from(vec![
                Span::styled(format!("{} {:<5} ", st.glyph(), st.word()), style),
                Span::raw(head),
                Span::styled(widgets::truncate(&detail, room), t.dim()),
            ]),
            None,
        );
    }
    l.gap();
    if snap.is_complete() {
        l.styled(
            "Setup is complete. Enter finishes and opens the dashboard.",
            0,
            t.ok(),
            None,
        );
    } else {
        l.styled(
            "Steps marked ! or · still need you: Enter goes to the first one.",
            0,
            t.warn(),
            None,
        );
    }
}

/// A Permissions row's name: the display name, the login name only when the display name does
/// not already show it, and "(you)" once for the running user ("You (admin)" stays as it is).
pub fn user_label(name: &str, display: &str, you: bool) -> String {
    let mut shown = if display.is_empty() || display == name {
        name.to_string()
    } else if display.contains(name) {
        display.to_string()
    } else {
        format!("{display} ({name})")
    };
    let lower = shown.to_lowercase();
    let says_you = lower.contains("(you)") || lower == "you" || lower.starts_with("you ");
    if you && !says_you {
        shown.push_str(" (you)");
    }
    shown
}

/// `host:port` of a URL (the whole URL if it does not parse).
fn host_of(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(p) => match (p.host_str(), p.port()) {
            (Some(h), Some(port)) => format!("{h}:{port}"),
            (Some(h), None) => h.to_string(),
            _ => u.to_string(),
        },
        Err(_) => u.to_string(),
    }
}

fn onoff(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}
