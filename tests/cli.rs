//! The command line: every subcommand is listed, usage errors exit 2, config round-trips.

use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ctctsync"))
}

#[test]
fn help_lists_every_subcommand() {
    let out = bin().arg("--help").output().expect("run");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "demo", "sandbox", "auth", "run", "daemon", "status", "import", "contacts", "config",
    ] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(sub)),
            "missing {sub} in\n{help}"
        );
    }
    for (args, expect) in [
        (vec!["auth", "--help"], vec!["login", "status", "logout"]),
        (
            vec!["run", "--help"],
            vec!["synccontactlists", "synccontacts", "syncactivities", "all"],
        ),
        (vec!["contacts", "--help"], vec!["list", "show"]),
        (vec!["config", "--help"], vec!["get", "set"]),
        (vec!["import", "--help"], vec!["contacts"]),
    ] {
        let out = bin().args(&args).output().expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        for e in expect {
            assert!(text.contains(e), "`{}` lacks {e}:\n{text}", args.join(" "));
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = bin().arg("frobnicate").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn config_set_get_validates_and_reads_secrets_from_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        bin()
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .expect("run")
    };
    let get = run(&["config", "get", "schedule.syncactivities"]);
    assert_eq!(
        String::from_utf8_lossy(&get.stdout).trim(),
        "00 00 02 * * ?"
    );
    let bad = run(&["config", "set", "schedule.syncactivities", "00 00 25 * * ?"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("schedule.syncactivities"), "{err}");
    let never = run(&["config", "set", "schedule.syncactivities", "0 0 0 30 2 ?"]);
    assert_eq!(never.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&never.stderr).contains("never fires"));
    let unknown = run(&["config", "set", "nope.key", "1"]);
    assert_eq!(unknown.status.code(), Some(2));
    let scopes = run(&["config", "set", "ctct.scopes", "contact_data campaign_data"]);
    assert_eq!(scopes.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&scopes.stderr).contains("offline_access"));
    assert!(
        run(&["config", "set", "schedule.timezone", "America/New_York"])
            .status
            .success()
    );

    let mut child = bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["config", "set", "ctct.client_secret", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"s3cr3t-value\n").expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let shown = run(&["config", "get", "ctct.client_secret"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        !text.contains("s3cr3t-value"),
        "a secret is never printed: {text}"
    );
    assert!(text.contains("set"));

    // Nothing on standard input changes nothing (it used to clear the secret).
    let empty = bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["config", "set", "ctct.client_secret", "-"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("nothing changed"));
    let still = run(&["config", "get", "ctct.client_secret"]);
    assert!(String::from_utf8_lossy(&still.stdout).contains("set"));
}

/// `ctctsync contacts list | head -1`: the listing ends quietly when its reader goes away.
#[test]
fn a_listing_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("tempdir");
    // More than a pipe's buffer (64 KiB) of listing, so the writer meets the closed pipe.
    let csv = dir.path().join("crm.csv");
    let mut rows = String::from("First Name,Last Name,Email\n");
    for i in 0..3000 {
        rows.push_str(&format!("Ann{i},Lee{i},ann.lee{i}@example.com\n"));
    }
    std::fs::write(&csv, rows).expect("write");
    let import = bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", "contacts"])
        .arg(&csv)
        .output()
        .expect("run");
    assert!(import.status.success(), "{import:?}");
    let mut child = bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["contacts", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read");
    assert!(first.contains("NAME"), "{first}");
    // The reader is gone (dropped above) before the listing is written out.
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
