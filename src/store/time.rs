//! Time as the store writes it: RFC 3339 UTC text with whole seconds ("2026-12-03T18:00:00Z"),
//! which sorts correctly as text.

use chrono::{DateTime, SecondsFormat, Utc};

/// Now, formatted for the store.
pub fn now() -> String {
    fmt(Utc::now())
}

pub fn fmt(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Millisecond precision, for values that must keep order within a second (activity times).
pub fn fmt_ms(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses any RFC 3339 form (with or without fraction, `Z` or an offset) into UTC.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
