//! OAuth2 Authorization Code + PKCE against the sandbox over real HTTP: a full login, a tampered
//! state, a wrong verifier, a missing offline_access, and the paste path.

mod ctct_support;

use ctct_support::*;
use ctctsync::ctct::oauth::{self, LoginError, LoginOptions};
use ctctsync::ctct::{Client, CtctError};
use ctctsync::store::credentials::{self, AuthState};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_login_with_auto_approve_over_ipv4_and_ipv6_localhost() {
    let env = env_with("localhost", |_| {}).await;
    let outcome = env.login().await;
    assert!(outcome.organization_name.is_some(), "{outcome:?}");
    assert!(outcome.account_warning.is_none(), "{outcome:?}");
    assert!(
        outcome
            .scopes
            .as_deref()
            .unwrap_or("")
            .contains("offline_access")
    );

    let conn = env.store.connect().unwrap();
    let cred = credentials::get(&conn).unwrap().expect("stored credential");
    assert_eq!(cred.state, AuthState::Authorized);
    assert!(cred.refresh_token.is_some() && cred.access_token.is_some());
    assert_eq!(cred.organization_name, outcome.organization_name);
    assert!(cred.encoded_account_id.is_some());

    // The client uses the stored tokens at once.
    let client = Client::new(env.store.clone(), env.settings.clone()).unwrap();
    let summary = client.account_summary().await.unwrap();
    assert_eq!(summary.organization_name, outcome.organization_name);

    // `localhost` listens on ::1 too: a second attempt answered over IPv6 works (where the
    // machine has an IPv6 loopback at all; the listener skips it otherwise).
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback on this machine: the ::1 half of this test is skipped");
        return;
    }
    let pending = oauth::begin_login(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let loc = location_of(pending.authorize_url()).await;
    let v6 = loc.replace("//localhost:", "//[::1]:");
    let page = reqwest::get(&v6).await.unwrap().text().await.unwrap();
    assert!(page.contains("Authenticated as"), "{page}");
    pending.wait().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_url_uses_pkce_s256_and_a_fresh_state() {
    let env = env().await;
    let a = oauth::begin_login(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions::default(),
    )
    .await
    .unwrap();
    let url_a = a.authorize_url().to_string();
    assert_eq!(
        query_param(&url_a, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query_param(&url_a, "response_type").as_deref(),
        Some("code")
    );
    assert_eq!(query_param(&url_a, "scope").as_deref(), Some(SCOPES));
    assert!(
        !url_a.contains("%2B"),
        "scopes separated by + or %20, never %2B: {url_a}"
    );
    a.cancel();
    assert!(matches!(a.wait().await, Err(LoginError::Cancelled)));
    // The port is free again after a cancel, and the next attempt has a new state/challenge.
    let b = oauth::begin_login(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions::default(),
    )
    .await
    .unwrap();
    let url_b = b.authorize_url().to_string();
    assert_ne!(query_param(&url_a, "state"), query_param(&url_b, "state"));
    assert_ne!(
        query_param(&url_a, "code_challenge"),
        query_param(&url_b, "code_challenge")
    );
    b.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_state_is_refused_and_the_real_one_still_works() {
    let env = env().await;
    let pending = oauth::begin_login(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let loc = location_of(pending.authorize_url()).await;
    let state = query_param(&loc, "state").unwrap();
    let code = query_param(&loc, "code").unwrap();
    let tampered = format!("{}?code={code}&state=forged{state}", env.redirect_uri());

    // The browser is told, with a 400 page, and nothing is stored.
    let r = reqwest::get(&tampered).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let page = r.text().await.unwrap();
    assert!(page.contains("another or an older"), "{page}");
    // Pasted: refused at once with an explanation.
    let err = pending.submit_pasted_url(&tampered).unwrap_err();
    assert!(matches!(err, LoginError::StateMismatch));
    assert!(err.to_string().contains("does not match"), "{err}");
    {
        let conn = env.store.connect().unwrap();
        assert!(credentials::get(&conn).unwrap().is_none());
    }
    // Unrelated requests (favicon) are ignored with a 404.
    let fav = reqwest::get(format!("http://127.0.0.1:{}/favicon.ico", env.port))
        .await
        .unwrap();
    assert_eq!(fav.status().as_u16(), 404);

    // The genuine redirect still completes this attempt (pasted this time).
    pending.submit_pasted_url(&loc).unwrap();
    let outcome = pending.wait().await.unwrap();
    assert!(outcome.organization_name.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_verifier_is_refused() {
    let env = env().await;
    let pending = oauth::begin_login(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let loc = location_of(pending.authorize_url()).await;
    let code = query_param(&loc, "code").unwrap();
    let wrong = "w".repeat(64);
    let err = oauth::exchange_code(&env.settings, &code, &wrong)
        .await
        .unwrap_err();
    match &err {
        CtctError::OAuth { error, .. } => assert_eq!(error, "invalid_grant"),
        other => panic!("expected invalid_grant, got {other:?}"),
    }
    assert!(err.to_string().contains("invalid_grant"), "{err}");
    pending.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_refresh_token_fails_the_login_with_the_reason() {
    let mut env = env().await;
    env.settings.scopes = "contact_data campaign_data account_read".into();
    let pending = oauth::begin_login(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let page = reqwest::get(pending.authorize_url())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("offline_access"),
        "the browser shows the real outcome: {page}"
    );
    let err = pending.wait().await.unwrap_err();
    assert!(matches!(err, LoginError::NoRefreshToken { .. }), "{err:?}");
    assert!(err.to_string().contains("offline_access"));
    let conn = env.store.connect().unwrap();
    assert!(credentials::get(&conn).unwrap().is_none(), "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confidential_client_sends_its_secret_and_login_works() {
    let mut env = env().await;
    env.settings.client_secret = Some(env.sandbox.client_secret());
    let outcome = env.login().await;
    assert!(outcome.organization_name.is_some());
    // A wrong secret is refused as invalid_client with a hint about the settings.
    env.settings.client_secret = Some("not-the-secret".into());
    let pending = oauth::begin_login(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let page = reqwest::get(pending.authorize_url())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("failed"), "{page}");
    let err = pending.wait().await.unwrap_err().to_string();
    assert!(
        err.contains("invalid_client") && err.contains("ctct.client_secret"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_denial_is_reported() {
    let env = env().await;
    let pending = oauth::begin_login(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let loc = location_of(pending.authorize_url()).await;
    let state = query_param(&loc, "state").unwrap();
    let denied = format!(
        "{}?error=access_denied&error_description=The+user+denied&state={state}",
        env.redirect_uri()
    );
    let page = reqwest::get(&denied).await.unwrap().text().await.unwrap();
    assert!(page.contains("access_denied"), "{page}");
    let err = pending.wait().await.unwrap_err();
    assert!(matches!(err, LoginError::Denied { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_times_out_and_closes_the_listener() {
    let env = env().await;
    let pending = oauth::begin_login_with_timeout(
        env.store.clone(),
        env.settings.clone(),
        LoginOptions {
            open_browser: false,
            ..Default::default()
        },
        std::time::Duration::from_millis(600),
    )
    .await
    .unwrap();
    assert_eq!(
        pending.listening_on(),
        Some(format!("127.0.0.1:{}", env.port).as_str())
    );
    let err = pending.wait().await.unwrap_err();
    assert!(matches!(err, LoginError::TimedOut(_)), "{err:?}");
    assert!(err.to_string().contains("the listener is closed"), "{err}");
    // The port is released (give the listener task a moment to drop it).
    let mut free = false;
    for _ in 0..20 {
        if std::net::TcpListener::bind(("127.0.0.1", env.port)).is_ok() {
            free = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(free, "the loopback port is closed after the timeout");
}
