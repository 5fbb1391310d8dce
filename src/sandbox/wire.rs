//! Constant Contact's wire conventions: timestamp formats, error bodies, cursors, and the JSON
//! rendering of contacts and lists. Written from ctct-api.md and the Swagger definitions, never
//! from the client's types.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::{Value, json};

use super::clock::{Millis, to_datetime};
use super::model::{Contact, Data, List};

/// `2024-10-30T18:56:35Z`, or with milliseconds when they are not zero (live edits).
pub fn ts(ms: Millis) -> String {
    let dt = to_datetime(ms);
    if ms.rem_euclid(1000) == 0 {
        dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }
}

/// Tracking reports always show milliseconds: `2017-04-02T04:08:00.000Z`.
pub fn ts_ms(ms: Millis) -> String {
    to_datetime(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `deleted_at` on contacts is a date only.
pub fn date(ms: Millis) -> String {
    to_datetime(ms).format("%Y-%m-%d").to_string()
}

/// Parses the ISO-8601 forms a client may send in filters: full RFC 3339 or a bare date.
pub fn parse_time(text: &str) -> Option<Millis> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Some(dt.timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|dt| dt.and_utc().timestamp_millis());
    }
    None
}

pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub fn ok(body: &impl Serialize) -> Response {
    json_response(StatusCode::OK, body)
}

/// The standard error body: an ARRAY of `{error_key, error_message}`.
pub fn error_array(status: StatusCode, key: &str, message: &str) -> Response {
    json_response(
        status,
        &json!([{"error_key": key, "error_message": message}]),
    )
}

/// 401 and 429 bodies are a single OBJECT.
pub fn error_object(status: StatusCode, key: &str, message: &str) -> Response {
    json_response(status, &json!({"error_key": key, "error_message": message}))
}

pub fn unauthorized() -> Response {
    error_object(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized")
}

pub fn throttled() -> Response {
    error_object(
        StatusCode::TOO_MANY_REQUESTS,
        "throttled",
        "Too Many Requests",
    )
}

pub fn quota_exceeded() -> Response {
    error_object(
        StatusCode::TOO_MANY_REQUESTS,
        "quota_exceeded",
        "Limit Exceeded",
    )
}

pub fn bad_request(area: &str, message: &str) -> Response {
    error_array(
        StatusCode::BAD_REQUEST,
        &format!("{area}.api.bad_request"),
        message,
    )
}

pub fn validation(area: &str, message: &str) -> Response {
    error_array(
        StatusCode::BAD_REQUEST,
        &format!("{area}.api.validation.error"),
        message,
    )
}

pub fn not_found(area: &str, message: &str) -> Response {
    error_array(
        StatusCode::NOT_FOUND,
        &format!("{area}.api.not_found"),
        message,
    )
}

pub fn conflict(area: &str, message: &str) -> Response {
    error_array(
        StatusCode::CONFLICT,
        &format!("{area}.api.conflict"),
        message,
    )
}

/// Cursors are opaque base64 of a query string (`limit=1&next=2` in the real fixture); the
/// sandbox puts the position and every filter in it, so a `_links.next.href` is self-contained.
pub fn encode_cursor(pairs: &[(&str, String)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    STANDARD.encode(ser.finish())
}

pub fn decode_cursor(cursor: &str) -> Option<Vec<(String, String)>> {
    // A '+' in an unencoded cursor arrives as a space; put it back before decoding.
    let cleaned: String = cursor
        .trim()
        .chars()
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    let bytes = STANDARD.decode(cleaned).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Some(
        url::form_urlencoded::parse(text.as_bytes())
            .into_owned()
            .collect(),
    )
}

/// `{"next":{"href":...}}` or `{}` on the last page (the fixture's last page has `"_links": {}`).
pub fn links(next: Option<String>) -> Value {
    match next {
        Some(href) => json!({"next": {"href": href}}),
        None => json!({}),
    }
}

/// Which contact sub-resources `include=` asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Include {
    pub custom_fields: bool,
    pub list_memberships: bool,
    pub phone_numbers: bool,
    pub street_addresses: bool,
    pub taggings: bool,
    pub notes: bool,
}

impl Include {
    pub fn parse(text: Option<&str>) -> Result<Include, String> {
        let mut inc = Include::default();
        let Some(text) = text else { return Ok(inc) };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "custom_fields" => inc.custom_fields = true,
                "list_memberships" => inc.list_memberships = true,
                "phone_numbers" => inc.phone_numbers = true,
                "street_addresses" => inc.street_addresses = true,
                "taggings" => inc.taggings = true,
                "notes" => inc.notes = true,
                other => return Err(format!("Invalid include value: {other}")),
            }
        }
        Ok(inc)
    }
}

#[derive(Serialize)]
pub struct EmailOut<'a> {
    address: &'a str,
    permission_to_send: &'static str,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    opt_in_source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opt_in_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opt_out_source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opt_out_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opt_out_reason: Option<&'a str>,
    confirm_status: &'static str,
}

#[derive(Serialize)]
pub struct ContactOut<'a> {
    contact_id: String,
    email_address: EmailOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birthday_month: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birthday_day: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    anniversary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    update_source: Option<&'static str>,
    create_source: &'static str,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_fields: Option<&'a [Value]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_numbers: Option<&'a [Value]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    street_addresses: Option<&'a [Value]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    list_memberships: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    taggings: Option<&'a [Value]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a [Value]>,
}

const EMPTY: &[Value] = &[];

pub fn contact_out<'a>(data: &Data, c: &'a Contact, inc: Include) -> ContactOut<'a> {
    let extra = c.extra.as_deref();
    let sub = |on: bool, pick: fn(&'a super::model::Extra) -> &'a Option<Vec<Value>>| {
        on.then(|| extra.and_then(|e| pick(e).as_deref()).unwrap_or(EMPTY))
    };
    let unsubscribed = c.permission == super::model::Permission::Unsubscribed;
    ContactOut {
        contact_id: c.id.to_string(),
        email_address: EmailOut {
            address: &c.email,
            permission_to_send: c.permission.as_str(),
            created_at: ts(c.email_created_at),
            updated_at: ts(c.email_updated_at),
            opt_in_source: c.opt_in_source.map(|s| s.as_str()),
            opt_in_date: c.opt_in_date.map(ts),
            opt_out_source: c
                .opt_out_source
                .filter(|_| unsubscribed)
                .map(|s| s.as_str()),
            opt_out_date: c.opt_out_date.filter(|_| unsubscribed).map(ts),
            opt_out_reason: c.opt_out_reason.as_deref().filter(|_| unsubscribed),
            confirm_status: if c.confirm_off { "off" } else { "pending" },
        },
        first_name: c.first_name.as_deref(),
        last_name: c.last_name.as_deref(),
        job_title: c.job_title.as_deref(),
        company_name: c.company_name.as_deref(),
        birthday_month: c.birthday_month,
        birthday_day: c.birthday_day,
        anniversary: c.anniversary.as_deref(),
        update_source: c.update_source.map(|s| s.as_str()),
        create_source: c.create_source.as_str(),
        created_at: ts(c.created_at),
        updated_at: ts(c.updated_at),
        deleted_at: c.deleted_at.map(date),
        custom_fields: sub(inc.custom_fields, |e| &e.custom_fields),
        phone_numbers: sub(inc.phone_numbers, |e| &e.phone_numbers),
        street_addresses: sub(inc.street_addresses, |e| &e.street_addresses),
        list_memberships: inc.list_memberships.then(|| {
            c.lists
                .iter()
                .filter_map(|&l| data.lists.get(l as usize))
                .map(|l| l.id.to_string())
                .collect()
        }),
        taggings: sub(inc.taggings, |e| &e.taggings),
        notes: sub(inc.notes, |e| &e.notes),
    }
}

pub fn list_out(list: &List, membership_count: Option<usize>) -> Value {
    let mut v = json!({
        "list_id": list.id.to_string(),
        "name": list.name,
        "favorite": list.favorite,
        "created_at": ts(list.created_at),
        "updated_at": ts(list.updated_at),
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(d) = &list.description {
            obj.insert("description".into(), json!(d));
        }
        if let Some(at) = list.deleted_at {
            obj.insert("deleted_at".into(), json!(ts(at)));
        }
        if let Some(n) = membership_count {
            obj.insert("membership_count".into(), json!(n));
        }
    }
    v
}

/// Reads a JSON request body, answering CC's 400 array on malformed JSON.
pub fn parse_body(area: &str, body: &[u8]) -> Result<Value, Response> {
    serde_json::from_slice::<Value>(body)
        .map_err(|e| bad_request(area, &format!("Malformed JSON request body: {e}")))
}

pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

/// Query parameters, with a `next` cursor (if any) expanded into the parameters it carries.
pub fn params_with_cursor(
    raw: Option<&str>,
    area: &str,
) -> Result<(HashMap<String, String>, Option<usize>), Response> {
    let list = query_pairs(raw);
    let mut map: HashMap<String, String> = HashMap::new();
    for (k, v) in &list {
        map.entry(k.clone())
            .and_modify(|e| {
                e.push(',');
                e.push_str(v);
            })
            .or_insert_with(|| v.clone());
    }
    if let Some(cursor) = map.get("next").cloned() {
        let Some(decoded) = decode_cursor(&cursor) else {
            return Err(bad_request(area, "The next cursor is invalid."));
        };
        let decoded: HashMap<String, String> = decoded.into_iter().collect();
        let Some(pos) = decoded.get("pos").and_then(|p| p.parse().ok()) else {
            return Err(bad_request(area, "The next cursor is invalid."));
        };
        return Ok((decoded, Some(pos)));
    }
    Ok((map, None))
}

pub fn next_href(
    path: &str,
    params: &HashMap<String, String>,
    keys: &[&str],
    limit: usize,
    pos: usize,
) -> String {
    let mut cursor: Vec<(&str, String)> = keys
        .iter()
        .filter_map(|k| params.get(*k).map(|v| (*k, v.clone())))
        .collect();
    cursor.push(("limit", limit.to_string()));
    cursor.push(("pos", pos.to_string()));
    format!(
        "{path}?limit={limit}&next={}",
        href_cursor(&encode_cursor(&cursor))
    )
}

/// Makes a cursor safe to put in a URL verbatim (`+` would otherwise decode as a space).
pub fn href_cursor(cursor: &str) -> String {
    cursor.replace('+', "%2B").replace('/', "%2F")
}
