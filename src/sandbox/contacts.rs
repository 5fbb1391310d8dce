//! `GET /v3/contacts` and `GET /v3/contacts/{contact_id}` (ctct-api.md §3.3, §3.4).
//!
//! Contacts are listed in a stable order (their position in the account), so a cursor is just
//! "the next position" plus the filters, and contacts created while someone pages appear at the
//! end instead of shifting pages.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::Value;
use uuid::Uuid;

use super::clock::Millis;
use super::model::{Contact, Data, Permission};
use super::state::AppState;
use super::wire::{self, Include};

pub fn query_map(raw: Option<&str>) -> HashMap<String, String> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

pub use super::wire::href_cursor;

/// Parses `limit` in `1..=max` with a default.
pub fn limit_param(
    params: &HashMap<String, String>,
    default: usize,
    max: usize,
    area: &str,
) -> Result<usize, Response> {
    match params.get("limit").map(|s| s.trim()) {
        None | Some("") => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(wire::validation(
                area,
                &format!("limit must be an integer between 1 and {max}."),
            )),
        },
    }
}

#[derive(Default)]
struct StatusSet {
    all: bool,
    active: bool,
    deleted: bool,
    permissions: Vec<Permission>,
}

impl StatusSet {
    fn parse(text: Option<&str>) -> Result<Option<StatusSet>, Response> {
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            return Ok(None);
        };
        let mut set = StatusSet::default();
        for part in text.split(',').map(str::trim) {
            match part {
                "all" => set.all = true,
                "active" => set.active = true,
                "deleted" => set.deleted = true,
                other => match Permission::parse(other) {
                    Some(p) if p != Permission::Explicit && p != Permission::Implicit => {
                        set.permissions.push(p)
                    }
                    _ => {
                        return Err(wire::validation(
                            "contacts",
                            &format!("Invalid status value: {other}"),
                        ));
                    }
                },
            }
        }
        Ok(Some(set))
    }

    fn matches(set: Option<&StatusSet>, c: &Contact) -> bool {
        let Some(set) = set else {
            return !c.is_deleted();
        };
        if set.all {
            return true;
        }
        if c.is_deleted() {
            return set.deleted;
        }
        (set.active && matches!(c.permission, Permission::Explicit | Permission::Implicit))
            || set.permissions.contains(&c.permission)
    }
}

struct Filter {
    status: Option<StatusSet>,
    email: Option<String>,
    lists: Option<Vec<u32>>,
    updated_after: Option<Millis>,
    updated_before: Option<Millis>,
    created_after: Option<Millis>,
    created_before: Option<Millis>,
    optout_after: Option<Millis>,
    optout_before: Option<Millis>,
}

fn time_param(params: &HashMap<String, String>, key: &str) -> Result<Option<Millis>, Response> {
    match params.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => wire::parse_time(text).map(Some).ok_or_else(|| {
            wire::validation(
                "contacts",
                &format!("{key} must be an ISO-8601 date or date-time."),
            )
        }),
    }
}

impl Filter {
    fn parse(params: &HashMap<String, String>, data: &Data) -> Result<Filter, Response> {
        let lists = match params.get("lists").filter(|s| !s.trim().is_empty()) {
            None => None,
            Some(text) => {
                let ids: Vec<&str> = text.split(',').map(str::trim).collect();
                if ids.len() > 25 {
                    return Err(wire::validation(
                        "contacts",
                        "lists accepts at most 25 list ids.",
                    ));
                }
                let mut out = Vec::new();
                for id in ids {
                    let Ok(uuid) = Uuid::parse_str(id) else {
                        return Err(wire::validation(
                            "contacts",
                            &format!("Invalid list id: {id}"),
                        ));
                    };
                    if let Some(&i) = data.list_by_id.get(&uuid) {
                        out.push(i);
                    }
                }
                Some(out)
            }
        };
        Ok(Filter {
            status: StatusSet::parse(params.get("status").map(String::as_str))?,
            email: params
                .get("email")
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty()),
            lists,
            updated_after: time_param(params, "updated_after")?,
            updated_before: time_param(params, "updated_before")?,
            created_after: time_param(params, "created_after")?,
            created_before: time_param(params, "created_before")?,
            optout_after: time_param(params, "optout_after")?,
            optout_before: time_param(params, "optout_before")?,
        })
    }

    fn matches(&self, c: &Contact) -> bool {
        if !StatusSet::matches(self.status.as_ref(), c) {
            return false;
        }
        if let Some(lists) = &self.lists
            && !c.lists.iter().any(|l| lists.contains(l))
        {
            return false;
        }
        if self.updated_after.is_some_and(|t| c.updated_at <= t)
            || self.updated_before.is_some_and(|t| c.updated_at >= t)
            || self.created_after.is_some_and(|t| c.created_at <= t)
            || self.created_before.is_some_and(|t| c.created_at >= t)
        {
            return false;
        }
        if self.optout_after.is_some() || self.optout_before.is_some() {
            let Some(at) = c
                .opt_out_date
                .filter(|_| c.permission == Permission::Unsubscribed)
            else {
                return false;
            };
            if self.optout_after.is_some_and(|t| at <= t)
                || self.optout_before.is_some_and(|t| at >= t)
            {
                return false;
            }
        }
        true
    }
}

const CURSOR_KEYS: &[&str] = &[
    "status",
    "email",
    "lists",
    "updated_after",
    "updated_before",
    "created_after",
    "created_before",
    "optout_after",
    "optout_before",
    "include",
    "include_count",
];

/// `GET /v3/contacts`.
pub async fn list(State(app): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    super::bulk::settle(&app);
    let mut params = query_map(raw.as_deref());
    let mut start = 0usize;
    if let Some(cursor) = params.get("cursor").cloned() {
        let decoded = wire::decode_cursor(&cursor);
        let Some(pairs) = decoded else {
            return wire::bad_request("contacts", "Sequence ID is invalid.");
        };
        params = pairs.into_iter().collect();
        match params.get("next").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => start = n,
            None => return wire::bad_request("contacts", "Sequence ID is invalid."),
        }
    }
    let limit = match limit_param(&params, 50, 500, "contacts") {
        Ok(l) => l,
        Err(e) => return e,
    };
    let include = match Include::parse(params.get("include").map(String::as_str)) {
        Ok(i) => i,
        Err(msg) => return wire::validation("contacts", &msg),
    };
    let include_count = params.get("include_count").is_some_and(|v| v == "true");
    let data = app.read();
    let filter = match Filter::parse(&params, &data) {
        Ok(f) => f,
        Err(e) => return e,
    };

    let mut page: Vec<u32> = Vec::with_capacity(limit);
    let mut next: Option<usize> = None;
    let mut count = 0usize;
    if let Some(email) = &filter.email {
        // An exact-address search: at most one contact.
        if let Some(&i) = data.contact_by_email.get(email.as_str())
            && filter.matches(&data.contacts[i as usize])
        {
            count = 1;
            if (i as usize) >= start {
                page.push(i);
            }
        }
    } else {
        for (i, c) in data.contacts.iter().enumerate().skip(start) {
            if !filter.matches(c) {
                continue;
            }
            if page.len() < limit {
                page.push(i as u32);
            } else if next.is_none() {
                next = Some(i);
                if !include_count {
                    break;
                }
            }
        }
        if include_count {
            count = data.contacts.iter().filter(|c| filter.matches(c)).count();
        }
    }

    let contacts: Vec<_> = page
        .iter()
        .map(|&i| wire::contact_out(&data, &data.contacts[i as usize], include))
        .collect();
    let next_href = next.map(|n| {
        let mut pairs: Vec<(&str, String)> = CURSOR_KEYS
            .iter()
            .filter_map(|k| params.get(*k).map(|v| (*k, v.clone())))
            .collect();
        pairs.push(("limit", limit.to_string()));
        pairs.push(("next", n.to_string()));
        format!(
            "/v3/contacts?cursor={}",
            href_cursor(&wire::encode_cursor(&pairs))
        )
    });
    // Serialized straight from the borrowed records: no intermediate `Value` tree.
    wire::ok(&ContactsPage {
        contacts,
        contacts_count: include_count.then_some(count),
        links: wire::links(next_href),
    })
}

#[derive(serde::Serialize)]
struct ContactsPage<'a> {
    contacts: Vec<wire::ContactOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contacts_count: Option<usize>,
    #[serde(rename = "_links")]
    links: Value,
}

/// `GET /v3/contacts/{contact_id}`.
pub async fn get(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    super::bulk::settle(&app);
    let params = query_map(raw.as_deref());
    let include = match Include::parse(params.get("include").map(String::as_str)) {
        Ok(i) => i,
        Err(msg) => return wire::validation("contacts", &msg),
    };
    let data = app.read();
    match data.find_contact(&id) {
        Some(i) => wire::ok(&wire::contact_out(
            &data,
            &data.contacts[i as usize],
            include,
        )),
        None => wire::not_found("contacts", "Contact not found."),
    }
}
