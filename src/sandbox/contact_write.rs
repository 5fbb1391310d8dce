use super::state::AppState;
use super::wire;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
pub async fn create(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("contacts", "todo")
}
pub async fn update(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("contacts", "todo")
}
pub async fn delete(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("contacts", "todo")
}
pub async fn sign_up_form(State(_app): State<Arc<AppState>>) -> Response {
    wire::not_found("contacts", "todo")
}
