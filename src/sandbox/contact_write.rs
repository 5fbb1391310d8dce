//! Contact writes (ctct-api.md §3.5–3.9): `POST /v3/contacts` (409 on any existing address,
//! deleted included), full-replace `PUT /v3/contacts/{id}` (omitted core fields become null,
//! omitted sub-resources stay), `POST /v3/contacts/sign_up_form` (partial upsert, explicit
//! opt-in, revives deleted contacts) and `DELETE`. Address rules: at most 80 characters, and
//! more than 5 subscribe/update attempts on one address in 24 h block it for 48 h.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::clock::Millis;
use super::contact_fields::*;
use super::model::{Contact, Data, Permission, Source};
use super::state::AppState;
use super::wire::{self, Include};

/// `POST /v3/contacts`.
pub async fn create(State(app): State<Arc<AppState>>, bytes: axum::body::Bytes) -> Response {
    let body = match body_object(&bytes) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let now = app.clock.now_ms();
    let mut data = app.write();
    match create_inner(&mut data, &body, now) {
        Ok((index, inc)) => respond(StatusCode::CREATED, &data, index, inc),
        Err(e) => e,
    }
}

pub(super) fn create_inner(
    data: &mut Data,
    body: &Value,
    now: Millis,
) -> Result<(u32, Include), Response> {
    let create_source = source_field(body, "create_source")?;
    let core = Core::parse(body)?;
    let email = body.get("email_address");
    let address = email
        .and_then(|e| e.get("address"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let Some(address) = address else {
        return Err(invalid(
            "email_address.address is required (the sandbox has no SMS channel).",
        ));
    };
    let key = check_address(address)?;
    let permission = match email
        .and_then(|e| e.get("permission_to_send"))
        .and_then(Value::as_str)
    {
        None => Permission::Implicit,
        Some(text) => match Permission::parse(text) {
            Some(p) if p != Permission::Unsubscribed && p != Permission::TempHold => p,
            _ => return Err(invalid("email_address.permission_to_send is invalid.")),
        },
    };
    if data.contact_by_email.contains_key(key.as_str()) {
        return Err(wire::conflict(
            AREA,
            "Validation failed: EmailAddress is not unique",
        ));
    }
    check_abuse(data, &key, now)?;
    let lists = match body.get("list_memberships") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => list_ids(data, v, "list_memberships", 50)?,
    };
    let (extra, mut inc) = sub_resources(data, body, now)?;
    inc.list_memberships = body.get("list_memberships").is_some();
    let opted_in = matches!(permission, Permission::Explicit | Permission::Implicit);
    let mut contact = Contact {
        id: data.new_uuid(),
        email: address.into(),
        first_name: None,
        last_name: None,
        job_title: None,
        company_name: None,
        birthday_month: None,
        birthday_day: None,
        anniversary: None,
        permission,
        confirm_off: permission != Permission::PendingConfirmation,
        opt_in_source: opted_in.then_some(create_source),
        opt_in_date: opted_in.then_some(now),
        opt_out_source: None,
        opt_out_date: None,
        opt_out_reason: None,
        email_created_at: now,
        email_updated_at: now,
        create_source,
        update_source: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        lists,
        extra: None,
    };
    core.apply(&mut contact);
    merge_extra(&mut contact, extra);
    let index = data.contacts.len() as u32;
    data.contact_by_id.insert(contact.id, index);
    data.contact_by_email.insert(key.into_boxed_str(), index);
    data.contacts.push(contact);
    data.by_contact.push(Vec::new());
    Ok((index, inc))
}

/// `PUT /v3/contacts/{contact_id}`.
pub async fn update(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    bytes: axum::body::Bytes,
) -> Response {
    let now = app.clock.now_ms();
    let mut data = app.write();
    let Some(index) = data.find_contact(&id) else {
        return wire::not_found(AREA, "Contact not found.");
    };
    let body = match body_object(&bytes) {
        Ok(b) => b,
        Err(e) => return e,
    };
    match update_inner(&mut data, index, &body, now) {
        Ok(inc) => respond(StatusCode::OK, &data, index, inc),
        Err(e) => e,
    }
}

fn update_inner(
    data: &mut Data,
    index: u32,
    body: &Value,
    now: Millis,
) -> Result<Include, Response> {
    let update_source = source_field(body, "update_source")?;
    let core = Core::parse(body)?;
    let email = body.get("email_address");
    let Some(address) = email
        .and_then(|e| e.get("address"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|a| !a.is_empty())
    else {
        return Err(invalid("email_address.address is required."));
    };
    let key = check_address(address)?;
    let asked = match email
        .and_then(|e| e.get("permission_to_send"))
        .and_then(Value::as_str)
    {
        None => None,
        Some(text) => match Permission::parse(text) {
            Some(p) => Some(p),
            None => return Err(invalid("email_address.permission_to_send is invalid.")),
        },
    };
    let reason = opt_string(email.unwrap_or(&Value::Null), "opt_out_reason", 255)?;
    if let Some(&owner) = data.contact_by_email.get(key.as_str())
        && owner != index
    {
        return Err(wire::conflict(
            AREA,
            "Validation failed: EmailAddress is not unique",
        ));
    }
    {
        let c = &data.contacts[index as usize];
        if c.is_deleted() && update_source != Source::Account {
            return Err(invalid(
                "To restore a deleted contact, update_source must be Account.",
            ));
        }
    }
    check_abuse(data, &key, now)?;
    let lists = match body.get("list_memberships") {
        None | Some(Value::Null) => None,
        Some(v) => Some(list_ids(data, v, "list_memberships", 50)?),
    };
    let (extra, mut inc) = sub_resources(data, body, now)?;
    inc.list_memberships = lists.is_some();
    let old_key = data.contacts[index as usize].email.to_lowercase();
    let c = &mut data.contacts[index as usize];
    let mut profile_changed = core.apply(c);
    let mut email_changed = false;
    if *c.email != *address {
        if old_key != key {
            c.email_created_at = now;
            c.confirm_off = true;
        }
        c.email = address.into();
        email_changed = true;
        profile_changed = true;
    }
    if let Some(lists) = lists
        && lists != c.lists
    {
        c.lists = lists;
        profile_changed = true;
    }
    if c.is_deleted() {
        c.deleted_at = None;
        profile_changed = true;
    }
    if inc.custom_fields || inc.phone_numbers || inc.street_addresses || inc.notes || inc.taggings {
        profile_changed = true;
    }
    merge_extra(c, extra);
    match asked {
        Some(Permission::Unsubscribed) if c.permission != Permission::Unsubscribed => {
            c.permission = Permission::Unsubscribed;
            c.opt_out_source = Some(update_source);
            c.opt_out_date = Some(now);
            c.opt_out_reason = reason;
            email_changed = true;
        }
        Some(p @ (Permission::Explicit | Permission::Implicit))
            if c.permission == Permission::Unsubscribed =>
        {
            // Someone who unsubscribed themselves can only be re-subscribed by themselves: an
            // account-initiated opt-in is ignored and the contact stays unsubscribed.
            let self_unsubscribed = c.opt_out_source == Some(Source::Contact);
            if !self_unsubscribed || update_source == Source::Contact {
                c.permission = p;
                c.opt_in_source = Some(update_source);
                c.opt_in_date = Some(now);
                c.opt_out_source = None;
                c.opt_out_date = None;
                c.opt_out_reason = None;
                email_changed = true;
            }
        }
        Some(p @ (Permission::Explicit | Permission::Implicit)) if c.permission != p => {
            c.permission = p;
            if c.opt_in_source.is_none() {
                c.opt_in_source = Some(update_source);
                c.opt_in_date = Some(now);
            }
            c.confirm_off = true;
            email_changed = true;
        }
        _ => {}
    }
    if email_changed {
        c.email_updated_at = now;
    }
    if profile_changed {
        c.updated_at = now;
    }
    c.update_source = Some(update_source);
    if old_key != key {
        data.contact_by_email.remove(old_key.as_str());
        data.contact_by_email.insert(key.into_boxed_str(), index);
    }
    Ok(inc)
}

/// `DELETE /v3/contacts/{contact_id}`: memberships stripped, address stays reserved.
pub async fn delete(State(app): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let now = app.clock.now_ms();
    let mut data = app.write();
    let Some(index) = data.find_contact(&id) else {
        return wire::not_found(AREA, "Contact not found.");
    };
    let c = &mut data.contacts[index as usize];
    if c.deleted_at.is_none() {
        c.deleted_at = Some(now);
        c.lists.clear();
        c.updated_at = now;
        c.update_source = Some(Source::Account);
    }
    StatusCode::NO_CONTENT.into_response()
}
