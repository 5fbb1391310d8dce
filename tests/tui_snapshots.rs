//! insta snapshots of every wizard step at 80×24 and 120×40, each in its empty, invalid and
//! completed state, plus the summary, the quit question, the help overlay and "terminal too
//! small". Fixtures are real stores in a tempdir read through the UI's own query path, with a
//! pinned clock and a fixed time zone; no spinner frames (nothing is running in any fixture).
//!
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test
//! tui_snapshots` and `git diff tests/snapshots`); CI never writes snapshots.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ctctsync::config;
use ctctsync::ctct::reachability::{Check, ProbeReport};
use ctctsync::store::rusqlite::Connection;
use ctctsync::store::{Store, credentials, settings, users};
use ctctsync::tui::msg::Reply;
use ctctsync::tui::runtime::App;
use ctctsync::tui::screen::ScreenEvent;
use ctctsync::tui::theme::Theme;
use ctctsync::tui::wizard::oauth::LoginEvent;
use ctctsync::tui::wizard::state::{Control, LoginView, Phase, ProbeTarget, Probes, WizardState};
use ctctsync::tui::wizard::steps::{self, StepId};
use ctctsync::tui::wizard::{WizardScreen, view};
use ctctsync::tui::worker::{self, Query};
use ctctsync::tui::{TuiOptions, effect::Effect};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const KEY: &str = "5a1d0b6e-3c8f-4e2a-9d71-0c5b8e4f2a93";

#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Empty,
    Invalid,
    Completed,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Empty => "empty",
            Variant::Invalid => "invalid",
            Variant::Completed => "completed",
        }
    }
}

fn seed(c: &Connection, v: Variant) {
    config::set(c, "schedule.timezone", "America/New_York").unwrap();
    if v == Variant::Completed {
        config::set(c, "ctct.client_id", KEY).unwrap();
        config::set(c, "ctct.client_secret", "s3cret").unwrap();
        settings::set(c, steps::PROVIDER_CONFIRMED, "true").unwrap();
        settings::set(c, steps::REDIRECT_CONFIRMED, "true").unwrap();
        settings::set(c, steps::REMOTE_SITES_OK, "true").unwrap();
        users::upsert(c, "alice", "Alice Admin").unwrap();
        users::set_permission(c, "alice", true).unwrap();
        users::upsert(c, "bob", "Bob Jones").unwrap();
        credentials::save_login(
            c,
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
    if v == Variant::Invalid {
        users::upsert(c, "bob", "Bob Jones").unwrap();
        users::set_permission(c, "bob", true).unwrap();
        users::upsert(c, "carol", "Carol Diaz").unwrap();
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    w: WizardState,
}

fn send(w: &mut WizardState, ev: ScreenEvent) {
    // Effects are not run: a fixture is a still picture.
    let _: Vec<Effect> = w.update(ev);
}

fn retype(w: &mut WizardState, control: Control, text: &str) {
    let i = w
        .controls(w.step)
        .iter()
        .position(|c| *c == control)
        .unwrap();
    w.focus = i;
    send(
        w,
        ScreenEvent::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    for c in text.chars() {
        send(
            w,
            ScreenEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
}

fn report(url: &str, ok: bool) -> ProbeReport {
    ProbeReport {
        url: url.into(),
        dns: if ok {
            Check::Ok("203.0.113.7".into())
        } else {
            Check::Failed(format!(
                "{} does not resolve (no such host)",
                url::Url::parse(url).unwrap().host_str().unwrap()
            ))
        },
        connect: if ok {
            Check::Ok("TLS ok".into())
        } else {
            Check::Skipped
        },
        http: if ok {
            Check::Ok("HTTP 401".into())
        } else {
            Check::Skipped
        },
    }
}

fn fixture(step: StepId, v: Variant) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let conn = store.connect().unwrap();
    seed(&conn, v);
    let mut w = WizardState::new("alice");
    w.start_step = Some(step);
    let _ = w.init();
    let Reply::Setup { result, .. } = worker::run_query(&conn, w.generation, Query::Setup) else {
        panic!("setup reply")
    };
    let mut snap = result.unwrap();
    snap.now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
    let generation = w.generation;
    send(
        &mut w,
        ScreenEvent::Reply(Reply::Setup {
            generation,
            result: Ok(snap),
        }),
    );
    w.probes = None;
    w.focus = 0;
    let api = config::DEFAULT_API_BASE;
    let token = config::DEFAULT_TOKEN_URL;
    match (step, v) {
        (StepId::Application, Variant::Invalid) => {
            retype(&mut w, Control::Field("ctct.client_secret"), "two words");
            retype(&mut w, Control::Field("ctct.client_id"), "not a key!");
        }
        (StepId::Provider, Variant::Invalid) => {
            retype(&mut w, Control::Field("ctct.scopes"), "contact_data");
            retype(
                &mut w,
                Control::Field("ctct.authorize_url"),
                "ftp://authz.example.com/authorize",
            );
        }
        (StepId::Redirect, Variant::Invalid) => {
            retype(
                &mut w,
                Control::Field("ctct.redirect_uri"),
                "localhost:8899",
            );
        }
        (StepId::RemoteSites, Variant::Invalid | Variant::Completed) => {
            let ok = v == Variant::Completed;
            w.probes = Some(Probes {
                run: 1,
                targets: vec![
                    ProbeTarget {
                        label: "API host",
                        url: api.into(),
                        report: Some(report(api, true)),
                    },
                    ProbeTarget {
                        label: "Token host",
                        url: token.into(),
                        report: Some(report(token, ok)),
                    },
                ],
            });
        }
        (StepId::Authorize, Variant::Invalid) => {
            w.login = LoginView::Failed {
                reason: "Constant Contact did not authorize ctctsync: access_denied (the user chose Deny)".into(),
            };
        }
        (StepId::Authorize, Variant::Completed) => {
            send(
                &mut w,
                ScreenEvent::Reply(Reply::Login(LoginEvent::Succeeded {
                    organization: "Riverbend Advisors".into(),
                })),
            );
        }
        (StepId::Settings, Variant::Invalid) => {
            retype(&mut w, Control::Field("sync.activity_batch_size"), "0");
            if let Some(s) = w.snapshot.as_mut() {
                s.values
                    .insert("sync.activities_to_events".into(), "true".into());
                s.pending_events = 1234;
            }
            w.focus = 3;
        }
        (StepId::Jobs, Variant::Invalid) => {
            retype(
                &mut w,
                Control::Field("schedule.synccontacts"),
                "00 61 00 * * ?",
            );
            retype(&mut w, Control::Field("schedule.timezone"), "Mars/Olympus");
        }
        (StepId::Trigger, Variant::Invalid) => {
            if let Some(s) = w.snapshot.as_mut() {
                s.values
                    .insert("sync.trigger_enabled".into(), "false".into());
            }
        }
        (StepId::Layouts, Variant::Invalid) => {
            if let Some(s) = w.snapshot.as_mut() {
                for l in &mut s.layouts {
                    l.2 = false;
                }
            }
        }
        _ => {}
    }
    Fixture { _dir: dir, w }
}

fn draw(w: &WizardState, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| view::render(w, f.area(), f.buffer_mut(), &Theme::plain()))
        .unwrap();
    format!("{}", t.backend())
}

fn step_name(s: StepId) -> String {
    format!("{:02}_{}", s.number(), s.key())
}

#[test]
fn every_step_in_every_state_at_both_sizes() {
    for step in StepId::ALL {
        for v in [Variant::Empty, Variant::Invalid, Variant::Completed] {
            let f = fixture(step, v);
            for (w, h) in SIZES {
                let name = format!("{}_{}_{w}x{h}", step_name(step), v.name());
                insta::assert_snapshot!(name, draw(&f.w, w, h));
            }
        }
    }
}

#[test]
fn summary_incomplete_and_complete() {
    for v in [Variant::Empty, Variant::Completed] {
        let mut f = fixture(StepId::Layouts, v);
        f.w.phase = Phase::Summary;
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("summary_{}_{w}x{h}", v.name()), draw(&f.w, w, h));
        }
    }
}

#[test]
fn quit_question_help_overlay_and_too_small() {
    let mut f = fixture(StepId::Application, Variant::Empty);
    retype(&mut f.w, Control::Field("ctct.client_id"), "abc");
    send(
        &mut f.w,
        ScreenEvent::Action(ctctsync::tui::action::Action::Quit),
    );
    insta::assert_snapshot!("quit_unsaved_80x24", draw(&f.w, 80, 24));

    let f = fixture(StepId::Settings, Variant::Empty);
    let mut app = App::new("alice", TuiOptions::default(), Theme::plain());
    app.screen = Box::new(WizardScreen::new(f.w.clone()));
    app.help = true;
    for (w, h) in SIZES {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|fr| app.render(fr.area(), fr.buffer_mut())).unwrap();
        insta::assert_snapshot!(format!("help_overlay_{w}x{h}"), format!("{}", t.backend()));
    }
    for (w, h) in [(40, 10), (59, 24), (1, 1)] {
        insta::assert_snapshot!(format!("too_small_{w}x{h}"), {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|fr| app.render(fr.area(), fr.buffer_mut())).unwrap();
            format!("{}", t.backend())
        });
    }
}

/// Text of the drawn screen without the quotes TestBackend puts around each row.
fn rows(s: &str) -> Vec<String> {
    s.lines().map(|l| l.trim_matches('"').to_string()).collect()
}

#[test]
fn the_authorize_address_is_shown_whole_without_a_browser() {
    use ctctsync::tui::action::Action;
    use ctctsync::tui::keymap::{self, Context};
    let url = "https://authz.constantcontact.com/oauth2/default/v1/authorize?client_id=5a1d0b6e-3c8f-4e2a-9d71-0c5b8e4f2a93&redirect_uri=http%3A%2F%2F127.0.0.1%3A8899%2Fcallback&response_type=code&scope=contact_data+campaign_data+account_read+offline_access&state=Zq3v9d0kT1pR7mW2xY5b&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
    let mut f = fixture(StepId::Authorize, Variant::Completed);
    f.w.login = LoginView::Waiting {
        url: url.into(),
        browser_opened: false,
        note: None,
    };
    for (w, h) in [(80, 24), (100, 30), (120, 40)] {
        let text = draw(&f.w, w, h);
        // Every piece of the address is on screen, nothing cut with "…".
        let joined: String = rows(&text)
            .iter()
            .filter_map(|r| r.split_once("││"))
            .map(|(_, body)| body.trim_end_matches('│').trim().to_string())
            .collect();
        assert!(joined.contains(url), "{w}x{h}\n{text}");
        assert!(text.contains("u shows the address alone"), "{text}");
    }
    insta::assert_snapshot!("05_authorize_no_browser_80x24", draw(&f.w, 80, 24));
    // `u` (C-o while typing in the paste field) is in the key table, so the footer says it.
    assert!(f.w.contexts().contains(&Context::WizardUrl));
    let typing = vec![Context::WizardUrl, Context::Text, Context::Wizard];
    let ctrl_o = KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL);
    assert_eq!(keymap::lookup(&typing, &ctrl_o), Some(Action::ShowUrl));
    // Alone: rows of the full width, no border, no indent — the rows joined are the address.
    send(&mut f.w, ScreenEvent::Action(Action::ShowUrl));
    assert_eq!(f.w.contexts(), vec![Context::UrlAlone, Context::Global]);
    for (w, h) in [(80, 24), (100, 30)] {
        let text = draw(&f.w, w, h);
        let r = rows(&text);
        let n = url.len().div_ceil(usize::from(w));
        assert_eq!(r[..n].concat().trim_end(), url, "{w}x{h}\n{text}");
        assert!(!text.contains('│') && !text.contains('…'), "{text}");
    }
    insta::assert_snapshot!("05_authorize_address_alone_80x24", draw(&f.w, 80, 24));
    send(&mut f.w, ScreenEvent::Action(Action::ShowUrl));
    assert!(draw(&f.w, 80, 24).contains("Authorize"));
}
