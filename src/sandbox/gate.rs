//! What every `/v3` request passes through before its handler, in Constant Contact's order:
//! statistics → injected faults → bearer check (401 object) → per-client rate limit and daily
//! quota (429 objects, no rate-limit headers) → scope check (403 array) → JSON Content-Type on
//! bodies (415 array).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::state::{AppState, FaultKind, LimitVerdict};
use super::wire;

/// Scope needed for a `/v3` path (ctct-api.md §1.3).
pub fn required_scope(path: &str) -> &'static str {
    let rest = path.strip_prefix("/v3").unwrap_or(path);
    if rest.starts_with("/account") {
        "account_read"
    } else if rest.starts_with("/emails")
        || rest.starts_with("/reports/email_reports")
        || rest.starts_with("/reports/stats")
        || rest.starts_with("/reports/summary_reports")
    {
        "campaign_data"
    } else {
        "contact_data"
    }
}

/// The response for an injected fault, or `None` when the request should go on (latency).
pub async fn fault_response(kind: FaultKind) -> Option<Response> {
    match kind {
        FaultKind::Status(503) => Some(wire::error_array(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Our internal service is temporarily unavailable.",
        )),
        FaultKind::Status(code) => Some(wire::error_array(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "server_error",
            "There was a problem with our internal service.",
        )),
        FaultKind::Throttle => Some(wire::throttled()),
        FaultKind::Quota => Some(wire::quota_exceeded()),
        FaultKind::Latency(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            None
        }
        FaultKind::Cut => None,
    }
}

fn bearer(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

pub async fn gate(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let now = app.clock.now_ms();
    let token = bearer(&request);
    let client = token
        .as_deref()
        .and_then(|t| app.oauth().client_of(t).map(str::to_string));
    app.stats()
        .record(format!("{method} {template}"), client.as_deref());

    let mut cut = false;
    if let Some(fault) = app.take_fault(method.as_str(), &path) {
        tracing::info!(%method, %path, ?fault, "sandbox fault injected");
        if matches!(fault, FaultKind::Cut) {
            cut = true;
        } else if let Some(response) = fault_response(fault).await {
            return response;
        }
    }

    let grant = token.as_deref().and_then(|t| {
        app.oauth()
            .bearer(t, now)
            .map(|g| (g.client_id.clone(), g.scope.clone()))
    });
    let Some((client_id, scope)) = grant else {
        return wire::unauthorized();
    };

    let config = app.config();
    let verdict = app.limits().check(
        &client_id,
        now,
        config.rate_limit_per_sec,
        config.daily_quota,
    );
    match verdict {
        LimitVerdict::Ok => {}
        LimitVerdict::Throttled => return wire::throttled(),
        LimitVerdict::QuotaExceeded => return wire::quota_exceeded(),
    }

    let needed = required_scope(&path);
    if !scope.split_whitespace().any(|s| s == needed) {
        return wire::error_array(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("Forbidden request: the access token lacks the '{needed}' scope."),
        );
    }

    if matches!(method, Method::POST | Method::PUT | Method::PATCH) {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return wire::error_array(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported Media Type; the payload must be in JSON format, and Content-Type must be application/json",
            );
        }
    }

    let response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), "sandbox request");
    if cut {
        tracing::info!(%method, %path, "sandbox fault: cutting the connection mid-body");
        return cut_body(response).await;
    }
    response
}

/// Sends the status, headers and first half of the body, then fails the stream so the server
/// drops the connection mid-body.
async fn cut_body(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    // Yield the first half, give hyper time to flush it, then fail the body.
    let stream = futures::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok::<_, std::io::Error>(half), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "sandbox fault: connection cut mid-body",
                        )),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}
