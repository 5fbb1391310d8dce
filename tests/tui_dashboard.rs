//! The dashboard: insta snapshots of every tab and page at 80×24 and 120×40 from a fixed fixture
//! (pinned clock, fixed time zone, built with the store API), plus behaviour through the real
//! update/query path: filtering, keyset scrolling, saving an edit with its outbox row, list
//! membership, permissions and layouts, export.
//!
//! Review snapshot changes with `cargo insta review`; CI never writes snapshots.

mod dashboard_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use ctctsync::store::{self, Store};
use ctctsync::tui::action::Action;
use ctctsync::tui::dashboard::exec::{DashEffect, DashEvent};
use ctctsync::tui::dashboard::{Clock, DashboardScreen, Tab};
use ctctsync::tui::effect::{Effect, Nav};
use ctctsync::tui::msg::Reply;
use ctctsync::tui::runtime::App;
use ctctsync::tui::screen::ScreenEvent;
use ctctsync::tui::theme::Theme;
use ctctsync::tui::{TuiOptions, keymap};
use dashboard_support::{Fixture, fixture, now, send};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn open(f: &Fixture, user: &str) -> App {
    open_with_effects(f, user).0
}

/// The app and the effects left for the outside world (timers, the outbox worker).
fn open_with_effects(f: &Fixture, user: &str) -> (App, Vec<Effect>) {
    let mut app = App::new(user, TuiOptions::default(), Theme::plain());
    let mut screen = DashboardScreen::with_clock(user, Clock::Fixed(now()));
    let fx = ctctsync::tui::screen::Screen::init(&mut screen);
    app.screen = Box::new(screen);
    let other = dashboard_support::drive(&mut app, &f.store, fx);
    (app, other)
}

/// Fires every timer among `effects` (as if its delay had passed); returns what follows.
fn fire(app: &mut App, store: &Store, effects: &[Effect]) -> Vec<Effect> {
    let mut out = Vec::new();
    for e in effects {
        if let Effect::Dash(DashEffect::Wake { tag, .. }) = e {
            out.extend(send(
                app,
                store,
                ScreenEvent::Reply(Reply::DashEvent(DashEvent::Wake(*tag))),
            ));
        }
    }
    out
}

fn act(app: &mut App, store: &Store, a: Action) -> Vec<Effect> {
    send(app, store, ScreenEvent::Action(a))
}

fn typ(app: &mut App, store: &Store, text: &str) {
    for ch in text.chars() {
        send(
            app,
            store,
            ScreenEvent::Key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE)),
        );
    }
}

fn draw(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.render(f.area(), f.buffer_mut())).unwrap();
    t.backend().to_string()
}

fn snap(app: &App, name: &str) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(app, w, h));
    }
}

/// Opens the contact found by typing `filter` in the Contacts tab.
fn open_contact(app: &mut App, store: &Store, filter: &str) {
    act(app, store, Action::GoTab(2));
    act(app, store, Action::Filter);
    typ(app, store, filter);
    act(app, store, Action::Confirm);
    act(app, store, Action::Confirm);
}

#[test]
fn snapshots_of_every_screen() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    // Jobs: the running activity sync (gauge, items/s, elapsed), then the failed contact sync.
    act(&mut app, s, Action::Down);
    act(&mut app, s, Action::Down);
    snap(&app, "jobs_running");
    act(&mut app, s, Action::Up);
    snap(&app, "jobs_failed");
    app.help = true;
    snap(&app, "jobs_help");
    app.help = false;

    act(&mut app, s, Action::GoTab(2));
    snap(&app, "contacts");
    act(&mut app, s, Action::Filter);
    typ(&mut app, s, "love");
    snap(&app, "contacts_filtering");
    act(&mut app, s, Action::Confirm);
    act(&mut app, s, Action::Confirm);
    snap(&app, "contact_details");
    act(&mut app, s, Action::SubNext);
    snap(&app, "contact_lists");
    act(&mut app, s, Action::Add);
    snap(&app, "contact_lists_picker");
    act(&mut app, s, Action::Back);
    act(&mut app, s, Action::SubNext);
    snap(&app, "contact_ctct");

    act(&mut app, s, Action::GoTab(3));
    snap(&app, "clients");
    act(&mut app, s, Action::Down);
    act(&mut app, s, Action::Confirm);
    snap(&app, "client_timeline");
    act(&mut app, s, Action::SubNext);
    snap(&app, "client_membership");
    act(&mut app, s, Action::SubNext);
    snap(&app, "client_activity");

    act(&mut app, s, Action::GoTab(4));
    snap(&app, "lists");
    act(&mut app, s, Action::GoTab(5));
    snap(&app, "outbox");
    act(&mut app, s, Action::GoTab(6));
    snap(&app, "settings");
}

#[test]
fn authorization_banner_and_no_permission() {
    let f = fixture(false);
    let s = &f.store;
    let mut app = open(&f, "bob");
    snap(&app, "jobs_needs_authorization");
    // Bob has no Constant Contact permission: the contact page shows Details only.
    open_contact(&mut app, s, "ada");
    snap(&app, "contact_without_permission");
    act(&mut app, s, Action::SubNext);
    let text = draw(&app, 120, 40);
    assert!(
        text.contains("[Details]  ←/→") && !text.contains("Details │"),
        "{text}"
    );
    // And the client page has only its Timeline.
    act(&mut app, s, Action::GoTab(3));
    act(&mut app, s, Action::Down);
    act(&mut app, s, Action::Confirm);
    let text = draw(&app, 120, 40);
    assert!(
        text.contains("Timeline") && !text.contains("Membership"),
        "{text}"
    );
    // Setup steps (Permissions among them) are not bob's to reopen: no Settings tab, no `a`.
    act(&mut app, s, Action::GoTab(1));
    let fx = app.screen.update(ScreenEvent::Action(Action::Authorize));
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Navigate(Nav::Wizard { .. }))),
        "{fx:?}"
    );
    let text = draw(&app, 120, 40);
    assert!(!text.contains("Settings"), "{text}");
    assert!(!text.contains("a authorize"), "{text}");
    act(&mut app, s, Action::GoTab(6));
    act(&mut app, s, Action::TabPrev);
    let text = draw(&app, 120, 40);
    assert!(text.contains("[5 Outbox]"), "{text}");
    act(&mut app, s, Action::TabNext);
    let text = draw(&app, 120, 40);
    assert!(text.contains("[1 Jobs]"), "{text}");
    assert_eq!(
        app.screen.update(ScreenEvent::Action(Action::Confirm)),
        Vec::new()
    );
}

#[test]
fn a_user_with_the_permission_reopens_setup() {
    let f = fixture(false);
    let s = &f.store;
    let mut app = open(&f, "alice");
    assert!(draw(&app, 120, 40).contains("6 Settings"));
    // `a` on the Jobs tab opens the wizard's Authorize step.
    let fx = app.screen.update(ScreenEvent::Action(Action::Authorize));
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::Navigate(Nav::Wizard {
                from_settings: true,
                ..
            })
        )),
        "{fx:?}"
    );
    act(&mut app, s, Action::GoTab(6));
    assert!(draw(&app, 120, 40).contains("[6 Settings]"));
}

#[test]
fn layouts_hide_client_tabs() {
    let f = fixture(true);
    let s = &f.store;
    {
        let conn = s.connect().unwrap();
        store::layouts::set_visible(&conn, "client", "timeline", false).unwrap();
        store::layouts::set_visible(&conn, "client", "ctct.activity", false).unwrap();
        store::layouts::set_visible(&conn, "contact", "ctct", false).unwrap();
    }
    let mut app = open(&f, "alice");
    act(&mut app, s, Action::GoTab(3));
    act(&mut app, s, Action::Down);
    act(&mut app, s, Action::Confirm);
    let text = draw(&app, 120, 40);
    assert!(text.contains("Constant Contact › Membership"), "{text}");
    assert!(
        !text.contains("Timeline") && !text.contains("› Activity"),
        "{text}"
    );
    open_contact(&mut app, s, "ada");
    let text = draw(&app, 120, 40);
    assert!(
        text.contains("Lists") && !text.contains("│ Constant Contact "),
        "{text}"
    );
}

#[test]
fn filtering_follows_typing_and_scrolling_reads_by_key() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    act(&mut app, s, Action::GoTab(2));
    act(&mut app, s, Action::Filter);
    typ(&mut app, s, "hopper.exa");
    let text = draw(&app, 120, 40);
    assert!(
        text.contains("Hopper, Grace") && !text.contains("Lovelace"),
        "{text}"
    );
    // One or two characters match the start of a name or an email.
    for _ in 0..10 {
        send(
            &mut app,
            s,
            ScreenEvent::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
        );
    }
    typ(&mut app, s, "tu");
    let text = draw(&app, 120, 40);
    assert!(
        text.contains("Turing, Alan") && !text.contains("Lovelace"),
        "{text}"
    );
    // Esc leaves the field, a second Esc clears the filter.
    act(&mut app, s, Action::Back);
    act(&mut app, s, Action::Back);
    let text = draw(&app, 120, 40);
    assert!(
        text.contains("Lovelace, Ada") && text.contains("Hopper, Grace"),
        "{text}"
    );
    // 46 contacts: scroll to the very end and back.
    for _ in 0..60 {
        act(&mut app, s, Action::Down);
    }
    // The last row: 田中 sorts after the Latin names.
    let text = draw(&app, 80, 24);
    assert!(text.contains("▶ 田中, 太郎"), "{text}");
    for _ in 0..60 {
        act(&mut app, s, Action::Up);
    }
    let text = draw(&app, 80, 24);
    assert!(
        text.contains("▶ Châtelet") || text.contains("▶ du Châtelet"),
        "{text}"
    );
}

#[test]
fn saving_an_edit_writes_the_contact_and_its_push_in_one_go() {
    let f = fixture(true);
    let s = &f.store;
    let (mut app, timers) = open_with_effects(&f, "alice");
    open_contact(&mut app, s, "grace");
    // Email field: Down twice, Enter edits, replace the text, Enter keeps it, s saves.
    act(&mut app, s, Action::Down);
    act(&mut app, s, Action::Down);
    act(&mut app, s, Action::Edit);
    for _ in 0..40 {
        send(
            &mut app,
            s,
            ScreenEvent::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
        );
    }
    typ(&mut app, s, "not an email");
    act(&mut app, s, Action::Confirm);
    act(&mut app, s, Action::Save);
    let text = draw(&app, 120, 40);
    assert!(text.contains("is not an email address"), "{text}");
    act(&mut app, s, Action::Up);
    act(&mut app, s, Action::Edit);
    for _ in 0..40 {
        send(
            &mut app,
            s,
            ScreenEvent::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
        );
    }
    send(&mut app, s, ScreenEvent::Paste("grace@navy.example".into()));
    act(&mut app, s, Action::Confirm);
    let other = act(&mut app, s, Action::Save);
    assert!(
        other
            .iter()
            .any(|e| matches!(e, Effect::Dash(DashEffect::NudgeOutbox))),
        "{other:?}"
    );
    let conn = s.connect().unwrap();
    let c = store::contacts::find_by_email(&conn, "grace@navy.example").unwrap();
    assert_eq!(c.len(), 1);
    let pushes = store::outbox::for_contact(&conn, c[0].id, 5).unwrap();
    assert_eq!(pushes[0].kind, store::outbox::Kind::UpdateContact);
    assert_eq!(pushes[0].status, store::outbox::Status::Pending);
    let text = draw(&app, 120, 40);
    assert!(text.contains("contact update waiting to be sent"), "{text}");
    // The push is delivered (by the worker, elsewhere): the next poll (fast while a push is in
    // flight) re-reads the page and shows the outcome.
    store::outbox::mark_delivered(&conn, pushes[0].id, "email updated in Constant Contact")
        .unwrap();
    let next = fire(&mut app, s, &timers);
    assert!(
        next.iter().any(
            |e| matches!(e, Effect::Dash(DashEffect::Wake { after, .. }) if after.as_secs() == 1)
        ),
        "{next:?}"
    );
    let text = draw(&app, 120, 40);
    assert!(
        text.contains("✓ contact update delivered")
            && text.contains("email updated in Constant Contact"),
        "{text}"
    );
    // The toast says it too, with one ✓ (the words carry their own glyph).
    let toast = text.lines().rev().nth(1).unwrap_or_default();
    assert!(toast.contains("✓ contact update delivered"), "{text}");
    assert!(!text.contains("✓ ✓"), "{text}");
}

#[test]
fn list_membership_and_outbox_retry() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    open_contact(&mut app, s, "byron");
    act(&mut app, s, Action::SubNext);
    act(&mut app, s, Action::Add);
    act(&mut app, s, Action::Confirm); // the first list Byron is not on: Events
    let conn = s.connect().unwrap();
    let byron = store::contacts::find_by_email(&conn, "byron@example.com").unwrap()[0].id;
    let m = store::lists::memberships_of(&conn, byron).unwrap();
    assert!(
        m.iter()
            .any(|(l, st)| l.name == "Events" && st == "pending_add"),
        "{m:?}"
    );
    assert_eq!(
        store::outbox::for_contact(&conn, byron, 5).unwrap()[0].kind,
        store::outbox::Kind::AddToList
    );
    let text = draw(&app, 120, 40);
    assert!(text.contains("… being added"), "{text}");

    // Outbox, newest first: Byron's add, then Grace's failed removal, then Ada's two.
    act(&mut app, s, Action::GoTab(5));
    let text = draw(&app, 120, 40);
    assert!(
        text.contains("✗ failed") && text.contains("↻ retrying"),
        "{text}"
    );
    act(&mut app, s, Action::Down);
    act(&mut app, s, Action::Retry);
    let failed = store::outbox::undelivered(&conn, 10).unwrap();
    assert!(
        failed
            .iter()
            .all(|e| e.status != store::outbox::Status::Failed),
        "{failed:?}"
    );
}

#[test]
fn export_writes_what_the_table_shows() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    act(&mut app, s, Action::GoTab(2));
    act(&mut app, s, Action::Filter);
    typ(&mut app, s, "lovelace");
    act(&mut app, s, Action::Confirm);
    act(&mut app, s, Action::Export);
    let file = f.dir.path().join("contacts-20261203-190000.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("ada@example.com") && text.contains("byron@example.com"),
        "{text}"
    );
    let screen = draw(&app, 120, 40);
    assert!(screen.contains("Exported 2 rows to"), "{screen}");
    // The contact's interactions.
    act(&mut app, s, Action::Confirm);
    act(&mut app, s, Action::SubNext);
    act(&mut app, s, Action::SubNext);
    act(&mut app, s, Action::Export);
    let name = std::fs::read_dir(f.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .find(|n| n.contains("interactions"))
        .unwrap();
    let text = std::fs::read_to_string(f.dir.path().join(name)).unwrap();
    assert!(
        text.contains("https://riverbend.example/q1-letter") && text.contains("Q1 Newsletter"),
        "{text}"
    );
}

#[test]
fn job_keys_choose_in_process_or_daemon() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    // The lists job is idle: run now runs it here.
    let fx = act(&mut app, s, Action::RunNow);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Dash(DashEffect::RunJob(_)))),
        "{fx:?}"
    );
    // The activity job is running (in another process): run now refuses, cancel asks for it.
    act(&mut app, s, Action::Down);
    act(&mut app, s, Action::Down);
    let fx = act(&mut app, s, Action::RunNow);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Dash(DashEffect::RunJob(_)))),
        "{fx:?}"
    );
    act(&mut app, s, Action::CancelRun);
    let conn = s.connect().unwrap();
    let job = store::jobs::get(&conn, store::jobs::JobName::Syncactivities).unwrap();
    assert!(job.cancel_requested);
    // Space disables the selected job.
    act(&mut app, s, Action::Toggle);
    let job = store::jobs::get(&conn, store::jobs::JobName::Syncactivities).unwrap();
    assert!(!job.enabled);
    // Footer and help follow the tab.
    let hints = keymap::hints(&app.screen.contexts());
    assert!(hints.iter().any(|(_, d)| *d == "run now"), "{hints:?}");
    act(&mut app, s, Action::GoTab(5));
    let hints = keymap::hints(&app.screen.contexts());
    assert!(
        hints.iter().any(|(_, d)| *d == "retry now") && !hints.iter().any(|(_, d)| *d == "run now"),
        "{hints:?}"
    );
}

#[test]
fn clicks_switch_tabs_and_select_rows_and_tiny_terminals_do_not_panic() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    // " 1 Jobs │ 2 Contacts │ …": column 12 is on "2 Contacts".
    send(
        &mut app,
        s,
        ScreenEvent::Click {
            col: 12,
            row: 0,
            area,
        },
    );
    let text = draw(&app, 80, 24);
    assert!(text.contains("Lovelace, Ada"), "{text}");
    // Two clicks on a row open the contact.
    send(
        &mut app,
        s,
        ScreenEvent::Click {
            col: 5,
            row: 5,
            area,
        },
    );
    send(
        &mut app,
        s,
        ScreenEvent::Click {
            col: 5,
            row: 5,
            area,
        },
    );
    let text = draw(&app, 80, 24);
    assert!(text.contains("Details"), "{text}");
    for (w, h) in [(1, 1), (10, 3), (59, 17), (60, 18), (200, 60)] {
        let _ = draw(&app, w, h);
    }
    let _ = Tab::ALL;
}

/// The History's wrapped run error keeps every character at every width: the wrap budget once
/// ignored one column of the "✗ " prefix, so the clip at the right edge ate the last character
/// of each wrapped line ("refused the refres / token").
#[test]
fn wrapped_run_errors_lose_no_character_at_any_width() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    act(&mut app, s, Action::Down);
    let error = "Constant Contact refused the access token (HTTP 401): authorize again in Settings → 5 Authorize";
    for w in 60..=130 {
        let screen = draw(&app, w, 40);
        let parts: Vec<String> = screen
            .lines()
            .map(|l| l.trim_matches('"'))
            .filter_map(|l| l.strip_prefix("         ✗ "))
            .map(|l| l.trim_end().to_string())
            .collect();
        assert!(
            !parts.is_empty(),
            "no error lines at {w} columns:\n{screen}"
        );
        assert_eq!(parts.join(" "), error, "at {w} columns:\n{screen}");
    }
}

fn grace_dne(s: &Store) -> bool {
    let conn = s.connect().unwrap();
    store::contacts::find_by_email(&conn, "grace@hopper.example").unwrap()[0].do_not_email
}

/// Esc / Backspace on a contact's page with unsaved edits asks first (save, discard or stay)
/// instead of dropping the edits; so does quitting.
#[test]
fn leaving_a_contact_with_unsaved_edits_asks_first() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    let before = grace_dne(s);
    open_contact(&mut app, s, "grace");
    act(&mut app, s, Action::Toggle);
    // Esc: the question, with the changed field and the keys from the key table.
    act(&mut app, s, Action::Back);
    assert_eq!(app.screen.contexts(), vec![keymap::Context::DashUnsaved]);
    snap(&app, "contact_unsaved_question");
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    let ctx = app.screen.contexts();
    assert_eq!(keymap::lookup(&ctx, &key('s')), Some(Action::Save));
    assert_eq!(keymap::lookup(&ctx, &key('d')), Some(Action::Discard));
    assert_eq!(keymap::lookup(&ctx, &esc), Some(Action::No));
    // Stay: still on the page, the edit kept.
    act(&mut app, s, Action::No);
    let text = draw(&app, 120, 40);
    assert!(text.contains("● unsaved changes"), "{text}");
    // Discard: back on the table, nothing written.
    act(&mut app, s, Action::Back);
    act(&mut app, s, Action::Discard);
    assert!(app.screen.contexts().contains(&keymap::Context::DashBrowse));
    assert_eq!(grace_dne(s), before);
    // Save and leave: written, back on the table.
    act(&mut app, s, Action::Confirm);
    act(&mut app, s, Action::Toggle);
    act(&mut app, s, Action::Back);
    act(&mut app, s, Action::Save);
    assert!(app.screen.contexts().contains(&keymap::Context::DashBrowse));
    assert_eq!(grace_dne(s), !before);
    // Quitting with unsaved edits asks too; saving from there quits once it is written.
    act(&mut app, s, Action::Confirm);
    act(&mut app, s, Action::Toggle);
    act(&mut app, s, Action::Quit);
    assert!(!app.quit);
    assert_eq!(app.screen.contexts(), vec![keymap::Context::DashUnsaved]);
    act(&mut app, s, Action::Save);
    assert!(app.quit);
    assert_eq!(grace_dne(s), before);
}

/// Without edits, Esc leaves the page at once and q quits at once.
#[test]
fn leaving_a_contact_without_edits_does_not_ask() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    open_contact(&mut app, s, "grace");
    act(&mut app, s, Action::Back);
    assert!(app.screen.contexts().contains(&keymap::Context::DashBrowse));
    act(&mut app, s, Action::Confirm);
    act(&mut app, s, Action::Quit);
    assert!(app.quit);
}

/// The footer while typing in the filter (or a contact's field) shows the dashboard's editing
/// keys from the key table, not the wizard's "save and continue"; the header does not show the
/// whole table's count as if it were the filter's.
#[test]
fn the_filter_footer_and_header_describe_the_filter() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    act(&mut app, s, Action::GoTab(2));
    act(&mut app, s, Action::Filter);
    typ(&mut app, s, "love");
    let hints = keymap::hints(&app.screen.contexts());
    assert!(hints.contains(&("Enter".to_string(), "done")), "{hints:?}");
    assert!(hints.contains(&("Esc".to_string(), "cancel")), "{hints:?}");
    assert!(
        hints.iter().all(|(_, d)| *d != "save and continue"),
        "{hints:?}"
    );
    // Printable keys still go to the field.
    let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(keymap::lookup(&app.screen.contexts(), &q), None);
    act(&mut app, s, Action::Confirm);
    let text = draw(&app, 80, 24);
    assert!(text.contains("Contacts · filtered from 46"), "{text}");
    assert!(!text.contains("46 · 4 linked"), "{text}");
    // A contact's field being edited: the same keys.
    act(&mut app, s, Action::Confirm);
    act(&mut app, s, Action::Edit);
    let hints = keymap::hints(&app.screen.contexts());
    assert!(hints.contains(&("Enter".to_string(), "done")), "{hints:?}");
    // Esc clears the filter: the count is the table's again.
    act(&mut app, s, Action::Back);
    act(&mut app, s, Action::Back);
    act(&mut app, s, Action::Back);
    let text = draw(&app, 80, 24);
    assert!(text.contains("Contacts · 46 · 4 linked"), "{text}");
}

/// The filter, given the text a Contacts row shows.
fn rows_for(app: &mut App, s: &Store, filter: &str) -> String {
    act(app, s, Action::GoTab(2));
    act(app, s, Action::Back);
    act(app, s, Action::Back);
    act(app, s, Action::Filter);
    typ(app, s, filter);
    draw(app, 120, 40)
}

/// "Hopper, Grace" — the Name column's own "Last, First" — finds the contact, as does any
/// piece of it typed as the column shows it; "Grace Hopper" still works.
#[test]
fn the_filter_matches_names_typed_last_comma_first() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    for filter in [
        "Hopper, Grace",
        "hopper,grace",
        "Hopper, Gr",
        "per, Gra",
        "er, Grace",
        "Hopper,",
        "Grace Hopper",
    ] {
        let text = rows_for(&mut app, s, filter);
        assert!(
            text.contains("▶ Hopper, Grace") && !text.contains("Lovelace"),
            "{filter:?}:\n{text}"
        );
    }
    for filter in ["Hopper, Ada", "Grace, Hopper"] {
        let text = rows_for(&mut app, s, filter);
        assert!(
            text.contains("nothing matches the filter"),
            "{filter:?}:\n{text}"
        );
    }
}

/// A toast has its own line above the footer: it changes no other line of the screen (it was
/// drawn over the last table row), and shows its ✓ / ✗ once even when the message has one.
#[test]
fn toasts_get_their_own_line_and_one_glyph() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    // A full table: the Contacts tab at 80×24 (46 rows).
    act(&mut app, s, Action::GoTab(2));
    let before = draw(&app, 80, 24);
    // Something that says a word: a contact's Constant Contact section, refreshed.
    open_contact(&mut app, s, "love");
    act(&mut app, s, Action::SubNext);
    act(&mut app, s, Action::SubNext);
    let quiet = draw(&app, 80, 24);
    let fx = act(&mut app, s, Action::Refresh);
    let contact = fx
        .iter()
        .find_map(|e| match e {
            Effect::Dash(DashEffect::Refresh { contact }) => Some(*contact),
            _ => None,
        })
        .expect("r refreshes the contact");
    let asking = draw(&app, 80, 24);
    send(
        &mut app,
        s,
        ScreenEvent::Reply(Reply::DashEvent(DashEvent::Refreshed {
            contact,
            result: Ok(3),
        })),
    );
    let loud = draw(&app, 80, 24);
    // Only the line above the footer (row 22 of 24) changes, and it was blank before.
    for screen in [&asking, &loud] {
        let changed: Vec<usize> = quiet
            .lines()
            .zip(screen.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(changed, vec![22], "{quiet}\n{screen}");
    }
    assert_eq!(
        quiet.lines().nth(22).map(|l| l.trim_matches('"').trim()),
        Some("")
    );
    assert!(
        loud.contains("✓ Refreshed from Constant Contact: 3 new"),
        "{loud}"
    );
    insta::assert_snapshot!("contact_ctct_toast_80x24", loud);
    // A full table leaves that line free too (the toast line is reserved, not borrowed from
    // the table, whose last row a toast used to cover).
    assert!(
        before
            .lines()
            .nth(22)
            .is_some_and(|l| l.trim_matches('"').trim().is_empty()),
        "{before}"
    );
}

#[test]
fn the_outbox_shows_the_whole_reason_and_enter_opens_the_contact() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    act(&mut app, s, Action::GoTab(5));
    // Grace's failed removal, newest first: its reason is cut in the table and whole below it.
    for (w, h) in SIZES {
        let text = draw(&app, w, h);
        assert!(text.contains("Push #3 · remove from list"), "{text}");
        assert!(text.contains("(invalid domain)"), "{w}x{h}\n{text}");
        assert!(text.contains("Enter open the contact"), "{text}");
    }
    snap(&app, "outbox_detail");
    // Enter opens the contact the push concerns.
    act(&mut app, s, Action::Confirm);
    let text = draw(&app, 120, 40);
    assert!(text.contains("[2 Contacts]"), "{text}");
    assert!(text.contains("grace@hopper.example"), "{text}");
}

#[test]
fn the_activity_detail_column_says_what_it_shows() {
    let f = fixture(true);
    let s = &f.store;
    let mut app = open(&f, "alice");
    open_contact(&mut app, s, "love");
    act(&mut app, s, Action::SubNext);
    act(&mut app, s, Action::SubNext);
    for (w, h) in SIZES {
        let text = draw(&app, w, h);
        // Opens carry a device type, not a link or a bounce code.
        assert!(!text.contains("Link / bounce"), "{text}");
        assert!(text.contains("Detail"), "{w}x{h}\n{text}");
        assert!(text.contains("on desktop"), "{w}x{h}\n{text}");
    }
}
