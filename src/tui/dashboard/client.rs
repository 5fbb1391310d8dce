//! A client's page (a household or an organization): Timeline (its events, newest first) and
//! Constant Contact → Membership (which member is on which list) and → Activity (every member's
//! interactions, newest first, with a chart). Which sections show follows the layout settings
//! and the user's Constant Contact permission.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::chart;
use super::clients::kind_word;
use super::contact::{self, SectionTitle, activity_layout, render_sections, section_at};
use super::data::{ClientPage, Cursor, DashQuery, Month, PAGE};
use super::fmt;
use super::shared::Shared;
use super::table::{self, Cell, cell, col};
use super::window::{Keyed, Window};
use crate::store::events::Event;
use crate::store::interactions::Interaction;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets;

impl Keyed for Event {
    fn cursor(&self) -> Cursor {
        Cursor::Time(self.occurred_at.clone(), self.id)
    }
    fn id(&self) -> i64 {
        self.id
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientSection {
    Timeline,
    Membership,
    Activity,
}

impl SectionTitle for ClientSection {
    fn section_title(&self) -> &'static str {
        match self {
            ClientSection::Timeline => "Timeline",
            ClientSection::Membership => "Constant Contact › Membership",
            ClientSection::Activity => "Constant Contact › Activity",
        }
    }
}

pub struct ClientView {
    pub id: i64,
    pub page: Option<ClientPage>,
    pub section: Option<ClientSection>,
    pub timeline: Window<Event>,
    pub activity: Window<Interaction>,
    pub months: Vec<Month>,
    pub member_sel: usize,
}

impl ClientView {
    pub fn new(id: i64) -> ClientView {
        ClientView {
            id,
            page: None,
            section: None,
            timeline: Window::default(),
            activity: Window::default(),
            months: Vec::new(),
            member_sel: 0,
        }
    }

    pub fn sections(sh: &Shared) -> Vec<ClientSection> {
        let v = sh.visibility();
        let mut s = Vec::new();
        if v.client_timeline {
            s.push(ClientSection::Timeline);
        }
        if v.client_membership {
            s.push(ClientSection::Membership);
        }
        if v.client_activity {
            s.push(ClientSection::Activity);
        }
        s
    }

    /// The section shown: the chosen one if still allowed, else the first allowed.
    pub fn current(&self, sh: &Shared) -> Option<ClientSection> {
        let all = Self::sections(sh);
        self.section
            .filter(|s| all.contains(s))
            .or_else(|| all.first().copied())
    }

    pub fn open(&mut self, sh: &mut Shared) -> Vec<Effect> {
        let t = self.timeline.reset();
        let a = self.activity.reset();
        vec![
            sh.query(DashQuery::Client { id: self.id }),
            sh.query(DashQuery::ClientTimeline {
                client: self.id,
                after: t,
                limit: PAGE,
            }),
            sh.query(DashQuery::ClientActivity {
                client: self.id,
                after: a,
                limit: PAGE,
            }),
            sh.query(DashQuery::Chart {
                contact: None,
                client: Some(self.id),
            }),
        ]
    }

    pub fn update(&mut self, a: Action, sh: &mut Shared) -> Vec<Effect> {
        let all = Self::sections(sh);
        let cur = self.current(sh);
        if matches!(a, Action::SubNext | Action::SubPrev) && !all.is_empty() {
            let i = cur
                .and_then(|c| all.iter().position(|s| *s == c))
                .unwrap_or(0);
            let n = all.len();
            let j = if a == Action::SubNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            self.section = Some(all[j]);
            return Vec::new();
        }
        let step = |w: &mut dyn FnMut(isize, bool) -> Option<Option<Cursor>>| match a {
            Action::Up => w(-1, false),
            Action::Down => w(1, false),
            Action::NextPage => w(1, true),
            Action::PrevPage => w(-1, true),
            _ => None,
        };
        match cur {
            Some(ClientSection::Timeline) => {
                let tl = &mut self.timeline;
                let fetch = step(&mut |n, page| if page { tl.page(n > 0) } else { tl.step(n) });
                fetch
                    .map(|after| {
                        vec![sh.query(DashQuery::ClientTimeline {
                            client: self.id,
                            after,
                            limit: PAGE,
                        })]
                    })
                    .unwrap_or_default()
            }
            Some(ClientSection::Activity) => {
                let ac = &mut self.activity;
                let fetch = step(&mut |n, page| if page { ac.page(n > 0) } else { ac.step(n) });
                fetch
                    .map(|after| {
                        vec![sh.query(DashQuery::ClientActivity {
                            client: self.id,
                            after,
                            limit: PAGE,
                        })]
                    })
                    .unwrap_or_default()
            }
            Some(ClientSection::Membership) => {
                let n = self.page.as_ref().map(|p| p.members.len()).unwrap_or(0);
                match a {
                    Action::Up => self.member_sel = self.member_sel.saturating_sub(1),
                    Action::Down => {
                        self.member_sel = (self.member_sel + 1).min(n.saturating_sub(1))
                    }
                    _ => {}
                }
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    pub fn click(&mut self, col: u16, row: u16, area: Rect, sh: &Shared) {
        let l = contact::layout(area);
        if row == l.sections.y {
            if let Some(s) = section_at(&Self::sections(sh), col.saturating_sub(l.sections.x)) {
                self.section = Some(s);
            }
            return;
        }
        match self.current(sh) {
            Some(ClientSection::Timeline) if row > l.body.y => {
                self.timeline.click(usize::from(row - l.body.y - 1));
            }
            Some(ClientSection::Activity) => {
                let t = activity_layout(l.body).1;
                if row > t.y && row < t.y + t.height {
                    self.activity.click(usize::from(row - t.y - 1));
                }
            }
            Some(ClientSection::Membership) if row > l.body.y => {
                let i = usize::from(row - l.body.y - 1);
                if self.page.as_ref().is_some_and(|p| i < p.members.len()) {
                    self.member_sel = i;
                }
            }
            _ => {}
        }
    }

    fn member_name(&self, contact_id: i64) -> String {
        self.page
            .as_ref()
            .and_then(|p| p.members.iter().find(|m| m.id == contact_id))
            .map(|m| {
                if m.first_name.is_empty() {
                    super::data::contact_label(m)
                } else {
                    m.first_name.clone()
                }
            })
            .unwrap_or_else(|| format!("#{contact_id}"))
    }

    /// ```text
    ///  Lovelace household · household · 3 members
    ///  [Timeline] │ Constant Contact › Membership │ Constant Contact › Activity
    ///  (the section)
    /// ```
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, sh: &Shared) {
        let l = contact::layout(area);
        let Some(p) = &self.page else {
            Line::raw(" Reading the client…").render(l.header, buf);
            return;
        };
        Line::from(vec![
            Span::styled(format!(" {}", p.client.name), theme.title()),
            Span::raw(format!(
                " · {} · {} member{}",
                kind_word(p.client.kind),
                p.members.len(),
                if p.members.len() == 1 { "" } else { "s" }
            )),
        ])
        .render(l.header, buf);
        let all = Self::sections(sh);
        let Some(cur) = self.current(sh) else {
            Line::styled(
                " No section of the client page is turned on (Settings → 10 Layouts).",
                theme.dim(),
            )
            .render(l.sections, buf);
            return;
        };
        render_sections(&all, cur, l.sections, buf, theme);
        let zone = sh.tz();
        match cur {
            ClientSection::Timeline => {
                let cols = [
                    col("Date", 16, false, 0),
                    col("Event", 24, true, 0),
                    col("Member", 12, false, 1),
                ];
                let h = usize::from(l.body.height.saturating_sub(1));
                self.timeline.height.set(h.max(1));
                let (rows, sel) = self.timeline.visible(h);
                let cells: Vec<Vec<Cell>> = rows
                    .iter()
                    .map(|e| {
                        vec![
                            cell(fmt::local_str(&e.occurred_at, zone)),
                            cell(e.subject.clone()),
                            cell(self.member_name(e.contact_id)),
                        ]
                    })
                    .collect();
                let empty = if self.timeline.loaded {
                    "no events (Sync Activities to Event is off, or nothing synced yet)"
                } else {
                    "reading…"
                };
                table::render(l.body, buf, theme, &cols, &cells, sel, true, empty);
            }
            ClientSection::Membership => self.render_membership(p, l.body, buf, theme),
            ClientSection::Activity => {
                let (chart_area, table_area) = activity_layout(l.body);
                if chart_area.height > 0 {
                    chart::render(&self.months, sh.now, chart_area, buf, theme);
                }
                let mut cols = contact::interaction_cols();
                cols.insert(1, col("Member", 10, false, 2));
                let h = usize::from(table_area.height.saturating_sub(1));
                self.activity.height.set(h.max(1));
                let (rows, sel) = self.activity.visible(h);
                let cells: Vec<Vec<Cell>> = rows
                    .iter()
                    .map(|i| {
                        let mut c = contact::interaction_cells(i, sh, theme);
                        c.insert(1, cell(self.member_name(i.contact_id)));
                        c
                    })
                    .collect();
                let empty = if self.activity.loaded {
                    "no member has Constant Contact activity yet"
                } else {
                    "reading…"
                };
                table::render(table_area, buf, theme, &cols, &cells, sel, true, empty);
            }
        }
    }

    /// Members down, lists across: `✓` member, `+` being added, `−` being removed, `·` not on it.
    fn render_membership(&self, p: &ClientPage, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let name_w: u16 = 22;
        let list_w: u16 = 14;
        let fit = (area.width.saturating_sub(name_w + 2) / list_w) as usize;
        let shown = p.lists.len().min(fit);
        let mut head = format!("  {}", widgets::fit("Member", usize::from(name_w)));
        for l in p.lists.iter().take(shown) {
            head.push_str(&widgets::fit(&format!(" {}", l.name), usize::from(list_w)));
        }
        if shown < p.lists.len() {
            head.push_str(&format!(" +{} more", p.lists.len() - shown));
        }
        Line::styled(head, theme.title()).render(
            Rect::new(area.x, area.y, area.width, area.height.min(1)),
            buf,
        );
        if p.members.is_empty() {
            if area.height > 1 {
                Line::styled("  no members", theme.dim())
                    .render(Rect::new(area.x, area.y + 1, area.width, 1), buf);
            }
            return;
        }
        for (i, (m, row)) in p.members.iter().zip(&p.matrix).enumerate() {
            let y = area.y + 1 + i as u16;
            if y >= area.y + area.height {
                break;
            }
            let sel = i == self.member_sel;
            let mut text = format!(
                "{}{}",
                if sel {
                    crate::tui::theme::MARKER
                } else {
                    crate::tui::theme::NO_MARKER
                },
                widgets::fit(&super::data::contact_label(m), usize::from(name_w))
            );
            for state in row.iter().take(shown) {
                let mark = match state.as_deref() {
                    Some("member") => "✓ member",
                    Some("pending_add") => "+ adding",
                    Some("pending_remove") => "− removing",
                    _ => "·",
                };
                text.push_str(&widgets::fit(&format!(" {mark}"), usize::from(list_w)));
            }
            let style = if sel {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            Line::styled(text, style).render(Rect::new(area.x, y, area.width, 1), buf);
        }
        if p.lists.is_empty() && area.height > 2 {
            let y = area.y + 1 + (p.members.len() as u16).min(area.height.saturating_sub(2));
            if y < area.y + area.height {
                Line::styled("  no member is on a Constant Contact list", theme.dim())
                    .render(Rect::new(area.x, y, area.width, 1), buf);
            }
        }
    }
}
