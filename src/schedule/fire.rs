//! When a job is due: the next fire time of a schedule in the configured IANA zone, and whether a
//! fire was missed since the last one handled.
//!
//! The daemon keeps `jobs.last_fire_at` (UTC) per job. A job is due when the first fire time after
//! `last_fire_at` is not in the future; the daemon then runs it once and sets `last_fire_at` to
//! now. So several fires missed while the daemon was down give one run at start, a local time that
//! does not exist (spring forward) fires once at the first real instant after the gap, and a
//! repeated hour (fall back) fires once — croner resolves both in the zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::cron::Schedule;

/// The first fire strictly after `after`, as a UTC instant.
pub fn next_fire(schedule: &Schedule, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule
        .next_after(after.with_timezone(&tz))
        .map(|t| t.with_timezone(&Utc))
}

/// Whether a job whose last handled fire was `last_fire` is due at `now`; returns the fire time
/// that is due (the first one after `last_fire`).
pub fn due(
    schedule: &Schedule,
    tz: Tz,
    last_fire: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    next_fire(schedule, tz, last_fire).filter(|t| *t <= now)
}

/// Every fire time in (from, to], at most `limit` (to show upcoming or missed runs).
pub fn fires_between(
    schedule: &Schedule,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    let mut cur = from;
    while out.len() < limit {
        match next_fire(schedule, tz, cur) {
            Some(t) if t <= to => {
                out.push(t);
                cur = t;
            }
            _ => break,
        }
    }
    out
}
