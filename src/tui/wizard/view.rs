//! Drawing the wizard: pure functions of [`WizardState`]. The same [`layout`] is used to draw and
//! to hit-test mouse clicks, so they can never disagree.
//!
//! ```text
//!  ctctsync setup — step 6 of 10                                  user: alice
//! ┌ Steps ──────────────────────┐┌ 6. Integration settings ───────────────────┐
//! │  ✓ done   1 Application     ││ instructions …                              │
//! │▶ · to do  6 Integration …   ││ ▶ [x] on  Sync contact lists               │
//! │  …                          ││   Activity batch size  [50            ]    │
//! └─────────────────────────────┘└─────────────────────────────────────────────┘
//!  ✗ notice / the step's problem in words
//!  Tab next field  PgDn next step  ? help  q quit
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use super::super::theme::Theme;
use super::super::widgets::{self, checklist, hint_bar};
use super::body::{self, BodyLine};
use super::state::{Dialog, Phase, WizardState};
use super::steps::{StepId, StepStatus};

/// Below this the wizard shows "terminal too small".
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WizardLayout {
    pub header: Rect,
    /// The checklist's inner area (one row per step).
    pub checklist: Rect,
    pub checklist_box: Rect,
    /// The step's inner area.
    pub body: Rect,
    pub body_box: Rect,
    pub notice: Rect,
    pub footer: Rect,
}

impl WizardLayout {
    /// The step whose checklist row is at (col, row).
    pub fn step_at(&self, col: u16, row: u16) -> Option<StepId> {
        if !widgets::contains(self.checklist, col, row) {
            return None;
        }
        let i = usize::from(row - self.checklist.y);
        StepId::ALL.get(i).copied()
    }
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

pub fn layout(_state: &WizardState, area: Rect) -> WizardLayout {
    let list_w: u16 = if area.width >= 110 { 34 } else { 29 };
    let body_h = area.height.saturating_sub(3);
    let header = Rect::new(area.x, area.y, area.width, 1.min(area.height));
    let checklist_box = Rect::new(area.x, area.y + 1, list_w.min(area.width), body_h);
    let body_box = Rect::new(
        area.x + checklist_box.width,
        area.y + 1,
        area.width.saturating_sub(checklist_box.width),
        body_h,
    );
    let inner = |r: Rect| Rect {
        x: r.x + 1,
        y: r.y + 1,
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    };
    // The step's text gets a column of air on each side.
    let padded = |r: Rect| Rect {
        x: r.x + 2,
        y: r.y + 1,
        width: r.width.saturating_sub(4),
        height: r.height.saturating_sub(2),
    };
    let clamp = |r: Rect| widgets::clamp_rect(r, area);
    WizardLayout {
        header: clamp(header),
        checklist: clamp(inner(checklist_box)),
        checklist_box: clamp(checklist_box),
        body: clamp(padded(body_box)),
        body_box: clamp(body_box),
        notice: clamp(Rect::new(area.x, area.y + 1 + body_h, area.width, 1)),
        footer: clamp(Rect::new(area.x, area.y + 2 + body_h, area.width, 1)),
    }
}

/// The first body line shown, so the focused control stays visible.
fn scroll(lines: &[BodyLine], focus: usize, height: usize) -> usize {
    let Some(pos) = lines.iter().position(|l| l.control == Some(focus)) else {
        return 0;
    };
    // Keep the lines that belong to the control (its error message) in view too.
    let end = lines
        .iter()
        .skip(pos + 1)
        .position(|l| l.control.is_some() || l.gap)
        .map_or(lines.len(), |n| pos + 1 + n);
    end.saturating_sub(height).min(pos)
}

/// The control drawn at (col, row), if any.
pub fn control_at(state: &WizardState, area: Rect, col: u16, row: u16) -> Option<usize> {
    let l = layout(state, area);
    if !widgets::contains(l.body, col, row) {
        return None;
    }
    let lines = body::lines(state, usize::from(l.body.width), &Theme::plain());
    let top = scroll(&lines, state.focus, usize::from(l.body.height));
    lines
        .get(top + usize::from(row - l.body.y))
        .and_then(|line| line.control)
}

/// Draws the whole wizard into `buf`:
///
/// ```text
///  header: ctctsync setup — step N of 10                          user: NAME
///  ┌ Steps ─────────┐┌ N. Title ───────────────────────┐
///  │ checklist rows ││ body::lines (scrolled to focus)  │
///  └────────────────┘└──────────────────────────────────┘
///  notice (what just happened / the step's problem / not saved yet)
///  hint bar (keys that work now)            [quit question on top]
/// ```
pub fn render(state: &WizardState, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if too_small(area) {
        render_too_small(area, buf);
        return;
    }
    if state.showing_url_alone() {
        render_url_alone(state, area, buf, theme);
        return;
    }
    let l = layout(state, area);
    render_header(state, l.header, buf, theme);

    let rows: Vec<(StepId, StepStatus)> =
        StepId::ALL.iter().map(|s| (*s, state.status(*s))).collect();
    let checklist_rows: Vec<checklist::Row> = rows
        .iter()
        .map(|(s, st)| checklist::Row {
            number: s.number(),
            label: short_title(*s),
            status: st,
            current: *s == state.step && state.phase == Phase::Steps,
        })
        .collect();
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(" Steps ")
        .render(l.checklist_box, buf);
    checklist::render(&checklist_rows, l.checklist, buf, theme);
    if l.checklist.height as usize > StepId::ALL.len() + 2 {
        let done = rows.iter().filter(|(_, st)| st.is_done()).count();
        let y = l.checklist.y + u16::try_from(StepId::ALL.len() + 1).unwrap_or(0);
        Line::from(format!("  {done} of 10 done"))
            .style(theme.dim())
            .render(Rect::new(l.checklist.x, y, l.checklist.width, 1), buf);
    }

    let title = match state.phase {
        Phase::Steps => format!(" {}. {} ", state.step.number(), state.step.title()),
        Phase::Summary => " Summary ".to_string(),
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()))
        .render(l.body_box, buf);
    let lines = body::lines(state, usize::from(l.body.width), theme);
    let top = if state.phase == Phase::Steps {
        scroll(&lines, state.focus, usize::from(l.body.height))
    } else {
        0
    };
    for (i, bl) in lines
        .iter()
        .skip(top)
        .take(usize::from(l.body.height))
        .enumerate()
    {
        let y = l.body.y + u16::try_from(i).unwrap_or(0);
        bl.line
            .clone()
            .render(Rect::new(l.body.x, y, l.body.width, 1), buf);
    }
    if top + usize::from(l.body.height) < lines.len() {
        Line::from(" more ↓ ").style(theme.dim()).render(
            Rect::new(
                l.body_box.x + l.body_box.width.saturating_sub(10),
                l.body_box.y + l.body_box.height.saturating_sub(1),
                8,
                1,
            ),
            buf,
        );
    }

    render_notice(state, l.notice, buf, theme);
    hint_bar::render(&state.contexts(), l.footer, buf, theme);
    if let Some(d) = &state.dialog {
        render_dialog(d, area, buf, theme);
    }
}

/// The authorize address alone: no borders, no indent, cut at the full width, so a mouse
/// selection of these rows is the address and nothing else.
///
/// ```text
/// https://authz.example.com/authorize?client_id=…&redirect_uri=http%3A%2F%2F127.0.0.1%3A8899
/// %2Fcallback&response_type=code&scope=…&state=…&code_challenge=…&code_challenge_method=S256
///
/// u/Esc back · c copies it (OSC 52)
/// ```
fn render_url_alone(state: &WizardState, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let super::state::LoginView::Waiting { url, .. } = &state.login else {
        return;
    };
    let w = usize::from(area.width);
    let rows = widgets::wrap(url, w);
    let mut y = area.y;
    let end = area.y + area.height;
    for r in rows {
        if y >= end {
            break;
        }
        buf.set_string(area.x, y, r, theme.body());
        y += 1;
    }
    let hint = "u/Esc back · c copies it (OSC 52) · select the lines above with the mouse";
    let hy = y.saturating_add(1).min(end.saturating_sub(1));
    if hy >= y && hy < end {
        buf.set_string(area.x, hy, widgets::truncate(hint, w), theme.dim());
    }
}

pub fn render_too_small(area: Rect, buf: &mut Buffer) {
    let lines = [
        format!("terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT})"),
        format!("now {}x{}: make the window larger", area.width, area.height),
    ];
    for (i, line) in lines.iter().enumerate() {
        let Ok(dy) = u16::try_from(i) else { break };
        if dy >= area.height {
            break;
        }
        Line::from(widgets::truncate(line, usize::from(area.width)))
            .render(Rect::new(area.x, area.y + dy, area.width, 1), buf);
    }
}

fn render_header(state: &WizardState, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let left = match state.phase {
        Phase::Steps => format!(" ctctsync setup — step {} of 10", state.step.number()),
        Phase::Summary => " ctctsync setup — summary".to_string(),
    };
    let right = format!("user: {} ", state.user);
    let pad = usize::from(area.width).saturating_sub(
        unicode_width::UnicodeWidthStr::width(left.as_str())
            + unicode_width::UnicodeWidthStr::width(right.as_str()),
    );
    Line::from(vec![
        Span::styled(left, theme.title()),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, theme.dim()),
    ])
    .render(area, buf);
}

fn render_notice(state: &WizardState, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let w = usize::from(area.width);
    let (style, text) = if let Some(n) = &state.notice {
        if n.error {
            (theme.error(), format!(" ✗ {}", n.text))
        } else {
            (theme.body(), format!(" ✓ {}", n.text))
        }
    } else if let (Phase::Steps, StepStatus::Attention(why)) =
        (&state.phase, state.status(state.step))
    {
        (theme.warn(), format!(" ! needs attention: {why}"))
    } else if state.saving > 0 {
        (theme.dim(), " saving…".to_string())
    } else if let Some(unsaved) = unsaved_here(state) {
        (
            theme.dim(),
            format!(" · not saved yet: {unsaved} — Enter saves"),
        )
    } else {
        return;
    };
    Line::from(widgets::truncate(&text, w))
        .style(style)
        .render(area, buf);
}

/// The current step's fields whose text differs from the store (e.g. prefilled by the demo).
fn unsaved_here(state: &WizardState) -> Option<String> {
    if state.phase != Phase::Steps {
        return None;
    }
    let names: Vec<&str> = super::state::field_keys(state.step)
        .iter()
        .filter(|k| {
            state
                .fields
                .get(**k)
                .is_some_and(|f| f.error.is_none() && f.value() != state.stored(k))
        })
        .map(|k| super::state::field_label(k))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

fn render_dialog(d: &Dialog, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let Dialog::QuitUnsaved(fields) = d;
    let text = vec![
        Line::from("Some changes are not saved:"),
        Line::from(Span::styled(fields.join(", "), theme.warn())),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" quit and lose them   "),
            Span::styled("n", theme.key()),
            Span::raw(" stay"),
        ]),
    ];
    let r = widgets::centered(area, 50, 6);
    Clear.render(r, buf);
    Paragraph::new(text)
        .block(Block::default().borders(Borders::ALL).title(" Quit? "))
        .render(r, buf);
}

/// The checklist's label for a step.
pub fn short_title(step: StepId) -> &'static str {
    match step {
        StepId::Application => "Application",
        StepId::Settings => "Settings",
        other => other.title(),
    }
}
