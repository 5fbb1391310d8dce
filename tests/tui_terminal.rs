//! The terminal guard in a real pseudo-terminal: a panic while the UI is up must leave the
//! terminal restored (raw mode off, alternate screen left, paste and mouse off), exactly once.
//! The test re-runs its own executable as the child (selected by an environment variable), so
//! no test-only switch is needed in the product.

#[path = "support/pty.rs"]
mod pty;

use std::time::Duration;

const CHILD: &str = "CTCTSYNC_TERMINAL_TEST_CHILD";

/// The child: enter TUI mode, then panic (or drop the guard twice over, for `restore_once`).
/// Not a test of its own: the tests below run it in a pty.
#[test]
#[ignore = "the child process of the tests below"]
fn child() {
    match std::env::var(CHILD).as_deref() {
        Ok("panic") => {
            let _guard = ctctsync::tui::terminal::TerminalGuard::enter().unwrap();
            panic!("boom while the UI is up");
        }
        Ok("drop") => {
            let guard = ctctsync::tui::terminal::TerminalGuard::enter().unwrap();
            ctctsync::tui::terminal::restore();
            drop(guard);
            ctctsync::tui::terminal::restore();
            println!("CHILD-DONE");
        }
        _ => {}
    }
}

fn run_child(mode: &str) -> String {
    let exe = std::env::current_exe().unwrap();
    let mut t = pty::Pty::spawn(
        exe.to_str().unwrap(),
        &[
            "--exact",
            "child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ],
        &[(CHILD, mode)],
        80,
        24,
    );
    assert!(
        t.wait_exit(Duration::from_secs(20)).is_some(),
        "child did not exit"
    );
    String::from_utf8_lossy(&t.raw_output()).to_string()
}

#[test]
fn a_panic_restores_the_terminal_before_the_message() {
    let out = run_child("panic");
    let entered = out
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = out.rfind("\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered);
    let message = out
        .find("boom while the UI is up")
        .expect("the panic message is shown");
    assert!(
        message > left,
        "restored before the panic message was printed"
    );
    for seq in ["\x1b[?2004l", "\x1b[?1000l"] {
        assert!(out[entered..].contains(seq), "{seq:?} sent");
    }
}

#[test]
fn restore_runs_exactly_once() {
    let out = run_child("drop");
    assert!(out.contains("CHILD-DONE"), "{out}");
    assert_eq!(
        out.matches("\x1b[?1049l").count(),
        1,
        "one restore, however often it is asked"
    );
}
