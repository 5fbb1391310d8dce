//! The three scheduled jobs and their runs. A run row is written at start, updated with progress at
//! least once a second (other processes read it), and finished with a status, summary and error.

use std::fmt;

use rusqlite::{Connection, Row, params};

use super::{OptionalRow, Result, StoreError, time};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum JobName {
    Synccontactlists,
    Synccontacts,
    Syncactivities,
}

impl JobName {
    pub const ALL: [JobName; 3] = [
        JobName::Synccontactlists,
        JobName::Synccontacts,
        JobName::Syncactivities,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            JobName::Synccontactlists => "synccontactlists",
            JobName::Synccontacts => "synccontacts",
            JobName::Syncactivities => "syncactivities",
        }
    }
    /// SPEC §5's job name.
    pub fn display_name(self) -> &'static str {
        match self {
            JobName::Synccontactlists => "CTCT sync contact list",
            JobName::Synccontacts => "CTCT sync contact",
            JobName::Syncactivities => "CTCT sync activity",
        }
    }
    pub fn parse(s: &str) -> Option<JobName> {
        JobName::ALL.into_iter().find(|j| j.as_str() == s)
    }
}

impl fmt::Display for JobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> RunStatus {
        match s {
            "running" => RunStatus::Running,
            "succeeded" => RunStatus::Succeeded,
            "cancelled" => RunStatus::Cancelled,
            _ => RunStatus::Failed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Job {
    pub name: JobName,
    pub display_name: String,
    pub enabled: bool,
    pub last_fire_at: Option<String>,
    pub cancel_requested: bool,
    pub run_requested: bool,
}

pub fn all(conn: &Connection) -> Result<Vec<Job>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, display_name, enabled, last_fire_at, cancel_requested, run_requested FROM jobs",
    )?;
    let rows = stmt.query_map([], |r| {
        let name: String = r.get(0)?;
        Ok((name, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
    })?;
    let mut jobs = Vec::new();
    for row in rows {
        let (name, display_name, enabled, last_fire_at, cancel_requested, run_requested) = row?;
        if let Some(name) = JobName::parse(&name) {
            jobs.push(Job {
                name,
                display_name,
                enabled,
                last_fire_at,
                cancel_requested,
                run_requested,
            });
        }
    }
    jobs.sort_by_key(|j| j.name);
    Ok(jobs)
}

pub fn get(conn: &Connection, name: JobName) -> Result<Job> {
    all(conn)?
        .into_iter()
        .find(|j| j.name == name)
        .ok_or_else(|| StoreError::NotFound(format!("job {name}")))
}

pub fn set_enabled(conn: &Connection, name: JobName, enabled: bool) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET enabled = ?2 WHERE name = ?1",
        params![name.as_str(), enabled],
    )?;
    Ok(())
}

pub fn set_last_fire(conn: &Connection, name: JobName, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET last_fire_at = ?2 WHERE name = ?1",
        params![name.as_str(), at],
    )?;
    Ok(())
}

pub fn request_cancel(conn: &Connection, name: JobName, on: bool) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET cancel_requested = ?2 WHERE name = ?1",
        params![name.as_str(), on],
    )?;
    Ok(())
}

pub fn request_run(conn: &Connection, name: JobName, on: bool) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET run_requested = ?2 WHERE name = ?1",
        params![name.as_str(), on],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Run {
    pub id: i64,
    pub job: JobName,
    pub status: RunStatus,
    pub trigger: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub heartbeat_at: String,
    pub pid: Option<i64>,
    pub items: i64,
    pub items_total: Option<i64>,
    pub api_requests: i64,
    pub progress: f64,
    pub phase: Option<String>,
    pub summary: Option<serde_json::Value>,
    pub error: Option<String>,
}

const COLS: &str = "id, job, status, trigger, started_at, ended_at, heartbeat_at, pid, items, items_total, \
     api_requests, progress, phase, summary, error";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Run> {
    let job: String = r.get(1)?;
    let status: String = r.get(2)?;
    let summary: Option<String> = r.get(13)?;
    Ok(Run {
        id: r.get(0)?,
        job: JobName::parse(&job).unwrap_or(JobName::Synccontactlists),
        status: RunStatus::parse(&status),
        trigger: r.get(3)?,
        started_at: r.get(4)?,
        ended_at: r.get(5)?,
        heartbeat_at: r.get(6)?,
        pid: r.get(7)?,
        items: r.get(8)?,
        items_total: r.get(9)?,
        api_requests: r.get(10)?,
        progress: r.get(11)?,
        phase: r.get(12)?,
        summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
        error: r.get(14)?,
    })
}

/// Starts a run row. Fails with `Invalid` when a live run of the same job exists (a run whose
/// heartbeat is older than `stale_after_secs` is taken to be dead and marked failed first).
pub fn start_run(
    conn: &Connection,
    job: JobName,
    trigger: &str,
    stale_after_secs: i64,
) -> Result<Run> {
    let now = chrono::Utc::now();
    let stale = time::fmt(now - chrono::Duration::seconds(stale_after_secs));
    conn.execute(
        "UPDATE job_runs SET status = 'failed', ended_at = heartbeat_at,
           error = 'the process running it stopped unexpectedly; the next run resumes where it stopped'
         WHERE job = ?1 AND status = 'running' AND heartbeat_at < ?2",
        params![job.as_str(), stale],
    )?;
    if let Some(r) = running(conn, job)? {
        return Err(StoreError::Invalid(format!(
            "{} is already running (run {}, started {}, pid {})",
            job,
            r.id,
            r.started_at,
            r.pid.unwrap_or(0)
        )));
    }
    let now = time::fmt(now);
    conn.execute(
        "INSERT INTO job_runs (job, status, trigger, started_at, heartbeat_at, pid)
         VALUES (?1, 'running', ?2, ?3, ?3, ?4)",
        params![job.as_str(), trigger, now, std::process::id()],
    )?;
    let id = conn.last_insert_rowid();
    get_run(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("run {id}")))
}

/// Progress of a running run (also its heartbeat).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub items: i64,
    pub items_total: Option<i64>,
    pub api_requests: i64,
    pub progress: f64,
    pub phase: Option<String>,
}

pub fn update_progress(conn: &Connection, run_id: i64, p: &Progress) -> Result<()> {
    conn.execute(
        "UPDATE job_runs SET items = ?2, items_total = ?3, api_requests = ?4, progress = ?5,
           phase = ?6, heartbeat_at = ?7 WHERE id = ?1 AND status = 'running'",
        params![
            run_id,
            p.items,
            p.items_total,
            p.api_requests,
            p.progress.clamp(0.0, 1.0),
            p.phase,
            time::now()
        ],
    )?;
    Ok(())
}

pub fn finish_run(
    conn: &Connection,
    run_id: i64,
    status: RunStatus,
    p: &Progress,
    summary: Option<&serde_json::Value>,
    error: Option<&str>,
) -> Result<()> {
    let now = time::now();
    conn.execute(
        "UPDATE job_runs SET status = ?2, items = ?3, items_total = ?4, api_requests = ?5,
           progress = CASE WHEN ?2 = 'succeeded' THEN 1.0 ELSE ?6 END, phase = ?7, summary = ?8,
           error = ?9, ended_at = ?10, heartbeat_at = ?10 WHERE id = ?1",
        params![
            run_id,
            status.as_str(),
            p.items,
            p.items_total,
            p.api_requests,
            p.progress.clamp(0.0, 1.0),
            p.phase,
            summary.map(|s| s.to_string()),
            error,
            now
        ],
    )?;
    Ok(())
}

pub fn get_run(conn: &Connection, id: i64) -> Result<Option<Run>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM job_runs WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional_row()?)
}

pub fn running(conn: &Connection, job: JobName) -> Result<Option<Run>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLS} FROM job_runs WHERE job = ?1 AND status = 'running' ORDER BY id DESC LIMIT 1"
            ),
            [job.as_str()],
            from_row,
        )
        .optional_row()?)
}

pub fn last_run(conn: &Connection, job: JobName) -> Result<Option<Run>> {
    Ok(recent_runs(conn, job, 1)?.into_iter().next())
}

/// Runs of a job, newest first.
pub fn recent_runs(conn: &Connection, job: JobName, limit: usize) -> Result<Vec<Run>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM job_runs WHERE job = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![job.as_str(), limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The last finished successful run (for "last success" and incremental marks).
pub fn last_success(conn: &Connection, job: JobName) -> Result<Option<Run>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLS} FROM job_runs WHERE job = ?1 AND status = 'succeeded' ORDER BY id DESC LIMIT 1"
            ),
            [job.as_str()],
            from_row,
        )
        .optional_row()?)
}
