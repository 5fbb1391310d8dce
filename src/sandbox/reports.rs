//! Reports (ctct-api.md §5.1, §5.3, §5.4): campaign-level tracking (newest first, limit ≤ 500),
//! per-contact `activity_details` (newest first, limit ≤ 100), campaign summaries and activity
//! stats.
//!
//! Tracking rows dated after the sandbox clock are not visible yet, so advancing the clock makes
//! opens and clicks of a freshly sent campaign "arrive". Automated emails have tracking rows and
//! stats but are invisible to the campaigns API (`emails.rs`).

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::clock::Millis;
use super::contacts::limit_param;
use super::model::*;
use super::state::AppState;
use super::wire::{self, next_href, params_with_cursor};

fn row_json(data: &Data, t: &Track, kind_name: &str) -> Map<String, Value> {
    let c = &data.contacts[t.contact as usize];
    let a = &data.activities[t.activity as usize];
    let mut row = Map::new();
    row.insert("contact_id".into(), json!(c.id.to_string()));
    row.insert("campaign_activity_id".into(), json!(a.id.to_string()));
    row.insert("tracking_activity_type".into(), json!(kind_name));
    row.insert("email_address".into(), json!(&*c.email));
    if let Some(f) = &c.first_name {
        row.insert("first_name".into(), json!(&**f));
    }
    if let Some(l) = &c.last_name {
        row.insert("last_name".into(), json!(&**l));
    }
    match t.kind {
        OPEN => {
            row.insert("device_type".into(), json!(DEVICES[(t.extra & 3) as usize]));
        }
        CLICK => {
            let link = (t.extra >> 2) as usize;
            row.insert("device_type".into(), json!(DEVICES[(t.extra & 3) as usize]));
            row.insert(
                "url_id".into(),
                json!((a.url_base + link as u64).to_string()),
            );
            row.insert(
                "link_url".into(),
                json!(
                    a.links
                        .get(link)
                        .map(String::as_str)
                        .unwrap_or("https://www.example.com/")
                ),
            );
        }
        BOUNCE => {
            row.insert(
                "bounce_code".into(),
                json!(BOUNCE_CODES[(t.extra as usize) % 7]),
            );
            row.insert("current_email_address".into(), json!(&*c.email));
        }
        OPTOUT => {
            let reason = OPTOUT_REASONS[(t.extra as usize) % OPTOUT_REASONS.len()];
            if !reason.is_empty() {
                row.insert("opt_out_reason".into(), json!(reason));
            }
        }
        _ => {}
    }
    row.insert("created_time".into(), json!(wire::ts_ms(t.time)));
    if let Some(d) = c.deleted_at {
        row.insert("deleted_at".into(), json!(wire::date(d)));
    }
    row
}

/// `GET /v3/reports/email_reports/{campaign_activity_id}/tracking/{kind}`.
pub async fn tracking(
    State(app): State<Arc<AppState>>,
    Path((id, kind)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (bucket_kind, unique, not_opened) = match kind.as_str() {
        "sends" => (SEND, false, false),
        "opens" => (OPEN, false, false),
        "unique_opens" => (OPEN, true, false),
        "clicks" => (CLICK, false, false),
        "bounces" => (BOUNCE, false, false),
        "optouts" => (OPTOUT, false, false),
        "forwards" => (FORWARD, false, false),
        "didnotopens" => (SEND, false, true),
        _ => return wire::not_found("reports", "Unknown tracking report."),
    };
    let (params, pos) = match params_with_cursor(raw.as_deref(), "reports") {
        Ok(p) => p,
        Err(e) => return e,
    };
    let limit = match limit_param(&params, 500, 500, "reports") {
        Ok(l) => l,
        Err(e) => return e,
    };
    let url_id: Option<u64> = match params.get("url_id") {
        None => None,
        Some(v) => match v.parse() {
            Ok(n) => Some(n),
            Err(_) => return wire::validation("reports", "url_id must be an integer."),
        },
    };
    let bounce_codes: Option<Vec<usize>> = match params.get("bounce_code") {
        None => None,
        Some(v) => {
            let mut out = Vec::new();
            for code in v.split(',') {
                match BOUNCE_CODES.iter().position(|c| *c == code.trim()) {
                    Some(i) => out.push(i),
                    None => {
                        return wire::validation(
                            "reports",
                            "bounce_code must be one of B, D, F, S, V, X, Z.",
                        );
                    }
                }
            }
            Some(out)
        }
    };
    let now = app.clock.now_ms();
    let data = app.read();
    let Some(&ai) = Uuid::parse_str(&id)
        .ok()
        .and_then(|u| data.activity_by_id.get(&u))
    else {
        return wire::not_found("reports", "Campaign activity not found.");
    };
    let activity = &data.activities[ai as usize];
    let empty: [Vec<u32>; KIND_COUNT] = Default::default();
    let buckets = data.buckets.get(ai as usize).unwrap_or(&empty);
    let rows = data.visible(&buckets[bucket_kind as usize], now);
    let openers: HashSet<u32> = if not_opened {
        data.visible(&buckets[OPEN as usize], now)
            .iter()
            .map(|&r| data.tracks[r as usize].contact)
            .collect()
    } else {
        HashSet::new()
    };
    // For unique opens, a contact's newest open is the one shown; skip any later duplicates.
    let mut seen: HashSet<u32> = HashSet::new();
    if unique && let Some(start) = pos {
        for &r in &rows[start.min(rows.len())..] {
            seen.insert(data.tracks[r as usize].contact);
        }
    }
    let kind_name = if not_opened {
        "em_not_opens"
    } else {
        TRACK_KINDS[bucket_kind as usize].0
    };
    let end = pos.unwrap_or(rows.len()).min(rows.len());
    let mut out = Vec::with_capacity(limit.min(end));
    let mut next = None;
    let mut i = end;
    while i > 0 {
        i -= 1;
        let t = &data.tracks[rows[i] as usize];
        let keep = url_id.is_none_or(|u| activity.url_base + u64::from(t.extra >> 2) == u)
            && bounce_codes
                .as_ref()
                .is_none_or(|codes| codes.contains(&(t.extra as usize)))
            && (!not_opened || !openers.contains(&t.contact))
            && (!unique || !seen.contains(&t.contact));
        if !keep {
            continue;
        }
        if out.len() == limit {
            next = Some(i + 1);
            break;
        }
        if unique {
            seen.insert(t.contact);
        }
        out.push(Value::Object(row_json(&data, t, kind_name)));
    }
    let path = format!("/v3/reports/email_reports/{id}/tracking/{kind}");
    let next = next.map(|p| next_href(&path, &params, &["url_id", "bounce_code"], limit, p));
    wire::ok(&json!({"tracking_activities": out, "_links": wire::links(next)}))
}

const CONTACT_TYPES: &[&str] = &[
    "em_sends",
    "em_opens",
    "em_clicks",
    "em_bounces",
    "em_optouts",
    "em_forwards",
    "p_contact_open",
    "p_contact_click",
    "p_contact_add",
    "p_contact_update",
];

/// `GET /v3/reports/contact_reports/{contact_id}/activity_details`.
pub async fn activity_details(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (params, pos) = match params_with_cursor(raw.as_deref(), "reports") {
        Ok(p) => p,
        Err(e) => return e,
    };
    let limit = match limit_param(&params, 100, 100, "reports") {
        Ok(l) => l,
        Err(e) => return e,
    };
    let types = match (
        params.get("tracking_activities_list"),
        params.get("tracking_activity_type"),
    ) {
        (Some(_), Some(_)) => {
            return wire::validation(
                "reports",
                "Use either tracking_activities_list or tracking_activity_type, not both.",
            );
        }
        (Some(t), None) | (None, Some(t)) => t.clone(),
        (None, None) => {
            return wire::validation(
                "reports",
                "tracking_activities_list or tracking_activity_type is required.",
            );
        }
    };
    let mut wanted = [false; KIND_COUNT];
    for t in types.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !CONTACT_TYPES.contains(&t) {
            return wire::validation("reports", &format!("Invalid tracking activity type: {t}"));
        }
        if let Some(k) = TRACK_KINDS.iter().position(|(name, _)| *name == t) {
            wanted[k] = true;
        }
    }
    let names = params
        .get("include_campaign_activity_names")
        .is_none_or(|v| v != "false");
    let now = app.clock.now_ms();
    let data = app.read();
    let Some(ci) = data.find_contact(&id) else {
        return wire::not_found("reports", "Contact not found.");
    };
    let rows = data
        .by_contact
        .get(ci as usize)
        .map(|r| data.visible(r, now))
        .unwrap_or(&[]);
    let end = pos.unwrap_or(rows.len()).min(rows.len());
    let contact_id = data.contacts[ci as usize].id.to_string();
    let mut out = Vec::new();
    let mut next = None;
    let mut i = end;
    while i > 0 {
        i -= 1;
        let t = &data.tracks[rows[i] as usize];
        if !wanted[t.kind as usize] {
            continue;
        }
        if out.len() == limit {
            next = Some(i + 1);
            break;
        }
        let a = &data.activities[t.activity as usize];
        let mut row = json!({
            "contact_id": contact_id,
            "campaign_activity_id": a.id.to_string(),
            "created_time": wire::ts_ms(t.time),
            "tracking_activity_type": TRACK_KINDS[t.kind as usize].0,
        });
        if names && let Some(obj) = row.as_object_mut() {
            obj.insert(
                "campaign_activity_name".into(),
                json!(data.campaigns[a.campaign as usize].name),
            );
        }
        out.push(row);
    }
    let path = format!("/v3/reports/contact_reports/{id}/activity_details");
    let next = next.map(|p| {
        next_href(
            &path,
            &params,
            &[
                "tracking_activities_list",
                "tracking_activity_type",
                "include_campaign_activity_names",
            ],
            limit,
            p,
        )
    });
    wire::ok(&json!({"tracking_activities": out, "_links": wire::links(next)}))
}

/// Counts for one campaign activity at `now`, cached until more rows become visible.
pub fn activity_counts(data: &Data, activity: u32, now: Millis) -> Counts {
    let empty: [Vec<u32>; KIND_COUNT] = Default::default();
    let buckets = data.buckets.get(activity as usize).unwrap_or(&empty);
    let visible: Vec<&[u32]> = buckets.iter().map(|b| data.visible(b, now)).collect();
    let key: usize = visible.iter().map(|v| v.len()).sum();
    if let Ok(cache) = data.counts_cache.lock()
        && let Some((k, counts)) = cache.get(&activity)
        && *k == key
    {
        return *counts;
    }
    let mut counts = Counts::default();
    for (kind, rows) in visible.iter().enumerate() {
        let mut contacts: Vec<u32> = Vec::with_capacity(rows.len());
        for &r in rows.iter() {
            let t = &data.tracks[r as usize];
            contacts.push(t.contact);
            counts.last_time = counts.last_time.max(t.time);
            match t.kind {
                OPEN => counts.opens_by_device[(t.extra & 3) as usize] += 1,
                CLICK => counts.clicks_by_device[(t.extra & 3) as usize] += 1,
                BOUNCE => counts.bounces_by_code[(t.extra as usize) % 7] += 1,
                _ => {}
            }
        }
        counts.total[kind] = rows.len() as u32;
        contacts.sort_unstable();
        contacts.dedup();
        counts.unique[kind] = contacts.len() as u32;
    }
    if let Ok(mut cache) = data.counts_cache.lock() {
        cache.insert(activity, (key, counts));
    }
    counts
}

fn percent(part: u32, whole: u32) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0
    }
}

/// `GET /v3/reports/summary_reports/email_campaign_summaries?limit=` — sent bulk campaigns,
/// newest `last_sent_date` first.
pub async fn campaign_summaries(
    State(app): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (params, pos) = match params_with_cursor(raw.as_deref(), "reports") {
        Ok(p) => p,
        Err(e) => return e,
    };
    let limit = match limit_param(&params, 50, 500, "reports") {
        Ok(l) => l,
        Err(e) => return e,
    };
    let now = app.clock.now_ms();
    let data = app.read();
    let mut sent: Vec<&Campaign> = data
        .campaigns
        .iter()
        .filter(|c| !c.automated && c.last_sent.is_some_and(|t| t <= now))
        .collect();
    sent.sort_by(|a, b| b.last_sent.cmp(&a.last_sent).then(a.id.cmp(&b.id)));
    let mut totals = [0u32; KIND_COUNT];
    let mut summaries = Vec::new();
    let start = pos.unwrap_or(0);
    for (i, c) in sent.iter().enumerate() {
        let mut unique = [0u32; KIND_COUNT];
        for &a in &c.activities {
            let counts = activity_counts(&data, a, now);
            for (u, add) in unique.iter_mut().zip(counts.unique) {
                *u += add;
            }
        }
        for (t, u) in totals.iter_mut().zip(unique) {
            *t += u;
        }
        if i >= start && i < start.saturating_add(limit) {
            summaries.push(json!({
                "campaign_id": c.id.to_string(),
                "campaign_type": c.type_name,
                "last_sent_date": wire::ts(c.last_sent.unwrap_or(c.updated_at)),
                "unique_counts": {
                    "sends": unique[SEND as usize],
                    "opens": unique[OPEN as usize],
                    "clicks": unique[CLICK as usize],
                    "forwards": unique[FORWARD as usize],
                    "optouts": unique[OPTOUT as usize],
                    "abuse": 0,
                    "bounces": unique[BOUNCE as usize],
                    "not_opened": unique[SEND as usize].saturating_sub(unique[OPEN as usize]),
                },
            }));
        }
    }
    let sends = totals[SEND as usize];
    let next = (start.saturating_add(limit) < sent.len()).then(|| {
        next_href(
            "/v3/reports/summary_reports/email_campaign_summaries",
            &params,
            &[],
            limit,
            start.saturating_add(limit),
        )
    });
    wire::ok(&json!({
        "bulk_email_campaign_summaries": summaries,
        "aggregate_percents": {
            "open": percent(totals[OPEN as usize], sends),
            "click": percent(totals[CLICK as usize], sends),
            "did_not_open": percent(sends.saturating_sub(totals[OPEN as usize]), sends),
            "bounce": percent(totals[BOUNCE as usize], sends),
            "unsubscribe": percent(totals[OPTOUT as usize], sends),
        },
        "_links": wire::links(next),
    }))
}

/// `GET /v3/reports/stats/email_campaign_activities/{ids}` — up to 10 comma-separated ids.
pub async fn activity_stats(State(app): State<Arc<AppState>>, Path(ids): Path<String>) -> Response {
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() || ids.len() > 10 {
        return wire::validation("reports", "Specify between 1 and 10 campaign activity ids.");
    }
    let mut parsed = Vec::new();
    for id in &ids {
        match Uuid::parse_str(id) {
            Ok(u) => parsed.push(u),
            Err(_) => {
                return wire::not_found(
                    "reports",
                    &format!("Campaign activity id {id} is malformed."),
                );
            }
        }
    }
    let now = app.clock.now_ms();
    let data = app.read();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for u in parsed {
        let Some(&ai) = data.activity_by_id.get(&u) else {
            errors.push(json!({"error_key": "reporting.api.not_found", "error_message": format!("Campaign activity {u} not found.")}));
            continue;
        };
        let a = &data.activities[ai as usize];
        let c = activity_counts(&data, ai, now);
        let b = c.bounces_by_code;
        results.push(json!({
            "campaign_id": data.campaigns[a.campaign as usize].id.to_string(),
            "campaign_activity_id": a.id.to_string(),
            "stats": {
                "em_sends": c.unique[SEND as usize],
                "em_opens": c.unique[OPEN as usize],
                "em_opens_all": c.total[OPEN as usize],
                "em_opens_all_computer": c.opens_by_device[0],
                "em_opens_all_mobile": c.opens_by_device[1],
                "em_opens_all_tablet": c.opens_by_device[2],
                "em_opens_all_other": c.opens_by_device[3],
                "em_clicks": c.unique[CLICK as usize],
                "em_clicks_all": c.total[CLICK as usize],
                "em_clicks_all_computer": c.clicks_by_device[0],
                "em_clicks_all_mobile": c.clicks_by_device[1],
                "em_clicks_all_tablet": c.clicks_by_device[2],
                "em_clicks_all_other": c.clicks_by_device[3],
                "em_forwards": c.unique[FORWARD as usize],
                "em_optouts": c.unique[OPTOUT as usize],
                "em_abuse": 0,
                "em_bounces": c.unique[BOUNCE as usize],
                "em_bounces_nonexistent_address": b[0],
                "em_bounces_undeliverable": b[1],
                "em_bounces_mailbox_full": b[2],
                "em_bounces_suspended": b[3],
                "em_bounces_vacation": b[4],
                "em_bounces_other": b[5],
                "em_bounces_blocked": b[6],
                "em_not_opened": c.unique[SEND as usize].saturating_sub(c.unique[OPEN as usize]),
            },
            "last_refresh_time": wire::ts(now - now.rem_euclid(1000)),
        }));
    }
    let status = if results.is_empty() && !errors.is_empty() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    wire::json_response(status, &json!({"results": results, "errors": errors}))
}
