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
        Ok("gone") => {
            let mut guard = ctctsync::tui::terminal::TerminalGuard::enter().unwrap();
            // A frame hides the cursor, so dropping the guard must show it again.
            guard.terminal().unwrap().draw(|_| {}).unwrap();
            // The terminal goes away (a closed window, SIGHUP): every write now fails with an
            // error (a gone pty gives EIO; /dev/full gives ENOSPC — a closed fd would not do, as
            // std treats EBADF on stdio as success). Each of fds 1 and 2 is closed and reopened,
            // as the lowest free number, on /dev/full.
            for fd in [1, 2] {
                // SAFETY: nothing else in this process uses fds 1 and 2 from here on.
                unsafe {
                    use std::os::fd::FromRawFd;
                    drop(std::os::fd::OwnedFd::from_raw_fd(fd));
                }
                let full = std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap();
                std::mem::forget(full);
            }
            drop(guard); // must not panic
            std::fs::write(std::env::var("CHILD_MARK").unwrap(), "dropped").unwrap();
        }
        _ => {}
    }
}

fn run_child(mode: &str) -> String {
    run_child_with(mode, &[]).0
}

/// Runs the child in a pty; its output and exit code.
fn run_child_with(mode: &str, env: &[(&str, &str)]) -> (String, u32) {
    let exe = std::env::current_exe().unwrap();
    let mut all_env = vec![(CHILD, mode)];
    all_env.extend_from_slice(env);
    let mut t = pty::Pty::spawn(
        exe.to_str().unwrap(),
        &[
            "--exact",
            "child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ],
        &all_env,
        80,
        24,
    );
    let code = t
        .wait_exit(Duration::from_secs(20))
        .expect("child did not exit");
    (String::from_utf8_lossy(&t.raw_output()).to_string(), code)
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

/// A terminal that is gone when the UI ends (SIGHUP, a closed window) must not turn the exit into
/// a panic: ratatui's Terminal reports a failed cursor restore on stderr, and printing to a gone
/// stderr panics, which skipped the demo's clean-up of its data dir.
#[test]
fn a_gone_terminal_does_not_panic_on_exit() {
    let dir = tempfile::tempdir().unwrap();
    let mark = dir.path().join("mark");
    let (_, code) = run_child_with("gone", &[("CHILD_MARK", mark.to_str().unwrap())]);
    assert_eq!(
        std::fs::read_to_string(&mark).ok().as_deref(),
        Some("dropped"),
        "the guard dropped without a panic (exit code {code})"
    );
}
