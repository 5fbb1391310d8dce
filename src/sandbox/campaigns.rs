//! `POST /__sandbox/campaigns`: send a new campaign now to existing contacts, for incremental
//! sync tests. Body (all optional): `{"name": "...", "list_ids": ["uuid", …], "recipients": N,
//! "spread_hours": H}`. With `spread_hours` 0 (default) every row is dated within the last
//! minute and visible at once; with H > 0 opens and clicks trickle in over H hours of sandbox
//! clock (advance it with `POST /__sandbox/clock`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::control::optional_json;
use super::model::{SEND, Track};
use super::seed_activity::{CampaignPlan, SendCtx, push_campaign, reachable, recipient_events};
use super::state::AppState;
use super::wire;

const SEED_SPREAD_MS: f64 = 7.0 * 86_400_000.0;

pub async fn send_now(State(app): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let body = match optional_json(&body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let now = app.clock.now_ms();
    let spread_hours = body
        .get("spread_hours")
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
        .max(0.0);
    let recipients = body
        .get("recipients")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |n| n as usize);
    let mut data = app.write();
    let mut lists = Vec::new();
    if let Some(ids) = body.get("list_ids").and_then(Value::as_array) {
        for id in ids {
            match id
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
                .and_then(|u| data.list_by_id.get(&u))
            {
                Some(&l) => lists.push(l),
                None => return wire::validation("sandbox", "list_ids contains an unknown list."),
            }
        }
    }
    // Tracking rows store the campaign activity index in 16 bits.
    if data.activities.len() + 3 > usize::from(u16::MAX) {
        return wire::validation(
            "sandbox",
            "Too many campaigns in this sandbox; reset it first.",
        );
    }
    let count = data.campaigns.len();
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("Sandbox Campaign #{} – {}", count + 1, wire::date(now)));
    let mut rng = std::mem::replace(&mut data.rng, rand::SeedableRng::seed_from_u64(0));
    let send_at = if spread_hours > 0.0 {
        now
    } else {
        now - 61_000
    };
    let subject = format!("{name}: news from {}", data.account.organization_name);
    let campaign = push_campaign(
        &mut data,
        &mut rng,
        CampaignPlan {
            name: name.clone(),
            status: "Done",
            automated: false,
            created_at: now - 3_600_000,
            updated_at: send_at,
            subject,
            lists: lists.clone(),
            sent: Some(send_at),
            resend: false,
        },
    );
    let activity = data.campaigns[campaign as usize].activities[0];
    let link_count = data.activities[activity as usize].links.len();
    let mut rows: Vec<Track> = Vec::new();
    let mut sent = 0usize;
    for ci in 0..data.contacts.len() {
        if sent >= recipients {
            break;
        }
        let c = &data.contacts[ci];
        if !reachable(c, send_at)
            || (!lists.is_empty() && !c.lists.iter().any(|l| lists.contains(l)))
        {
            continue;
        }
        sent += 1;
        let mut new_rows = Vec::new();
        let ctx = SendCtx {
            activity: activity as u16,
            link_count,
            send_at,
            horizon: i64::MAX,
        };
        recipient_events(
            &mut rng,
            &mut new_rows,
            &mut data.contacts[ci],
            ci as u32,
            &ctx,
        );
        // Squeeze the seed's week-long delays into the last minute or into `spread_hours`.
        let window = if spread_hours > 0.0 {
            spread_hours * 3_600_000.0
        } else {
            60_000.0
        };
        for mut t in new_rows {
            if t.kind != SEND {
                let delay = (t.time - send_at) as f64;
                t.time = send_at + 1 + (delay / SEED_SPREAD_MS * window) as i64;
            }
            if spread_hours == 0.0 {
                t.time = t.time.min(now);
            }
            t.time -= t.time.rem_euclid(1000);
            if t.kind == super::model::OPTOUT {
                data.contacts[ci].opt_out_date = Some(t.time);
                data.contacts[ci].email_updated_at = t.time;
            }
            rows.push(t);
        }
    }
    data.rng = rng;
    let total = rows.len();
    rows.sort_by_key(|t| t.time);
    for t in rows {
        data.push_track(t);
    }
    let c = &data.campaigns[campaign as usize];
    let body = json!({
        "campaign_id": c.id.to_string(),
        "name": c.name,
        "campaign_activity_id": data.activities[activity as usize].id.to_string(),
        "sends": sent,
        "activities": total,
    });
    wire::json_response(StatusCode::CREATED, &body)
}

/// `GET /__sandbox/campaigns`: every campaign including automated emails, with activity ids
/// (what the campaigns API hides), for tests and debugging.
pub async fn list_all(State(app): State<Arc<AppState>>) -> Response {
    let data = app.read();
    let items: Vec<Value> = data
        .campaigns
        .iter()
        .map(|c| {
            json!({
                "campaign_id": c.id.to_string(),
                "name": c.name,
                "status": c.status,
                "automated": c.automated,
                "activities": c.activities.iter().map(|&a| {
                    let a = &data.activities[a as usize];
                    json!({"campaign_activity_id": a.id.to_string(), "role": a.role})
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    wire::ok(&json!({"campaigns": items}))
}
