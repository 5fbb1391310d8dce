//! The real `ctctsync` binary against the sandbox: four processes refreshing one rotating token
//! at once, a revoked refresh token, a busy loopback port, missing settings, logout.

mod ctct_support;

use std::process::{Command, Output, Stdio};

use ctct_support::*;
use ctctsync::store::credentials::{self, AuthState};
use serde_json::{Value, json};

fn ctctsync(env: &Env, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ctctsync"));
    cmd.arg("--data-dir")
        .arg(env.dir.path())
        .args(args)
        .env_remove("CTCTSYNC_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

async fn run(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("run ctctsync"))
        .await
        .expect("join")
}

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Makes the stored access token look expired (and expires it at the sandbox too).
async fn expire_everywhere(env: &Env) {
    env.fault(json!({"kind": "expire_access_tokens"})).await;
    let conn = env.store.connect().unwrap();
    conn.execute(
        "UPDATE credentials SET access_expires_at = '2000-01-01T00:00:00Z' WHERE id = 1",
        [],
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_processes_with_an_expired_token_refresh_exactly_once() {
    let env = env().await; // rotating refresh tokens by default
    env.login().await;
    expire_everywhere(&env).await;
    let generation_before = {
        let conn = env.store.connect().unwrap();
        credentials::get(&conn).unwrap().unwrap().generation
    };
    let tokens_before = env.token_requests().await;

    let children: Vec<_> = (0..4)
        .map(|_| {
            ctctsync(&env, &["auth", "status", "--json"])
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait"))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for o in &outputs {
        assert_eq!(o.status.code(), Some(0), "{}", text(o));
        let doc: Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(doc["verified"], true, "{doc}");
        assert_eq!(doc["state"], "authorized");
        let raw = String::from_utf8_lossy(&o.stdout);
        assert!(
            !raw.contains("refresh_token\":\"") && !raw.contains("access_token"),
            "no secrets: {raw}"
        );
    }
    assert_eq!(
        env.token_requests().await - tokens_before,
        1,
        "exactly one refresh at the sandbox"
    );
    let conn = env.store.connect().unwrap();
    let cred = credentials::get(&conn).unwrap().unwrap();
    assert_eq!(cred.generation, generation_before + 1);
    assert_eq!(cred.state, AuthState::Authorized);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_refresh_token_gives_needs_authorization_and_exit_1() {
    let env = env().await;
    env.login().await;
    env.fault(json!({"kind": "revoke_refresh_tokens"})).await;
    expire_everywhere(&env).await;

    let o = run(ctctsync(&env, &["auth", "status"])).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("Needs authorization"), "{out}");
    assert!(out.contains("ctctsync auth login"), "{out}");
    let conn = env.store.connect().unwrap();
    assert_eq!(
        credentials::get(&conn).unwrap().unwrap().state,
        AuthState::NeedsAuthorization
    );
    // Later runs fail fast the same way, without asking the token endpoint again.
    let tokens = env.token_requests().await;
    let o = run(ctctsync(&env, &["auth", "status", "--json"])).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["state"], "needs_authorization");
    assert!(
        doc["what_to_do"]
            .as_str()
            .unwrap()
            .contains("ctctsync auth login")
    );
    assert_eq!(env.token_requests().await, tokens);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_port_is_explained_with_the_paste_alternative() {
    let env = env().await;
    let _squatter = std::net::TcpListener::bind(("127.0.0.1", env.port)).unwrap();
    // A desktop session (so the browser path is chosen) with no opener on PATH.
    let mut cmd = ctctsync(&env, &["auth", "login"]);
    cmd.env("DISPLAY", ":0")
        .env("PATH", env.dir.path())
        .env_remove("SSH_CONNECTION")
        .env_remove("SSH_TTY")
        .env_remove("SSH_CLIENT");
    let o = run(cmd).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("127.0.0.1:{}", env.port)), "{err}");
    assert!(err.contains("in use"), "{err}");
    assert!(err.contains("--no-browser"), "offers the paste mode: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_no_browser_prints_the_url_and_takes_the_pasted_redirect() {
    let env = env().await;
    let mut cmd = ctctsync(&env, &["auth", "login", "--no-browser"]);
    cmd.stdin(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // Read the URL from the first stdout line.
    let stdout = child.stdout.take().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (url, rest) = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(stdout).lines();
        let url = lines.next().unwrap().unwrap();
        (url, lines)
    })
    .await
    .unwrap();
    assert!(
        url.starts_with(&env.sandbox.authorize_url()),
        "URL on its own line: {url}"
    );
    // The "browser" is on another machine: it cannot reach our listener, the user pastes.
    let redirected = location_of(&url).await;
    let paste = format!("not a url\n{redirected}\n");
    let status = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        stdin.write_all(paste.as_bytes()).unwrap();
        drop(stdin);
        let out: Vec<String> = rest.map_while(Result::ok).collect();
        (child.wait().unwrap(), out)
    })
    .await
    .unwrap();
    assert_eq!(status.0.code(), Some(0), "{:?}", status.1);
    assert!(
        status.1.iter().any(|l| l.contains("Authenticated as")),
        "{:?}",
        status.1
    );

    // status then logout.
    let o = run(ctctsync(&env, &["auth", "status"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Authenticated as") && out.contains("180 days"),
        "{out}"
    );
    let o = run(ctctsync(&env, &["auth", "logout"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(ctctsync(&env, &["auth", "status"])).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Not authorized"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_client_id_is_bad_input() {
    let env = env().await;
    {
        let conn = env.store.connect().unwrap();
        ctctsync::store::settings::unset(&conn, "ctct.client_id").unwrap();
    }
    let o = run(ctctsync(&env, &["auth", "login", "--no-browser"])).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ctctsync config set ctct.client_id"), "{err}");
}

/// `ctctsync run` says why it waits while it retries, and a needs-authorization failure says so
/// once, with what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_shows_retries_and_a_plain_authorization_message() {
    let env = env().await;
    env.login().await;
    env.fault(json!({"kind": "status", "status": 503, "count": 2, "path": "/v3/contact_lists"}))
        .await;
    let o = run(ctctsync(&env, &["run", "synccontactlists"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("retrying in").count(), 2, "{err}");
    assert!(err.contains("503 on GET /v3/contact_lists"), "{err}");

    env.fault(json!({"kind": "revoke_refresh_tokens"})).await;
    expire_everywhere(&env).await;
    let o = run(ctctsync(&env, &["run", "synccontactlists"])).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("is not authorized").count(), 1, "{err}");
    assert!(err.contains("ctctsync auth login"), "{err}");
}
