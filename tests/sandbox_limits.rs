//! Rate limits, quota, statistics, faults, clock and reset of the sandbox over real HTTP.

mod sandbox_support;

use std::time::{Duration, Instant};

use ctctsync::sandbox::SandboxConfig;
use reqwest::StatusCode;
use sandbox_support::*;
use serde_json::{Value, json};

fn assert_no_rate_limit_headers(response: &reqwest::Response) {
    for (name, _) in response.headers() {
        let name = name.as_str().to_ascii_lowercase();
        assert!(
            !name.contains("ratelimit") && name != "retry-after",
            "unexpected header {name}"
        );
    }
}

#[tokio::test]
async fn five_requests_in_one_second_are_throttled() {
    let config = SandboxConfig {
        rate_limit_per_sec: Some(4),
        ..SandboxConfig::for_tests()
    };
    let h = start(config).await;
    let api = Api::new(&h).await;
    // Freeze the sandbox clock so "one second" does not depend on this machine's speed.
    api.control("/clock", &json!({"freeze": true})).await;
    let mut statuses = Vec::new();
    let mut throttled_body = Value::Null;
    for _ in 0..5 {
        let response = api
            .http
            .get(format!("{}/contacts?limit=1", api.base))
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert_no_rate_limit_headers(&response);
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            throttled_body = response.json().await.unwrap();
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..4], &[StatusCode::OK; 4]);
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        throttled_body,
        json!({"error_key": "throttled", "error_message": "Too Many Requests"})
    );
    api.control("/clock", &json!({"advance": "1001ms"})).await;
    assert_eq!(
        api.get("/contacts?limit=1").await.0,
        StatusCode::OK,
        "window slides"
    );
    api.control("/clock", &json!({"freeze": false})).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(api.get("/contacts?limit=1").await.0, StatusCode::OK);
}

#[tokio::test]
async fn exhausted_daily_quota_gives_quota_exceeded_until_utc_midnight() {
    let config = SandboxConfig {
        daily_quota: Some(3),
        access_token_lifetime: 3 * 86_400,
        ..SandboxConfig::for_tests()
    };
    let h = start(config).await;
    let api = Api::new(&h).await;
    for _ in 0..3 {
        assert_eq!(api.get("/account/summary").await.0, StatusCode::OK);
    }
    let (status, body) = api.get("/account/summary").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        body,
        json!({"error_key": "quota_exceeded", "error_message": "Limit Exceeded"})
    );
    // Jump to just after the next 00:00 UTC.
    let now = h.now();
    let midnight = (now + chrono::Duration::days(1))
        .date_naive()
        .and_hms_opt(0, 0, 1)
        .unwrap()
        .and_utc();
    api.control("/clock", &json!({"set": midnight.to_rfc3339()}))
        .await;
    assert_eq!(api.get("/account/summary").await.0, StatusCode::OK);
}

#[tokio::test]
async fn stats_count_by_route_template_and_client() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let (_, page) = api.get("/contacts?limit=2").await;
    for c in page["contacts"].as_array().unwrap() {
        api.get(&format!("/contacts/{}", c["contact_id"].as_str().unwrap()))
            .await;
    }
    let stats: Value = api
        .http
        .get(format!("{}/__sandbox/stats", api.origin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["by_endpoint"]["GET /v3/contacts"], 1);
    assert_eq!(stats["by_endpoint"]["GET /v3/contacts/{contact_id}"], 2);
    assert_eq!(stats["by_endpoint"]["POST /oauth2/default/v1/token"], 1);
    assert_eq!(stats["by_client"][h.client_id().as_str()], 4);
    assert_eq!(stats["total"], 4);
}

#[tokio::test]
async fn injected_5xx_throttle_and_latency() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    api.control(
        "/faults",
        &json!({"kind": "status", "status": 503, "count": 2, "skip": 1, "path": "/v3/contacts"}),
    )
    .await;
    assert_eq!(api.get("/contacts").await.0, StatusCode::OK, "skipped");
    let (status, body) = api.get("/contacts").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.is_array());
    assert_eq!(
        api.get("/account/summary").await.0,
        StatusCode::OK,
        "path filter"
    );
    assert_eq!(
        api.get("/contacts").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(api.get("/contacts").await.0, StatusCode::OK);

    api.control(
        "/faults",
        &json!([{"kind": "throttle", "count": 3}, {"kind": "status", "status": 500}]),
    )
    .await;
    for _ in 0..3 {
        let (status, body) = api.get("/contacts").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["error_key"], "throttled");
    }
    assert_eq!(
        api.get("/contacts").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );

    api.control(
        "/faults",
        &json!({"kind": "latency", "ms": 300, "count": 1}),
    )
    .await;
    let t = Instant::now();
    assert_eq!(api.get("/contacts").await.0, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn connection_cut_mid_body() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    api.control("/faults", &json!({"kind": "cut"})).await;
    let response = api
        .http
        .get(format!("{}/contacts?limit=200", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.is_err(), "body must fail part-way");
    assert_eq!(api.get("/contacts").await.0, StatusCode::OK);
}

#[tokio::test]
async fn expire_access_tokens_and_revoke_refresh_tokens() {
    let h = start_default().await;
    let http = http();
    let (access, refresh_token) = login(&h, SCOPES).await;
    let api = Api {
        http: http.clone(),
        base: h.api_base(),
        origin: h.base_url(),
        token: access,
    };
    assert_eq!(api.get("/contacts").await.0, StatusCode::OK);
    api.control("/faults", &json!({"kind": "expire_access_tokens"}))
        .await;
    assert_eq!(api.get("/contacts").await.0, StatusCode::UNAUTHORIZED);
    api.control("/faults", &json!({"kind": "revoke_refresh_tokens"}))
        .await;
    let (status, body) = refresh(&h, &http, &refresh_token.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn reset_restores_the_seeded_account() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let (_, before) = api
        .get("/contacts?status=all&include_count=true&limit=1")
        .await;
    let body =
        json!({"email_address": {"address": "reset-me@example.com"}, "create_source": "Account"});
    assert_eq!(
        api.send(reqwest::Method::POST, "/contacts", &body).await.0,
        StatusCode::CREATED
    );
    let reply = api.control("/reset", &json!({})).await;
    assert_eq!(reply["reset"], true);
    let (status, after) = api
        .get("/contacts?status=all&include_count=true&limit=1")
        .await;
    assert_eq!(status, StatusCode::OK, "tokens survive a reset");
    assert_eq!(after["contacts_count"], before["contacts_count"]);
    let stats: Value = api
        .http
        .get(format!("{}/__sandbox/stats", api.origin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["total"], 1);
}
