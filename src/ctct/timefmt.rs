//! Timestamps as Constant Contact writes them: every RFC 3339 variant (`…Z`, `….108Z`,
//! `…-05:00`) and, for `deleted_at`, a bare date (`2016-07-08`, read as midnight UTC).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Parses a timestamp or a bare date.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // `2024-10-30T18:56:35.000+0000` style offsets.
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// The form sent in query strings (`updated_after=` …): RFC 3339 with milliseconds and `Z`.
pub fn to_wire(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub mod opt {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => parse(s)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("not a date or time: {s:?}"))),
        }
    }

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&to_wire(*t)),
            None => s.serialize_none(),
        }
    }
}

pub mod req {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a date or time: {s:?}")))
    }

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_wire(*t))
    }
}

/// An id that is a string in the docs but could arrive as a number.
pub fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: Option<serde_json::Value> = Option::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "expected a string or number, got {other}"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let z = parse("2016-01-23T13:48:44.108Z").map(to_wire);
        assert_eq!(z.as_deref(), Some("2016-01-23T13:48:44.108Z"));
        let off = parse("2016-03-03T10:56:29-05:00").map(to_wire);
        assert_eq!(off.as_deref(), Some("2016-03-03T15:56:29.000Z"));
        let date = parse("2016-07-08").map(to_wire);
        assert_eq!(date.as_deref(), Some("2016-07-08T00:00:00.000Z"));
        assert!(parse("yesterday").is_none());
    }
}
