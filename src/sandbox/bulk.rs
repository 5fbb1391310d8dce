//! Bulk activities (ctct-api.md §4): `POST /v3/activities/add_list_memberships` and
//! `remove_list_memberships` answer 201 with an `initialized` activity; later
//! `GET /v3/activities/{id}` calls see it `processing` and then `completed`, and only then do the
//! list changes land (or after two seconds, whichever comes first).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::clock::Millis;
use super::contacts::{limit_param, query_map};
use super::model::{BulkActivity, Data, Permission};
use super::state::AppState;
use super::wire;

const AREA: &str = "activities";
const SETTLE_MS: Millis = 2_000;

fn ids(value: Option<&Value>, key: &str, max: usize) -> Result<Option<Vec<Uuid>>, Response> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let Some(items) = value.as_array() else {
        return Err(wire::validation(
            AREA,
            &format!("{key} must be an array of ids."),
        ));
    };
    if items.len() > max {
        return Err(wire::validation(
            AREA,
            &format!("{key} accepts at most {max} ids."),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
            Some(u) => out.push(u),
            None => {
                return Err(wire::validation(
                    AREA,
                    &format!("{key} contains an invalid id."),
                ));
            }
        }
    }
    Ok(Some(out))
}

fn create(app: &AppState, bytes: &[u8], add: bool) -> Response {
    let body = match wire::parse_body(AREA, bytes) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let now = app.clock.now_ms();
    let mut data = app.write();
    let target = match ids(body.get("list_ids"), "list_ids", 50) {
        Ok(Some(t)) if !t.is_empty() => t,
        Ok(_) => return wire::validation(AREA, "list_ids is required."),
        Err(e) => return e,
    };
    let mut lists = Vec::new();
    for id in &target {
        match data.list_by_id.get(id) {
            Some(&i) if data.lists[i as usize].deleted_at.is_none() => lists.push(i),
            _ => return wire::not_found(AREA, &format!("List {id} not found.")),
        }
    }
    let Some(source) = body.get("source").filter(|s| s.is_object()) else {
        return wire::validation(AREA, "source is required.");
    };
    let contact_ids = match ids(source.get("contact_ids"), "source.contact_ids", 500) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let source_lists = match ids(source.get("list_ids"), "source.list_ids", 50) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let all_active = source.get("all_active_contacts").and_then(Value::as_bool) == Some(true);
    let unsupported = ["tag_ids", "engagement_level", "segment_id"]
        .iter()
        .any(|k| source.get(*k).is_some_and(|v| !v.is_null()));
    let given = usize::from(contact_ids.is_some())
        + usize::from(source_lists.is_some())
        + usize::from(all_active)
        + usize::from(unsupported);
    if given != 1 {
        return wire::validation(
            AREA,
            "source must contain exactly one of contact_ids, list_ids, all_active_contacts, tag_ids, engagement_level, segment_id.",
        );
    }
    if unsupported {
        return wire::validation(
            AREA,
            "The sandbox supports contact_ids, list_ids and all_active_contacts sources only.",
        );
    }
    let excluded: Vec<Uuid> = match ids(
        body.get("exclude").and_then(|e| e.get("contact_ids")),
        "exclude.contact_ids",
        500,
    ) {
        Ok(v) => v.unwrap_or_default(),
        Err(e) => return e,
    };
    let excluded: Vec<u32> = excluded
        .iter()
        .filter_map(|u| data.contact_by_id.get(u).copied())
        .collect();
    let mut contacts: Vec<u32> = if let Some(ids) = contact_ids {
        ids.iter()
            .filter_map(|u| data.contact_by_id.get(u).copied())
            .collect()
    } else if let Some(ids) = source_lists {
        let from: Vec<u32> = ids
            .iter()
            .filter_map(|u| data.list_by_id.get(u).copied())
            .collect();
        (0..data.contacts.len() as u32)
            .filter(|&i| {
                let c = &data.contacts[i as usize];
                !c.is_deleted() && c.lists.iter().any(|l| from.contains(l))
            })
            .collect()
    } else {
        (0..data.contacts.len() as u32)
            .filter(|&i| {
                let c = &data.contacts[i as usize];
                !c.is_deleted()
                    && matches!(c.permission, Permission::Explicit | Permission::Implicit)
            })
            .collect()
    };
    contacts.retain(|c| !excluded.contains(c));
    contacts.sort_unstable();
    contacts.dedup();
    let id = data.new_uuid();
    let activity = BulkActivity {
        id,
        add,
        contacts,
        lists,
        created_at: now,
        started_at: None,
        completed_at: None,
        polls: 0,
    };
    let out = activity_json(&activity);
    let index = data.bulk.len() as u32;
    data.bulk.push(activity);
    data.bulk_by_id.insert(id, index);
    wire::json_response(StatusCode::CREATED, &out)
}

fn activity_json(a: &BulkActivity) -> Value {
    let (state, percent, done) = match (a.started_at, a.completed_at) {
        (_, Some(_)) => ("completed", 100, a.contacts.len()),
        (Some(_), None) => ("processing", 50, a.contacts.len() / 2),
        (None, None) => ("initialized", 0, 0),
    };
    let updated = a.completed_at.or(a.started_at).unwrap_or(a.created_at);
    let mut v = json!({
        "activity_id": a.id.to_string(),
        "state": state,
        "created_at": wire::ts(a.created_at),
        "updated_at": wire::ts(updated),
        "percent_done": percent,
        "activity_errors": [],
        "status": {
            "items_total_count": a.contacts.len(),
            "items_completed_count": done,
            "list_count": a.lists.len(),
        },
        "_links": {"self": {"href": format!("/v3/activities/{}", a.id)}},
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(t) = a.started_at {
            obj.insert("started_at".into(), json!(wire::ts(t)));
        }
        if let Some(t) = a.completed_at {
            obj.insert("completed_at".into(), json!(wire::ts(t)));
        }
    }
    v
}

/// Applies a bulk activity's list changes and marks it completed.
fn complete(data: &mut Data, index: usize, now: Millis) {
    let (add, contacts, lists) = {
        let a = &mut data.bulk[index];
        if a.completed_at.is_some() {
            return;
        }
        a.started_at.get_or_insert(now);
        a.completed_at = Some(now);
        (a.add, a.contacts.clone(), a.lists.clone())
    };
    for ci in contacts {
        let Some(c) = data.contacts.get_mut(ci as usize) else {
            continue;
        };
        let before = c.lists.clone();
        if add {
            // Adding a deleted contact to a list revives it.
            if c.deleted_at.take().is_some() {
                c.updated_at = now;
            }
            for &l in &lists {
                if !c.lists.contains(&l) && c.lists.len() < 50 {
                    c.lists.push(l);
                }
            }
            c.lists.sort_unstable();
        } else {
            c.lists.retain(|l| !lists.contains(l));
        }
        if c.lists != before {
            c.updated_at = now;
        }
    }
}

/// Completes every activity older than the settle time (called before contact reads).
pub fn settle(app: &AppState) {
    let now = app.clock.now_ms();
    let due = |d: &Data| {
        d.bulk
            .iter()
            .any(|a| a.completed_at.is_none() && now - a.created_at >= SETTLE_MS)
    };
    if !due(&app.read()) {
        return;
    }
    let mut data = app.write();
    for i in 0..data.bulk.len() {
        if data.bulk[i].completed_at.is_none() && now - data.bulk[i].created_at >= SETTLE_MS {
            complete(&mut data, i, now);
        }
    }
}

pub async fn add_list_memberships(
    State(app): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Response {
    create(&app, &body, true)
}

pub async fn remove_list_memberships(
    State(app): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Response {
    create(&app, &body, false)
}

/// `GET /v3/activities/{activity_id}`: each poll moves the activity one step forward.
pub async fn get(State(app): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let now = app.clock.now_ms();
    let mut data = app.write();
    let Some(&index) = Uuid::parse_str(&id)
        .ok()
        .and_then(|u| data.bulk_by_id.get(&u))
    else {
        return wire::not_found(AREA, "Activity not found.");
    };
    let index = index as usize;
    let a = &mut data.bulk[index];
    a.polls += 1;
    if a.completed_at.is_none() {
        if a.polls >= 2 || now - a.created_at >= SETTLE_MS {
            complete(&mut data, index, now);
        } else {
            a.started_at.get_or_insert(now);
        }
    }
    wire::ok(&activity_json(&data.bulk[index]))
}

/// `GET /v3/activities?limit=&state=`: newest first.
pub async fn list(State(app): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    settle(&app);
    let params = query_map(raw.as_deref());
    let limit = match limit_param(&params, 50, 500, AREA) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let data = app.read();
    let state = params.get("state").cloned();
    let items: Vec<Value> = data
        .bulk
        .iter()
        .rev()
        .map(activity_json)
        .filter(|v| {
            state
                .as_deref()
                .is_none_or(|s| v.get("state").and_then(Value::as_str) == Some(s))
        })
        .take(limit)
        .collect();
    wire::ok(&json!({"activities": items, "_links": {}}))
}
