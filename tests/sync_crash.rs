//! `ctctsync run syncactivities` (the real binary, a child process) killed with SIGKILL at 20
//! random points, then run to the end, stores exactly the rows of an uninterrupted run: no
//! duplicate, no gap.

mod sync_support;

use std::process::{Command, Stdio};
use std::time::Duration;

use ctctsync::store::Store;
use ctctsync::store::jobs::JobName;
use rand::Rng;
use sync_support::*;

fn child(data_dir: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ctctsync"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["run", "syncactivities"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ctctsync")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_twenty_times_then_finished_equals_uninterrupted() {
    let env = env(1_000, 4, 20_000).await;
    let live = live_contacts(&env).await;
    import_crm(&env.store, &live);
    run(&env, JobName::Synccontacts).await;

    // A copy of the store (tokens, settings, linked CRM) for the interrupted runs.
    let crash_dir = tempfile::tempdir().unwrap();
    let crash_db = crash_dir.path().join(ctctsync::store::DB_FILE);
    env.store
        .connect()
        .unwrap()
        .execute("VACUUM INTO ?1", [crash_db.to_string_lossy()])
        .unwrap();
    let crash = Store::open(&crash_db).unwrap();

    // The reference: one uninterrupted run.
    run(&env, JobName::Syncactivities).await;
    let want = interaction_keys(&env.store);
    assert!(want.len() > 1_000, "{} rows", want.len());

    // Each request is slowed a little so that kills land mid-run.
    env.fault(serde_json::json!({"kind": "latency", "ms": 20}))
        .await;
    let mut rng = rand::rng();
    let mut partial = Vec::new();
    for _ in 0..20 {
        let mut c = child(crash_dir.path());
        let wait = rng.random_range(150..1_200);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let _ = c.kill(); // SIGKILL
        let _ = c.wait();
        partial.push(count(&crash, "SELECT count(*) FROM interactions"));
    }
    let status = child(crash_dir.path()).wait().unwrap();
    assert!(status.success(), "the final run succeeds: {status:?}");
    let got = interaction_keys(&crash);
    assert_eq!(
        got.len(),
        want.len(),
        "row counts (partial counts after kills: {partial:?})"
    );
    assert_eq!(got, want);
    // The kills really interrupted work in progress.
    assert!(
        partial.iter().any(|&n| n > 0 && (n as usize) < want.len()),
        "{partial:?}"
    );
    // Killed runs were recorded as failed by the next one, never left "running".
    assert_eq!(
        count(
            &crash,
            "SELECT count(*) FROM job_runs WHERE status = 'running'"
        ),
        0
    );
}
