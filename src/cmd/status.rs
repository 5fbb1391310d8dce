//! `ctctsync status [--json]`: setup progress, authorization, jobs, counts, API usage and where
//! the files are. The JSON shape is documented in README.md ("Status JSON").

use chrono::Utc;
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::config;
use crate::schedule::cron::{Schedule, parse_tz};
use crate::setup;
use crate::store::{self, api_usage, credentials, jobs, jobs::JobName};

use super::Ctx;

/// Constant Contact's default daily request limit per application.
pub const DAILY_LIMIT: i64 = 10_000;

pub fn run(ctx: &Ctx, json_out: bool) -> anyhow::Result<u8> {
    let store = ctx.store()?;
    let conn = store.connect()?;
    let report = collect(ctx, &conn)?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_human(&report);
    }
    Ok(0)
}

/// Builds the status document (also used by tests and the dashboard).
pub fn collect(ctx: &Ctx, conn: &Connection) -> anyhow::Result<Value> {
    let progress = setup::progress(conn)?;
    let steps: Vec<Value> = progress
        .steps
        .iter()
        .map(|(s, st)| {
            let (_, word) = st.mark();
            json!({
                "step": s,
                "number": s.index() + 1,
                "title": s.title(),
                "state": word,
                "reason": match st { setup::StepState::Attention { reason } => Some(reason.clone()), _ => None },
            })
        })
        .collect();

    let cred = credentials::get(conn)?;
    let auth = match &cred {
        None => {
            json!({"state": "none", "organization": null, "access_expires_at": null, "scopes": null, "reason": null})
        }
        Some(c) => json!({
            "state": c.state.as_str(),
            "organization": c.organization_name,
            "access_expires_at": c.access_expires_at,
            "refresh_token_issued_at": c.refresh_issued_at,
            "scopes": c.scopes,
            "reason": c.state_reason,
        }),
    };

    let tz_name = config::get(conn, "schedule.timezone")?.unwrap_or_else(|| "UTC".into());
    let tz = parse_tz(&tz_name).unwrap_or(chrono_tz::Tz::UTC);
    let now = Utc::now();
    let mut job_docs = Vec::new();
    for job in jobs::all(conn)? {
        let expr = config::get(conn, &format!("schedule.{}", job.name))?.unwrap_or_default();
        let (next, words, problem) = match Schedule::parse(&expr) {
            Ok(s) => (
                s.next_n(tz, now, 1).first().map(|t| t.to_rfc3339()),
                Some(s.describe()),
                None,
            ),
            Err(e) => (None, None, Some(e)),
        };
        let run_doc = |r: &jobs::Run| {
            json!({
                "id": r.id, "status": r.status, "trigger": r.trigger, "started_at": r.started_at,
                "ended_at": r.ended_at, "items": r.items, "items_total": r.items_total,
                "api_requests": r.api_requests, "progress": r.progress, "phase": r.phase,
                "summary": r.summary, "error": r.error,
            })
        };
        let last = jobs::recent_runs(conn, job.name, 2)?
            .into_iter()
            .find(|r| r.status != jobs::RunStatus::Running);
        let running = jobs::running(conn, job.name)?;
        job_docs.push(json!({
            "name": job.name,
            "display_name": job.display_name,
            "enabled": job.enabled && feature_enabled(conn, job.name)?,
            "schedule": expr,
            "schedule_words": words,
            "schedule_problem": problem,
            "timezone": tz.name(),
            "next_run": next,
            "last_run": last.as_ref().map(run_doc),
            "running": running.as_ref().map(run_doc),
        }));
    }

    let c = store::contacts::counts(conn)?;
    let (pending, failed) = store::outbox::counts(conn)?;
    let counts = json!({
        "contacts": c.contacts,
        "with_email": c.with_email,
        "linked": c.linked,
        "do_not_email": c.do_not_email,
        "clients": store::clients::count(conn)?,
        "lists": store::lists::count_live(conn)?,
        "interactions": store::interactions::count(conn)?,
        "events": store::events::count(conn)?,
        "pending_pushes": pending,
        "failed_pushes": failed,
    });
    let api = json!({
        "requests_today": api_usage::requests_today(conn)?,
        "daily_limit": DAILY_LIMIT,
        "quota_exhausted_until": api_usage::quota_exhausted_until(conn, now)?,
    });
    let files = json!({
        "data_dir": ctx.paths.data_dir,
        "store": ctx.paths.db_file(),
        "log_dir": ctx.paths.log_dir(),
        "log_file": ctx.paths.log_file_today(),
    });
    Ok(json!({
        "setup": { "complete": progress.complete(), "done": progress.done_count(), "total": progress.steps.len(), "steps": steps },
        "authorization": auth,
        "jobs": job_docs,
        "counts": counts,
        "api": api,
        "files": files,
    }))
}

/// Whether the job's feature switch (`sync.*_enabled`) is on.
pub fn feature_enabled(conn: &Connection, job: JobName) -> anyhow::Result<bool> {
    let key = match job {
        JobName::Synccontactlists => "sync.lists_enabled",
        JobName::Synccontacts => "sync.contacts_enabled",
        JobName::Syncactivities => "sync.activities_enabled",
    };
    Ok(config::get_bool(conn, key)?)
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

fn print_human(r: &Value) {
    let setup = &r["setup"];
    println!(
        "Setup: {} of {} steps done{}",
        setup["done"],
        setup["total"],
        if setup["complete"] == true {
            " — complete"
        } else {
            " — run `ctctsync` to continue the wizard"
        }
    );
    if let Some(steps) = setup["steps"].as_array() {
        for st in steps {
            let glyph = match st["state"].as_str() {
                Some("done") => "✓",
                Some("needs attention") => "!",
                _ => "·",
            };
            let reason = st["reason"]
                .as_str()
                .map(|r| format!(" — {r}"))
                .unwrap_or_default();
            println!(
                "  {glyph} {:>2}. {} ({}){reason}",
                st["number"],
                s(&st["title"]),
                s(&st["state"])
            );
        }
    }
    let a = &r["authorization"];
    match a["state"].as_str() {
        Some("authorized") => println!(
            "Authorization: authenticated as {} (access token until {})",
            s(&a["organization"]),
            s(&a["access_expires_at"])
        ),
        Some("needs_authorization") => println!(
            "Authorization: NEEDS AUTHORIZATION — {}. Run `ctctsync auth login`.",
            s(&a["reason"])
        ),
        _ => {
            println!("Authorization: not authorized yet — run `ctctsync auth login` or the wizard")
        }
    }
    println!("Jobs:");
    if let Some(jobs) = r["jobs"].as_array() {
        for j in jobs {
            let last = &j["last_run"];
            let last_words = if last.is_null() {
                "never run".to_string()
            } else {
                format!(
                    "last run {} at {} ({}, {}){}",
                    s(&last["status"]),
                    s(&last["started_at"]),
                    super::count(last["items"].as_i64().unwrap_or(0), "item", "items"),
                    super::count(
                        last["api_requests"].as_i64().unwrap_or(0),
                        "API request",
                        "API requests"
                    ),
                    last["error"]
                        .as_str()
                        .map(|e| format!(" — {e}"))
                        .unwrap_or_default()
                )
            };
            let running = if j["running"].is_null() {
                String::new()
            } else {
                format!(
                    " — RUNNING {:.0}% ({} items)",
                    j["running"]["progress"].as_f64().unwrap_or(0.0) * 100.0,
                    j["running"]["items"]
                )
            };
            println!(
                "  {:<24} {}{}; next {}; {}{running}",
                s(&j["display_name"]),
                s(&j["schedule"]),
                if j["enabled"] == true {
                    ""
                } else {
                    " (disabled)"
                },
                j["next_run"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| j["schedule_problem"]
                        .as_str()
                        .map(|p| format!("never: {p}")))
                    .unwrap_or_else(|| "—".into()),
                last_words
            );
        }
    }
    let c = &r["counts"];
    println!(
        "Store: {} contacts ({} linked, {} with email), {} clients, {} lists, {} interactions, {} events, {} pending pushes, {} failed pushes",
        c["contacts"],
        c["linked"],
        c["with_email"],
        c["clients"],
        c["lists"],
        c["interactions"],
        c["events"],
        c["pending_pushes"],
        c["failed_pushes"]
    );
    let api = &r["api"];
    println!(
        "API requests today: {} of {}{}",
        api["requests_today"],
        api["daily_limit"],
        api["quota_exhausted_until"]
            .as_str()
            .map(|u| format!(" — quota exhausted until {u}"))
            .unwrap_or_default()
    );
    let f = &r["files"];
    println!(
        "Data: {}\nStore: {}\nLogs: {}",
        s(&f["data_dir"]),
        s(&f["store"]),
        s(&f["log_dir"])
    );
}
