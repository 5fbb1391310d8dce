//! The dashboard (SPEC §7): tabs Jobs, Contacts, Clients, Lists, Outbox and Settings, switched
//! with the number keys, Tab / Shift-Tab or a click on the tab bar. Owns the tab states and routes
//! actions, replies and clicks to the focused one; the footer and the `?` overlay follow the
//! focused tab's key contexts.
//!
//! Data flow: every read is a `DashQuery` on the read-only query worker, stamped with a
//! generation per slot (`shared::Gens`) so stale replies are dropped; every table is a keyset
//! window (`window.rs`). Writes are `DashWrite`s on the writer thread. Job runs and contact
//! refreshes are `DashEffect`s (`exec.rs`). Live data is polled — once a second only while a run
//! or a push is in flight, every 10 s otherwise — with a timer effect, so an idle dashboard
//! makes no wake-ups besides that slow poll.
//!
//! Must not touch: the store or the network directly (only through effects), the terminal.

pub mod browse;
pub mod chart;
pub mod client;
pub mod clients;
pub mod contact;
pub mod contacts;
pub mod data;
pub mod exec;
pub mod export;
pub mod fmt;
pub mod jobs;
pub mod leave;
pub mod lists;
pub mod outbox;
pub mod settings;
pub mod shared;
pub mod table;
pub mod window;

use std::time::Duration;

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use self::browse::{Browse, Outcome};
use self::client::ClientView;
use self::contact::{ContactView, Section};
use self::contacts::Contacts;
use self::data::{ContactRow, DashData, DashQuery, DashWrite, ExportSpec, Slot};
use self::exec::{DashEffect, DashEvent};
use self::jobs::JobsTab;
use self::leave::{LeaveQuestion, Then};
use self::lists::ListsTab;
use self::outbox::{Outbox, OutboxRow};
use self::settings::SettingsTab;
pub use self::shared::{Clock, Shared};
use super::action::Action;
use super::effect::Effect;
use super::keymap::Context;
use super::msg::Reply;
use super::screen::{Screen, ScreenEvent};
use super::theme::Theme;
use super::widgets::hint_bar;
use super::worker::WriteOp;
use crate::store::clients::Client;
use crate::store::credentials::AuthState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Jobs,
    Contacts,
    Clients,
    Lists,
    Outbox,
    Settings,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Jobs,
        Tab::Contacts,
        Tab::Clients,
        Tab::Lists,
        Tab::Outbox,
        Tab::Settings,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Tab::Jobs => "Jobs",
            Tab::Contacts => "Contacts",
            Tab::Clients => "Clients",
            Tab::Lists => "Lists",
            Tab::Outbox => "Outbox",
            Tab::Settings => "Settings",
        }
    }
    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// Polling while something is in flight, and when idle.
const FAST_POLL: Duration = Duration::from_secs(1);
const SLOW_POLL: Duration = Duration::from_secs(10);
const TOAST_FOR: Duration = Duration::from_secs(6);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    tag: u64,
}

pub struct DashboardScreen {
    pub sh: Shared,
    pub tab: Tab,
    pub jobs: JobsTab,
    pub contacts: Browse<ContactRow>,
    pub contact: Option<ContactView>,
    pub clients: Browse<Client>,
    pub client: Option<ClientView>,
    pub lists: ListsTab,
    pub outbox: Browse<OutboxRow>,
    pub settings: SettingsTab,
    pub toast: Option<Toast>,
    /// Asked before unsaved contact edits would be lost (Esc on the page, or quit).
    pub leave: Option<LeaveQuestion>,
    /// Quit once the save started from the question has been written.
    quit_after_save: bool,
    /// Jobs this window started and that have not reported their end yet.
    pub local_runs: Vec<crate::store::jobs::JobName>,
    /// Jobs to run one after another, each when the previous one ended well (the demo's first
    /// open of the dashboard).
    run_queue: std::collections::VecDeque<crate::store::jobs::JobName>,
    next_tag: u64,
    poll_tag: u64,
    /// The last frame's size (for paging in tabs that keep their own scroll).
    height: u16,
}

impl DashboardScreen {
    pub fn new(user: &str) -> DashboardScreen {
        DashboardScreen::with_clock(user, Clock::System)
    }

    /// A dashboard with a pinned clock (snapshots, benches).
    pub fn with_clock(user: &str, clock: Clock) -> DashboardScreen {
        DashboardScreen {
            sh: Shared {
                user: user.to_string(),
                clock,
                now: clock.now(),
                overview: None,
                gens: Default::default(),
                toast: None,
            },
            tab: Tab::Jobs,
            jobs: JobsTab::default(),
            contacts: Browse::default(),
            contact: None,
            clients: Browse::default(),
            client: None,
            lists: ListsTab::default(),
            outbox: Browse::default(),
            settings: SettingsTab::default(),
            toast: None,
            leave: None,
            quit_after_save: false,
            local_runs: Vec::new(),
            run_queue: Default::default(),
            next_tag: 0,
            poll_tag: 0,
            height: 24,
        }
    }

    /// Runs these jobs in order once the dashboard opens, each after the previous one
    /// succeeded.
    pub fn queue_runs(&mut self, jobs: &[crate::store::jobs::JobName]) {
        self.run_queue.extend(jobs.iter().copied());
    }

    fn next_queued_run(&mut self) -> Option<Effect> {
        let job = self.run_queue.pop_front()?;
        // Poll fast while it runs (as for a job started with `r`).
        if !self.local_runs.contains(&job) {
            self.local_runs.push(job);
        }
        Some(Effect::Dash(DashEffect::RunJob(job)))
    }

    fn tag(&mut self) -> u64 {
        self.next_tag += 1;
        self.next_tag
    }

    fn overview_query(&mut self) -> Effect {
        self.sh.overview_query()
    }

    fn schedule_poll(&mut self) -> Effect {
        let busy = self.sh.any_running()
            || !self.local_runs.is_empty()
            || self.contact.as_ref().is_some_and(|c| c.watching);
        self.poll_tag = self.tag();
        Effect::Dash(DashEffect::Wake {
            tag: self.poll_tag,
            after: if busy { FAST_POLL } else { SLOW_POLL },
        })
    }

    /// The tabs this user has. Settings reopens setup steps — Permissions among them — so only a
    /// user holding the Constant Contact permission gets it (else they could grant it to
    /// themselves); until the overview says so, it stays hidden.
    pub fn tabs(&self) -> Vec<Tab> {
        let setup = self.sh.may_setup();
        Tab::ALL
            .into_iter()
            .filter(|t| *t != Tab::Settings || setup)
            .collect()
    }

    /// Opens a tab, reading what it shows.
    pub fn switch(&mut self, tab: Tab) -> Vec<Effect> {
        if !self.tabs().contains(&tab) {
            return Vec::new();
        }
        self.tab = tab;
        match tab {
            Tab::Jobs => vec![self.overview_query()],
            Tab::Contacts if self.contact.is_none() && !self.contacts.window.loaded => {
                vec![self.contacts.load::<Contacts>(&mut self.sh)]
            }
            Tab::Clients if self.client.is_none() && !self.clients.window.loaded => {
                vec![self.clients.load::<clients::Clients>(&mut self.sh)]
            }
            Tab::Lists => vec![self.sh.query(DashQuery::Lists)],
            Tab::Outbox => vec![self.outbox.load::<Outbox>(&mut self.sh)],
            Tab::Settings => vec![self.sh.query(DashQuery::Settings)],
            _ => Vec::new(),
        }
    }

    fn export(&mut self) -> Vec<Effect> {
        let spec = match self.tab {
            Tab::Jobs => Some(ExportSpec::Jobs),
            Tab::Contacts => match &self.contact {
                None => Some(ExportSpec::Contacts {
                    filter: self.contacts.applied.clone(),
                }),
                Some(c) if c.section == Section::Activity => {
                    Some(ExportSpec::Interactions { contact: c.id })
                }
                Some(_) => None,
            },
            Tab::Clients => match &self.client {
                None => Some(ExportSpec::Clients {
                    filter: self.clients.applied.clone(),
                }),
                Some(c) => match c.current(&self.sh) {
                    Some(client::ClientSection::Timeline) => {
                        Some(ExportSpec::ClientTimeline { client: c.id })
                    }
                    Some(client::ClientSection::Activity) => {
                        Some(ExportSpec::ClientActivity { client: c.id })
                    }
                    _ => None,
                },
            },
            Tab::Lists => Some(ExportSpec::Lists),
            Tab::Outbox => Some(ExportSpec::Outbox),
            Tab::Settings => None,
        };
        match spec {
            Some(spec) => {
                let stamp = data::stamp(self.sh.now);
                vec![self.sh.query(DashQuery::Export { spec, stamp })]
            }
            None => {
                self.sh.say("Nothing to export here: e exports a table");
                Vec::new()
            }
        }
    }

    /// The question before unsaved edits would be lost, if there are any.
    fn ask_before(&mut self, then: Then) -> bool {
        let Some(c) = self.contact.as_ref().filter(|c| c.dirty()) else {
            return false;
        };
        self.leave = Some(LeaveQuestion {
            then,
            who: c.who(),
            fields: c.changed_fields(),
        });
        true
    }

    /// The answer to the unsaved-edits question.
    fn on_leave(&mut self, q: LeaveQuestion, a: Action) -> Vec<Effect> {
        let leave = |me: &mut Self, mut fx: Vec<Effect>| {
            match q.then {
                Then::LeavePage => {
                    me.contact = None;
                    fx.push(me.contacts.reload::<Contacts>(&mut me.sh));
                }
                Then::Quit => fx.push(Effect::Quit),
            }
            fx
        };
        match a {
            Action::Save => {
                let Some(c) = &mut self.contact else {
                    return Vec::new();
                };
                let fx = c.save(&mut self.sh);
                if fx.is_empty() {
                    // Invalid (the toast says why): stay on the page to fix it.
                    return fx;
                }
                match q.then {
                    Then::LeavePage => leave(self, fx),
                    // Quit when the writer has committed, not before (on_saved).
                    Then::Quit => {
                        self.quit_after_save = true;
                        fx
                    }
                }
            }
            Action::Discard => leave(self, Vec::new()),
            Action::Quit => vec![Effect::Quit],
            Action::No | Action::Back => Vec::new(),
            // Anything else leaves the question open.
            _ => {
                self.leave = Some(q);
                Vec::new()
            }
        }
    }

    fn on_action(&mut self, a: Action) -> Vec<Effect> {
        if let Some(q) = self.leave.take() {
            return self.on_leave(q, a);
        }
        match a {
            Action::Quit => {
                if self.ask_before(Then::Quit) {
                    return Vec::new();
                }
                return vec![Effect::Quit];
            }
            Action::TabNext | Action::TabPrev => {
                let tabs = self.tabs();
                let n = tabs.len().max(1);
                let at = tabs.iter().position(|t| *t == self.tab).unwrap_or(0);
                let to = if a == Action::TabNext {
                    at + 1
                } else {
                    at + n - 1
                } % n;
                return match tabs.get(to) {
                    Some(t) => self.switch(*t),
                    None => Vec::new(),
                };
            }
            Action::GoTab(n) => {
                let i = usize::from(n.clamp(1, 6)) - 1;
                return self.switch(Tab::ALL[i]);
            }
            Action::Export => return self.export(),
            _ => {}
        }
        match self.tab {
            Tab::Jobs => self.jobs.update(a, &mut self.sh),
            Tab::Contacts => {
                if let Some(c) = &mut self.contact {
                    if a == Action::Back && !c.editing_text() && c.picker.is_none() {
                        if self.ask_before(Then::LeavePage) {
                            return Vec::new();
                        }
                        self.contact = None;
                        return vec![self.contacts.reload::<Contacts>(&mut self.sh)];
                    }
                    return c.update(a, &mut self.sh);
                }
                let out = self.contacts.update::<Contacts>(a, &mut self.sh);
                self.browse_outcome(out, true)
            }
            Tab::Clients => {
                if let Some(c) = &mut self.client {
                    if a == Action::Back {
                        self.client = None;
                        return Vec::new();
                    }
                    return c.update(a, &mut self.sh);
                }
                let out = self.clients.update::<clients::Clients>(a, &mut self.sh);
                self.browse_outcome(out, false)
            }
            Tab::Lists => {
                self.lists.update(a, self.height.saturating_sub(4));
                Vec::new()
            }
            Tab::Outbox => {
                if a == Action::Retry {
                    let Some((e, _)) = self.outbox.window.selected() else {
                        return Vec::new();
                    };
                    let id = e.id;
                    self.sh
                        .say(format!("Push {id} queued again: it goes out now"));
                    return vec![Effect::Write(vec![WriteOp::Dash(DashWrite::RetryPush {
                        id,
                    })])];
                }
                if a == Action::Confirm {
                    // The contact the push concerns, on its own page (Esc goes back to
                    // Contacts).
                    let Some((e, _)) = self.outbox.window.selected() else {
                        return Vec::new();
                    };
                    let id = e.contact_id;
                    if let Some(c) = self.contact.as_ref().filter(|c| c.dirty()) {
                        // Unsaved edits on another contact's page are not thrown away.
                        self.sh.warn(format!(
                            "{} has unsaved changes: save or leave that page first",
                            c.who()
                        ));
                        return self.switch(Tab::Contacts);
                    }
                    self.tab = Tab::Contacts;
                    return self.open_contact(id);
                }
                let out = self.outbox.update::<Outbox>(a, &mut self.sh);
                self.browse_outcome(out, false)
            }
            Tab::Settings => self.settings.update(a),
        }
    }

    /// Shows a contact's page (the caller has chosen the Contacts tab).
    fn open_contact(&mut self, id: i64) -> Vec<Effect> {
        let mut v = ContactView::new(id);
        let fx = v.open(&mut self.sh);
        self.contact = Some(v);
        fx
    }

    fn browse_outcome(&mut self, out: Outcome, contact: bool) -> Vec<Effect> {
        match out {
            Outcome::None => Vec::new(),
            Outcome::Effects(fx) => fx,
            Outcome::Open(id) if contact && self.tab == Tab::Contacts => self.open_contact(id),
            Outcome::Open(id) if self.tab == Tab::Clients => {
                let mut v = ClientView::new(id);
                let fx = v.open(&mut self.sh);
                self.client = Some(v);
                fx
            }
            Outcome::Open(_) => Vec::new(),
        }
    }

    fn on_data(&mut self, slot: Slot, data: DashData) -> Vec<Effect> {
        match data {
            DashData::Overview(o) => {
                // A run this window started and that has ended is no longer "local".
                self.sh.overview = Some(*o);
                if let Some(c) = &mut self.contact {
                    let all = ContactView::sections(&self.sh);
                    if !all.contains(&c.section) {
                        c.section = Section::Details;
                    }
                }
            }
            DashData::Contacts {
                after,
                filter,
                rows,
            } => self.contacts.arrive(after, &filter, rows),
            DashData::Contact(p) => {
                if let Some(c) = self.contact.as_mut().filter(|c| c.id == p.row.contact.id) {
                    c.arrive(*p, &mut self.sh);
                }
            }
            DashData::Interactions {
                contact,
                after,
                rows,
            } => {
                if let Some(c) = self.contact.as_mut().filter(|c| c.id == contact) {
                    c.activity.arrive(after, rows);
                }
            }
            DashData::Chart { months } => {
                if let Some(c) = &mut self.contact {
                    c.months = months.clone();
                }
                if let Some(c) = &mut self.client {
                    c.months = months;
                }
            }
            DashData::Clients {
                after,
                filter,
                rows,
            } => self.clients.arrive(after, &filter, rows),
            DashData::Client(p) => {
                if let Some(c) = self.client.as_mut().filter(|c| c.id == p.client.id) {
                    c.page = Some(*p);
                }
            }
            DashData::ClientTimeline {
                client,
                after,
                rows,
            } => {
                if let Some(c) = self.client.as_mut().filter(|c| c.id == client) {
                    c.timeline.arrive(after, rows);
                }
            }
            DashData::ClientActivity {
                client,
                after,
                rows,
            } => {
                if let Some(c) = self.client.as_mut().filter(|c| c.id == client) {
                    c.activity.arrive(after, rows);
                }
            }
            DashData::Lists { lists, rollups } => {
                self.lists.lists = lists;
                self.lists.rollups = rollups;
                self.lists.loaded = true;
                self.lists.sel = self.lists.sel.min(self.lists.lists.len().saturating_sub(1));
            }
            DashData::Outbox { after, rows } => self.outbox.arrive(after, "", rows),
            DashData::Settings(s) => self.settings.data = Some(*s),
            DashData::Exported { path, rows } => {
                let _ = slot;
                self.sh.say(format!(
                    "Exported {} row{} to {}",
                    fmt::thousands(rows as i64),
                    if rows == 1 { "" } else { "s" },
                    path.display()
                ));
            }
        }
        Vec::new()
    }

    fn on_event(&mut self, ev: DashEvent) -> Vec<Effect> {
        match ev {
            DashEvent::Wake(tag) if tag == self.poll_tag => {
                let mut fx = vec![self.overview_query()];
                if self.tab == Tab::Outbox {
                    fx.push(self.outbox.reload::<Outbox>(&mut self.sh));
                }
                if let Some(c) = self.contact.as_ref().filter(|c| c.watching) {
                    fx.push(c.reload(&mut self.sh));
                }
                fx.push(self.schedule_poll());
                fx
            }
            DashEvent::Wake(tag) => {
                if self.toast.as_ref().is_some_and(|t| t.tag == tag) {
                    self.toast = None;
                }
                Vec::new()
            }
            DashEvent::JobEnded { job, result } => {
                self.local_runs.retain(|j| *j != job);
                let next = match result {
                    Ok(status) => {
                        self.sh.say(format!("{} {status}", job.display_name()));
                        self.next_queued_run()
                    }
                    Err(e) => {
                        self.sh.warn(format!("{}: {e}", job.display_name()));
                        self.run_queue.clear();
                        None
                    }
                };
                let mut fx = vec![self.overview_query()];
                fx.extend(next);
                fx
            }
            DashEvent::Refreshed { contact, result } => {
                let Some(c) = self.contact.as_mut().filter(|c| c.id == contact) else {
                    return Vec::new();
                };
                match result {
                    Ok(n) => self.sh.say(format!(
                        "Refreshed from Constant Contact: {n} new interaction{}",
                        if n == 1 { "" } else { "s" }
                    )),
                    Err(e) => self.sh.warn(format!("Refresh failed: {e}")),
                }
                c.refreshed(&mut self.sh)
            }
            DashEvent::OutboxStarted(Err(e)) => {
                tracing::info!("outbox worker not started: {e}");
                Vec::new()
            }
            DashEvent::OutboxStarted(Ok(())) => Vec::new(),
        }
    }

    fn on_saved(&mut self, result: Result<(), String>) -> Vec<Effect> {
        let mut fx = Vec::new();
        if let Err(e) = result {
            self.quit_after_save = false;
            self.sh.warn(format!("Not saved: {e}"));
            if let Some(c) = &mut self.contact {
                c.watching = false;
                c.nudge_on_save = false;
            }
        } else if let Some(c) = &mut self.contact {
            c.landed = true;
            if std::mem::take(&mut c.nudge_on_save) {
                fx.push(Effect::Dash(DashEffect::NudgeOutbox));
            }
            fx.push(c.reload(&mut self.sh));
        }
        if self.tab == Tab::Outbox {
            fx.push(Effect::Dash(DashEffect::NudgeOutbox));
            fx.push(self.outbox.reload::<Outbox>(&mut self.sh));
        }
        fx.push(self.overview_query());
        if std::mem::take(&mut self.quit_after_save) {
            fx.push(Effect::Quit);
        }
        fx
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match self.tab {
            Tab::Contacts => match &mut self.contact {
                Some(c) => {
                    c.key(key);
                    Vec::new()
                }
                None => self.contacts.key::<Contacts>(key, &mut self.sh),
            },
            Tab::Clients if self.client.is_none() => {
                self.clients.key::<clients::Clients>(key, &mut self.sh)
            }
            _ => Vec::new(),
        }
    }

    fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        match self.tab {
            Tab::Contacts => match &mut self.contact {
                Some(c) => {
                    c.paste(text);
                    Vec::new()
                }
                None => self.contacts.paste::<Contacts>(text, &mut self.sh),
            },
            Tab::Clients if self.client.is_none() => {
                self.clients.paste::<clients::Clients>(text, &mut self.sh)
            }
            _ => Vec::new(),
        }
    }

    fn on_click(&mut self, col: u16, row: u16, area: Rect) -> Vec<Effect> {
        let l = layout(area);
        if row == l.tabs.y {
            if let Some(t) = tab_at(&self.tabs(), col.saturating_sub(l.tabs.x)) {
                return self.switch(t);
            }
            return Vec::new();
        }
        if !super::widgets::contains(l.body, col, row) {
            return Vec::new();
        }
        match self.tab {
            Tab::Jobs => {
                self.jobs.click(row, l.body);
                Vec::new()
            }
            Tab::Contacts => match &mut self.contact {
                Some(c) => c.click(col, row, l.body, &mut self.sh),
                None => {
                    let out = self.contacts.click(row, l.body);
                    self.browse_outcome(out, true)
                }
            },
            Tab::Clients => match &mut self.client {
                Some(c) => {
                    c.click(col, row, l.body, &self.sh);
                    Vec::new()
                }
                None => {
                    let out = self.clients.click(row, l.body);
                    self.browse_outcome(out, false)
                }
            },
            Tab::Outbox => {
                let _ = self.outbox.click(row, l.body);
                Vec::new()
            }
            Tab::Settings => self.settings.click(row, l.body),
            Tab::Lists => Vec::new(),
        }
    }

    fn editing(&self) -> bool {
        match self.tab {
            Tab::Contacts => match &self.contact {
                Some(c) => c.editing_text(),
                None => self.contacts.editing,
            },
            Tab::Clients => self.client.is_none() && self.clients.editing,
            _ => false,
        }
    }
}

impl Screen for DashboardScreen {
    fn init(&mut self) -> Vec<Effect> {
        let mut fx = vec![
            self.overview_query(),
            self.sh.query(DashQuery::Settings),
            Effect::Dash(DashEffect::StartOutbox),
        ];
        fx.extend(self.next_queued_run());
        fx.push(self.schedule_poll());
        fx
    }

    fn contexts(&self) -> Vec<Context> {
        use Context as C;
        if self.leave.is_some() {
            return vec![C::DashUnsaved];
        }
        if self.editing() {
            // DashEdit before Text: its Enter ("done") and Esc ("cancel") are what the filter
            // and the page's fields do; Text's Enter is the wizard's "save and continue". Text
            // stays in the list so printable keys still go to the field.
            return vec![C::DashEdit, C::Text, C::Global];
        }
        let tabs = [C::Dashboard, C::Global];
        let mut v = match self.tab {
            Tab::Jobs if self.sh.may_setup() => vec![C::DashJobs, C::DashJobsSetup, C::DashTable],
            Tab::Jobs => vec![C::DashJobs, C::DashTable],
            Tab::Contacts => match &self.contact {
                Some(c) if c.picker.is_some() => return vec![C::DashPicker, C::Global],
                Some(c) => match c.section {
                    Section::Details => vec![C::DashDetails, C::DashPage, C::DashTable],
                    Section::Lists => vec![C::DashMembership, C::DashPage, C::DashTable],
                    Section::Activity => vec![C::DashActivity, C::DashPage, C::DashTable],
                },
                None => vec![C::DashBrowse, C::DashTable],
            },
            Tab::Clients => match &self.client {
                Some(_) => vec![C::DashPage, C::DashTable],
                None => vec![C::DashBrowse, C::DashTable],
            },
            Tab::Lists => vec![C::DashTable],
            Tab::Outbox => vec![C::DashOutbox, C::DashTable],
            Tab::Settings => vec![C::DashSettings, C::DashTable],
        };
        v.extend(tabs);
        v
    }

    fn update(&mut self, ev: ScreenEvent) -> Vec<Effect> {
        self.sh.now = self.sh.clock.now();
        let mut fx = match ev {
            ScreenEvent::Action(a) => self.on_action(a),
            ScreenEvent::Key(k) => self.on_key(k),
            ScreenEvent::Paste(t) => self.on_paste(&t),
            ScreenEvent::Click { col, row, area } => {
                self.height = area.height;
                // The unsaved-edits question is answered with keys only.
                if self.leave.is_some() {
                    Vec::new()
                } else {
                    self.on_click(col, row, area)
                }
            }
            ScreenEvent::Reply(Reply::Dash { generation, result }) => {
                match self.sh.gens.slot_of(generation) {
                    // A newer request for the same slot is on its way: drop this one.
                    None => Vec::new(),
                    Some(slot) => match result {
                        Ok(data) => self.on_data(slot, *data),
                        Err(e) => {
                            self.sh.warn(e);
                            Vec::new()
                        }
                    },
                }
            }
            ScreenEvent::Reply(Reply::DashEvent(ev)) => self.on_event(ev),
            ScreenEvent::Reply(Reply::Saved { result }) => self.on_saved(result),
            ScreenEvent::Reply(_) | ScreenEvent::Tick => Vec::new(),
        };
        // A job this window started: poll fast until it reports its end.
        for e in &fx {
            if let Effect::Dash(DashEffect::RunJob(job)) = e
                && !self.local_runs.contains(job)
            {
                self.local_runs.push(*job);
            }
        }
        if let Some((text, error)) = self.sh.toast.take() {
            // The toast draws its own ✓ / ✗: a message that starts with one ("✓ contact update
            // delivered …", from the words shared with the page) must not show it twice.
            let text = text.trim_start_matches(['✓', '✗']).trim_start().to_string();
            let tag = self.tag();
            self.toast = Some(Toast { text, error, tag });
            fx.push(Effect::Dash(DashEffect::Wake {
                tag,
                after: TOAST_FOR,
            }));
        }
        fx
    }

    /// ```text
    ///  1 Jobs │ 2 Contacts │ 3 Clients │ 4 Lists │ 5 Outbox │ 6 Settings        ctctsync · alice
    ///  ✓ Constant Contact: Acme Advisors · daemon not running · outbox 2 pending, 0 failed
    ///  (the tab's body)
    ///                                                     ✓ Exported 12 rows to …/contacts.csv
    ///  Tab next tab  r run now  …  ? help  q quit
    /// ```
    fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let l = layout(area);
        render_tabs(self.tab, &self.tabs(), l.tabs, buf, theme, &self.sh.user);
        render_status(&self.sh, l.status, buf, theme);
        match self.tab {
            Tab::Jobs => self.jobs.render(l.body, buf, theme, &self.sh),
            Tab::Contacts => match &self.contact {
                Some(c) => c.render(l.body, buf, theme, &self.sh),
                None => {
                    // Counting the matches of a filter would scan the index on every
                    // keystroke (100,000 rows and more): the header says the table is a
                    // subset instead of showing the whole table's count as if it matched.
                    let filtered = !self.contacts.applied.is_empty();
                    let count = self.sh.overview.as_ref().map(|o| {
                        if filtered {
                            format!("filtered from {}", fmt::thousands(o.contacts))
                        } else {
                            format!(
                                "{} · {} linked",
                                fmt::thousands(o.contacts),
                                fmt::thousands(o.linked)
                            )
                        }
                    });
                    self.contacts
                        .render::<Contacts>(l.body, buf, theme, &self.sh, count)
                }
            },
            Tab::Clients => match &self.client {
                Some(c) => c.render(l.body, buf, theme, &self.sh),
                None => self
                    .clients
                    .render::<clients::Clients>(l.body, buf, theme, &self.sh, None),
            },
            Tab::Lists => self.lists.render(l.body, buf, theme),
            Tab::Outbox => {
                let count =
                    self.sh.overview.as_ref().map(|o| {
                        format!("{} pending · {} failed", o.outbox_pending, o.outbox_failed)
                    });
                outbox::render(&self.outbox, l.body, buf, theme, &self.sh, count)
            }
            Tab::Settings => self.settings.render(l.body, buf, theme, &self.sh),
        }
        if let Some(t) = &self.toast {
            let text = format!(" {} {} ", if t.error { "✗" } else { "✓" }, t.text);
            let w = unicode_width::UnicodeWidthStr::width(text.as_str())
                .min(usize::from(area.width)) as u16;
            let r = Rect::new(area.x + area.width - w, l.toast.y, w, l.toast.height);
            ratatui::widgets::Clear.render(r, buf);
            let style = if t.error { theme.error() } else { theme.ok() };
            Line::styled(
                super::widgets::truncate(&text, usize::from(w)),
                style.add_modifier(ratatui::style::Modifier::REVERSED),
            )
            .render(r, buf);
        }
        if let Some(q) = &self.leave {
            q.render(l.body, buf, theme);
        }
        hint_bar::render(&self.contexts(), l.footer, buf, theme);
    }
}

pub struct DashLayout {
    pub tabs: Rect,
    pub status: Rect,
    pub body: Rect,
    pub toast: Rect,
    pub footer: Rect,
}

pub fn layout(area: Rect) -> DashLayout {
    let line = |y: u16| {
        Rect::new(
            area.x,
            y.min(area.y + area.height.saturating_sub(1)),
            area.width,
            u16::from(area.height > 0),
        )
    };
    let bottom = area.y + area.height.saturating_sub(1);
    DashLayout {
        tabs: line(area.y),
        status: line(area.y + 1),
        // The line above the footer is the toasts' own, always: a toast never covers a row,
        // and the body does not jump when one comes and goes.
        body: Rect::new(
            area.x,
            area.y + 2,
            area.width,
            area.height.saturating_sub(4),
        ),
        toast: line(bottom.saturating_sub(1)),
        footer: line(bottom),
    }
}

/// Column spans of the tab titles in the tab bar.
fn tab_spans(tabs: &[Tab]) -> Vec<(Tab, u16, u16)> {
    let mut x = 1u16;
    tabs.iter()
        .map(|t| {
            let w = format!(" {} {} ", t.index() + 1, t.title()).chars().count() as u16;
            let s = (*t, x, x + w);
            x += w + 1;
            s
        })
        .collect()
}

fn tab_at(tabs: &[Tab], col: u16) -> Option<Tab> {
    tab_spans(tabs)
        .into_iter()
        .find(|(_, a, b)| col >= *a && col < *b)
        .map(|(t, _, _)| t)
}

fn render_tabs(
    current: Tab,
    tabs: &[Tab],
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    user: &str,
) {
    let mut spans = vec![Span::raw(" ")];
    for (k, t) in tabs.iter().enumerate() {
        let i = t.index();
        if k > 0 {
            spans.push(Span::styled("│", theme.dim()));
        }
        // Brackets as well as reverse video: the current tab reads without colour too.
        spans.push(if *t == current {
            Span::styled(format!("[{} {}]", i + 1, t.title()), theme.selected())
        } else {
            Span::raw(format!(" {} {} ", i + 1, t.title()))
        });
    }
    Line::from(spans).render(area, buf);
    let right = format!("ctctsync · {user} ");
    let w = unicode_width::UnicodeWidthStr::width(right.as_str()) as u16;
    if area.width > 66 + w {
        buf.set_string(area.x + area.width - w, area.y, right, theme.dim());
    }
}

/// The line under the tabs: the authorization banner when Constant Contact needs a person, else
/// a one-line status.
fn render_status(sh: &Shared, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let Some(o) = &sh.overview else {
        Line::styled(" reading the store…", theme.dim()).render(area, buf);
        return;
    };
    if o.auth != AuthState::Authorized {
        let why = match (&o.auth, &o.auth_reason) {
            (_, Some(r)) => r.clone(),
            (AuthState::None, None) => "never authorized".into(),
            _ => "the authorization was refused".into(),
        };
        let next = if sh.may_setup() {
            "press a on Jobs, or Settings → 5 Authorize"
        } else {
            "a user with the Constant Contact permission can authorize it again"
        };
        Line::styled(
            format!(" ⚠ Constant Contact needs authorization ({why}): {next}"),
            theme.warn(),
        )
        .render(area, buf);
        return;
    }
    let daemon = match o.daemon_pid {
        Some(pid) => format!("daemon running (pid {pid})"),
        None => "no daemon".into(),
    };
    let org = o.organization.as_deref().unwrap_or("Constant Contact");
    Line::from(vec![
        Span::styled(" ✓ ", theme.ok()),
        Span::styled(
            format!(
                "{org} · {daemon} · outbox: {} pending, {} failed",
                o.outbox_pending, o.outbox_failed
            ),
            theme.dim(),
        ),
    ])
    .render(area, buf);
}
