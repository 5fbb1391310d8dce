//! OAuth2 behaviour of the sandbox over real HTTP (ctct-api.md §1).

mod sandbox_support;

use base64::Engine;
use ctctsync::sandbox::{RefreshMode, SandboxConfig, pkce_challenge};
use reqwest::StatusCode;
use sandbox_support::*;
use serde_json::Value;

#[tokio::test]
async fn pkce_login_then_api_call() {
    let h = start_default().await;
    let http = http();
    let code = code(&h, &http, SCOPES, VERIFIER).await;
    let (status, body) = exchange(&h, &http, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86400);
    assert_eq!(body["scope"], SCOPES);
    assert!(body["refresh_token"].is_string());
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 3, "JWT-shaped");
    let summary: Value = http
        .get(format!("{}/account/summary", h.api_base()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(summary["encoded_account_id"].is_string());
}

#[tokio::test]
async fn pkce_verifier_mismatch_is_invalid_grant() {
    let h = start_default().await;
    let http = http();
    let code = code(&h, &http, SCOPES, VERIFIER).await;
    let other = "another-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-xyz";
    let (status, body) = exchange(&h, &http, &code, other).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string());
}

#[tokio::test]
async fn reused_code_is_invalid_grant() {
    let h = start_default().await;
    let http = http();
    let code = code(&h, &http, SCOPES, VERIFIER).await;
    assert_eq!(exchange(&h, &http, &code, VERIFIER).await.0, StatusCode::OK);
    let (status, body) = exchange(&h, &http, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn expired_code_is_invalid_grant() {
    let h = start_default().await;
    let http = http();
    let code = code(&h, &http, SCOPES, VERIFIER).await;
    http.post(format!("{}/__sandbox/clock", h.base_url()))
        .json(&serde_json::json!({"advance": "301s"}))
        .send()
        .await
        .unwrap();
    let (status, body) = exchange(&h, &http, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn wrong_redirect_uri_at_token_is_invalid_grant() {
    let h = start_default().await;
    let http = http();
    let code = code(&h, &http, SCOPES, VERIFIER).await;
    let response = http
        .post(h.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://localhost:8899/callback"),
            ("client_id", h.client_id().as_str()),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn unregistered_redirect_uri_at_authorize_shows_error_page() {
    let h = start_default().await;
    let response = http()
        .get(h.authorize_url())
        .query(&[
            ("client_id", h.client_id().as_str()),
            ("redirect_uri", "http://127.0.0.1:9999/evil"),
            ("response_type", "code"),
            ("scope", SCOPES),
            ("state", "s"),
            ("code_challenge", pkce_challenge(VERIFIER).as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn authorize_validates_parameters() {
    let h = start_default().await;
    let http = http();
    let ask = |extra: Vec<(&'static str, String)>| {
        let mut q: Vec<(&str, String)> = vec![
            ("client_id", h.client_id()),
            ("redirect_uri", REDIRECT.to_string()),
            ("state", "s1".to_string()),
        ];
        q.extend(extra);
        http.get(h.authorize_url()).query(&q).send()
    };
    let challenge = pkce_challenge(VERIFIER);
    // Wrong response_type, unknown scope, plain PKCE: redirected back with an error.
    for (extra, error) in [
        (
            vec![
                ("response_type", "token".to_string()),
                ("scope", SCOPES.to_string()),
            ],
            "unsupported_response_type",
        ),
        (
            vec![
                ("response_type", "code".to_string()),
                ("scope", "contact_data bogus".to_string()),
            ],
            "invalid_scope",
        ),
        (
            vec![
                ("response_type", "code".to_string()),
                ("scope", SCOPES.to_string()),
                ("code_challenge", challenge.clone()),
                ("code_challenge_method", "plain".to_string()),
            ],
            "invalid_request",
        ),
    ] {
        let response = ask(extra).await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let url = url::Url::parse(&location).unwrap();
        let pairs: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["error"], error, "{location}");
        assert_eq!(pairs["state"], "s1");
    }
    // Unknown client: an error page, no redirect.
    let response = http
        .get(h.authorize_url())
        .query(&[
            ("client_id", "nope"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", SCOPES),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn consent_page_allow_and_deny() {
    let config = SandboxConfig {
        auto_approve: false,
        ..SandboxConfig::for_tests()
    };
    let h = start(config).await;
    let http = http();
    let query = [
        ("client_id", h.client_id()),
        ("redirect_uri", REDIRECT.to_string()),
        ("response_type", "code".to_string()),
        ("scope", SCOPES.to_string()),
        ("state", "st".to_string()),
        ("code_challenge", pkce_challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_string()),
    ];
    for decision in ["allow", "deny"] {
        let page = http
            .get(h.authorize_url())
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Allow") && html.contains("Deny"));
        let rid = html
            .split("name=\"request_id\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let action = html
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let response = http
            .post(format!("{}{}", h.base_url(), action))
            .form(&[("request_id", rid.as_str()), ("decision", decision)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        if decision == "allow" {
            assert!(
                location.contains("code=") && location.contains("state=st"),
                "{location}"
            );
        } else {
            assert!(
                location.contains("error=access_denied") && location.contains("state=st"),
                "{location}"
            );
        }
    }
}

#[tokio::test]
async fn query_string_token_request_and_basic_auth_client() {
    let h = start_default().await;
    let http = http();
    // Confidential client: no PKCE, Basic auth, parameters in the query string.
    let response = http
        .get(h.authorize_url())
        .query(&[
            ("client_id", h.client_id().as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "contact_data offline_access"),
            ("state", "q"),
        ])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        h.client_id(),
        h.client_secret()
    ));
    let response = http
        .post(h.token_url())
        .query(&[
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("grant_type", "authorization_code"),
        ])
        .header("Authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert!(body["refresh_token"].is_string());

    // A wrong secret is invalid_client (401).
    let bad = base64::engine::general_purpose::STANDARD.encode(format!("{}:wrong", h.client_id()));
    let response = http
        .post(h.token_url())
        .query(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .header("Authorization", format!("Basic {bad}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let err: Value = response.json().await.unwrap();
    assert_eq!(err["error"], "invalid_client");

    // A public client without PKCE cannot exchange a code.
    let response = http
        .get(h.authorize_url())
        .query(&[
            ("client_id", h.client_id().as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "contact_data"),
            ("state", "q"),
        ])
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    let response = http
        .post(h.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", h.client_id().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn no_refresh_token_without_offline_access() {
    let h = start_default().await;
    let (_, refresh) = login(&h, "contact_data campaign_data").await;
    assert!(refresh.is_none());
}

#[tokio::test]
async fn rotating_refresh_token_reuse_is_invalid_grant() {
    let h = start_default().await;
    let http = http();
    let (_, refresh1) = login(&h, SCOPES).await;
    let refresh1 = refresh1.unwrap();
    let (status, body) = refresh(&h, &http, &refresh1).await;
    assert_eq!(status, StatusCode::OK);
    let refresh2 = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(refresh1, refresh2);
    // The rotated-out token is dead…
    let (status, body) = refresh(&h, &http, &refresh1).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(
        body["error_description"],
        "The refresh token is invalid or expired."
    );
    // …the new one works.
    assert_eq!(refresh(&h, &http, &refresh2).await.0, StatusCode::OK);
}

#[tokio::test]
async fn long_lived_refresh_token_is_returned_unchanged() {
    let config = SandboxConfig {
        refresh_mode: RefreshMode::LongLived,
        ..SandboxConfig::for_tests()
    };
    let h = start(config).await;
    let http = http();
    let (_, r) = login(&h, SCOPES).await;
    let r = r.unwrap();
    for _ in 0..3 {
        let (status, body) = refresh(&h, &http, &r).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["refresh_token"], r.as_str());
    }
}

#[tokio::test]
async fn refresh_token_dies_after_180_idle_days() {
    let h = start_default().await;
    let http = http();
    let (_, r) = login(&h, SCOPES).await;
    http.post(format!("{}/__sandbox/clock", h.base_url()))
        .json(&serde_json::json!({"advance": "181d"}))
        .send()
        .await
        .unwrap();
    let (status, body) = refresh(&h, &http, &r.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn access_token_expires_with_configured_lifetime() {
    let config = SandboxConfig {
        access_token_lifetime: 60,
        ..SandboxConfig::for_tests()
    };
    let h = start(config).await;
    let api = Api::new(&h).await;
    assert_eq!(api.get("/account/summary").await.0, StatusCode::OK);
    api.control("/clock", &serde_json::json!({"advance_secs": 61}))
        .await;
    let (status, body) = api.get("/account/summary").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        serde_json::json!({"error_key": "unauthorized", "error_message": "Unauthorized"})
    );
}

#[tokio::test]
async fn token_endpoint_is_limited_to_about_one_per_second() {
    let config = SandboxConfig {
        token_endpoint_limit: true,
        refresh_mode: RefreshMode::LongLived,
        ..SandboxConfig::for_tests()
    };
    let h = start(config).await;
    let http = http();
    let (_, r) = login(&h, SCOPES).await;
    let r = r.unwrap();
    // A frozen clock makes "per second" independent of this machine's speed.
    http.post(format!("{}/__sandbox/clock", h.base_url()))
        .json(&serde_json::json!({"freeze": true}))
        .send()
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(refresh(&h, &http, &r).await.0);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}
