//! The wizard's state machine without a terminal: every step's validation and transitions,
//! with a real SQLite store behind it (effects are run synchronously by a small executor
//! that uses the UI's own read and write paths).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ctctsync::config;
use ctctsync::ctct::reachability::{Check, ProbeReport};
use ctctsync::store::rusqlite::Connection;
use ctctsync::store::{self, Store, credentials, jobs::JobName, settings, users};
use ctctsync::tui::action::Action;
use ctctsync::tui::effect::{Effect, Nav};
use ctctsync::tui::keymap::Context;
use ctctsync::tui::msg::Reply;
use ctctsync::tui::screen::ScreenEvent;
use ctctsync::tui::wizard::oauth::{LoginCmd, LoginEvent};
use ctctsync::tui::wizard::state::{Control, Dialog, LoginView, Phase, WizardState};
use ctctsync::tui::wizard::steps::{self, StepId, StepStatus};
use ctctsync::tui::worker::{self, WriteOp};

const KEY: &str = "5a1d0b6e-3c8f-4e2a-9d71-0c5b8e4f2a93";

struct H {
    _dir: tempfile::TempDir,
    conn: Connection,
    w: WizardState,
    /// Effects the executor does not run here (probes, logins, copies, navigation, quit).
    out: Vec<Effect>,
    writes: Vec<WriteOp>,
}

impl H {
    fn new(seed: impl FnOnce(&Connection)) -> H {
        H::with_state(seed, WizardState::new("alice"))
    }

    fn with_state(seed: impl FnOnce(&Connection), w: WizardState) -> H {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let conn = store.connect().unwrap();
        seed(&conn);
        let mut h = H {
            _dir: dir,
            conn,
            w,
            out: Vec::new(),
            writes: Vec::new(),
        };
        let fx = h.w.init();
        h.pump(fx);
        h
    }

    /// Runs store effects at once (as the worker threads would), keeps the rest.
    fn pump(&mut self, fx: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = fx.into();
        while let Some(e) = queue.pop_front() {
            match e {
                Effect::Query { generation, query } => {
                    let reply = worker::run_query(&self.conn, generation, query);
                    queue.extend(self.w.update(ScreenEvent::Reply(reply)));
                }
                Effect::Write(ops) => {
                    self.writes.extend(ops.iter().cloned());
                    let result = worker::apply(&mut self.conn, &ops);
                    queue.extend(self.w.update(ScreenEvent::Reply(Reply::Saved { result })));
                }
                other => self.out.push(other),
            }
        }
    }

    fn act(&mut self, a: Action) {
        let fx = self.w.update(ScreenEvent::Action(a));
        self.pump(fx);
    }
    fn typ(&mut self, s: &str) {
        for c in s.chars() {
            let fx = self.w.update(ScreenEvent::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
            self.pump(fx);
        }
    }
    fn clear(&mut self) {
        let fx = self.w.update(ScreenEvent::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        )));
        self.pump(fx);
    }
    fn reply(&mut self, r: Reply) {
        let fx = self.w.update(ScreenEvent::Reply(r));
        self.pump(fx);
    }
    fn setting(&self, k: &str) -> Option<String> {
        settings::get(&self.conn, k).unwrap()
    }
    fn error_of(&self, key: &str) -> Option<String> {
        self.w.fields.get(key).and_then(|f| f.error.clone())
    }
    fn focus_on(&mut self, c: Control) {
        let i = self
            .w
            .controls(self.w.step)
            .iter()
            .position(|x| *x == c)
            .unwrap_or_else(|| panic!("{c:?} is not on step {:?}", self.w.step));
        self.w.focus = i;
    }
    fn go(&mut self, step: StepId) {
        let fx = self.w.go_to(step);
        self.pump(fx);
    }
    fn take_out(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.out)
    }
}

fn authorize(conn: &Connection) {
    credentials::save_login(
        conn,
        &credentials::Tokens {
            access_token: "at".into(),
            access_expires_at: "2099-01-01T00:00:00Z".into(),
            refresh_token: Some("rt".into()),
            scopes: Some(config::DEFAULT_SCOPES.into()),
            token_url: None,
        },
        Some("Riverbend Advisors"),
        None,
    )
    .unwrap();
}

fn ok_report(url: &str) -> ProbeReport {
    ProbeReport {
        url: url.into(),
        dns: Check::Ok("127.0.0.1".into()),
        connect: Check::Ok("connected".into()),
        http: Check::Ok("HTTP 401".into()),
    }
}

#[test]
fn opens_at_step_one_and_remembers_it() {
    let h = H::new(|_| {});
    assert_eq!(h.w.step, StepId::Application);
    assert_eq!(
        h.setting(steps::CURRENT_STEP).as_deref(),
        Some("application")
    );
    assert_eq!(h.w.status(StepId::Application), StepStatus::NotStarted);
    // Defaults satisfy settings, jobs, trigger, permissions and layouts.
    for s in [
        StepId::Settings,
        StepId::Jobs,
        StepId::Trigger,
        StepId::Permissions,
        StepId::Layouts,
    ] {
        assert!(h.w.status(s).is_done(), "{s:?}");
    }
    assert_eq!(
        h.w.contexts(),
        vec![Context::Text, Context::Wizard, Context::Global]
    );
}

#[test]
fn stale_replies_are_dropped() {
    let mut h = H::new(|_| {});
    let before = h.w.snapshot.clone();
    let mut snap = steps::SetupSnapshot::defaults(chrono::Utc::now(), "UTC");
    snap.values.insert("ctct.client_id".into(), "stale".into());
    h.reply(Reply::Setup {
        generation: h.w.generation - 1,
        result: Ok(Box::new(snap)),
    });
    assert_eq!(h.w.snapshot, before);
}

#[test]
fn application_step_validates_the_api_key_and_masks_the_secret() {
    let mut h = H::new(|_| {});
    h.typ("not a key!");
    let e = h.error_of("ctct.client_id").expect("inline error");
    assert!(e.contains("API key"), "{e}");
    // Enter does not move on with an invalid field, and nothing is saved.
    h.act(Action::Confirm);
    assert_eq!(h.w.step, StepId::Application);
    assert_eq!(h.setting("ctct.client_id"), None);
    assert!(h.w.unsaved().contains(&"API key".to_string()));

    h.clear();
    h.typ(KEY);
    assert_eq!(h.error_of("ctct.client_id"), None);
    h.act(Action::Confirm);
    assert_eq!(h.setting("ctct.client_id").as_deref(), Some(KEY));
    assert_eq!(h.w.focused(), Some(Control::Field("ctct.client_secret")));
    assert_eq!(
        h.w.contexts()[0],
        Context::Secret,
        "the secret field enables the reveal key"
    );
    let fx = h.w.update(ScreenEvent::Paste("s3cret-value".into()));
    h.pump(fx);
    let f = &h.w.fields["ctct.client_secret"];
    assert!(f.secret && !f.revealed);
    h.act(Action::Reveal);
    assert!(h.w.fields["ctct.client_secret"].revealed);
    h.act(Action::Confirm);
    assert_eq!(
        h.setting("ctct.client_secret").as_deref(),
        Some("s3cret-value")
    );
    assert_eq!(h.w.step, StepId::Provider);
    assert_eq!(h.setting(steps::CURRENT_STEP).as_deref(), Some("provider"));
    assert!(h.w.status(StepId::Application).is_done());
}

#[test]
fn a_secret_with_spaces_is_refused() {
    let mut h = H::new(|_| {});
    h.act(Action::FocusNext);
    h.typ("two words");
    let e = h.error_of("ctct.client_secret").unwrap();
    assert!(e.contains("spaces"), "{e}");
}

#[test]
fn provider_step_checks_urls_and_scopes_and_remembers_confirmation() {
    let mut h = H::new(|c| {
        config::set(c, "ctct.client_id", KEY).unwrap();
    });
    h.go(StepId::Provider);
    assert_eq!(
        h.w.fields["ctct.authorize_url"].value(),
        config::DEFAULT_AUTHORIZE_URL
    );
    h.clear();
    h.typ("ftp://example.com/authorize");
    assert!(
        h.error_of("ctct.authorize_url")
            .unwrap()
            .contains("https://")
    );
    h.clear();
    h.typ("http://example.com/authorize");
    assert!(
        h.error_of("ctct.authorize_url")
            .unwrap()
            .contains("plain http")
    );
    h.clear();
    h.typ("http://127.0.0.1:8911/oauth2/default/v1/authorize");
    assert_eq!(h.error_of("ctct.authorize_url"), None);
    h.focus_on(Control::Field("ctct.scopes"));
    h.clear();
    h.typ("contact_data campaign_data");
    let e = h.error_of("ctct.scopes").unwrap();
    assert!(e.contains("offline_access"), "{e}");
    h.clear();
    h.typ("contact_data campaign_data offline_access");
    h.act(Action::Confirm);
    assert_eq!(h.w.step, StepId::Redirect);
    assert_eq!(
        h.setting("ctct.authorize_url").as_deref(),
        Some("http://127.0.0.1:8911/oauth2/default/v1/authorize")
    );
    assert_eq!(
        h.setting(steps::PROVIDER_CONFIRMED).as_deref(),
        Some("true")
    );
}

#[test]
fn provider_defaults_confirmed_by_enter() {
    let mut h = H::new(|_| {});
    h.go(StepId::Provider);
    assert_eq!(h.w.status(StepId::Provider), StepStatus::NotStarted);
    h.act(Action::FocusNext);
    h.act(Action::FocusNext);
    h.act(Action::FocusNext);
    h.act(Action::Confirm);
    assert_eq!(h.w.step, StepId::Redirect);
    assert!(h.w.status(StepId::Provider).is_done());
}

#[test]
fn redirect_step_copies_and_ticks() {
    let mut h = H::new(|_| {});
    h.go(StepId::Redirect);
    h.act(Action::Copy);
    assert_eq!(
        h.take_out(),
        vec![Effect::Copy(config::DEFAULT_REDIRECT_URI.into())]
    );
    // Enter on the copy button copies and moves on to the tick-box.
    h.focus_on(Control::CopyRedirect);
    h.act(Action::Confirm);
    assert_eq!(
        h.take_out(),
        vec![Effect::Copy(config::DEFAULT_REDIRECT_URI.into())]
    );
    assert_eq!(h.w.focused(), Some(Control::RedirectTick));
    h.focus_on(Control::Field("ctct.redirect_uri"));
    h.clear();
    h.typ("localhost:8899");
    assert!(h.error_of("ctct.redirect_uri").is_some());
    h.clear();
    h.typ("http://127.0.0.1:9123/callback");
    h.focus_on(Control::RedirectTick);
    h.act(Action::Toggle);
    assert_eq!(
        h.setting("ctct.redirect_uri").as_deref(),
        Some("http://127.0.0.1:9123/callback")
    );
    assert_eq!(
        h.setting(steps::REDIRECT_CONFIRMED).as_deref(),
        Some("true")
    );
    assert!(h.w.status(StepId::Redirect).is_done());
    h.act(Action::Toggle);
    assert_eq!(
        h.setting(steps::REDIRECT_CONFIRMED).as_deref(),
        Some("false")
    );
    assert!(!h.w.status(StepId::Redirect).is_done());
}

#[test]
fn remote_sites_run_on_arrival_and_record_the_outcome() {
    let mut h = H::new(|_| {});
    h.go(StepId::RemoteSites);
    let out = h.take_out();
    let Some(Effect::Probe { run, targets }) = out.first().cloned() else {
        panic!("checks start on arrival: {out:?}")
    };
    assert_eq!(
        targets,
        vec![
            config::DEFAULT_API_BASE.to_string(),
            config::DEFAULT_TOKEN_URL.to_string()
        ]
    );
    assert!(h.w.animating(), "spinners while checking");
    // A reply of an older run is ignored.
    h.reply(Reply::Probe {
        run: run + 7,
        target: 0,
        report: ok_report("x"),
    });
    assert!(h.w.probes.as_ref().unwrap().targets[0].report.is_none());
    h.reply(Reply::Probe {
        run,
        target: 0,
        report: ok_report(&targets[0]),
    });
    assert!(h.w.animating());
    let failed = ProbeReport {
        url: targets[1].clone(),
        dns: Check::Failed("authz.constantcontact.com does not resolve".into()),
        connect: Check::Skipped,
        http: Check::Skipped,
    };
    h.reply(Reply::Probe {
        run,
        target: 1,
        report: failed,
    });
    assert!(!h.w.animating());
    assert_eq!(h.setting(steps::REMOTE_SITES_OK).as_deref(), Some("false"));
    assert!(matches!(
        h.w.status(StepId::RemoteSites),
        StepStatus::Attention(_)
    ));
    // Re-run: all good.
    h.act(Action::Retry);
    let Some(Effect::Probe { run, targets }) = h.take_out().first().cloned() else {
        panic!()
    };
    for (i, t) in targets.iter().enumerate() {
        h.reply(Reply::Probe {
            run,
            target: i,
            report: ok_report(t),
        });
    }
    assert_eq!(h.setting(steps::REMOTE_SITES_OK).as_deref(), Some("true"));
    assert!(h.w.status(StepId::RemoteSites).is_done());
    h.act(Action::Confirm);
    assert_eq!(h.w.step, StepId::Authorize);
}

#[test]
fn authorize_needs_the_api_key_then_drives_the_login() {
    let mut h = H::new(|_| {});
    h.go(StepId::Authorize);
    h.act(Action::Confirm);
    assert!(matches!(&h.w.login, LoginView::Failed { reason } if reason.contains("API key")));
    assert!(h.take_out().is_empty());

    let mut h = H::new(|c| {
        config::set(c, "ctct.client_id", KEY).unwrap();
    });
    h.go(StepId::Authorize);
    h.act(Action::Confirm);
    assert_eq!(h.take_out(), vec![Effect::Login(LoginCmd::Begin)]);
    assert_eq!(h.w.login, LoginView::Starting);
    h.reply(Reply::Login(LoginEvent::Started {
        url: "http://127.0.0.1:1/authorize?state=abc".into(),
        browser_opened: false,
        note: Some("no browser: no graphical display".into()),
    }));
    assert!(matches!(h.w.login, LoginView::Waiting { .. }));
    assert_eq!(
        h.w.focused(),
        Some(Control::PasteUrl),
        "no browser: the paste field has focus"
    );
    h.act(Action::Copy);
    assert_eq!(
        h.take_out(),
        vec![Effect::Copy(
            "http://127.0.0.1:1/authorize?state=abc".into()
        )]
    );
    // Enter with nothing pasted explains what to paste.
    h.act(Action::Confirm);
    assert!(h.w.paste.error.is_some());
    let fx = h.w.update(ScreenEvent::Paste(
        "http://127.0.0.1:9/callback?code=c&state=abc".into(),
    ));
    h.pump(fx);
    h.act(Action::Confirm);
    assert_eq!(
        h.take_out(),
        vec![Effect::Login(LoginCmd::Paste(
            "http://127.0.0.1:9/callback?code=c&state=abc".into()
        ))]
    );
    h.reply(Reply::Login(LoginEvent::PasteRejected {
        reason: "state does not match".into(),
    }));
    assert_eq!(h.w.paste.error.as_deref(), Some("state does not match"));
    // The library stores the tokens; the wizard re-reads the store.
    authorize(&h.conn);
    h.reply(Reply::Login(LoginEvent::Succeeded {
        organization: "Riverbend Advisors".into(),
    }));
    assert!(h.w.status(StepId::Authorize).is_done());
    // Authorization also proves steps 2–4.
    for s in [StepId::Provider, StepId::Redirect, StepId::RemoteSites] {
        assert!(h.w.status(s).is_done(), "{s:?}");
    }
    h.act(Action::Confirm);
    assert_eq!(h.w.step, StepId::Settings);
}

#[test]
fn a_failed_login_says_why_and_retries() {
    let mut h = H::new(|c| {
        config::set(c, "ctct.client_id", KEY).unwrap();
    });
    h.go(StepId::Authorize);
    h.act(Action::Confirm);
    h.take_out();
    h.reply(Reply::Login(LoginEvent::Failed {
        reason: "Constant Contact did not authorize ctctsync: access_denied".into(),
    }));
    assert!(matches!(&h.w.login, LoginView::Failed { reason } if reason.contains("access_denied")));
    h.act(Action::Retry);
    assert_eq!(h.take_out(), vec![Effect::Login(LoginCmd::Begin)]);
}

#[test]
fn settings_switches_batch_size_and_the_events_warning() {
    let mut h = H::new(|c| {
        // Two synced activities for one contact in two campaigns → 2 events pending.
        let n: i64 = c
            .query_row("SELECT count(*) FROM interactions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    });
    h.go(StepId::Settings);
    assert_eq!(h.w.focused(), Some(Control::Switch("sync.lists_enabled")));
    assert_eq!(h.w.contexts()[0], Context::List);
    h.act(Action::Toggle);
    assert_eq!(h.setting("sync.lists_enabled").as_deref(), Some("false"));
    h.focus_on(Control::Field("sync.activity_batch_size"));
    h.clear();
    h.typ("0");
    assert!(
        h.error_of("sync.activity_batch_size")
            .unwrap()
            .contains("1 to 500")
    );
    h.act(Action::Confirm);
    assert_eq!(h.w.step, StepId::Settings, "an invalid field blocks Enter");
    h.clear();
    h.typ("25");
    h.act(Action::Confirm);
    assert_eq!(h.setting("sync.activity_batch_size").as_deref(), Some("25"));
    assert_eq!(
        h.w.focused(),
        Some(Control::Switch("sync.activities_to_events"))
    );
    h.act(Action::Toggle);
    assert_eq!(
        h.setting("sync.activities_to_events").as_deref(),
        Some("true")
    );
    let notice = h.w.notice.clone().unwrap();
    assert!(notice.text.contains("will create 0 events"), "{notice:?}");
    h.act(Action::Confirm);
    assert_eq!(h.w.step, StepId::Jobs);
}

#[test]
fn jobs_step_validates_cron_and_time_zone_and_switches_jobs() {
    let mut h = H::new(|_| {});
    h.go(StepId::Jobs);
    h.clear();
    h.typ("Mars/Olympus");
    assert!(h.error_of("schedule.timezone").unwrap().contains("IANA"));
    h.clear();
    h.typ("America/New_York");
    h.act(Action::FocusNext);
    assert_eq!(
        h.setting("schedule.timezone").as_deref(),
        Some("America/New_York")
    );
    assert_eq!(
        h.w.focused(),
        Some(Control::JobSwitch(JobName::Synccontactlists))
    );
    h.act(Action::Toggle);
    let enabled: bool = h
        .conn
        .query_row(
            "SELECT enabled FROM jobs WHERE name = 'synccontactlists'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!enabled);
    h.act(Action::FocusNext);
    h.clear();
    h.typ("00 61 00 * * ?");
    assert!(
        h.error_of("schedule.synccontactlists")
            .unwrap()
            .contains("not a valid cron")
    );
    h.clear();
    h.typ("00 00 01 30 02 ?");
    assert!(
        h.error_of("schedule.synccontactlists")
            .unwrap()
            .contains("never fires")
    );
    h.clear();
    h.typ("0 15 3 * * ?");
    h.act(Action::NextPage);
    assert_eq!(
        h.setting("schedule.synccontactlists").as_deref(),
        Some("0 15 3 * * ?")
    );
    assert_eq!(h.w.step, StepId::Trigger);
}

#[test]
fn trigger_permissions_and_layouts() {
    let mut h = H::new(|c| {
        users::upsert(c, "bob", "Bob Jones").unwrap();
        users::set_permission(c, "bob", true).unwrap();
    });
    h.go(StepId::Trigger);
    h.act(Action::Toggle);
    assert_eq!(h.setting("sync.trigger_enabled").as_deref(), Some("false"));

    h.act(Action::NextPage);
    assert_eq!(h.w.step, StepId::Permissions);
    // Bob holds the permission and alice (running the wizard) does not: she would lock herself
    // out. The step says so as a note; its state is the store's, the same for every user.
    assert!(h.w.status(StepId::Permissions).is_done());
    let snap = h.w.snapshot.clone().unwrap();
    assert!(snap.permission_note("alice").unwrap().contains("alice"));
    assert_eq!(snap.permission_note("bob"), None);
    let rows = h.w.user_rows();
    assert_eq!(rows[0].0, "alice", "the running user is always listed");
    h.act(Action::Toggle);
    assert!(users::has_permission(&h.conn, "alice").unwrap());
    assert!(h.w.status(StepId::Permissions).is_done());
    h.act(Action::Down);
    h.act(Action::Toggle);
    assert!(!users::has_permission(&h.conn, "bob").unwrap());

    h.act(Action::NextPage);
    assert_eq!(h.w.step, StepId::Layouts);
    h.act(Action::Down);
    h.act(Action::Toggle);
    assert!(!store::layouts::visible(&h.conn, "client", "timeline").unwrap());
}

#[test]
fn finishing_shows_the_summary_then_the_dashboard() {
    let mut h = H::new(|c| {
        config::set(c, "ctct.client_id", KEY).unwrap();
    });
    h.go(StepId::Layouts);
    h.act(Action::Confirm);
    assert_eq!(h.w.phase, Phase::Summary);
    // Not complete: Enter goes to the first open step.
    h.act(Action::Confirm);
    assert_eq!(h.w.phase, Phase::Steps);
    assert_eq!(h.w.step, StepId::Provider);
    authorize(&h.conn);
    h.go(StepId::Layouts);
    h.act(Action::NextPage);
    assert_eq!(h.w.phase, Phase::Summary);
    h.act(Action::Confirm);
    assert_eq!(h.take_out(), vec![Effect::Navigate(Nav::Dashboard)]);
    assert_eq!(h.setting(steps::FINISHED).as_deref(), Some("true"));
}

#[test]
fn page_keys_and_escape_move_between_steps() {
    let mut h = H::new(|_| {});
    h.act(Action::NextPage);
    assert_eq!(h.w.step, StepId::Provider);
    h.act(Action::NextPage);
    assert_eq!(h.w.step, StepId::Redirect);
    h.act(Action::Back);
    assert_eq!(h.w.step, StepId::Provider);
    h.act(Action::PrevPage);
    h.act(Action::PrevPage);
    assert_eq!(h.w.step, StepId::Application);
    assert!(h.take_out().is_empty());
}

#[test]
fn reopened_from_settings_returns_to_the_dashboard() {
    let mut w = WizardState::new("alice");
    w.from_settings = true;
    w.start_step = Some(StepId::Application);
    // A wizard run left at step 7 must not pull a reopened step 1 there.
    let mut h = H::with_state(
        |c| settings::set(c, steps::CURRENT_STEP, "jobs").unwrap(),
        w,
    );
    assert_eq!(h.w.step, StepId::Application);
    h.act(Action::Back);
    assert_eq!(h.take_out(), vec![Effect::Navigate(Nav::Dashboard)]);

    // Reopen the jobs step, change a schedule, Enter: saved, and back to the dashboard.
    let mut w = WizardState::new("alice");
    w.from_settings = true;
    w.start_step = Some(StepId::Jobs);
    let mut h = H::with_state(|_| {}, w);
    assert_eq!(h.w.step, StepId::Jobs);
    h.focus_on(Control::Field("schedule.syncactivities"));
    h.clear();
    h.typ("00 00 04 * * ?");
    h.act(Action::Confirm);
    assert_eq!(
        h.setting("schedule.syncactivities").as_deref(),
        Some("00 00 04 * * ?")
    );
    assert_eq!(h.take_out(), vec![Effect::Navigate(Nav::Dashboard)]);
    assert_eq!(
        h.setting(steps::CURRENT_STEP),
        None,
        "a reopened step is not wizard progress"
    );
}

#[test]
fn quitting_asks_when_something_is_unsaved() {
    let mut h = H::new(|_| {});
    h.act(Action::Quit);
    assert_eq!(h.take_out(), vec![Effect::Quit]);
    h.typ("abc");
    h.act(Action::Quit);
    assert!(
        matches!(h.w.dialog, Some(Dialog::QuitUnsaved(ref f)) if f == &vec!["API key".to_string()])
    );
    assert_eq!(h.w.contexts(), vec![Context::Dialog]);
    h.act(Action::No);
    assert!(h.w.dialog.is_none());
    assert!(h.take_out().is_empty());
    h.act(Action::Quit);
    h.act(Action::Yes);
    assert_eq!(h.take_out(), vec![Effect::Quit]);
}

#[test]
fn resumes_at_the_saved_step_with_the_saved_values() {
    let h = H::new(|c| {
        config::set(c, "ctct.client_id", KEY).unwrap();
        settings::set(c, steps::CURRENT_STEP, "jobs").unwrap();
    });
    assert_eq!(h.w.step, StepId::Jobs);
    assert_eq!(h.w.fields["ctct.client_id"].value(), KEY);
}

#[test]
fn steps_satisfied_from_the_command_line_show_done() {
    // `config set` + `auth login` outside the wizard.
    let h = H::new(|c| {
        config::set(c, "ctct.client_id", KEY).unwrap();
        authorize(c);
    });
    for s in StepId::ALL {
        assert!(h.w.status(s).is_done(), "{s:?}: {:?}", h.w.status(s));
    }
    assert!(h.w.snapshot.as_ref().unwrap().is_complete());
    assert!(
        !h.w.snapshot.as_ref().unwrap().wizard_needed() || h.setting(steps::CURRENT_STEP).is_some()
    );
}

#[test]
fn a_refused_refresh_token_needs_attention() {
    let h = H::new(|c| {
        config::set(c, "ctct.client_id", KEY).unwrap();
        authorize(c);
        credentials::mark_needs_authorization(c, "the refresh token was revoked: authorize again")
            .unwrap();
    });
    assert!(
        matches!(h.w.status(StepId::Authorize), StepStatus::Attention(ref r) if r.contains("revoked"))
    );
}

#[test]
fn clicks_select_steps_and_fields() {
    let mut h = H::new(|_| {});
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let layout = ctctsync::tui::wizard::view::layout(&h.w, area);
    // The Jobs row of the checklist.
    let row = layout.checklist.y + 6;
    let fx = h.w.update(ScreenEvent::Click {
        col: layout.checklist.x + 3,
        row,
        area,
    });
    h.pump(fx);
    assert_eq!(h.w.step, StepId::Jobs);
    // Click each line of the body: some focus a control; none panics.
    for y in layout.body.y..layout.body.y + layout.body.height {
        let fx = h.w.update(ScreenEvent::Click {
            col: layout.body.x + 2,
            row: y,
            area,
        });
        h.pump(fx);
    }
    assert!(h.w.focus > 0, "a click focused a later field");
    // Clicking the focused switch toggles it (the first click on another control focuses it).
    h.go(StepId::Trigger);
    let lines = ctctsync::tui::wizard::body::lines(
        &h.w,
        usize::from(layout.body.width),
        &ctctsync::tui::theme::Theme::plain(),
    );
    let row = lines.iter().position(|l| l.control == Some(0)).unwrap();
    let at = layout.body.y + u16::try_from(row).unwrap();
    {
        let fx = h.w.update(ScreenEvent::Click {
            col: layout.body.x + 4,
            row: at,
            area,
        });
        h.pump(fx);
    }
    assert_eq!(h.setting("sync.trigger_enabled").as_deref(), Some("false"));
    // Far outside (a stale size): ignored.
    let fx = h.w.update(ScreenEvent::Click {
        col: 500,
        row: 500,
        area,
    });
    h.pump(fx);
}

#[test]
fn setup_is_complete_for_a_user_without_the_permission() {
    // The demo's pat.assistant: setup finished by an admin who holds the permission.
    let h = H::with_state(
        |c| {
            config::set(c, "ctct.client_id", KEY).unwrap();
            authorize(c);
            users::upsert(c, "admin", "You (admin)").unwrap();
            users::set_permission(c, "admin", true).unwrap();
            users::upsert(c, "pat.assistant", "Pat Assistant").unwrap();
            settings::set(c, steps::CURRENT_STEP, "layouts").unwrap();
            settings::set(c, steps::FINISHED, "true").unwrap();
        },
        WizardState::new("pat.assistant"),
    );
    let snap = h.w.snapshot.clone().unwrap();
    assert!(h.w.status(StepId::Permissions).is_done());
    assert!(snap.is_complete());
    assert!(!snap.wizard_needed(), "the dashboard opens, not the wizard");
    // The Permissions step still tells pat why the tabs are missing.
    assert!(
        snap.permission_note("pat.assistant")
            .unwrap()
            .contains("would not see")
    );
}

#[test]
fn the_permissions_row_names_a_user_once() {
    use ctctsync::tui::wizard::body::user_label;
    assert_eq!(user_label("admin", "You (admin)", true), "You (admin)");
    assert_eq!(user_label("bob", "Bob Jones", false), "Bob Jones (bob)");
    assert_eq!(
        user_label("alice", "Alice Li", true),
        "Alice Li (alice) (you)"
    );
    assert_eq!(user_label("alice", "", true), "alice (you)");
    assert_eq!(user_label("pat", "Pat (you)", true), "Pat (you) (pat)");
}
