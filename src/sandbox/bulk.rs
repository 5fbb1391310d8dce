use super::state::AppState;
use super::wire;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
pub async fn add_list_memberships(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("activities", "todo")
}
pub async fn remove_list_memberships(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("activities", "todo")
}
pub async fn get(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("activities", "todo")
}
pub async fn list(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("activities", "todo")
}
