//! `ctctsync daemon` (the real binary): one per store (a second exits 2 with a clear message, a
//! crashed one's lease is taken over), "run now" from the UI, a fire missed while down runs once
//! at start, and SIGTERM cancels the running job after its page and records it cancelled.

mod sync_support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ctctsync::store::jobs::{self, JobName, RunStatus};
use sync_support::*;

fn daemon(dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ctctsync"))
        .arg("--data-dir")
        .arg(dir)
        .arg("daemon")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn daemon")
}

fn sigterm(c: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &c.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
}

fn wait_exit(c: &mut Child, secs: u64) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = c.try_wait().expect("try_wait") {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "daemon did not exit in {secs} s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_daemon_per_store_missed_fire_run_now_and_sigterm() {
    let env = env(80, 2, 2_000).await;
    let remote = sandbox_contacts(&env).await;
    import_crm(&env.store, &remote);
    let conn = env.store.connect().unwrap();
    // The list job last fired three days ago: three fires were missed.
    let three_days = ctctsync::store::time::fmt(chrono::Utc::now() - chrono::Duration::days(3));
    jobs::set_last_fire(&conn, JobName::Synccontactlists, &three_days).unwrap();

    let dir = env.dir.path().to_path_buf();
    let mut first = daemon(&dir);
    // The missed fire runs once at start.
    wait_for("the missed run", 20, || {
        jobs::last_run(&conn, JobName::Synccontactlists)
            .unwrap()
            .is_some_and(|r| r.status == RunStatus::Succeeded)
    })
    .await;
    let runs = jobs::recent_runs(&conn, JobName::Synccontactlists, 10).unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].trigger, "missed");

    // A second daemon on the same store exits 2 and says why.
    let second = daemon(&dir).wait_with_output().unwrap();
    assert_eq!(second.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&second.stderr);
    assert!(msg.contains("already running"), "{msg}");

    // "Run now" from a UI is picked up.
    jobs::request_run(&conn, JobName::Synccontacts, true).unwrap();
    wait_for("the requested run", 20, || {
        jobs::last_run(&conn, JobName::Synccontacts)
            .unwrap()
            .is_some_and(|r| r.status == RunStatus::Succeeded && r.trigger == "manual")
    })
    .await;

    // SIGTERM while the activity job runs (slowed down): the run is recorded cancelled.
    env.fault(serde_json::json!({"kind": "latency", "ms": 300}))
        .await;
    jobs::request_run(&conn, JobName::Syncactivities, true).unwrap();
    wait_for("the activity run to start", 20, || {
        jobs::running(&conn, JobName::Syncactivities)
            .unwrap()
            .is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    sigterm(&first);
    let status = wait_exit(&mut first, 30);
    assert_eq!(status.code(), Some(0));
    let run = jobs::last_run(&conn, JobName::Syncactivities)
        .unwrap()
        .unwrap();
    assert_eq!(run.status, RunStatus::Cancelled, "{run:?}");
    env.fault(serde_json::json!({"kind": "clear"})).await;

    // A crashed daemon (SIGKILL) does not block the next one.
    let mut crashed = daemon(&dir);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    crashed.kill().unwrap();
    crashed.wait().unwrap();
    let mut next = daemon(&dir);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(next.try_wait().unwrap().is_none(), "the next daemon runs");
    sigterm(&next);
    assert_eq!(wait_exit(&mut next, 20).code(), Some(0));
}
