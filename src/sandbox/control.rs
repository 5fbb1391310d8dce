//! `/__sandbox/...` control endpoints (not part of Constant Contact): request statistics, fault
//! injection, the clock, sending a campaign now, a CSV of all contacts and a reset. They need no
//! token and do not count toward statistics or limits.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::clock::parse_duration_ms;
use super::state::{AppState, FaultKind, FaultRule, Limits, Stats};
use super::wire;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/__sandbox/stats", get(stats))
        .route("/__sandbox/faults", post(faults).get(list_faults))
        .route("/__sandbox/clock", post(clock).get(get_clock))
        .route(
            "/__sandbox/campaigns",
            post(super::campaigns::send_now).get(super::campaigns::list_all),
        )
        .route("/__sandbox/contacts.csv", get(contacts_csv))
        .route("/__sandbox/reset", post(reset))
}

fn bad(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": message})),
    )
        .into_response()
}

/// Parses an optional JSON body; an empty body is `{}`.
pub fn optional_json(body: &[u8]) -> Result<Value, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| bad(&format!("malformed JSON: {e}")))
}

async fn stats(State(app): State<Arc<AppState>>) -> Response {
    let s = app.stats();
    wire::ok(&json!({
        "total": s.total,
        "by_endpoint": s.by_endpoint,
        "by_client": s.by_client,
    }))
}

fn faults_json(app: &AppState) -> Value {
    let faults: Vec<Value> = app
        .faults()
        .iter()
        .map(|r| {
            let (kind, extra) = match &r.kind {
                FaultKind::Status(s) => ("status", json!({"status": s})),
                FaultKind::Throttle => ("throttle", json!({})),
                FaultKind::Quota => ("quota", json!({})),
                FaultKind::Latency(ms) => ("latency", json!({"ms": ms})),
                FaultKind::Cut => ("cut", json!({})),
            };
            let mut v = json!({"kind": kind, "remaining": r.remaining, "skip": r.skip,
                               "path": r.path, "method": r.method});
            if let (Some(obj), Some(extra)) = (v.as_object_mut(), extra.as_object()) {
                obj.extend(extra.clone());
            }
            v
        })
        .collect();
    json!({"faults": faults})
}

async fn list_faults(State(app): State<Arc<AppState>>) -> Response {
    wire::ok(&faults_json(&app))
}

/// `POST /__sandbox/faults` with one fault object or an array of them:
/// `{"kind":"status","status":503,"count":2,"skip":1,"path":"/v3/contacts","method":"GET"}`,
/// `{"kind":"throttle","count":5}`, `{"kind":"quota","count":1}`, `{"kind":"latency","ms":300,"count":10}`,
/// `{"kind":"cut","count":1}`, `{"kind":"expire_access_tokens"}`, `{"kind":"revoke_refresh_tokens"}`,
/// `{"kind":"exhaust_quota"}`, `{"kind":"clear"}`.
async fn faults(State(app): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let body = match optional_json(&body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let items = match body {
        Value::Array(items) => items,
        other => vec![other],
    };
    let now = app.clock.now_ms();
    for item in items {
        let kind = item.get("kind").and_then(Value::as_str).unwrap_or("");
        let count = item
            .get("count")
            .and_then(Value::as_u64)
            .map(|c| c.min(u64::from(u32::MAX)) as u32);
        let rule_kind = match kind {
            "status" | "error" => {
                let status = item.get("status").and_then(Value::as_u64).unwrap_or(500);
                if !(500..=599).contains(&status) {
                    return bad("status must be a 5xx code");
                }
                FaultKind::Status(status as u16)
            }
            "throttle" | "429" => FaultKind::Throttle,
            "quota" => FaultKind::Quota,
            "latency" => FaultKind::Latency(item.get("ms").and_then(Value::as_u64).unwrap_or(500)),
            "cut" => FaultKind::Cut,
            "expire_access_tokens" => {
                app.oauth().expire_all_access(now);
                continue;
            }
            "revoke_refresh_tokens" => {
                app.oauth().revoke_all_refresh();
                continue;
            }
            "exhaust_quota" => {
                let client = app.config().client_id;
                app.limits().exhaust(&client, now);
                continue;
            }
            "clear" => {
                app.faults().clear();
                continue;
            }
            other => return bad(&format!("unknown fault kind '{other}'")),
        };
        let remaining = count.unwrap_or(match rule_kind {
            FaultKind::Latency(_) => u32::MAX,
            _ => 1,
        });
        app.faults().push(FaultRule {
            kind: rule_kind,
            remaining,
            skip: item
                .get("skip")
                .and_then(Value::as_u64)
                .map_or(0, |s| s.min(u64::from(u32::MAX)) as u32),
            path: item.get("path").and_then(Value::as_str).map(str::to_string),
            method: item
                .get("method")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    wire::ok(&faults_json(&app))
}

async fn get_clock(State(app): State<Arc<AppState>>) -> Response {
    wire::ok(&json!({"now": wire::ts_ms(app.clock.now_ms())}))
}

/// `POST /__sandbox/clock` with `{"advance":"25h"}`, `{"advance_secs":90}`,
/// `{"set":"2027-01-01T00:00:00Z"}` and/or `{"freeze":true|false}`; answers `{"now": ...}`.
async fn clock(State(app): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let body = match optional_json(&body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let freeze = body.get("freeze").and_then(Value::as_bool);
    if let Some(true) = freeze {
        app.clock.freeze(true);
    }
    if let Some(text) = body.get("advance").and_then(Value::as_str) {
        let Some(ms) = parse_duration_ms(text) else {
            return bad("advance must look like 90s, 15m, 2h, 3d or 1d12h");
        };
        app.clock.advance_ms(ms);
    } else if let Some(secs) = body.get("advance_secs").and_then(Value::as_i64) {
        app.clock.advance_ms(secs.saturating_mul(1000));
    } else if let Some(text) = body.get("set").and_then(Value::as_str) {
        let Some(ms) = wire::parse_time(text) else {
            return bad("set must be an RFC 3339 date-time");
        };
        app.clock.set(super::clock::to_datetime(ms));
    } else if freeze.is_none() && body.as_object().is_some_and(|o| !o.is_empty()) {
        return bad("expected advance, advance_secs, set or freeze");
    }
    if let Some(false) = freeze {
        app.clock.freeze(false);
    }
    wire::ok(&json!({"now": wire::ts_ms(app.clock.now_ms())}))
}

/// Every contact (including deleted ones) as CSV: `email,first_name,last_name,status,contact_id`.
/// `status` is `deleted`, or the address's permission (`implicit`, `explicit`, `unsubscribed`, …).
async fn contacts_csv(State(app): State<Arc<AppState>>) -> Response {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let data = app.read();
    let _ = writer.write_record(["email", "first_name", "last_name", "status", "contact_id"]);
    for c in &data.contacts {
        let status = if c.is_deleted() {
            "deleted"
        } else {
            c.permission.as_str()
        };
        let id = c.id.to_string();
        let _ = writer.write_record([
            &*c.email,
            c.first_name.as_deref().unwrap_or(""),
            c.last_name.as_deref().unwrap_or(""),
            status,
            &id,
        ]);
    }
    drop(data);
    let bytes = writer.into_inner().unwrap_or_default();
    let mut response = (StatusCode::OK, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    response
}

/// `POST /__sandbox/reset`: re-seeds the account (optionally with new sizes: `seed`, `contacts`,
/// `lists`, `campaigns`, `activities`) and clears statistics, faults and rate-limit counters.
/// Tokens stay valid unless `{"tokens": true}`; the clock is kept unless `{"clock": true}`.
async fn reset(State(app): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let body = match optional_json(&body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut config = app.config();
    let size = |key: &str| body.get(key).and_then(Value::as_u64);
    if let Some(seed) = size("seed") {
        config.seed = seed;
    }
    if let Some(n) = size("contacts") {
        config.contacts = n as usize;
    }
    if let Some(n) = size("lists") {
        config.lists = n as usize;
    }
    if let Some(n) = size("campaigns") {
        config.campaigns = n as usize;
    }
    if let Some(n) = size("activities") {
        config.activities = n as usize;
    }
    if body.get("clock").and_then(Value::as_bool) == Some(true) {
        app.clock.set(chrono::Utc::now());
    }
    let spec = super::server::seed_spec(&config, app.clock.now_ms());
    let data = match tokio::task::spawn_blocking(move || super::seed::build(&spec)).await {
        Ok(d) => d,
        Err(_) => return bad("seeding failed"),
    };
    *app.write() = data;
    *app.config.write().unwrap_or_else(|e| e.into_inner()) = config;
    *app.stats() = Stats::default();
    *app.limits() = Limits::default();
    app.faults().clear();
    if body.get("tokens").and_then(Value::as_bool) == Some(true) {
        *app.oauth() = Default::default();
    }
    wire::ok(&json!({"reset": true}))
}
