use super::state::AppState;
use super::wire;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
pub async fn emails(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("emails", "todo")
}
pub async fn email(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("emails", "todo")
}
pub async fn campaign_activity(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("emails", "todo")
}
pub async fn tracking(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("reports", "todo")
}
pub async fn activity_details(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("reports", "todo")
}
pub async fn campaign_summaries(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("reports", "todo")
}
pub async fn activity_stats(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("reports", "todo")
}
