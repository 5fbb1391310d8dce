//! End-to-end: the real `ctctsync` binary showing the dashboard in a pseudo-terminal, against
//! the sandbox over real HTTP on 127.0.0.1.
//!
//! 1. Run now on the Jobs tab starts CTCT sync contact in the TUI process, while a second
//!    process (`ctctsync status --json`, polled) watches the run's progress in the store.
//! 2. A contact's Constant Contact tab shows its interactions and the engagement chart.
//! 3. Editing the contact's last name and saving pushes it through the outbox worker the TUI
//!    runs; the page shows the delivered outcome, and the sandbox holds the new name.

#[path = "support/pty.rs"]
mod pty;
#[path = "sync_support/mod.rs"]
mod sync_support;

use std::process::Command;
use std::time::{Duration, Instant};

use ctctsync::store::jobs::JobName;
use pty::{Pty, keys};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_ctctsync");

fn status(dir: &str) -> Value {
    let out = Command::new(BIN)
        .args(["status", "--json"])
        .env("CTCTSYNC_DATA_DIR", dir)
        .output()
        .expect("status runs");
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn job<'a>(st: &'a Value, name: &str) -> &'a Value {
    st["jobs"]
        .as_array()
        .and_then(|a| a.iter().find(|j| j["name"] == name))
        .unwrap_or(&Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_a_job_watch_it_open_a_contact_and_push_an_edit() {
    let env = sync_support::env(40, 3, 600).await;
    let remote = sync_support::sandbox_contacts(&env).await;
    let subscribed: Vec<_> = remote
        .iter()
        .filter(|c| c.status != "unsubscribed")
        .take(20)
        .cloned()
        .collect();
    let crm = sync_support::import_crm(&env.store, &subscribed);
    sync_support::run(&env, JobName::Synccontactlists).await;
    let dir = env.dir.path().to_string_lossy().to_string();

    let mut t = Pty::spawn(
        BIN,
        &["--user", "alice"],
        &[("CTCTSYNC_DATA_DIR", dir.as_str())],
        120,
        40,
    );
    t.wait_for("API requests today");

    // Slow Constant Contact down so the run lasts a few seconds, then run the contact sync.
    env.control(
        "/__sandbox/faults",
        json!({"kind": "latency", "ms": 1200, "count": 3}),
    )
    .await;
    t.send(keys::DOWN);
    t.send("r");
    t.wait_for("Started CTCT sync contact");

    // A second process watches the run in the store.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut saw_running = false;
    let mut done = Value::Null;
    while Instant::now() < deadline {
        let st = status(&dir);
        let j = job(&st, "synccontacts");
        if !j["running"].is_null() {
            saw_running = true;
            assert_eq!(j["running"]["status"], "running", "{j}");
        } else if saw_running && j["last_run"]["status"].is_string() {
            done = j["last_run"].clone();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(saw_running, "the second process never saw the run");
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(done["items"].as_i64().unwrap_or(0) > 0, "{done}");
    t.wait_until("the run's end in the TUI", Duration::from_secs(20), |s| {
        s.contains("CTCT sync contact succeeded")
    });

    // Activities for the linked contacts, then the contact's Constant Contact tab.
    sync_support::run(&env, JobName::Syncactivities).await;
    let (crm_id, who) = crm
        .iter()
        .find(|(id, _)| {
            let conn = env.store.connect().expect("conn");
            ctctsync::store::interactions::count_for_contact(&conn, *id).unwrap_or(0) > 0
        })
        .cloned()
        .expect("a contact with activity");
    t.send("2");
    t.wait_for("Contacts ·");
    t.send("/");
    t.type_text(&who.email);
    t.send(keys::ENTER);
    t.send(keys::ENTER);
    t.wait_for("[Details]");
    t.send(keys::RIGHT);
    t.send(keys::RIGHT);
    t.wait_for("Engagement, 12 months");
    t.wait_until("the contact's interactions", Duration::from_secs(10), |s| {
        s.contains("Sent") && s.contains("Campaign")
    });

    // Edit the last name and save: the push reaches the sandbox.
    t.send(keys::LEFT);
    t.send(keys::LEFT);
    t.wait_for("[Details]");
    t.send(keys::DOWN);
    t.send(keys::ENTER);
    t.send(keys::CTRL_U);
    t.type_text("Renamed");
    t.send(keys::ENTER);
    t.send("s");
    t.wait_until("the push's outcome", Duration::from_secs(30), |s| {
        s.contains("contact update delivered")
    });
    let after = sync_support::sandbox_contacts(&env).await;
    let pushed = after
        .iter()
        .find(|c| c.contact_id == who.contact_id)
        .expect("still in the sandbox");
    assert_eq!(pushed.last_name, "Renamed", "{pushed:?}");
    let conn = env.store.connect().expect("conn");
    let local = ctctsync::store::contacts::get(&conn, crm_id)
        .expect("read")
        .expect("contact");
    assert_eq!(local.last_name, "Renamed");

    t.send("q");
    assert_eq!(t.wait_exit(Duration::from_secs(10)), Some(0));
}
