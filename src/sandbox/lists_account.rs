//! `GET/POST /v3/contact_lists`, `GET /v3/contact_lists/{list_id}` (ctct-api.md §3.1) and
//! `GET /v3/account/summary` (§6).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::contacts::{href_cursor, limit_param, query_map};
use super::model::{List, Permission};
use super::state::AppState;
use super::wire;

/// Members per list index, counting only non-deleted contacts (`active` = explicit/implicit).
fn membership_counts(data: &super::model::Data, active_only: bool) -> Vec<usize> {
    let mut counts = vec![0usize; data.lists.len()];
    for c in &data.contacts {
        if c.is_deleted()
            || (active_only && !matches!(c.permission, Permission::Explicit | Permission::Implicit))
        {
            continue;
        }
        for &l in &c.lists {
            if let Some(n) = counts.get_mut(l as usize) {
                *n += 1;
            }
        }
    }
    counts
}

fn status_matches(status: &str, list: &List) -> Option<bool> {
    let mut any = false;
    for part in status.split(',').map(str::trim) {
        any |= match part {
            "all" => true,
            "active" => list.deleted_at.is_none(),
            "deleted" => list.deleted_at.is_some(),
            _ => return None,
        };
    }
    Some(any)
}

/// `GET /v3/contact_lists`.
pub async fn list(State(app): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let mut params = query_map(raw.as_deref());
    let mut start = 0usize;
    if let Some(cursor) = params.get("cursor").cloned() {
        let Some(pairs) = wire::decode_cursor(&cursor) else {
            return wire::bad_request("lists", "Sequence ID is invalid.");
        };
        params = pairs.into_iter().collect();
        match params.get("next").and_then(|n| n.parse().ok()) {
            Some(n) => start = n,
            None => return wire::bad_request("lists", "Sequence ID is invalid."),
        }
    }
    let limit = match limit_param(&params, 50, 1000, "lists") {
        Ok(l) => l,
        Err(e) => return e,
    };
    let status = params
        .get("status")
        .cloned()
        .unwrap_or_else(|| "active".into());
    let membership = match params.get("include_membership_count").map(String::as_str) {
        None => None,
        Some("all") => Some(false),
        Some("active") => Some(true),
        Some(_) => {
            return wire::validation(
                "lists",
                "include_membership_count must be 'all' or 'active'.",
            );
        }
    };
    let data = app.read();
    let counts = membership.map(|active| membership_counts(&data, active));
    let mut matching = Vec::new();
    for (i, list) in data.lists.iter().enumerate() {
        match status_matches(&status, list) {
            None => return wire::validation("lists", "status must be all, active or deleted."),
            Some(false) => continue,
            Some(true) => {}
        }
        if params.get("name").is_some_and(|n| n != &list.name) {
            continue;
        }
        matching.push(i);
    }
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(limit)
        .map(|&i| wire::list_out(&data.lists[i], counts.as_ref().map(|c| c[i])))
        .collect();
    let mut body = Map::new();
    body.insert("lists".into(), Value::Array(page));
    if params.get("include_count").is_some_and(|v| v == "true") {
        body.insert("lists_count".into(), json!(matching.len()));
    }
    let next = (start.saturating_add(limit) < matching.len()).then(|| {
        let mut pairs: Vec<(&str, String)> = [
            "status",
            "name",
            "include_count",
            "include_membership_count",
        ]
        .iter()
        .filter_map(|k| params.get(*k).map(|v| (*k, v.clone())))
        .collect();
        pairs.push(("limit", limit.to_string()));
        pairs.push(("next", (start.saturating_add(limit)).to_string()));
        format!(
            "/v3/contact_lists?cursor={}",
            href_cursor(&wire::encode_cursor(&pairs))
        )
    });
    body.insert("_links".into(), wire::links(next));
    wire::ok(&body)
}

/// `GET /v3/contact_lists/{list_id}`.
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = query_map(raw.as_deref());
    let data = app.read();
    let Some(&i) = Uuid::parse_str(&id)
        .ok()
        .and_then(|u| data.list_by_id.get(&u))
    else {
        return wire::not_found("lists", "List not found.");
    };
    let count = match params.get("include_membership_count").map(String::as_str) {
        Some("all") => Some(membership_counts(&data, false)[i as usize]),
        Some("active") => Some(membership_counts(&data, true)[i as usize]),
        _ => None,
    };
    wire::ok(&wire::list_out(&data.lists[i as usize], count))
}

/// `POST /v3/contact_lists` — name required (≤255), unique among lists.
pub async fn create(State(app): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let body = match wire::parse_body("lists", &body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(name) = body
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return wire::validation("lists", "name is required.");
    };
    if name.chars().count() > 255 {
        return wire::validation("lists", "name must be at most 255 characters.");
    }
    let now = app.clock.now_ms();
    let mut data = app.write();
    if data
        .lists
        .iter()
        .any(|l| l.name == name && l.deleted_at.is_none())
    {
        return wire::conflict("lists", "A list with this name already exists.");
    }
    let id = data.new_uuid();
    let index = data.lists.len() as u32;
    let list = List {
        id,
        name: name.to_string(),
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        favorite: body
            .get("favorite")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let out = wire::list_out(&list, None);
    data.lists.push(list);
    data.list_by_id.insert(id, index);
    wire::json_response(StatusCode::CREATED, &out)
}

/// `GET /v3/account/summary[?extra_fields=physical_address,company_logo]`.
pub async fn account_summary(
    State(app): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = query_map(raw.as_deref());
    let data = app.read();
    let a = &data.account;
    let mut body = json!({
        "contact_email": a.contact_email,
        "contact_phone": "555-0100",
        "country_code": "US",
        "encoded_account_id": a.encoded_account_id,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "organization_name": a.organization_name,
        "organization_phone": "555-0199",
        "state_code": "MA",
        "time_zone_id": "US/Eastern",
        "website": "https://www.example.com",
    });
    let extra = params.get("extra_fields").cloned().unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        for field in extra.split(',').map(str::trim) {
            match field {
                "physical_address" => {
                    obj.insert(
                        "physical_address".into(),
                        json!({"address_line1": "1 Example Way", "address_line2": "Suite 200",
                               "city": "Waltham", "state_code": "MA", "postal_code": "02451",
                               "country_code": "US"}),
                    );
                }
                "company_logo" => {
                    obj.insert(
                        "company_logo".into(),
                        json!({"url": "https://files.example.com/logo.png",
                               "external_url": "https://www.example.com/logo.png",
                               "internal_id": "1"}),
                    );
                }
                _ => {}
            }
        }
    }
    wire::ok(&body)
}
