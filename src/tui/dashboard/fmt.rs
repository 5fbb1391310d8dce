//! Words and numbers as the dashboard shows them: local times in the configured zone, relative
//! times ("in 5 h 30 min", "3 min ago"), durations, thousands separators. Pure functions of their
//! inputs (the clock is passed in), so snapshots are stable.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::store::time;

pub fn tz(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// "2026-12-03 13:05" in the zone.
pub fn local(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// A stored RFC 3339 time as local "YYYY-MM-DD HH:MM", or the text itself when unparsable.
pub fn local_str(s: &str, zone: Tz) -> String {
    time::parse(s)
        .map(|t| local(t, zone))
        .unwrap_or_else(|| s.to_string())
}

/// "Fri 4 Dec 00:30" — short local form for near times.
pub fn local_short(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%a %-d %b %H:%M").to_string()
}

/// "12 s", "4 min 05 s", "2 h 10 min", "3 d 4 h".
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {:02} s", s / 60, s % 60),
        3600..=86_399 => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// Short span for relative times: "5 s", "3 min", "2 h 10 min", "4 d".
pub fn span(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=86_399 if (s % 3600) / 60 != 0 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        3600..=86_399 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

/// "in 5 h 30 min" / "3 min ago" / "now".
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = (t - now).num_seconds();
    if d.abs() < 1 {
        "just now".into()
    } else if d > 0 {
        format!("in {}", span(d))
    } else {
        format!("{} ago", span(-d))
    }
}

pub fn relative_str(s: &str, now: DateTime<Utc>) -> String {
    time::parse(s).map(|t| relative(t, now)).unwrap_or_default()
}

/// 12345 → "12,345".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// 1 → "1 request", 1234 → "1,234 requests".
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// Seconds between two stored times (or until `now` when `end` is None).
pub fn elapsed(start: &str, end: Option<&str>, now: DateTime<Utc>) -> i64 {
    let s = time::parse(start).unwrap_or(now);
    let e = end.and_then(time::parse).unwrap_or(now);
    (e - s).num_seconds().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_for_numbers_and_times() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(count(1, "request", "requests"), "1 request");
        assert_eq!(count(1200, "item", "items"), "1,200 items");
        assert_eq!(duration(5), "5 s");
        assert_eq!(duration(125), "2 min 05 s");
        assert_eq!(duration(7800), "2 h 10 min");
        let now = time::parse("2026-12-03T18:00:00Z").unwrap_or_default();
        let later = time::parse("2026-12-04T05:30:00Z").unwrap_or_default();
        assert_eq!(relative(later, now), "in 11 h 30 min");
        assert_eq!(relative(now, later), "11 h 30 min ago");
        assert_eq!(local(later, tz("America/New_York")), "2026-12-04 00:30");
    }
}
