//! The one event loop. It owns the terminal and the active [`Screen`]; `tokio::select!` waits on
//! terminal input, messages (database replies, finished effects), the animation tick (only while
//! something animates) and SIGTERM/SIGHUP. A burst of input is handled whole, then one frame is
//! drawn — only when something changed, and at most ~30 times a second. Idle = no wake-ups.

use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use futures::StreamExt;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;
use tokio::sync::mpsc;

use super::action::Action;
use super::dashboard::DashboardScreen;
use super::effect::{Effect, Executor, Nav};
use super::keymap::{self, Context};
use super::msg::{Msg, Reply};
use super::screen::{Screen, ScreenEvent};
use super::terminal::{TerminalGuard, osc52};
use super::theme::Theme;
use super::widgets::help;
use super::wizard::{WizardScreen, WizardState, view};
use super::worker::Query;
use super::{TuiContext, TuiOptions};

/// Minimum time between frames (~30 fps).
const FRAME: Duration = Duration::from_millis(33);
/// Animation tick (spinners).
const TICK: Duration = Duration::from_millis(100);

/// Everything the loop holds besides the terminal; testable without one.
pub struct App {
    pub screen: Box<dyn Screen>,
    pub help: bool,
    pub theme: Theme,
    pub user: String,
    pub options: TuiOptions,
    pub quit: bool,
    pub size: Rect,
    /// OSC 52 sequences waiting to be written.
    pub clipboard: Vec<String>,
    /// Whether `options.run_jobs_on_start` has been acted on.
    jobs_started: std::cell::Cell<bool>,
}

impl App {
    pub fn new(user: &str, options: TuiOptions, theme: Theme) -> App {
        App {
            screen: Box::new(BootScreen { error: None }),
            help: false,
            theme,
            user: user.to_string(),
            options,
            quit: false,
            size: Rect::default(),
            clipboard: Vec::new(),
            jobs_started: std::cell::Cell::new(false),
        }
    }

    /// The screen for a destination.
    pub fn make_screen(&self, nav: &Nav) -> Box<dyn Screen> {
        match nav {
            Nav::Wizard {
                step,
                from_settings,
            } => {
                let mut s = WizardState::new(&self.user);
                s.from_settings = *from_settings;
                s.start_step = *step;
                s.prefill = self.options.prefill.clone();
                Box::new(WizardScreen::new(s))
            }
            Nav::Dashboard => {
                let mut d = DashboardScreen::new(&self.user);
                // The demo runs the three jobs the first time the dashboard opens.
                if self.options.run_jobs_on_start && !self.jobs_started.replace(true) {
                    d.queue_runs(&crate::store::jobs::JobName::ALL);
                }
                Box::new(d)
            }
        }
    }

    pub fn contexts(&self) -> Vec<Context> {
        if self.help {
            vec![Context::Help]
        } else {
            self.screen.contexts()
        }
    }

    /// Handles one terminal event; returns the effects for the executor.
    pub fn on_event(&mut self, ev: Event) -> Vec<Effect> {
        match ev {
            Event::Key(k) => {
                // Windows reports press and release; act once.
                if k.kind != KeyEventKind::Press {
                    return Vec::new();
                }
                let contexts = self.contexts();
                match keymap::lookup(&contexts, &k) {
                    Some(Action::Help) => {
                        self.help = !self.help;
                        Vec::new()
                    }
                    Some(a) => {
                        self.help = false;
                        self.screen.update(ScreenEvent::Action(a))
                    }
                    None if self.help => Vec::new(),
                    None => self.screen.update(ScreenEvent::Key(k)),
                }
            }
            Event::Paste(text) if !self.help => self.screen.update(ScreenEvent::Paste(text)),
            Event::Mouse(m) => {
                if view::too_small(self.size) || self.help {
                    return Vec::new();
                }
                // Clamp to the frame: a resize may race the click.
                let col = m.column.min(self.size.width.saturating_sub(1));
                let row = m.row.min(self.size.height.saturating_sub(1));
                match m.kind {
                    MouseEventKind::Down(MouseButton::Left) => {
                        self.screen.update(ScreenEvent::Click {
                            col,
                            row,
                            area: self.size,
                        })
                    }
                    _ => Vec::new(),
                }
            }
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub fn on_msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Reply(r) => self.screen.update(ScreenEvent::Reply(r)),
            Msg::Terminate => {
                self.quit = true;
                Vec::new()
            }
        }
    }

    /// Applies the runtime's own effects (navigation, copy, quit) and returns the rest for the
    /// executor, including the new screen's first effects.
    pub fn apply(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        let mut out = Vec::new();
        while let Some(e) = queue.pop_front() {
            match e {
                Effect::Navigate(nav) => {
                    self.screen = self.make_screen(&nav);
                    self.help = false;
                    queue.extend(self.screen.init());
                }
                Effect::Copy(text) => self.clipboard.push(text),
                Effect::Quit => self.quit = true,
                other => out.push(other),
            }
        }
        out
    }

    /// Draws the active screen (or "terminal too small") and the help overlay.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        if view::too_small(area) {
            view::render_too_small(area, buf);
            return;
        }
        self.screen.render(area, buf, &self.theme);
        if self.help {
            help::render(&self.screen.contexts(), area, buf, &self.theme);
        }
    }
}

/// The first screen: reads the setup state and opens the wizard or the dashboard.
struct BootScreen {
    error: Option<String>,
}

impl Screen for BootScreen {
    fn init(&mut self) -> Vec<Effect> {
        vec![Effect::Query {
            generation: 1,
            query: Query::Setup,
        }]
    }
    fn contexts(&self) -> Vec<Context> {
        vec![Context::Global]
    }
    fn update(&mut self, ev: ScreenEvent) -> Vec<Effect> {
        match ev {
            ScreenEvent::Action(Action::Quit) => vec![Effect::Quit],
            ScreenEvent::Reply(Reply::Setup { result, .. }) => match result {
                Ok(snap) => {
                    let nav = if snap.wizard_needed() {
                        Nav::Wizard {
                            step: None,
                            from_settings: false,
                        }
                    } else {
                        Nav::Dashboard
                    };
                    vec![Effect::Navigate(nav)]
                }
                Err(e) => {
                    self.error = Some(e);
                    Vec::new()
                }
            },
            _ => Vec::new(),
        }
    }
    fn render(&self, area: Rect, buf: &mut Buffer, _theme: &Theme) {
        let text = match &self.error {
            Some(e) => format!(" ✗ {e} — press q to quit"),
            None => " ctctsync — reading the store…".to_string(),
        };
        Line::from(text).render(area, buf);
    }
}

/// Runs the UI until the user quits or a signal arrives.
pub async fn run_loop(ctx: TuiContext) -> anyhow::Result<u8> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let login = crate::ctct::oauth::LoginOptions {
        open_browser: !ctx.options.no_browser,
        opener: ctx.options.opener.clone(),
    };
    let mut exec = Executor::new(ctx.store.clone(), tx.clone(), login);
    let mut app = App::new(&ctx.user, ctx.options.clone(), Theme::from_env());

    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut sighup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    // In raw mode ctrl-c is a key; a SIGINT can still come from `kill -INT`.
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;

    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal()?.size()?;
    app.size = Rect::new(0, 0, size.width, size.height);
    let mut events = EventStream::new();

    for e in app.screen.init() {
        exec.run(e);
    }
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    let mut next_tick = Instant::now() + TICK;

    loop {
        if app.quit {
            break;
        }
        for text in app.clipboard.drain(..) {
            let _ = guard.write_raw(&osc52(&text));
        }
        if dirty && last_draw.elapsed() >= FRAME {
            guard.terminal()?.draw(|f| {
                let area = f.area();
                app.render(area, f.buffer_mut());
            })?;
            last_draw = Instant::now();
            dirty = false;
        }
        let animating = app.screen.animating();
        if !animating {
            next_tick = Instant::now() + TICK;
        }
        let frame_due = tokio::time::Instant::from_std(last_draw + FRAME);
        let tick_due = tokio::time::Instant::from_std(next_tick);
        let mut effects = Vec::new();
        tokio::select! {
            ev = events.next() => {
                match ev {
                    Some(Ok(ev)) => {
                        effects.extend(app.on_event(ev));
                        // Handle the whole burst before drawing. Poll the stream inside this
                        // task (not with `now_or_never`'s no-op waker: crossterm registers the
                        // first waker it sees, and a no-op one would lose the next wake-up).
                        loop {
                            let more = tokio::select! {
                                biased;
                                ev = events.next() => Some(ev),
                                _ = std::future::ready(()) => None,
                            };
                            match more {
                                Some(Some(Ok(ev))) => effects.extend(app.on_event(ev)),
                                Some(Some(Err(e))) => {
                                    return Err(anyhow::anyhow!("cannot read the terminal: {e}"));
                                }
                                Some(None) | None => break,
                            }
                        }
                        dirty = true;
                    }
                    Some(Err(e)) => return Err(anyhow::anyhow!("cannot read the terminal: {e}")),
                    None => break,
                }
            }
            Some(msg) = rx.recv() => {
                effects.extend(app.on_msg(msg));
                while let Ok(msg) = rx.try_recv() {
                    effects.extend(app.on_msg(msg));
                }
                dirty = true;
            }
            _ = tokio::time::sleep_until(tick_due), if animating => {
                effects.extend(app.screen.update(ScreenEvent::Tick));
                next_tick = Instant::now() + TICK;
                dirty = true;
            }
            _ = tokio::time::sleep_until(frame_due), if dirty => {}
            _ = sigterm.recv() => app.quit = true,
            _ = sighup.recv() => app.quit = true,
            _ = sigint.recv() => app.quit = true,
        }
        for e in app.apply(effects) {
            exec.run(e);
        }
    }
    drop(guard);
    Ok(0)
}
