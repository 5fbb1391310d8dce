//! Campaigns (ctct-api.md §5.2): `/v3/emails` (newest `updated_at` first), `/v3/emails/{id}`
//! and `/v3/emails/activities/{id}`. Automated emails are not listed here, although their
//! activities appear in tracking reports.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::clock::Millis;
use super::contacts::limit_param;
use super::model::{Campaign, Data};
use super::state::AppState;
use super::wire::{self, next_href, params_with_cursor};

fn campaign_summary_json(c: &Campaign) -> Value {
    json!({
        "campaign_id": c.id.to_string(),
        "created_at": wire::ts(c.created_at),
        "current_status": c.status,
        "name": c.name,
        "type": c.type_name,
        "type_code": c.type_code,
        "updated_at": wire::ts(c.updated_at),
    })
}

/// `GET /v3/emails?limit=&before_date=&after_date=`: newest `updated_at` first, automated
/// emails excluded, removed campaigns included.
pub async fn emails(State(app): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let (params, pos) = match params_with_cursor(raw.as_deref(), "emails") {
        Ok(p) => p,
        Err(e) => return e,
    };
    let limit = match limit_param(&params, 50, 500, "emails") {
        Ok(l) => l,
        Err(e) => return e,
    };
    let bound = |k: &str| -> Result<Option<Millis>, Response> {
        match params.get(k) {
            None => Ok(None),
            Some(t) => wire::parse_time(t).map(Some).ok_or_else(|| {
                wire::validation("emails", &format!("{k} must be an ISO-8601 date-time."))
            }),
        }
    };
    let (after, before) = match (bound("after_date"), bound("before_date")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let data = app.read();
    let mut listed: Vec<&Campaign> = data
        .campaigns
        .iter()
        .filter(|c| !c.automated)
        .filter(|c| {
            after.is_none_or(|t| c.updated_at >= t) && before.is_none_or(|t| c.updated_at <= t)
        })
        .collect();
    listed.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
    let start = pos.unwrap_or(0);
    let page: Vec<Value> = listed
        .iter()
        .skip(start)
        .take(limit)
        .map(|c| campaign_summary_json(c))
        .collect();
    let next = (start.saturating_add(limit) < listed.len()).then(|| {
        next_href(
            "/v3/emails",
            &params,
            &["after_date", "before_date"],
            limit,
            start.saturating_add(limit),
        )
    });
    wire::ok(&json!({"campaigns": page, "_links": wire::links(next)}))
}

fn listed_campaign<'a>(data: &'a Data, id: &str) -> Option<&'a Campaign> {
    let id = Uuid::parse_str(id).ok()?;
    let c = &data.campaigns[*data.campaign_by_id.get(&id)? as usize];
    (!c.automated).then_some(c)
}

/// `GET /v3/emails/{campaign_id}`.
pub async fn email(State(app): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let data = app.read();
    let Some(c) = listed_campaign(&data, &id) else {
        return wire::not_found("emails", "Campaign not found.");
    };
    let mut v = campaign_summary_json(c);
    let activities: Vec<Value> = c
        .activities
        .iter()
        .map(|&a| {
            let a = &data.activities[a as usize];
            json!({"campaign_activity_id": a.id.to_string(), "role": a.role})
        })
        .collect();
    if let Some(obj) = v.as_object_mut() {
        obj.insert("campaign_activities".into(), Value::Array(activities));
    }
    wire::ok(&v)
}

/// `GET /v3/emails/activities/{campaign_activity_id}`.
pub async fn campaign_activity(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    let data = app.read();
    let found = Uuid::parse_str(&id)
        .ok()
        .and_then(|u| data.activity_by_id.get(&u).copied())
        .map(|i| &data.activities[i as usize])
        .filter(|a| !data.campaigns[a.campaign as usize].automated);
    let Some(a) = found else {
        return wire::not_found("emails", "Campaign activity not found.");
    };
    let c = &data.campaigns[a.campaign as usize];
    if c.status == "Removed" {
        return wire::not_found("emails", "The campaign activity was removed.");
    }
    let status = c.status.to_ascii_uppercase();
    let links_html: String = a
        .links
        .iter()
        .map(|l| format!("<p><a href=\"{l}\">{l}</a></p>"))
        .collect();
    wire::ok(&json!({
        "campaign_activity_id": a.id.to_string(),
        "campaign_id": c.id.to_string(),
        "role": a.role,
        "contact_list_ids": a.list_ids.iter().filter_map(|&l| data.lists.get(l as usize)).map(|l| l.id.to_string()).collect::<Vec<_>>(),
        "segment_ids": [],
        "current_status": status,
        "format_type": 5,
        "from_email": a.from_email,
        "from_name": a.from_name,
        "reply_to_email": a.from_email,
        "subject": a.subject,
        "preheader": a.preheader,
        "html_content": format!("<html><body><h1>{}</h1>{links_html}</body></html>", c.name),
        "permalink_url": format!("https://myemail.example.com/p/{}", a.id),
    }))
}
