//! The runtime's `App` without a terminal: key kinds, the key table's contexts, help, paste,
//! mouse clamping, resize, navigation and NO_COLOR.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::Color;

use ctctsync::store::Store;
use ctctsync::tui::TuiOptions;
use ctctsync::tui::effect::{Effect, Nav};
use ctctsync::tui::msg::Reply;
use ctctsync::tui::runtime::App;
use ctctsync::tui::screen::ScreenEvent;
use ctctsync::tui::theme::Theme;
use ctctsync::tui::wizard::{StepId, WizardScreen, WizardState};
use ctctsync::tui::worker::{self, Query};

/// An App showing the wizard at step 1, loaded from a fresh store.
fn app(theme: Theme) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let conn = store.connect().unwrap();
    let mut w = WizardState::new("alice");
    w.start_step = Some(StepId::Application);
    let _ = w.init();
    let reply = worker::run_query(&conn, w.generation, Query::Setup);
    let _ = w.update(ScreenEvent::Reply(reply));
    let mut a = App::new("alice", TuiOptions::default(), theme);
    a.screen = Box::new(WizardScreen::new(w));
    a.size = Rect::new(0, 0, 80, 24);
    (dir, a)
}

fn key(code: KeyCode, mods: KeyModifiers, kind: KeyEventKind) -> Event {
    Event::Key(KeyEvent::new_with_kind(code, mods, kind))
}

fn press(c: char) -> Event {
    key(KeyCode::Char(c), KeyModifiers::NONE, KeyEventKind::Press)
}

fn screen_text(a: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| a.render(f.area(), f.buffer_mut())).unwrap();
    format!("{}", t.backend())
}

#[test]
fn only_key_presses_act() {
    let (_d, mut a) = app(Theme::plain());
    for kind in [KeyEventKind::Release, KeyEventKind::Repeat] {
        let fx = a.on_event(key(KeyCode::Char('x'), KeyModifiers::NONE, kind));
        assert!(fx.is_empty());
    }
    assert!(!screen_text(&a, 80, 24).contains("[x"));
    a.on_event(press('x'));
    assert!(screen_text(&a, 80, 24).contains("[x"));
}

#[test]
fn typed_q_goes_to_the_field_and_ctrl_c_quits() {
    let (_d, mut a) = app(Theme::plain());
    let fx = a.on_event(press('q'));
    assert!(fx.is_empty());
    assert!(screen_text(&a, 80, 24).contains("[q"));
    // Something is unsaved: ctrl-c asks first.
    let fx = a.on_event(key(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
        KeyEventKind::Press,
    ));
    assert!(fx.is_empty());
    assert!(screen_text(&a, 80, 24).contains("Some changes are not saved"));
    let fx = a.on_event(press('y'));
    assert_eq!(a.apply(fx), Vec::<Effect>::new());
    assert!(a.quit);
}

#[test]
fn help_overlay_opens_from_the_table_and_swallows_keys() {
    let (_d, mut a) = app(Theme::plain());
    a.on_event(key(KeyCode::F(1), KeyModifiers::NONE, KeyEventKind::Press));
    assert!(a.help);
    let text = screen_text(&a, 80, 24);
    assert!(
        text.contains("Keys") && text.contains("next step") && text.contains("previous field"),
        "{text}"
    );
    // Typing while help is open does nothing to the field.
    a.on_event(press('z'));
    assert!(!screen_text(&a, 80, 24).contains("[z"));
    a.on_event(key(KeyCode::Esc, KeyModifiers::NONE, KeyEventKind::Press));
    assert!(!a.help);
}

#[test]
fn paste_goes_into_the_focused_field() {
    let (_d, mut a) = app(Theme::plain());
    a.on_event(Event::Paste("5a1d0b6e-3c8f\n".into()));
    assert!(screen_text(&a, 80, 24).contains("[5a1d0b6e-3c8f "));
}

#[test]
fn mouse_coordinates_are_clamped_and_resize_is_followed() {
    let (_d, mut a) = app(Theme::plain());
    a.on_event(Event::Resize(100, 30));
    assert_eq!(a.size, Rect::new(0, 0, 100, 30));
    // A click far outside the (shrunk) frame must not panic.
    a.on_event(Event::Resize(60, 18));
    let fx = a.on_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 500,
        row: 500,
        modifiers: KeyModifiers::NONE,
    }));
    let _ = a.apply(fx);
    // Too small: clicks are ignored and the message shows.
    a.on_event(Event::Resize(20, 5));
    let fx = a.on_event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 3,
        row: 3,
        modifiers: KeyModifiers::NONE,
    }));
    assert!(fx.is_empty());
    assert!(screen_text(&a, 20, 5).contains("terminal too"));
}

#[test]
fn navigation_switches_screens_and_starts_them() {
    let (_d, mut a) = app(Theme::plain());
    let rest = a.apply(vec![Effect::Navigate(Nav::Wizard {
        step: Some(StepId::Jobs),
        from_settings: true,
    })]);
    assert!(
        matches!(rest.as_slice(), [Effect::Query { .. }]),
        "{rest:?}"
    );
    let rest = a.apply(vec![Effect::Copy("x".into()), Effect::Quit]);
    assert!(rest.is_empty());
    assert_eq!(a.clipboard, vec!["x".to_string()]);
    assert!(a.quit);
    // Replies of another screen are ignored by the wizard.
    let _ = a.on_msg(ctctsync::tui::msg::Msg::Reply(Reply::Saved {
        result: Ok(()),
    }));
}

#[test]
fn no_color_draws_no_colour() {
    let (_d, a) = app(Theme::plain());
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| a.render(f.area(), f.buffer_mut())).unwrap();
    let buf = t.backend().buffer().clone();
    assert!(
        buf.content()
            .iter()
            .all(|c| matches!(c.fg, Color::Reset) && matches!(c.bg, Color::Reset)),
        "NO_COLOR: nothing but the terminal's own colours"
    );
    // With colour, body text still uses the terminal's default colour.
    let (_d, a) = app(Theme { color: true });
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| a.render(f.area(), f.buffer_mut())).unwrap();
    let buf = t.backend().buffer();
    let intro = buf.content().iter().find(|c| c.symbol() == "I").unwrap();
    assert_eq!(intro.fg, Color::Reset);
}
