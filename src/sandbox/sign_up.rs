//! `POST /v3/contacts/sign_up_form` (ctct-api.md §3.8): create-or-update by address. A partial
//! update (only sent fields change; lists and custom fields are appended), the contact's own
//! explicit opt-in, and deleted contacts are revived. 201 `created` or 200 `updated`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::clock::Millis;
use super::contact_fields::*;
use super::contact_write::create_inner;
use super::model::{Contact, Data, Permission, Source};
use super::state::AppState;
use super::wire;

/// `POST /v3/contacts/sign_up_form`.
pub async fn sign_up_form(State(app): State<Arc<AppState>>, bytes: axum::body::Bytes) -> Response {
    let body = match body_object(&bytes) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let now = app.clock.now_ms();
    let mut data = app.write();
    match sign_up_inner(&mut data, &body, now) {
        Ok((index, created)) => {
            let id = data.contacts[index as usize].id.to_string();
            let (status, action) = if created {
                (StatusCode::CREATED, "created")
            } else {
                (StatusCode::OK, "updated")
            };
            wire::json_response(status, &json!({"contact_id": id, "action": action}))
        }
        Err(e) => e,
    }
}

fn sign_up_inner(data: &mut Data, body: &Value, now: Millis) -> Result<(u32, bool), Response> {
    let Some(address) = body
        .get("email_address")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|a| !a.is_empty())
    else {
        return Err(invalid(
            "email_address is required (the sandbox has no SMS channel).",
        ));
    };
    let key = check_address(address)?;
    let lists = match body.get("list_memberships") {
        Some(v) if v.as_array().is_some_and(|a| !a.is_empty()) => {
            list_ids(data, v, "list_memberships", 50)?
        }
        _ => return Err(invalid("list_memberships is required (1 to 50 list ids).")),
    };
    check_abuse(data, &key, now)?;
    let Some(&index) = data.contact_by_email.get(key.as_str()) else {
        // A new contact, opted in by their own action.
        let mut create = json!({
            "create_source": "Contact",
            "email_address": {"address": address, "permission_to_send": "explicit"},
            "list_memberships": body.get("list_memberships").cloned().unwrap_or(Value::Null),
        });
        if let Some(obj) = create.as_object_mut() {
            for key in [
                "first_name",
                "last_name",
                "job_title",
                "company_name",
                "birthday_month",
                "birthday_day",
                "anniversary",
            ] {
                if let Some(v) = body.get(key) {
                    obj.insert(key.into(), v.clone());
                }
            }
        }
        // The attempt was already counted above; create_inner counts again, so undo one.
        if let Some(state) = data.abuse.get_mut(key.as_str()) {
            state.attempts.pop();
        }
        let (index, _) = create_inner(data, &create, now)?;
        let c = &mut data.contacts[index as usize];
        c.opt_in_source = Some(Source::Contact);
        apply_sign_up_extras(c, body, now);
        return Ok((index, true));
    };
    let mut partial = Vec::new();
    for key in [
        "first_name",
        "last_name",
        "job_title",
        "company_name",
        "anniversary",
    ] {
        let max = if key == "anniversary" { 10 } else { 50 };
        if body.get(key).is_some() {
            partial.push((key, opt_string(body, key, max)?));
        }
    }
    let month = opt_int(body, "birthday_month", 1..=12)?;
    let day = opt_int(body, "birthday_day", 1..=31)?;
    let c = &mut data.contacts[index as usize];
    let mut changed = false;
    for (key, value) in partial {
        let slot = match key {
            "first_name" => &mut c.first_name,
            "last_name" => &mut c.last_name,
            "job_title" => &mut c.job_title,
            "company_name" => &mut c.company_name,
            _ => &mut c.anniversary,
        };
        if *slot != value {
            *slot = value;
            changed = true;
        }
    }
    if month.is_some() && c.birthday_month != month {
        c.birthday_month = month;
        changed = true;
    }
    if day.is_some() && c.birthday_day != day {
        c.birthday_day = day;
        changed = true;
    }
    for l in lists {
        if !c.lists.contains(&l) {
            c.lists.push(l);
            changed = true;
        }
    }
    c.lists.sort_unstable();
    if c.is_deleted() {
        c.deleted_at = None;
        changed = true;
    }
    if c.permission != Permission::Explicit {
        c.permission = Permission::Explicit;
        c.opt_in_source = Some(Source::Contact);
        c.opt_in_date = Some(now);
        c.opt_out_source = None;
        c.opt_out_date = None;
        c.opt_out_reason = None;
        c.confirm_off = true;
        c.email_updated_at = now;
    }
    changed |= apply_sign_up_extras(c, body, now);
    if changed {
        c.updated_at = now;
    }
    c.update_source = Some(Source::Contact);
    Ok((index, false))
}

/// `phone_number`, `street_address` and `custom_fields` are appended (custom fields replace a
/// value with the same id).
fn apply_sign_up_extras(c: &mut Contact, body: &Value, now: Millis) -> bool {
    let stamp = wire::ts(now);
    let mut changed = false;
    if let Some(phone) = body.get("phone_number").and_then(Value::as_str) {
        let extra = c.extra.get_or_insert_with(Default::default);
        extra
            .phone_numbers
            .get_or_insert_with(Vec::new)
            .push(json!({
                "phone_number": phone, "kind": "other", "created_at": stamp, "updated_at": stamp
            }));
        changed = true;
    }
    if let Some(street) = body.get("street_address").filter(|v| v.is_object()) {
        let extra = c.extra.get_or_insert_with(Default::default);
        extra
            .street_addresses
            .get_or_insert_with(Vec::new)
            .push(street.clone());
        changed = true;
    }
    if let Some(fields) = body.get("custom_fields").and_then(Value::as_array) {
        let extra = c.extra.get_or_insert_with(Default::default);
        let stored = extra.custom_fields.get_or_insert_with(Vec::new);
        for field in fields {
            let id = field.get("custom_field_id").cloned();
            stored.retain(|f| f.get("custom_field_id") != id.as_ref());
            stored.push(field.clone());
            changed = true;
        }
    }
    changed
}
