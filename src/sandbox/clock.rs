//! The sandbox's injectable clock.
//!
//! Everything time-dependent in the sandbox (token expiry, code expiry, the per-second window,
//! the UTC-midnight quota reset, which tracking rows are already "visible") reads this clock, so
//! tests can jump hours or days ahead with `POST /__sandbox/clock` instead of sleeping.
//! It is the real wall clock plus an offset that only ever grows or is set explicitly.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};

/// Milliseconds since the Unix epoch: the sandbox's single time unit internally.
pub type Millis = i64;

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
    /// While frozen, `now` stays at `frozen_at` (plus explicit advances): tests that count
    /// requests per second become independent of how fast the machine is.
    frozen: AtomicBool,
    frozen_at: AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> Millis {
        if self.frozen.load(Ordering::Relaxed) {
            return self.frozen_at.load(Ordering::Relaxed);
        }
        Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Stops (`true`) or restarts (`false`) the clock at its current reading.
    pub fn freeze(&self, on: bool) {
        if on == self.frozen.load(Ordering::Relaxed) {
            return;
        }
        let now = self.now_ms();
        if on {
            self.frozen_at.store(now, Ordering::Relaxed);
            self.frozen.store(true, Ordering::Relaxed);
        } else {
            self.frozen.store(false, Ordering::Relaxed);
            self.set(to_datetime(now));
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        to_datetime(self.now_ms())
    }

    /// Moves the clock forward (or backward, for a negative value) by `ms`.
    pub fn advance_ms(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        self.frozen_at.fetch_add(ms, Ordering::Relaxed);
    }

    /// Makes `now()` return `at` from this instant on (and keep ticking from there).
    pub fn set(&self, at: DateTime<Utc>) {
        let real = Utc::now().timestamp_millis();
        self.offset_ms
            .store(at.timestamp_millis() - real, Ordering::Relaxed);
        self.frozen_at
            .store(at.timestamp_millis(), Ordering::Relaxed);
    }
}

pub fn to_datetime(ms: Millis) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Parses durations such as `90s`, `15m`, `2h`, `3d`, `1d12h` or a bare number of seconds.
pub fn parse_duration_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<i64>() {
        return secs.checked_mul(1000);
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut saw_unit = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '-' {
            number.push(c);
            continue;
        }
        let unit_ms: i64 = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            's' => 1000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            'w' => 604_800_000,
            ' ' => continue,
            _ => return None,
        };
        let n: i64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit_ms)?)?;
        number.clear();
        saw_unit = true;
    }
    if !number.is_empty() || !saw_unit {
        return None;
    }
    Some(total)
}

/// Start of the UTC day containing `ms` (the daily quota resets then).
pub fn utc_day(ms: Millis) -> i64 {
    ms.div_euclid(86_400_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("90"), Some(90_000));
        assert_eq!(parse_duration_ms("2h"), Some(7_200_000));
        assert_eq!(parse_duration_ms("1d12h"), Some(129_600_000));
        assert_eq!(parse_duration_ms("250ms"), Some(250));
        assert_eq!(parse_duration_ms("h"), None);
        assert_eq!(parse_duration_ms("5x"), None);
    }
}
