//! A contact's page: Details (edit names, email, Do Not Email; saving writes the edit and its
//! outbox row in one transaction and then shows the push's outcome when it is delivered), Lists
//! (add to / remove from Constant Contact lists) and Constant Contact (the contact's interactions
//! newest first, a chart of engagement per month, `r` to refresh from Constant Contact now).
//! The Lists and Constant Contact sections show only to users with the Constant Contact
//! permission (and the layout setting).

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::chart;
use super::data::{self, ContactPage, Cursor, DashQuery, DashWrite, Month, PAGE};
use super::exec::DashEffect;
use super::fmt;
use super::shared::Shared;
use super::table::{self, Cell, cell, col};
use super::window::{Keyed, Window};
use crate::store::contacts::ContactEdit;
use crate::store::interactions::{Interaction, Kind};
use crate::store::outbox::{Entry, Status};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, text_field::TextField};
use crate::tui::worker::WriteOp;

impl Keyed for Interaction {
    fn cursor(&self) -> Cursor {
        Cursor::Time(self.occurred_at.clone(), self.id)
    }
    fn id(&self) -> i64 {
        self.id
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Details,
    Lists,
    Activity,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Details => "Details",
            Section::Lists => "Lists",
            Section::Activity => "Constant Contact",
        }
    }
}

const FIELDS: [&str; 4] = ["First name", "Last name", "Email", "Do Not Email"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub first: String,
    pub last: String,
    pub email: String,
    pub dne: bool,
}

pub struct ContactView {
    pub id: i64,
    pub page: Option<ContactPage>,
    pub section: Section,
    pub field: usize,
    pub draft: Draft,
    pub editing: Option<TextField>,
    /// The newest push id seen before the last save; pushes above it are the save's.
    pub pushes_before: Option<i64>,
    /// A save (or list change) is waiting for its push to be delivered.
    pub watching: bool,
    /// Tell the outbox worker when the write lands.
    pub nudge_on_save: bool,
    /// The last write has committed (before that, a page read cannot show its push yet).
    pub landed: bool,
    pub list_sel: usize,
    pub picker: Option<usize>,
    pub activity: Window<Interaction>,
    pub months: Vec<Month>,
    pub refreshing: bool,
}

pub fn interaction_cells(i: &Interaction, sh: &Shared, theme: &Theme) -> Vec<Cell> {
    let style = match i.kind {
        Kind::Bounce | Kind::OptOut => theme.warn(),
        Kind::Click => theme.key(),
        _ => ratatui::style::Style::new(),
    };
    let detail = match i.kind {
        Kind::Click => i.link_url.clone(),
        Kind::Bounce => i
            .bounce_code
            .as_ref()
            .map(|c| format!("bounce code {c}"))
            .unwrap_or_default(),
        Kind::OptOut => i.opt_out_reason.clone().unwrap_or_default(),
        // Opens (and forwards) carry the reader's device: said in words, so "computer" is
        // not read as a link or a code.
        _ => i
            .device_type
            .as_ref()
            .filter(|d| !d.is_empty())
            .map(|d| format!("on {d}"))
            .unwrap_or_default(),
    };
    vec![
        cell(fmt::local_str(&i.occurred_at, sh.tz())),
        (i.kind.label().to_string(), style),
        cell(
            i.campaign_name
                .clone()
                .unwrap_or_else(|| format!("(campaign {})", i.campaign_activity_id)),
        ),
        cell(detail),
    ]
}

pub fn interaction_cols() -> Vec<table::Col> {
    vec![
        col("Date", 16, false, 0),
        col("Activity", 9, false, 0),
        col("Campaign", 16, true, 0),
        // The link of a click, a bounce's code, an opt-out's reason or an open's device.
        col("Detail", 14, true, 1),
    ]
}

/// "✓ delivered …", "… pending", "✗ failed: …" for a push.
pub fn push_words(e: &Entry, sh: &Shared) -> (String, bool) {
    let what = match e.kind {
        crate::store::outbox::Kind::UpdateContact => "contact update".to_string(),
        crate::store::outbox::Kind::AddToList => "add to list".to_string(),
        crate::store::outbox::Kind::RemoveFromList => "remove from list".to_string(),
    };
    match e.status {
        Status::Delivered => (
            format!(
                "✓ {what} delivered {}{}",
                e.delivered_at
                    .as_deref()
                    .map(|t| fmt::relative_str(t, sh.now))
                    .unwrap_or_default(),
                e.outcome
                    .as_ref()
                    .map(|o| format!(": {o}"))
                    .unwrap_or_default()
            ),
            false,
        ),
        Status::Failed => (
            format!(
                "✗ {what} failed: {} (Outbox tab: r retries)",
                e.last_error.as_deref().unwrap_or("no reason given")
            ),
            true,
        ),
        Status::Pending | Status::Delivering => (
            format!(
                "… {what} waiting to be sent{}",
                e.last_error
                    .as_ref()
                    .map(|r| format!(" (attempt {} failed: {r})", e.attempts))
                    .unwrap_or_default()
            ),
            false,
        ),
    }
}

impl ContactView {
    pub fn new(id: i64) -> ContactView {
        ContactView {
            id,
            page: None,
            section: Section::Details,
            field: 0,
            draft: Draft::default(),
            editing: None,
            pushes_before: None,
            watching: false,
            nudge_on_save: false,
            landed: true,
            list_sel: 0,
            picker: None,
            activity: Window::default(),
            months: Vec::new(),
            refreshing: false,
        }
    }

    pub fn sections(sh: &Shared) -> Vec<Section> {
        let v = sh.visibility();
        let mut s = vec![Section::Details];
        if v.ctct {
            s.push(Section::Lists);
        }
        if v.contact_ctct {
            s.push(Section::Activity);
        }
        s
    }

    pub fn open(&mut self, sh: &mut Shared) -> Vec<Effect> {
        let after = self.activity.reset();
        vec![
            sh.query(DashQuery::Contact { id: self.id }),
            sh.query(DashQuery::Interactions {
                contact: self.id,
                after,
                limit: PAGE,
            }),
            sh.query(DashQuery::Chart {
                contact: Some(self.id),
                client: None,
            }),
        ]
    }

    pub fn reload(&self, sh: &mut Shared) -> Effect {
        sh.query(DashQuery::Contact { id: self.id })
    }

    pub fn editing_text(&self) -> bool {
        self.editing.is_some()
    }

    pub fn dirty(&self) -> bool {
        !self.changed_fields().is_empty()
    }

    /// The contact page arrived (first open, after a save, or a poll).
    pub fn arrive(&mut self, page: ContactPage, sh: &mut Shared) {
        let first = self.page.is_none();
        let was_dirty = self.dirty();
        if first || !was_dirty {
            self.draft = draft_of(&page.row.contact);
        }
        if self.watching {
            let ours: Vec<&Entry> = page
                .pushes
                .iter()
                .filter(|e| self.pushes_before.is_none_or(|b| e.id > b))
                .collect();
            if let Some(newest) = ours.first() {
                if matches!(newest.status, Status::Delivered | Status::Failed) {
                    self.watching = false;
                    let (text, bad) = push_words(newest, sh);
                    if bad {
                        sh.warn(text);
                    } else {
                        sh.say(text);
                    }
                }
            } else if self.landed {
                // The write committed without a push (not linked, or the trigger is off).
                self.watching = false;
            }
        }
        self.list_sel = self.list_sel.min(page.memberships.len().saturating_sub(1));
        self.page = Some(page);
    }

    pub fn key(&mut self, key: KeyEvent) {
        if let Some(f) = &mut self.editing {
            f.key(key);
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = &mut self.editing {
            f.paste(text);
        }
    }

    fn switch(&mut self, forward: bool, sh: &Shared) {
        let all = Self::sections(sh);
        let i = all.iter().position(|s| *s == self.section).unwrap_or(0);
        let n = all.len();
        let j = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.section = all[j];
    }

    pub fn update(&mut self, a: Action, sh: &mut Shared) -> Vec<Effect> {
        // A field being edited.
        if let Some(f) = &self.editing {
            match a {
                Action::Confirm => {
                    let v = f.value().to_string();
                    match self.field {
                        0 => self.draft.first = v,
                        1 => self.draft.last = v,
                        _ => self.draft.email = v.trim().to_string(),
                    }
                    self.editing = None;
                    if self.field < 3 {
                        self.field += 1;
                    }
                }
                Action::Back => self.editing = None,
                _ => {}
            }
            return Vec::new();
        }
        // The list picker.
        if let Some(p) = self.picker {
            let choices = self.choices();
            match a {
                Action::Up => self.picker = Some(p.saturating_sub(1)),
                Action::Down => self.picker = Some((p + 1).min(choices.len().saturating_sub(1))),
                Action::Back => self.picker = None,
                Action::Confirm => {
                    self.picker = None;
                    if let Some((id, name)) = choices.get(p) {
                        sh.say(format!("Adding to {name}: the push goes out now"));
                        return self.write(DashWrite::Membership {
                            contact: self.id,
                            list_id: id.clone(),
                            add: true,
                        });
                    }
                }
                _ => {}
            }
            return Vec::new();
        }
        match a {
            Action::SubNext => self.switch(true, sh),
            Action::SubPrev => self.switch(false, sh),
            _ => {}
        }
        match self.section {
            Section::Details => self.update_details(a, sh),
            Section::Lists => self.update_lists(a, sh),
            Section::Activity => self.update_activity(a, sh),
        }
    }

    fn write(&mut self, w: DashWrite) -> Vec<Effect> {
        self.pushes_before = self
            .page
            .as_ref()
            .and_then(|p| p.pushes.first().map(|e| e.id))
            .or(Some(0));
        self.watching = true;
        self.nudge_on_save = true;
        self.landed = false;
        vec![Effect::Write(vec![WriteOp::Dash(w)])]
    }

    fn update_details(&mut self, a: Action, sh: &mut Shared) -> Vec<Effect> {
        match a {
            Action::Up => self.field = self.field.saturating_sub(1),
            Action::Down => self.field = (self.field + 1).min(3),
            Action::Toggle => self.draft.dne = !self.draft.dne,
            Action::Edit if self.field == 3 => self.draft.dne = !self.draft.dne,
            Action::Edit => {
                let v = match self.field {
                    0 => &self.draft.first,
                    1 => &self.draft.last,
                    _ => &self.draft.email,
                };
                self.editing = Some(TextField::new(v, false));
            }
            Action::Save => return self.save(sh),
            _ => {}
        }
        Vec::new()
    }

    /// Saves the draft: the write effect, or nothing (with a toast saying why) when there is
    /// nothing to save or the draft is invalid.
    pub fn save(&mut self, sh: &mut Shared) -> Vec<Effect> {
        let Some(p) = &self.page else {
            return Vec::new();
        };
        let c = &p.row.contact;
        let d = &self.draft;
        let edit = ContactEdit {
            first_name: (d.first != c.first_name).then(|| d.first.clone()),
            last_name: (d.last != c.last_name).then(|| d.last.clone()),
            email: (Some(d.email.as_str()).filter(|e| !e.is_empty()) != c.email.as_deref())
                .then(|| Some(d.email.clone()).filter(|e| !e.is_empty())),
            do_not_email: (d.dne != c.do_not_email).then_some(d.dne),
        };
        if edit == ContactEdit::default() {
            sh.say("Nothing to save: no field was changed");
            return Vec::new();
        }
        if let Err(e) = data::validate_email(&d.email) {
            sh.warn(e);
            return Vec::new();
        }
        sh.say(if c.ctct_id.is_some() {
            "Saved; pushing the change to Constant Contact…"
        } else {
            "Saved (not linked to Constant Contact: nothing to push)"
        });
        let linked = c.ctct_id.is_some();
        let fx = self.write(DashWrite::SaveContact { id: self.id, edit });
        if !linked {
            self.watching = false;
            self.nudge_on_save = false;
        }
        // No re-read here: the writer thread may not have committed yet. The screen
        // re-reads the page when `Reply::Saved` arrives.
        fx
    }

    /// The fields whose draft differs from the stored contact, in words.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        let Some(p) = &self.page else {
            return Vec::new();
        };
        let (d, c) = (&self.draft, draft_of(&p.row.contact));
        [
            (d.first != c.first, "First name"),
            (d.last != c.last, "Last name"),
            (d.email != c.email, "Email"),
            (d.dne != c.dne, "Do Not Email"),
        ]
        .into_iter()
        .filter_map(|(changed, name)| changed.then_some(name))
        .collect()
    }

    /// "First Last" of the stored contact (or its id before the page arrived).
    pub fn who(&self) -> String {
        match &self.page {
            Some(p) => p.row.contact.full_name(),
            None => format!("contact {}", self.id),
        }
    }

    /// Lists the contact could be added to: (id, name).
    fn choices(&self) -> Vec<(String, String)> {
        let Some(p) = &self.page else {
            return Vec::new();
        };
        p.all_lists
            .iter()
            .filter(|l| !p.memberships.iter().any(|(m, _)| m.list_id == l.list_id))
            .map(|l| (l.list_id.clone(), l.name.clone()))
            .collect()
    }

    fn update_lists(&mut self, a: Action, sh: &mut Shared) -> Vec<Effect> {
        let n = self.page.as_ref().map(|p| p.memberships.len()).unwrap_or(0);
        match a {
            Action::Up => self.list_sel = self.list_sel.saturating_sub(1),
            Action::Down => self.list_sel = (self.list_sel + 1).min(n.saturating_sub(1)),
            Action::Add => {
                if self.choices().is_empty() {
                    sh.warn("No other list to add to (the lists come from `ctctsync run synccontactlists`)");
                } else {
                    self.picker = Some(0);
                }
            }
            Action::Remove => {
                let target = self
                    .page
                    .as_ref()
                    .and_then(|p| p.memberships.get(self.list_sel))
                    .map(|(l, _)| (l.list_id.clone(), l.name.clone()));
                if let Some((list_id, name)) = target {
                    sh.say(format!("Removing from {name}: the push goes out now"));
                    return self.write(DashWrite::Membership {
                        contact: self.id,
                        list_id,
                        add: false,
                    });
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn update_activity(&mut self, a: Action, sh: &mut Shared) -> Vec<Effect> {
        let fetch = match a {
            Action::Up => self.activity.step(-1),
            Action::Down => self.activity.step(1),
            Action::NextPage => self.activity.page(true),
            Action::PrevPage => self.activity.page(false),
            Action::Refresh => {
                if self
                    .page
                    .as_ref()
                    .is_some_and(|p| p.row.contact.ctct_id.is_none())
                {
                    sh.warn("This contact is not linked to Constant Contact yet: run CTCT sync contact first");
                    return Vec::new();
                }
                self.refreshing = true;
                sh.say("Refreshing this contact's activity from Constant Contact…");
                return vec![Effect::Dash(DashEffect::Refresh { contact: self.id })];
            }
            _ => None,
        };
        match fetch {
            Some(after) => vec![sh.query(DashQuery::Interactions {
                contact: self.id,
                after,
                limit: PAGE,
            })],
            None => Vec::new(),
        }
    }

    /// After a refresh: re-read the table from the top and the chart.
    pub fn refreshed(&mut self, sh: &mut Shared) -> Vec<Effect> {
        self.refreshing = false;
        let mut fx = self.open(sh);
        fx.remove(0);
        fx.push(self.reload(sh));
        fx
    }

    pub fn click(&mut self, col: u16, row: u16, area: Rect, sh: &mut Shared) -> Vec<Effect> {
        let l = layout(area);
        if row == l.sections.y {
            if let Some(s) = section_at(&Self::sections(sh), col.saturating_sub(l.sections.x)) {
                self.section = s;
            }
            return Vec::new();
        }
        match self.section {
            Section::Details if row >= l.body.y && row < l.body.y + 4 => {
                self.field = usize::from(row - l.body.y);
            }
            Section::Lists if row > l.body.y => {
                let i = usize::from(row - l.body.y - 1);
                if self.page.as_ref().is_some_and(|p| i < p.memberships.len()) {
                    self.list_sel = i;
                }
            }
            Section::Activity => {
                let t = activity_layout(l.body).1;
                if row > t.y && row < t.y + t.height {
                    self.activity.click(usize::from(row - t.y - 1));
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// ```text
    ///  Ada Lovelace · ada@example.com · Lovelace household · ✓ linked
    ///  [Details]  Lists  Constant Contact
    ///  (the section)
    /// ```
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, sh: &Shared) {
        let l = layout(area);
        let Some(p) = &self.page else {
            Line::raw(" Reading the contact…").render(l.header, buf);
            return;
        };
        let c = &p.row.contact;
        let mut head = vec![Span::styled(
            format!(" {}", data::contact_label(c)),
            theme.title(),
        )];
        if let Some(e) = c.email.as_ref().filter(|_| !c.full_name().is_empty()) {
            head.push(Span::raw(format!(" · {e}")));
        }
        if let Some(cl) = &p.row.client {
            head.push(Span::raw(format!(" · {cl}")));
        }
        head.push(if c.ctct_id.is_some() {
            Span::styled(" · ✓ linked", theme.ok())
        } else {
            Span::styled(" · · not linked", theme.dim())
        });
        Line::from(head).render(l.header, buf);
        render_sections(&Self::sections(sh), self.section, l.sections, buf, theme);
        match self.section {
            Section::Details => self.render_details(p, l.body, buf, theme, sh),
            Section::Lists => self.render_lists(p, l.body, buf, theme),
            Section::Activity => self.render_activity(p, l.body, buf, theme, sh),
        }
    }

    fn render_details(
        &self,
        p: &ContactPage,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        sh: &Shared,
    ) {
        let c = &p.row.contact;
        let w = usize::from(area.width);
        let field_w = w.saturating_sub(20).clamp(10, 50);
        let mut lines: Vec<Line> = Vec::new();
        for (i, name) in FIELDS.iter().enumerate() {
            let sel = i == self.field && self.picker.is_none();
            let marker = if sel {
                crate::tui::theme::MARKER
            } else {
                crate::tui::theme::NO_MARKER
            };
            let mut spans = vec![Span::styled(
                format!(" {marker}{name:<13} "),
                if sel {
                    theme.selected()
                } else {
                    ratatui::style::Style::new()
                },
            )];
            match (i, &self.editing) {
                (3, _) => spans.push(Span::raw(if self.draft.dne {
                    "[x] yes — never email this contact"
                } else {
                    "[ ] no"
                })),
                (_, Some(f)) if sel => spans.extend(f.spans(field_w, true, theme)),
                _ => {
                    let v = match i {
                        0 => &self.draft.first,
                        1 => &self.draft.last,
                        _ => &self.draft.email,
                    };
                    spans.extend(TextField::new(v, false).spans(field_w, false, theme));
                }
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::raw(""));
        if self.dirty() {
            lines.push(Line::styled("   ● unsaved changes — s saves", theme.warn()));
        } else {
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(vec![
            Span::styled("   Constant Contact  ", theme.dim()),
            Span::raw(match &c.ctct_id {
                Some(id) => format!(
                    "✓ linked ({id}) · {}",
                    c.ctct_status.as_deref().unwrap_or("status unknown")
                ),
                None => "· not linked (CTCT sync contact links contacts by email)".into(),
            }),
        ]));
        lines.push(Line::from(vec![
            Span::styled("   Interactions      ", theme.dim()),
            Span::raw(fmt::thousands(p.interactions)),
            Span::raw(
                c.last_activity_at
                    .as_deref()
                    .map(|t| format!(" · last {}", fmt::local_str(t, sh.tz())))
                    .unwrap_or_default(),
            ),
        ]));
        if let Some(e) = p.pushes.first() {
            let (text, bad) = push_words(e, sh);
            lines.push(Line::from(vec![
                Span::styled("   Last push         ", theme.dim()),
                Span::styled(text, if bad { theme.error() } else { theme.body() }),
            ]));
        }
        for (i, line) in lines.into_iter().enumerate() {
            let y = area.y + i as u16;
            if y >= area.y + area.height {
                break;
            }
            line.render(Rect::new(area.x, y, area.width, 1), buf);
        }
    }

    fn render_lists(&self, p: &ContactPage, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let cols = [
            col("Constant Contact list", 20, true, 0),
            col("State", 22, false, 0),
        ];
        let rows: Vec<Vec<Cell>> = p
            .memberships
            .iter()
            .map(|(l, state)| {
                let s = match state.as_str() {
                    "member" => ("✓ member".to_string(), theme.ok()),
                    "pending_add" => ("… being added".to_string(), theme.warn()),
                    "pending_remove" => ("… being removed".to_string(), theme.warn()),
                    other => cell(other),
                };
                vec![cell(l.name.clone()), s]
            })
            .collect();
        let sel = (!rows.is_empty()).then_some(self.list_sel);
        table::render(
            area,
            buf,
            theme,
            &cols,
            &rows,
            sel,
            self.picker.is_none(),
            "on no list — a adds to one",
        );
        if let Some(psel) = self.picker {
            let choices = self.choices();
            let h = (choices.len() as u16 + 2).min(area.height);
            let r = widgets::centered(area, 44.min(area.width), h);
            Clear.render(r, buf);
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border())
                .title(" Add to which list? ")
                .render(r, buf);
            let inner = Rect::new(
                r.x + 1,
                r.y + 1,
                r.width.saturating_sub(2),
                r.height.saturating_sub(2),
            );
            let top = psel.saturating_sub(usize::from(inner.height).saturating_sub(1));
            for (i, (_, name)) in choices.iter().enumerate().skip(top) {
                let y = inner.y + (i - top) as u16;
                if y >= inner.y + inner.height {
                    break;
                }
                let sel = i == psel;
                let text = format!(
                    "{}{}",
                    if sel { crate::tui::theme::MARKER } else { "  " },
                    name
                );
                Line::styled(
                    widgets::fit(&text, usize::from(inner.width)),
                    if sel {
                        theme.selected()
                    } else {
                        ratatui::style::Style::new()
                    },
                )
                .render(Rect::new(inner.x, y, inner.width, 1), buf);
            }
        }
    }

    fn render_activity(
        &self,
        p: &ContactPage,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        sh: &Shared,
    ) {
        let (chart_area, table_area) = activity_layout(area);
        if chart_area.height > 0 {
            chart::render(&self.months, sh.now, chart_area, buf, theme);
        }
        let h = usize::from(table_area.height.saturating_sub(1));
        self.activity.height.set(h.max(1));
        let (rows, sel) = self.activity.visible(h);
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|i| interaction_cells(i, sh, theme))
            .collect();
        let empty = if !self.activity.loaded {
            "reading…"
        } else if p.row.contact.ctct_id.is_none() {
            "not linked to Constant Contact: no activity"
        } else if self.refreshing {
            "refreshing from Constant Contact…"
        } else {
            "no activity yet — r refreshes from Constant Contact"
        };
        table::render(
            table_area,
            buf,
            theme,
            &interaction_cols(),
            &cells,
            sel,
            true,
            empty,
        );
    }
}

fn draft_of(c: &crate::store::contacts::Contact) -> Draft {
    Draft {
        first: c.first_name.clone(),
        last: c.last_name.clone(),
        email: c.email.clone().unwrap_or_default(),
        dne: c.do_not_email,
    }
}

/// The chart above the table when there is room for both.
pub fn activity_layout(area: Rect) -> (Rect, Rect) {
    let chart_h = if area.height >= 16 { 7 } else { 0 };
    (
        Rect::new(area.x, area.y, area.width, chart_h),
        Rect::new(
            area.x,
            area.y + chart_h,
            area.width,
            area.height.saturating_sub(chart_h),
        ),
    )
}

pub struct PageLayout {
    pub header: Rect,
    pub sections: Rect,
    pub body: Rect,
}

pub fn layout(area: Rect) -> PageLayout {
    let line = |dy: u16| {
        Rect::new(
            area.x,
            area.y.saturating_add(dy),
            area.width,
            u16::from(area.height > dy),
        )
    };
    PageLayout {
        header: line(0),
        sections: line(1),
        body: Rect::new(
            area.x,
            area.y.saturating_add(3).min(area.y + area.height),
            area.width,
            area.height.saturating_sub(3),
        ),
    }
}

/// Column spans of the section titles: " Details │ Lists │ Constant Contact ".
fn section_spans<T: Copy>(all: &[(T, &str)]) -> Vec<(T, u16, u16)> {
    let mut x = 1u16;
    let mut out = Vec::new();
    for (s, title) in all {
        let w = unicode_width::UnicodeWidthStr::width(*title) as u16 + 2;
        out.push((*s, x, x + w));
        x += w + 1;
    }
    out
}

pub fn section_at<T: Copy + PartialEq + SectionTitle>(all: &[T], col: u16) -> Option<T> {
    let titled: Vec<(T, &str)> = all.iter().map(|s| (*s, s.section_title())).collect();
    section_spans(&titled)
        .into_iter()
        .find(|(_, a, b)| col >= *a && col < *b)
        .map(|(s, _, _)| s)
}

pub trait SectionTitle {
    fn section_title(&self) -> &'static str;
}

impl SectionTitle for Section {
    fn section_title(&self) -> &'static str {
        self.title()
    }
}

pub fn render_sections<T: Copy + PartialEq + SectionTitle>(
    all: &[T],
    current: T,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let mut spans = vec![Span::raw(" ")];
    for (i, s) in all.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme.dim()));
        }
        spans.push(if *s == current {
            Span::styled(format!("[{}]", s.section_title()), theme.selected())
        } else {
            Span::raw(format!(" {} ", s.section_title()))
        });
    }
    let hint = "  ←/→ sections · Esc back";
    let used: usize = spans.iter().map(|s| s.width()).sum();
    if used + hint.chars().count() <= usize::from(area.width) {
        spans.push(Span::styled(hint, theme.dim()));
    }
    Line::from(spans).render(area, buf);
}
