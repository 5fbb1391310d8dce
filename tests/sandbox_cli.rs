//! `ctctsync sandbox` as a process: one JSON line on stdout, serves, stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

#[test]
fn sandbox_subcommand_prints_one_json_line_and_stops_on_sigterm() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctctsync"))
        .args([
            "sandbox",
            "--addr",
            "127.0.0.1:0",
            "--auto-approve",
            "--contacts",
            "50",
            "--activities",
            "500",
            "--redirect-uri",
            "http://127.0.0.1:7777/cb",
        ])
        .env("CTCTSYNC_DATA_DIR", data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ctctsync sandbox");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("first line");
    let announced: serde_json::Value = serde_json::from_str(line.trim()).expect("JSON line");
    for key in [
        "api_base",
        "authorize_url",
        "token_url",
        "client_id",
        "client_secret",
    ] {
        assert!(announced[key].is_string(), "{key} in {line}");
    }
    assert_eq!(
        announced["redirect_uris"],
        serde_json::json!(["http://127.0.0.1:7777/cb"])
    );
    let api_base = announced["api_base"].as_str().unwrap();
    assert!(api_base.starts_with("http://127.0.0.1:") && api_base.ends_with("/v3"));
    let base = api_base.trim_end_matches("/v3");

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let csv = runtime.block_on(async {
        reqwest::get(format!("{base}/__sandbox/contacts.csv"))
            .await
            .expect("get")
            .text()
            .await
            .expect("text")
    });
    assert_eq!(csv.lines().count(), 51);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = child.wait().expect("wait");
    assert!(exit.success(), "{exit:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("rest");
    assert!(
        rest.trim().is_empty(),
        "exactly one line on stdout, got more: {rest}"
    );
}
