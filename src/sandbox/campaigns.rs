use super::state::AppState;
use super::wire;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
pub async fn send_now(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("emails", "todo")
}
