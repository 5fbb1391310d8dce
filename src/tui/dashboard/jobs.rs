//! The Jobs tab: the three scheduled jobs, today's API requests against the quota, the selected
//! job's schedule, next and last run, live progress of a running run (from its `job_runs` row,
//! whichever process runs it) and its run history with summaries and errors.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::data::{DAILY_QUOTA, DashWrite, JobView};
use super::exec::DashEffect;
use super::fmt;
use super::shared::Shared;
use super::table::{self, Cell, cell, col};
use crate::store::jobs::{Run, RunStatus};
use crate::tui::action::Action;
use crate::tui::effect::{Effect, Nav};
use crate::tui::theme::Theme;
use crate::tui::widgets;
use crate::tui::wizard::StepId;
use crate::tui::worker::WriteOp;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Default)]
pub struct JobsTab {
    pub sel: usize,
    /// First history row shown (PgDn / PgUp scroll the history).
    pub hist_top: usize,
}

/// "✓ succeeded" — a glyph and a word, never colour alone.
pub fn status_word(s: RunStatus) -> &'static str {
    match s {
        RunStatus::Running => "▶ running",
        RunStatus::Succeeded => "✓ succeeded",
        RunStatus::Failed => "✗ failed",
        RunStatus::Cancelled => "■ cancelled",
    }
}

pub fn status_style(s: RunStatus, theme: &Theme) -> Style {
    match s {
        RunStatus::Running => theme.key(),
        RunStatus::Succeeded => theme.ok(),
        RunStatus::Failed => theme.error(),
        RunStatus::Cancelled => theme.warn(),
    }
}

/// A text bar that reads without colour: `███████░░░░░`.
pub fn bar(fraction: f64, width: usize) -> String {
    let f = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let full = ((f * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

fn summary_words(r: &Run) -> String {
    let Some(s) = r.summary.as_ref().and_then(|v| v.as_object()) else {
        return String::new();
    };
    let mut parts = Vec::new();
    for k in ["linked", "created", "updated", "skipped", "failed"] {
        if let Some(n) = s.get(k).and_then(|v| v.as_i64()).filter(|n| *n > 0) {
            parts.push(format!("{k} {}", fmt::thousands(n)));
        }
    }
    if let Some(notes) = s.get("notes").and_then(|v| v.as_array()) {
        for n in notes.iter().filter_map(|n| n.as_str()) {
            parts.push(n.to_string());
        }
    }
    parts.join(" · ")
}

impl JobsTab {
    fn selected<'a>(&self, sh: &'a Shared) -> Option<&'a JobView> {
        sh.overview.as_ref().and_then(|o| o.jobs.get(self.sel))
    }

    pub fn update(&mut self, a: Action, sh: &mut Shared) -> Vec<Effect> {
        let n = sh.overview.as_ref().map(|o| o.jobs.len()).unwrap_or(0);
        match a {
            Action::Up => {
                self.sel = self.sel.saturating_sub(1);
                self.hist_top = 0;
            }
            Action::Down => {
                self.sel = (self.sel + 1).min(n.saturating_sub(1));
                self.hist_top = 0;
            }
            Action::NextPage => self.hist_top += 5,
            Action::PrevPage => self.hist_top = self.hist_top.saturating_sub(5),
            Action::Toggle => {
                if let Some(j) = self.selected(sh) {
                    let (job, on) = (j.job.name, !j.job.enabled);
                    sh.say(format!(
                        "{} {}",
                        job.display_name(),
                        if on {
                            "enabled: it runs on its schedule"
                        } else {
                            "disabled: the daemon skips it"
                        }
                    ));
                    return vec![Effect::job_enabled(job, on), overview(sh)];
                }
            }
            Action::RunNow => {
                let Some(j) = self.selected(sh) else {
                    return Vec::new();
                };
                let job = j.job.name;
                if let Some(r) = &j.running {
                    sh.warn(format!(
                        "{} is already running (run {}, pid {}); c cancels it",
                        job.display_name(),
                        r.id,
                        r.pid.unwrap_or(0)
                    ));
                    return Vec::new();
                }
                let daemon = sh.overview.as_ref().and_then(|o| o.daemon_pid);
                return match daemon {
                    Some(pid) => {
                        sh.say(format!(
                            "Asked the daemon (pid {pid}) to run {} now",
                            job.display_name()
                        ));
                        vec![
                            Effect::Write(vec![WriteOp::Dash(DashWrite::RequestRun { job })]),
                            overview(sh),
                        ]
                    }
                    None => {
                        sh.say(format!("Started {} in this window", job.display_name()));
                        vec![Effect::Dash(DashEffect::RunJob(job)), overview(sh)]
                    }
                };
            }
            Action::CancelRun => {
                let Some(j) = self.selected(sh) else {
                    return Vec::new();
                };
                let job = j.job.name;
                if j.running.is_none() {
                    sh.warn(format!("{} is not running", job.display_name()));
                    return Vec::new();
                }
                sh.say(format!(
                    "Cancelling {}: it stops after the current page",
                    job.display_name()
                ));
                return vec![
                    Effect::Write(vec![WriteOp::Dash(DashWrite::RequestCancel { job })]),
                    Effect::Dash(DashEffect::Cancel(job)),
                    overview(sh),
                ];
            }
            Action::Authorize if sh.may_setup() => {
                return vec![Effect::Navigate(Nav::Wizard {
                    step: Some(StepId::from_index(4)),
                    from_settings: true,
                })];
            }
            _ => {}
        }
        Vec::new()
    }

    /// The row of the jobs table a click hit, if any.
    pub fn click(&mut self, row: u16, area: Rect) -> bool {
        let l = layout(area);
        let first = l.table.y + 1;
        if row >= first && row < first + 3 {
            self.sel = usize::from(row - first);
            self.hist_top = 0;
            return true;
        }
        false
    }

    /// ```text
    ///  API requests today  ██████░░░░░░░░  1,234 of 10,000 (12 %)
    ///    Job                     On     Next run        Last run
    ///  ▶ CTCT sync contact list  ✓ on   in 6 h 30 min   ✓ succeeded 12 s
    ///  CTCT sync activity · syncactivities
    ///  Schedule  At 02:00:00 · cron 00 00 02 * * ? · America/New_York
    ///  Next run  in 8 h (Fri 4 Dec 02:00), then Sat 5 Dec 02:00
    ///  Running   ████████░░░░ 45 % · 1,234 of 2,700 items · 12.3 items/s · 1 min 40 s
    ///  History
    ///    #12 ✓ succeeded  2026-12-03 02:00  4 min 05 s  1,234 items  56 requests
    /// ```
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, sh: &Shared) {
        let Some(o) = &sh.overview else {
            Line::raw(" Reading the jobs…").render(area, buf);
            return;
        };
        let l = layout(area);
        let w = usize::from(area.width);
        let zone = sh.tz();

        // The quota gauge.
        let frac = o.requests_today as f64 / DAILY_QUOTA as f64;
        let gauge_w = w.saturating_sub(46).clamp(6, 30);
        let style = if frac >= 0.9 {
            theme.error()
        } else if frac >= 0.7 {
            theme.warn()
        } else {
            theme.ok()
        };
        Line::from(vec![
            Span::styled(" API requests today ", theme.title()),
            Span::styled(bar(frac, gauge_w), style),
            Span::raw(format!(
                " {} of {} ({} %)",
                fmt::thousands(o.requests_today),
                fmt::thousands(DAILY_QUOTA),
                (frac * 100.0).round() as i64
            )),
        ])
        .render(l.gauge, buf);

        // The jobs table.
        let cols = [
            col("Job", 22, true, 0),
            col("On", 5, false, 0),
            col("Next run", 14, false, 2),
            col("Last run", 22, true, 1),
        ];
        let rows: Vec<Vec<Cell>> = o
            .jobs
            .iter()
            .map(|j| {
                let on = if j.job.enabled {
                    cell("✓ on")
                } else {
                    ("· off".to_string(), theme.dim())
                };
                let next = match (&j.schedule, j.job.enabled) {
                    (_, false) => cell("—"),
                    (Ok(s), true) => cell(
                        s.next_n(zone, sh.now, 1)
                            .first()
                            .map(|t| fmt::relative(t.with_timezone(&chrono::Utc), sh.now))
                            .unwrap_or_else(|| "never".into()),
                    ),
                    (Err(_), true) => ("✗ bad schedule".to_string(), theme.error()),
                };
                let last = match (&j.running, &j.last) {
                    (Some(r), _) => (
                        format!("▶ running {} %", (r.progress * 100.0).round() as i64),
                        theme.key(),
                    ),
                    (None, Some(r)) => (
                        format!(
                            "{} {}",
                            status_word(r.status),
                            fmt::relative_str(
                                r.ended_at.as_deref().unwrap_or(&r.started_at),
                                sh.now
                            )
                        ),
                        status_style(r.status, theme),
                    ),
                    (None, None) => ("· never run".to_string(), theme.dim()),
                };
                vec![cell(j.job.display_name.clone()), on, next, last]
            })
            .collect();
        table::render(
            l.table,
            buf,
            theme,
            &cols,
            &rows,
            Some(self.sel),
            true,
            "no jobs",
        );

        let Some(j) = o.jobs.get(self.sel) else {
            return;
        };
        let mut lines: Vec<Line> = Vec::new();
        lines.push(Line::from(vec![
            Span::styled(format!(" {}", j.job.display_name), theme.title()),
            Span::styled(format!(" · {}", j.job.name.as_str()), theme.dim()),
            Span::raw(if j.job.enabled { "" } else { " · disabled" }),
        ]));
        let label = |s: &str| Span::styled(format!(" {s:<9} "), theme.dim());
        match &j.schedule {
            Ok(s) => {
                lines.push(Line::from(vec![
                    label("Schedule"),
                    Span::raw(format!(
                        "{} · cron {} · {}",
                        s.describe(),
                        j.expr,
                        o.timezone
                    )),
                ]));
                let next = s.next_n(zone, sh.now, 2);
                let text = match (next.first(), next.get(1)) {
                    (Some(a), b) => {
                        let au = a.with_timezone(&chrono::Utc);
                        let mut t = format!(
                            "{} ({})",
                            fmt::relative(au, sh.now),
                            fmt::local_short(au, zone)
                        );
                        if let Some(b) = b {
                            t.push_str(&format!(
                                ", then {}",
                                fmt::local_short(b.with_timezone(&chrono::Utc), zone)
                            ));
                        }
                        if !j.job.enabled {
                            t.push_str(" — disabled: will not run");
                        }
                        t
                    }
                    _ => "never".into(),
                };
                lines.push(Line::from(vec![label("Next run"), Span::raw(text)]));
            }
            Err(e) => lines.push(Line::from(vec![
                label("Schedule"),
                Span::styled(
                    format!("✗ {e} — fix it in Settings → 7 Sync jobs"),
                    theme.error(),
                ),
            ])),
        }
        if let Some(r) = &j.last {
            let took = fmt::elapsed(&r.started_at, r.ended_at.as_deref(), sh.now);
            lines.push(Line::from(vec![
                label("Last run"),
                Span::styled(status_word(r.status), status_style(r.status, theme)),
                Span::raw(format!(
                    " · {} · took {} · {} · {}",
                    fmt::local_str(&r.started_at, zone),
                    fmt::duration(took),
                    fmt::count(r.items, "item", "items"),
                    fmt::count(r.api_requests, "request", "requests")
                )),
            ]));
        }
        if let Some(r) = &j.running {
            let secs = fmt::elapsed(&r.started_at, None, sh.now);
            let rate = if secs > 0 {
                r.items as f64 / secs as f64
            } else {
                0.0
            };
            let of = r
                .items_total
                .map(|t| format!(" of {}", fmt::thousands(t)))
                .unwrap_or_default();
            lines.push(Line::from(vec![
                label("Running"),
                Span::styled(bar(r.progress, 12), theme.key()),
                Span::raw(format!(
                    " {} % · {}{} items · {:.1} items/s · {} elapsed{}",
                    (r.progress * 100.0).round() as i64,
                    fmt::thousands(r.items),
                    of,
                    rate,
                    fmt::duration(secs),
                    r.phase
                        .as_ref()
                        .map(|p| format!(" · {p}"))
                        .unwrap_or_default()
                )),
            ]));
        }
        lines.push(Line::styled(" History", theme.title()));
        let mut hist: Vec<Line> = Vec::new();
        for r in &j.history {
            let took = fmt::elapsed(&r.started_at, r.ended_at.as_deref(), sh.now);
            let summary = summary_words(r);
            hist.push(Line::from(vec![
                Span::raw(format!("   #{:<4} ", r.id)),
                Span::styled(
                    format!("{:<12}", status_word(r.status)),
                    status_style(r.status, theme),
                ),
                Span::raw(format!(
                    " {} {:>11} · {} · {} req · {}{}",
                    fmt::local_str(&r.started_at, zone),
                    fmt::duration(took),
                    fmt::count(r.items, "item", "items"),
                    fmt::thousands(r.api_requests),
                    r.trigger,
                    if summary.is_empty() {
                        String::new()
                    } else {
                        format!(" · {summary}")
                    }
                )),
            ]));
            if let Some(e) = r.error.as_ref().filter(|_| r.status == RunStatus::Failed) {
                // The budget is what is left after the prefix, measured the same way the
                // terminal draws it; a budget one column too wide lost the last character of
                // every wrapped line to the clip at the right edge.
                const ERR_PREFIX: &str = "         ✗ ";
                for part in widgets::wrap(e, w.saturating_sub(ERR_PREFIX.width())) {
                    hist.push(Line::styled(format!("{ERR_PREFIX}{part}"), theme.error()));
                }
            }
        }
        if j.history.is_empty() {
            hist.push(Line::styled("   no runs yet — r runs it now", theme.dim()));
        }
        let top = self.hist_top.min(hist.len().saturating_sub(1));
        lines.extend(hist.into_iter().skip(top));
        for (i, line) in lines.into_iter().enumerate() {
            let y = l.detail.y + i as u16;
            if y >= l.detail.y + l.detail.height {
                break;
            }
            // ratatui clips the line at the edge by display width.
            line.render(Rect::new(area.x, y, area.width, 1), buf);
        }
    }
}

fn overview(sh: &mut Shared) -> Effect {
    sh.overview_query()
}

pub struct JobsLayout {
    pub gauge: Rect,
    pub table: Rect,
    pub detail: Rect,
}

pub fn layout(area: Rect) -> JobsLayout {
    let row = |dy: u16, h: u16| {
        let y = area.y.saturating_add(dy).min(area.y + area.height);
        let h = h.min((area.y + area.height).saturating_sub(y));
        Rect::new(area.x, y, area.width, h)
    };
    JobsLayout {
        gauge: row(0, 1),
        table: row(2, 4),
        detail: row(7, area.height.saturating_sub(7)),
    }
}
