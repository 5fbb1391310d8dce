//! API request accounting shared by every process: today's count (UTC day), the quota stop, and
//! the cross-process pacer that keeps the whole application under Constant Contact's 4 requests/s.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{OptionalRow, Result, time};

pub fn day_of(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Counts one request made today.
pub fn record_request(conn: &Connection, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "INSERT INTO api_usage (day, requests) VALUES (?1, 1)
         ON CONFLICT(day) DO UPDATE SET requests = requests + 1",
        [day_of(now)],
    )?;
    Ok(())
}

pub fn requests_on(conn: &Connection, day: &str) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT requests FROM api_usage WHERE day = ?1",
            [day],
            |r| r.get(0),
        )
        .optional_row()?
        .unwrap_or(0))
}

pub fn requests_today(conn: &Connection) -> Result<i64> {
    requests_on(conn, &day_of(Utc::now()))
}

/// Records a `quota_exceeded` answer: no requests until the next UTC midnight.
pub fn mark_quota_exhausted(conn: &Connection, now: DateTime<Utc>) -> Result<String> {
    let next_midnight = (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    let until = time::fmt(next_midnight);
    conn.execute(
        "INSERT INTO api_usage (day, requests, quota_exhausted_until) VALUES (?1, 0, ?2)
         ON CONFLICT(day) DO UPDATE SET quota_exhausted_until = excluded.quota_exhausted_until",
        params![day_of(now), until],
    )?;
    Ok(until)
}

/// When the daily quota is known to be exhausted, until when.
pub fn quota_exhausted_until(conn: &Connection, now: DateTime<Utc>) -> Result<Option<String>> {
    let until: Option<String> = conn
        .query_row(
            "SELECT quota_exhausted_until FROM api_usage WHERE day = ?1",
            [day_of(now)],
            |r| r.get(0),
        )
        .optional_row()?
        .flatten();
    Ok(until.filter(|u| u.as_str() > time::fmt(now).as_str()))
}

/// The cross-process pacer, a sliding window: returns `None` when a request may start now (and
/// records it), or `Some(ms)` to wait before asking again, so that at most `max` requests start
/// within any `window_ms` across every process sharing the store. The start is recorded right
/// before the request goes out, after any wait, so a late wake-up can never bunch requests.
/// Call inside an IMMEDIATE transaction (`store::write_tx`).
pub fn try_start(conn: &Connection, now_ms: i64, max: u32, window_ms: i64) -> Result<Option<i64>> {
    conn.prepare_cached("DELETE FROM api_sends WHERE at_ms <= ?1")?
        .execute([now_ms - window_ms])?;
    let (n, oldest): (i64, Option<i64>) = conn
        .prepare_cached("SELECT count(*), min(at_ms) FROM api_sends")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if n < i64::from(max) {
        conn.prepare_cached("INSERT INTO api_sends (at_ms) VALUES (?1)")?
            .execute([now_ms])?;
        return Ok(None);
    }
    Ok(Some((oldest.unwrap_or(now_ms) + window_ms - now_ms).max(1)))
}
