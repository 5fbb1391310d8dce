//! `ctctsync demo` end to end: the real binary in a pseudo-terminal completes the wizard by
//! keystrokes (the demo's sandbox values are offered in the fields; with no browser here the
//! demo approves in the terminal), runs the three jobs, and lands on a dashboard with real
//! numbers and a contact's Constant Contact tab with Sent and Opened rows. Also checks that the
//! shipped CRM file still matches the demo's sandbox account.

#[path = "support/pty.rs"]
mod pty;

use std::collections::HashSet;
use std::time::Duration;

use ctctsync::demo::{DEMO_CRM_CSV, demo_sandbox_config};
use pty::{Pty, keys};

#[test]
fn the_demo_crm_file_overlaps_the_demo_sandbox_account() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sandbox = rt
        .block_on(ctctsync::sandbox::spawn(demo_sandbox_config()))
        .expect("sandbox");
    let csv_text = rt.block_on(async {
        reqwest::get(format!("{}/__sandbox/contacts.csv", sandbox.base_url()))
            .await
            .expect("get")
            .text()
            .await
            .expect("body")
    });
    let account: HashSet<String> = csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .filter_map(|r| r.ok())
        .filter_map(|r| r.get(0).map(|e| e.trim().to_lowercase()))
        .collect();
    let mut rdr = csv::Reader::from_reader(DEMO_CRM_CSV.trim_start_matches('\u{feff}').as_bytes());
    let (mut with_email, mut shared, mut without) = (0, 0, 0);
    for rec in rdr.records() {
        let rec = rec.expect("record");
        let email = rec.get(3).unwrap_or("").trim().to_lowercase();
        if email.is_empty() {
            without += 1;
        } else {
            with_email += 1;
            if account.contains(&email) {
                shared += 1;
            }
        }
    }
    assert!(with_email + without >= 1_900, "about 2,000 CRM contacts");
    assert!(without > 0, "some contacts have no email");
    assert!(
        shared * 100 >= with_email * 80,
        "most CRM emails exist in the sandbox account ({shared} of {with_email}); regenerate \
         assets/demo-crm.csv with assets/make-demo-crm.py if the sandbox's seeding changed"
    );
    assert!(
        shared < with_email,
        "some CRM emails are not in Constant Contact"
    );
}

fn status_json(dir: &std::path::Path) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ctctsync"))
        .arg("--data-dir")
        .arg(dir)
        .args(["status", "--json"])
        .output()
        .expect("status");
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

#[test]
fn the_demo_from_wizard_to_dashboard() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut t = Pty::spawn(
        env!("CARGO_BIN_EXE_ctctsync"),
        &["demo"],
        &[
            ("TMPDIR", tmp.path().to_str().expect("utf-8 path")),
            ("CTCTSYNC_USER", "dana"),
        ],
        100,
        30,
    );
    // 1. Application: the sandbox's API key and secret are offered; confirm both.
    t.wait_for("1. Constant Contact application");
    t.wait_for("5a1d0b6e");
    t.send(keys::ENTER);
    t.send(keys::ENTER);
    // 2. Auth provider: the sandbox's endpoints are offered.
    t.wait_for("2. Auth provider");
    for _ in 0..4 {
        t.send(keys::ENTER);
    }
    // 3. Redirect URL: tick "registered".
    t.wait_for("3. Redirect URL");
    t.send(keys::TAB);
    t.send(keys::TAB);
    t.send(keys::SPACE);
    t.wait_for("[x] I registered it");
    t.send(keys::ENTER);
    // 4. Remote sites: checked on arrival.
    t.wait_for("4. Remote sites");
    t.wait_for("✓ done   4");
    t.send(keys::ENTER);
    // 5. Authorize: no browser here, so the demo approves in the terminal.
    t.wait_for("5. Authorize");
    t.send(keys::ENTER);
    t.wait_until("authenticated", Duration::from_secs(30), |s| {
        s.contains("Authenticated —")
    });
    t.send(keys::ENTER);
    // 6–10 keep their defaults (the demo user already holds the permission).
    for step in [
        "6. Integration settings",
        "7. Sync jobs",
        "8. Trigger",
        "9. Permissions",
        "10. Layouts",
    ] {
        t.wait_for(step);
        t.send(keys::PGDN);
    }
    t.wait_for("Setup is complete");
    t.send(keys::ENTER);

    // The dashboard runs the three jobs one after another.
    let demo_dir = std::fs::read_dir(tmp.path())
        .expect("tmp")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ctctsync-demo-"))
        })
        .expect("the demo's data dir");
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    let status = loop {
        let s = status_json(&demo_dir);
        let done = s["jobs"].as_array().is_some_and(|jobs| {
            jobs.len() == 3
                && jobs
                    .iter()
                    .all(|j| j["last_run"]["status"] == "succeeded" && j["running"].is_null())
        });
        if done {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the jobs did not all succeed: {s:#}\n{}",
            pty::frame(&t.screen())
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let counts = &status["counts"];
    for k in ["contacts", "linked", "lists", "interactions"] {
        assert!(counts[k].as_i64().unwrap_or(0) > 0, "{k} is zero: {counts}");
    }
    t.wait_until(
        "three jobs succeeded on screen",
        Duration::from_secs(20),
        |s| s.matches("✓ succeeded").count() >= 3,
    );

    // A contact with both Sent and Opened rows, found through the Contacts tab's filter.
    let store = ctctsync::store::Store::open_in(&demo_dir).expect("store");
    let conn = store.connect_read_only().expect("ro");
    let email: String = conn
        .query_row(
            "SELECT c.email_norm FROM contacts c
             WHERE EXISTS (SELECT 1 FROM interactions i WHERE i.contact_id = c.id AND i.kind = 'em_sends')
               AND EXISTS (SELECT 1 FROM interactions i WHERE i.contact_id = c.id AND i.kind = 'em_opens')
               AND (SELECT count(*) FROM contacts d WHERE d.email_norm = c.email_norm) = 1
             ORDER BY c.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("a contact with sends and opens");
    let members: i64 = conn
        .query_row("SELECT count(*) FROM list_memberships", [], |r| r.get(0))
        .expect("memberships");
    assert!(
        members > 0,
        "linked contacts carry their Constant Contact lists"
    );
    t.send("2");
    t.wait_for("1,996");
    t.send("/");
    t.type_text(&email);
    let shown: String = email.chars().take(12).collect();
    t.wait_until("filtered to the contact", Duration::from_secs(10), |s| {
        s.lines().filter(|l| l.contains('@')).count() == 2
            && s.lines().any(|l| l.starts_with('▶') && l.contains(&shown))
    });
    t.send(keys::ENTER); // leave the filter field
    t.send(keys::ENTER); // open the contact
    t.wait_for("[Details]");
    t.send(keys::RIGHT);
    t.send(keys::RIGHT);
    t.wait_for("[Constant Contact]");
    t.wait_until("Sent and Opened rows", Duration::from_secs(10), |s| {
        s.contains("Sent") && s.contains("Opened")
    });

    t.send(keys::CTRL_C);
    assert_eq!(t.wait_exit(Duration::from_secs(20)), Some(0));
    assert!(
        !demo_dir.exists(),
        "without --keep the demo removes its data dir"
    );
}
