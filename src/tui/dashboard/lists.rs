//! The Lists tab: Constant Contact lists with their member counts (as Constant Contact reports
//! them, as the CRM knows them, and changes still being pushed), and below them the per-campaign
//! roll-ups of every synced interaction (sent / opened / clicked / bounced / opted out /
//! forwarded). Lists number in the hundreds at most and roll-ups are one row per campaign email,
//! so both are read whole (they are aggregates, not tables of records).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::data::{ListRow, Rollup};
use super::fmt;
use super::table::{self, Cell, cell, col};
use crate::tui::action::Action;
use crate::tui::theme::Theme;

#[derive(Debug, Default)]
pub struct ListsTab {
    pub loaded: bool,
    pub lists: Vec<ListRow>,
    pub rollups: Vec<Rollup>,
    pub sel: usize,
    pub top: usize,
    pub rollup_top: usize,
}

impl ListsTab {
    pub fn update(&mut self, a: Action, area_h: u16) {
        let n = self.lists.len();
        let h = usize::from(
            layout(Rect::new(0, 0, 80, area_h))
                .0
                .height
                .saturating_sub(1),
        )
        .max(1);
        match a {
            Action::Up => self.sel = self.sel.saturating_sub(1),
            Action::Down => self.sel = (self.sel + 1).min(n.saturating_sub(1)),
            Action::NextPage => {
                self.rollup_top = (self.rollup_top + 5).min(self.rollups.len().saturating_sub(1))
            }
            Action::PrevPage => self.rollup_top = self.rollup_top.saturating_sub(5),
            _ => {}
        }
        if self.sel < self.top {
            self.top = self.sel;
        }
        if self.sel >= self.top + h {
            self.top = self.sel + 1 - h;
        }
    }

    /// ```text
    ///    List                 In Constant Contact  In the CRM  Being pushed
    ///  ▶ Newsletter                          1,204       1,198             2
    ///  Campaign roll-ups (PgDn / PgUp scroll)
    ///    Campaign               Sends  Opens  Clicks  Bounces  Opt-outs  Forwards
    /// ```
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let (lists_area, title_area, rollup_area) = layout(area);
        let cols = [
            col("List", 20, true, 0),
            col("In CC", 9, false, 0),
            col("In CRM", 9, false, 0),
            col("Pushing", 8, false, 1),
        ];
        let h = usize::from(lists_area.height.saturating_sub(1));
        let rows: Vec<Vec<Cell>> = self
            .lists
            .iter()
            .skip(self.top)
            .take(h)
            .map(|l| {
                vec![
                    cell(l.list.name.clone()),
                    cell(format!(
                        "{:>9}",
                        l.list
                            .membership_count
                            .map(fmt::thousands)
                            .unwrap_or_else(|| "—".into())
                    )),
                    cell(format!("{:>9}", fmt::thousands(l.crm_members))),
                    cell(format!("{:>8}", fmt::thousands(l.pending))),
                ]
            })
            .collect();
        let empty = if self.loaded {
            "no lists yet — run CTCT sync contact list (Jobs tab)"
        } else {
            "reading…"
        };
        let sel = self.sel.checked_sub(self.top);
        table::render(lists_area, buf, theme, &cols, &rows, sel, true, empty);

        Line::styled(
            " Campaign roll-ups: tracked events, re-opens included (PgDn / PgUp scroll)",
            theme.title(),
        )
        .render(title_area, buf);
        let rcols = [
            col("Campaign", 18, true, 0),
            col("Sends", 7, false, 0),
            col("Opens", 7, false, 0),
            col("Clicks", 7, false, 0),
            col("Bounces", 7, false, 1),
            col("Opt-outs", 9, false, 2),
            col("Forwards", 9, false, 3),
        ];
        let rh = usize::from(rollup_area.height.saturating_sub(1));
        let rrows: Vec<Vec<Cell>> = self
            .rollups
            .iter()
            .skip(self.rollup_top)
            .take(rh)
            .map(|(id, name, c)| {
                let mut row = vec![cell(
                    name.clone().unwrap_or_else(|| format!("(campaign {id})")),
                )];
                let ws = [7usize, 7, 7, 7, 9, 9];
                for (n, w) in c.iter().zip(ws) {
                    row.push(cell(format!("{:>w$}", fmt::thousands(*n))));
                }
                row
            })
            .collect();
        let rempty = if self.loaded {
            "no interactions synced yet"
        } else {
            "reading…"
        };
        table::render(rollup_area, buf, theme, &rcols, &rrows, None, false, rempty);
    }
}

/// (lists table, roll-up title, roll-up table): the lists get up to half the height.
pub fn layout(area: Rect) -> (Rect, Rect, Rect) {
    let lists_h = (area.height / 2).max(3).min(area.height);
    let title_y = area.y + lists_h;
    let rest = area.height.saturating_sub(lists_h + 1);
    (
        Rect::new(area.x, area.y, area.width, lists_h),
        Rect::new(
            area.x,
            title_y.min(area.y + area.height),
            area.width,
            u16::from(area.height > lists_h),
        ),
        Rect::new(
            area.x,
            (title_y + 1).min(area.y + area.height),
            area.width,
            rest,
        ),
    )
}
