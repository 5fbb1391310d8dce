//! Parsing and validation shared by the contact write endpoints: address shape and the
//! 80-character limit, sign-up abuse (more than 5 subscribe/update attempts on one address in
//! 24 hours block it for 48 hours), core profile fields, list ids and sub-resources.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::clock::Millis;
use super::model::{Contact, Data, Extra, Source};
use super::wire::{self, Include};

pub(super) const AREA: &str = "contacts";
pub(super) const ABUSE_WINDOW_MS: Millis = 24 * 3_600_000;
pub(super) const ABUSE_BLOCK_MS: Millis = 48 * 3_600_000;

pub(super) fn invalid(message: &str) -> Response {
    wire::validation(AREA, message)
}

/// Checks an address's shape and length; returns its lower-cased key.
pub(super) fn check_address(address: &str) -> Result<String, Response> {
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
pub(super) fn check_abuse(data: &mut Data, key: &str, now: Millis) -> Result<(), Response> {
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

pub(super) fn opt_string(
    body: &Value,
    key: &str,
    max: usize,
) -> Result<Option<Box<str>>, Response> {
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

pub(super) fn opt_int(
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

pub(super) fn source_field(body: &Value, key: &str) -> Result<Source, Response> {
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
pub(super) fn list_ids(
    data: &Data,
    value: &Value,
    key: &str,
    max: usize,
) -> Result<Vec<u32>, Response> {
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
pub(super) struct Core {
    first_name: Option<Box<str>>,
    last_name: Option<Box<str>>,
    job_title: Option<Box<str>>,
    company_name: Option<Box<str>>,
    birthday_month: Option<u8>,
    birthday_day: Option<u8>,
    anniversary: Option<Box<str>>,
}

impl Core {
    pub(super) fn parse(body: &Value) -> Result<Core, Response> {
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
    pub(super) fn apply(self, c: &mut Contact) -> bool {
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
pub(super) fn sub_resources(
    data: &mut Data,
    body: &Value,
    now: Millis,
) -> Result<(Extra, Include), Response> {
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

pub(super) fn merge_extra(c: &mut Contact, new: Extra) {
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

pub(super) fn respond(status: StatusCode, data: &Data, index: u32, inc: Include) -> Response {
    wire::json_response(
        status,
        &wire::contact_out(data, &data.contacts[index as usize], inc),
    )
}

pub(super) fn body_object(bytes: &[u8]) -> Result<Value, Response> {
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
