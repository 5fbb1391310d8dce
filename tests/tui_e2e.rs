//! End to end: the real `ctctsync` binary in a pseudo-terminal, driven by keystrokes through the
//! whole wizard against the sandbox (auto-approve), then the store is checked. No browser is
//! ever opened: `DISPLAY` is removed, so the Authorize step offers the paste path; the test
//! copies the authorize URL with the wizard's OSC 52 copy key, follows it to the sandbox's
//! redirect without following redirects, and pastes the `Location` back — as an admin on a
//! headless machine would.

#[path = "support/pty.rs"]
mod pty;

use std::time::Duration;

use ctctsync::sandbox::{SandboxConfig, spawn};
use ctctsync::store::{Store, credentials, jobs, layouts, settings, users};
use pty::{Pty, keys};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(dir: &std::path::Path, cols: u16, rows: u16) -> Pty {
    Pty::spawn(
        env!("CARGO_BIN_EXE_ctctsync"),
        &[],
        &[
            ("CTCTSYNC_DATA_DIR", dir.to_str().unwrap()),
            ("CTCTSYNC_USER", "alice"),
        ],
        cols,
        rows,
    )
}

/// Replaces the focused field's text (tui-input: C-u clears the line) with pasted text.
fn replace(t: &mut Pty, text: &str) {
    t.send(keys::CTRL_U);
    t.paste(text);
}

#[test]
fn the_whole_wizard_by_keystrokes_against_the_sandbox() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let sandbox = rt
        .block_on(spawn(SandboxConfig {
            redirect_uris: vec![redirect.clone()],
            ..SandboxConfig::for_tests()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut t = start(dir.path(), 100, 30);

    // 1. Application.
    t.wait_for("1. Constant Contact application");
    t.type_text(&sandbox.client_id());
    t.send(keys::ENTER);
    t.paste(&sandbox.client_secret());
    t.wait_for("••••");
    t.send(keys::ENTER);

    // 2. Auth provider: the sandbox's endpoints instead of Constant Contact's.
    t.wait_for("2. Auth provider");
    replace(&mut t, &sandbox.authorize_url());
    t.send(keys::ENTER);
    replace(&mut t, &sandbox.token_url());
    t.send(keys::ENTER);
    replace(&mut t, &sandbox.api_base());
    t.send(keys::ENTER);
    t.send(keys::ENTER); // scopes: the default

    // 3. Redirect URL: ours, copied, ticked.
    t.wait_for("3. Redirect URL");
    replace(&mut t, &redirect);
    t.send(keys::TAB);
    t.send(keys::ENTER); // "Copy the URL", which moves on to the tick-box
    assert_eq!(t.wait_clipboard(Duration::from_secs(5)), redirect);
    t.send(keys::SPACE);
    t.wait_for("[x] I registered it");
    t.send(keys::ENTER);

    // 4. Remote sites: checked on arrival.
    t.wait_for("4. Remote sites");
    t.wait_until("both hosts reachable", Duration::from_secs(15), |s| {
        s.contains("✓ API host") && s.contains("✓ Token host")
    });
    t.wait_for("✓ done   4");
    t.send(keys::ENTER);

    // 5. Authorize, by pasting the redirected URL.
    t.wait_for("5. Authorize");
    t.send(keys::ENTER);
    t.wait_for("Waiting for you to choose Allow");
    t.send(keys::CTRL_Y);
    let authorize_url = t.wait_clipboard(Duration::from_secs(5));
    assert!(
        authorize_url.starts_with(&sandbox.authorize_url()),
        "{authorize_url}"
    );
    let location = rt.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let resp = http.get(&authorize_url).send().await.unwrap();
        assert!(resp.status().is_redirection(), "{}", resp.status());
        resp.headers()["location"].to_str().unwrap().to_string()
    });
    assert!(location.starts_with(&redirect), "{location}");
    t.paste(&location);
    t.send(keys::ENTER);
    t.wait_for("Authenticated —");
    t.send(keys::ENTER);

    // 6. Integration settings: batch size 25, events on (with the warning).
    t.wait_for("6. Integration settings");
    t.send(keys::TAB);
    t.send(keys::TAB);
    t.send(keys::TAB);
    t.send(keys::CTRL_U);
    t.type_text("25");
    t.send(keys::ENTER);
    t.send(keys::SPACE);
    t.wait_for("will create");
    t.send(keys::ENTER);

    // 7. Sync jobs: a zone and one schedule.
    t.wait_for("7. Sync jobs");
    t.send(keys::CTRL_U);
    t.type_text("America/Chicago");
    t.send(keys::TAB);
    t.send(keys::TAB);
    t.send(keys::CTRL_U);
    t.type_text("00 15 03 * * ?");
    t.wait_for("At 03:15");
    t.send(keys::PGDN);

    // 8. Trigger (default on), 9. Permissions (give myself), 10. Layouts (hide one tab).
    t.wait_for("8. Trigger");
    t.send(keys::ENTER);
    t.wait_for("9. Permissions");
    t.send(keys::SPACE);
    t.wait_for("[x] alice (you)");
    t.send(keys::ENTER);
    t.wait_for("10. Layouts");
    t.send(keys::DOWN);
    t.send(keys::SPACE);
    t.wait_for("[ ] off Client: Timeline tab");
    t.send(keys::ENTER);

    // Summary, then the dashboard.
    t.wait_for("Setup is complete");
    t.send(keys::ENTER);
    t.wait_gone("Setup is complete");
    let store = Store::open_in(dir.path()).unwrap();
    let conn = store.connect().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while settings::get(&conn, "wizard.finished").unwrap().as_deref() != Some("true") {
        assert!(
            std::time::Instant::now() < deadline,
            "wizard.finished not saved"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.send(keys::CTRL_C);
    assert_eq!(
        t.wait_exit(Duration::from_secs(10)),
        Some(0),
        "{}",
        pty::frame(&t.screen())
    );
    let raw = String::from_utf8_lossy(&t.raw_output()).to_string();
    assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");

    // The store holds everything that was typed.
    let get = |k: &str| settings::get(&conn, k).unwrap();
    assert_eq!(get("ctct.client_id"), Some(sandbox.client_id()));
    assert_eq!(get("ctct.client_secret"), Some(sandbox.client_secret()));
    assert_eq!(get("ctct.authorize_url"), Some(sandbox.authorize_url()));
    assert_eq!(get("ctct.token_url"), Some(sandbox.token_url()));
    assert_eq!(get("ctct.api_base"), Some(sandbox.api_base()));
    assert_eq!(get("ctct.redirect_uri"), Some(redirect.clone()));
    assert_eq!(get("wizard.redirect_confirmed").as_deref(), Some("true"));
    assert_eq!(get("wizard.remote_sites_ok").as_deref(), Some("true"));
    assert_eq!(get("sync.activity_batch_size").as_deref(), Some("25"));
    assert_eq!(get("sync.activities_to_events").as_deref(), Some("true"));
    assert_eq!(get("schedule.timezone").as_deref(), Some("America/Chicago"));
    assert_eq!(
        get("schedule.synccontactlists").as_deref(),
        Some("00 15 03 * * ?")
    );
    let cred = credentials::get(&conn).unwrap().expect("tokens stored");
    assert_eq!(cred.state, credentials::AuthState::Authorized);
    assert!(cred.access_token.is_some() && cred.refresh_token.is_some());
    assert!(cred.organization_name.is_some());
    let all_jobs = jobs::all(&conn).unwrap();
    assert_eq!(all_jobs.len(), 3);
    assert!(all_jobs.iter().all(|j| j.enabled));
    assert!(
        users::all(&conn)
            .unwrap()
            .iter()
            .any(|u| u.username == "alice" && u.ctct_permission)
    );
    assert!(!layouts::visible(&conn, "client", "timeline").unwrap());
    assert!(layouts::visible(&conn, "contact", "ctct").unwrap());
    assert!(ctctsync::setup::progress(&conn).unwrap().complete());
    drop(t);
    rt.block_on(sandbox.shutdown());
}

#[test]
fn resumes_where_it_was_left_and_restores_the_terminal_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = start(dir.path(), 80, 24);
    t.wait_for("1. Constant Contact application");
    t.type_text("5a1d0b6e-3c8f-4e2a-9d71-0c5b8e4f2a93");
    t.send(keys::ENTER);
    t.send(keys::PGDN);
    t.wait_for("2. Auth provider");
    // Resize: larger, then too small, then back.
    t.resize(120, 40);
    t.wait_until("the 120-column layout", Duration::from_secs(5), |s| {
        s.lines().next().is_some_and(|l| l.trim_end().len() > 100)
    });
    t.resize(50, 12);
    t.wait_for("terminal too small (need 60x18)");
    t.resize(80, 24);
    t.wait_for("2. Auth provider");
    // The help overlay.
    t.send(keys::F1);
    t.wait_for("next step");
    t.send(keys::ESC);
    t.wait_gone("Mouse: click");
    // A click on the checklist selects the step.
    t.send(&keys::click(5, 2));
    t.wait_for("1. Constant Contact application");
    t.wait_for("0c5b8e4f2a93"); // the focused field shows its end, where the cursor is
    t.send(&keys::click(5, 3));
    t.wait_for("2. Auth provider");

    let pid = t.pid().unwrap();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(t.wait_exit(Duration::from_secs(10)), Some(0));
    let raw = String::from_utf8_lossy(&t.raw_output()).to_string();
    let tail = &raw[raw.rfind("\x1b[?1049h").unwrap_or(0)..];
    for (seq, what) in [
        ("\x1b[?1049l", "left the alternate screen"),
        ("\x1b[?2004l", "bracketed paste off"),
        ("\x1b[?1000l", "mouse capture off"),
    ] {
        assert!(tail.contains(seq), "{what}");
    }
    drop(t);

    // Restart: same step, same values.
    let mut t = start(dir.path(), 80, 24);
    t.wait_for("2. Auth provider");
    t.wait_for("✓ done   1 Application");
    t.send(keys::PGUP);
    t.wait_for("0c5b8e4f2a93");
    // SIGINT from outside (not the ctrl-c key) also leaves cleanly.
    let pid = t.pid().unwrap();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(t.wait_exit(Duration::from_secs(10)), Some(0));
    let raw = String::from_utf8_lossy(&t.raw_output()).to_string();
    assert!(
        raw.ends_with("\x1b[?25h") || raw.contains("\x1b[?1049l"),
        "restored"
    );
}

#[test]
fn quitting_with_an_unsaved_field_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = start(dir.path(), 80, 24);
    t.wait_for("1. Constant Contact application");
    t.type_text("not-yet-saved!");
    t.send(keys::CTRL_C);
    t.wait_for("Some changes are not saved");
    t.send("n");
    t.wait_gone("Some changes are not saved");
    t.send(keys::CTRL_C);
    t.wait_for("Some changes are not saved");
    t.send("y");
    assert_eq!(t.wait_exit(Duration::from_secs(10)), Some(0));
}
