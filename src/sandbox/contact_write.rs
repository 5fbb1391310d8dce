//! Contact writes (ctct-api.md §3.5–3.9): `POST /v3/contacts` (409 on any existing address,
//! deleted included), full-replace `PUT /v3/contacts/{id}` (omitted core fields become null,
//! omitted sub-resources stay), `POST /v3/contacts/sign_up_form` (partial upsert, explicit
//! opt-in, revives deleted contacts) and `DELETE`. Address rules: at most 80 characters, and
//! more than 5 subscribe/update attempts on one address in 24 h block it for 48 h.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use super::clock::Millis;
use super::model::{Contact, Data, Extra, Permission, Source};
use super::state::AppState;
use super::wire::{self, Include};

const AREA: &str = "contacts";
const ABUSE_WINDOW_MS: Millis = 24 * 3_600_000;
const ABUSE_BLOCK_MS: Millis = 48 * 3_600_000;

fn invalid(message: &str) -> Response {
    wire::validation(AREA, message)
}

/// Checks an address's shape and length; returns its lower-cased key.
fn check_address(address: &str) -> Result<String, Response> {
    let address = address.trim();
    if address.chars().count() > 80 {
        return Err(invalid(
            "email_address.address must be at most 80 characters.",
        ));
    }
    let valid = match address.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.chars().any(|c| c.is_whitespace() || c == ',')
        }
        None => false,
    };
    if !valid {
        return Err(invalid("Email address is invalid."));
    }
    Ok(address.to_lowercase())
}

/// Sign-up abuse: more than 5 attempts in 24 hours block the address for 48 hours.
fn check_abuse(data: &mut Data, key: &str, now: Millis) -> Result<(), Response> {
    let state = data.abuse.entry(key.to_string()).or_default();
    if state.blocked_until.is_some_and(|t| t > now) {
        return Err(invalid("Email address is invalid."));
    }
    state.attempts.retain(|&t| t > now - ABUSE_WINDOW_MS);
    if state.attempts.len() >= 5 {
        state.blocked_until = Some(now + ABUSE_BLOCK_MS);
        state.attempts.clear();
        return Err(invalid("Email address is invalid."));
    }
    state.attempts.push(now);
    Ok(())
}

fn opt_string(body: &Value, key: &str, max: usize) -> Result<Option<Box<str>>, Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => {
            if s.chars().count() > max {
                Err(invalid(&format!("{key} must be at most {max} characters.")))
            } else {
                Ok(Some(s.trim().into()))
            }
        }
        Some(_) => Err(invalid(&format!("{key} must be a string."))),
    }
}

fn opt_int(
    body: &Value,
    key: &str,
    range: std::ops::RangeInclusive<u8>,
) -> Result<Option<u8>, Response> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if n <= 255 && range.contains(&(n as u8)) => Ok(Some(n as u8)),
            _ => Err(invalid(&format!(
                "{key} must be an integer between {} and {}.",
                range.start(),
                range.end()
            ))),
        },
    }
}

fn source_field(body: &Value, key: &str) -> Result<Source, Response> {
    match body
        .get(key)
        .and_then(Value::as_str)
        .and_then(Source::parse)
    {
        Some(s) => Ok(s),
        None => Err(invalid(&format!(
            "{key} is required and must be Account or Contact."
        ))),
    }
}

/// Resolves list ids to list indexes; unknown or deleted lists are a validation error.
fn list_ids(data: &Data, value: &Value, key: &str, max: usize) -> Result<Vec<u32>, Response> {
    let Some(items) = value.as_array() else {
        return Err(invalid(&format!("{key} must be an array of list ids.")));
    };
    if items.len() > max {
        return Err(invalid(&format!("{key} accepts at most {max} list ids.")));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let id = item.as_str().unwrap_or("");
        let index = Uuid::parse_str(id)
            .ok()
            .and_then(|u| data.list_by_id.get(&u).copied())
            .filter(|&i| data.lists[i as usize].deleted_at.is_none());
        match index {
            Some(i) if !out.contains(&i) => out.push(i),
            Some(_) => {}
            None => return Err(invalid(&format!("List {id} does not exist."))),
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Core profile fields shared by POST and PUT.
struct Core {
    first_name: Option<Box<str>>,
    last_name: Option<Box<str>>,
    job_title: Option<Box<str>>,
    company_name: Option<Box<str>>,
    birthday_month: Option<u8>,
    birthday_day: Option<u8>,
    anniversary: Option<Box<str>>,
}

impl Core {
    fn parse(body: &Value) -> Result<Core, Response> {
        Ok(Core {
            first_name: opt_string(body, "first_name", 50)?,
            last_name: opt_string(body, "last_name", 50)?,
            job_title: opt_string(body, "job_title", 50)?,
            company_name: opt_string(body, "company_name", 50)?,
            birthday_month: opt_int(body, "birthday_month", 1..=12)?,
            birthday_day: opt_int(body, "birthday_day", 1..=31)?,
            anniversary: opt_string(body, "anniversary", 10)?,
        })
    }

    /// Writes the fields; returns whether anything changed.
    fn apply(self, c: &mut Contact) -> bool {
        let before = (
            c.first_name.clone(),
            c.last_name.clone(),
            c.job_title.clone(),
            c.company_name.clone(),
            c.birthday_month,
            c.birthday_day,
            c.anniversary.clone(),
        );
        c.first_name = self.first_name;
        c.last_name = self.last_name;
        c.job_title = self.job_title;
        c.company_name = self.company_name;
        c.birthday_month = self.birthday_month;
        c.birthday_day = self.birthday_day;
        c.anniversary = self.anniversary;
        before
            != (
                c.first_name.clone(),
                c.last_name.clone(),
                c.job_title.clone(),
                c.company_name.clone(),
                c.birthday_month,
                c.birthday_day,
                c.anniversary.clone(),
            )
    }
}

/// Sub-resources sent in a POST/PUT body, normalized with server ids and timestamps.
fn sub_resources(data: &mut Data, body: &Value, now: Millis) -> Result<(Extra, Include), Response> {
    let mut extra = Extra::default();
    let mut inc = Include::default();
    let stamp = wire::ts(now);
    let array = |key: &str, max: usize| -> Result<Option<Vec<Value>>, Response> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) if items.len() <= max => Ok(Some(items.clone())),
            Some(Value::Array(_)) => Err(invalid(&format!("{key} accepts at most {max} items."))),
            Some(_) => Err(invalid(&format!("{key} must be an array."))),
        }
    };
    if let Some(items) = array("custom_fields", 25)? {
        for item in &items {
            let ok = item
                .get("custom_field_id")
                .and_then(Value::as_str)
                .is_some_and(|id| Uuid::parse_str(id).is_ok());
            if !ok {
                return Err(invalid("custom_fields[].custom_field_id must be a UUID."));
            }
        }
        extra.custom_fields = Some(items);
        inc.custom_fields = true;
    }
    let phones = array("phone_numbers", 3)?;
    let streets = array("street_addresses", 3)?;
    let notes = array("notes", 150)?;
    let taggings = array("taggings", 50)?;
    if let Some(items) = phones {
        let mut out = Vec::new();
        for mut item in items {
            let id = data.new_uuid().to_string();
            if let Some(obj) = item.as_object_mut() {
                obj.entry("phone_number_id").or_insert(json!(id));
                obj.insert("created_at".into(), json!(stamp));
                obj.insert("updated_at".into(), json!(stamp));
            }
            out.push(item);
        }
        extra.phone_numbers = Some(out);
        inc.phone_numbers = true;
    }
    if let Some(items) = streets {
        let mut out = Vec::new();
        for mut item in items {
            if item.get("kind").and_then(Value::as_str).is_none() {
                return Err(invalid("street_addresses[].kind is required."));
            }
            let id = data.new_uuid().to_string();
            if let Some(obj) = item.as_object_mut() {
                obj.entry("street_address_id").or_insert(json!(id));
                obj.insert("created_at".into(), json!(stamp));
                obj.insert("updated_at".into(), json!(stamp));
            }
            out.push(item);
        }
        extra.street_addresses = Some(out);
        inc.street_addresses = true;
    }
    if let Some(items) = notes {
        let mut out = Vec::new();
        for mut item in items {
            let id = data.new_uuid().to_string();
            if let Some(obj) = item.as_object_mut() {
                obj.entry("note_id").or_insert(json!(id));
                obj.entry("created_at").or_insert(json!(stamp));
            }
            out.push(item);
        }
        extra.notes = Some(out);
        inc.notes = true;
    }
    if let Some(items) = taggings {
        extra.taggings = Some(items);
        inc.taggings = true;
    }
    Ok((extra, inc))
}

fn merge_extra(c: &mut Contact, new: Extra) {
    let has_any = new.custom_fields.is_some()
        || new.phone_numbers.is_some()
        || new.street_addresses.is_some()
        || new.taggings.is_some()
        || new.notes.is_some();
    if !has_any {
        return;
    }
    let target = c.extra.get_or_insert_with(Default::default);
    if new.custom_fields.is_some() {
        target.custom_fields = new.custom_fields;
    }
    if new.phone_numbers.is_some() {
        target.phone_numbers = new.phone_numbers;
    }
    if new.street_addresses.is_some() {
        target.street_addresses = new.street_addresses;
    }
    if new.taggings.is_some() {
        target.taggings = new.taggings;
    }
    if new.notes.is_some() {
        target.notes = new.notes;
    }
}

fn respond(status: StatusCode, data: &Data, index: u32, inc: Include) -> Response {
    wire::json_response(
        status,
        &wire::contact_out(data, &data.contacts[index as usize], inc),
    )
}

fn body_object(bytes: &[u8]) -> Result<Value, Response> {
    let body = wire::parse_body(AREA, bytes)?;
    if body.is_object() {
        Ok(body)
    } else {
        Err(wire::bad_request(
            AREA,
            "The request body must be a JSON object.",
        ))
    }
}

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

fn create_inner(data: &mut Data, body: &Value, now: Millis) -> Result<(u32, Include), Response> {
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
