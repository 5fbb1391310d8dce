//! The scheduler's next-fire computation across DST changes in America/New_York, and the
//! missed-fire rule (several fires missed while down give one run).

use chrono::{TimeZone, Utc};
use chrono_tz::America::New_York;
use ctctsync::schedule::cron::Schedule;
use ctctsync::schedule::fire;

fn utc(s: &str) -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&Utc)
}

/// Runs the daemon's rule (fire when due, then last_fire = now) minute by minute over a window
/// and returns the instants at which the job ran.
fn simulate(expr: &str, from: &str, to: &str) -> Vec<chrono::DateTime<Utc>> {
    let s = Schedule::parse(expr).unwrap();
    let mut last = utc(from);
    let mut now = last;
    let end = utc(to);
    let mut runs = Vec::new();
    while now < end {
        now += chrono::Duration::seconds(30);
        if fire::due(&s, New_York, last, now).is_some() {
            runs.push(now);
            last = now;
        }
    }
    runs
}

#[test]
fn spring_forward_skipped_local_time_runs_once() {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that night.
    let s = Schedule::parse("00 30 02 * * ?").unwrap();
    let next = fire::next_fire(&s, New_York, utc("2026-03-08T05:00:00Z")).unwrap();
    // The first real instant after the gap: 03:00 EDT = 07:00 UTC (some schedulers pick 03:30;
    // either way it must be that night, and once).
    assert!(
        next >= utc("2026-03-08T07:00:00Z") && next <= utc("2026-03-08T07:30:00Z"),
        "next fire {next}"
    );
    let runs = simulate(
        "00 30 02 * * ?",
        "2026-03-07T12:00:00Z",
        "2026-03-09T12:00:00Z",
    );
    assert_eq!(
        runs.len(),
        2,
        "once on the 8th (in the gap) and once on the 9th: {runs:?}"
    );
    let on_8th: Vec<_> = runs
        .iter()
        .filter(|t| t.with_timezone(&New_York).date_naive().to_string() == "2026-03-08")
        .collect();
    assert_eq!(on_8th.len(), 1, "{runs:?}");
}

#[test]
fn fall_back_repeated_hour_runs_once() {
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice.
    let runs = simulate(
        "00 30 01 * * ?",
        "2026-10-31T12:00:00Z",
        "2026-11-02T12:00:00Z",
    );
    let on_1st: Vec<_> = runs
        .iter()
        .filter(|t| t.with_timezone(&New_York).date_naive().to_string() == "2026-11-01")
        .collect();
    assert_eq!(
        on_1st.len(),
        1,
        "the repeated 01:30 must fire once: {runs:?}"
    );
    // It fires at the first 01:30 (EDT, 05:30 UTC).
    assert!(
        (*on_1st[0] - utc("2026-11-01T05:30:00Z"))
            .num_seconds()
            .abs()
            <= 30,
        "{on_1st:?}"
    );
    assert_eq!(runs.len(), 2, "{runs:?}");
}

#[test]
fn daily_fire_keeps_local_time_across_dst() {
    // The default 02:00 activity job: 07:00 UTC in winter, 06:00 UTC in summer.
    let s = Schedule::parse("00 00 02 * * ?").unwrap();
    let winter = fire::next_fire(&s, New_York, utc("2026-03-01T00:00:00Z")).unwrap();
    assert_eq!(winter, utc("2026-03-01T07:00:00Z"));
    let summer = fire::next_fire(&s, New_York, utc("2026-03-10T00:00:00Z")).unwrap();
    assert_eq!(summer, utc("2026-03-10T06:00:00Z"));
    let back = fire::next_fire(&s, New_York, utc("2026-11-02T00:00:00Z")).unwrap();
    assert_eq!(back, utc("2026-11-02T07:00:00Z"));
}

#[test]
fn fires_missed_while_down_run_once() {
    let s = Schedule::parse("00 30 00 * * ?").unwrap();
    let last = utc("2026-06-01T12:00:00Z");
    let now = utc("2026-06-05T12:00:00Z");
    // Four fires were missed …
    assert_eq!(fire::fires_between(&s, New_York, last, now, 10).len(), 4);
    // … and the rule gives one run now, after which nothing is due until the next night.
    assert!(fire::due(&s, New_York, last, now).is_some());
    assert!(fire::due(&s, New_York, now, now + chrono::Duration::hours(1)).is_none());
}

#[test]
fn five_field_and_quartz_weekdays() {
    // Classic 5-field cron.
    let s = Schedule::parse("15 3 * * 1").unwrap(); // Mondays 03:15
    let t = fire::next_fire(
        &s,
        New_York,
        Utc.with_ymd_and_hms(2026, 6, 3, 0, 0, 0).unwrap(),
    )
    .unwrap();
    assert_eq!(
        t.with_timezone(&New_York).format("%a %H:%M").to_string(),
        "Mon 03:15"
    );
    // Quartz numbers weekdays 1 = Sunday.
    let q = Schedule::parse("00 00 09 ? * 2").unwrap();
    let t = fire::next_fire(
        &q,
        New_York,
        Utc.with_ymd_and_hms(2026, 6, 3, 0, 0, 0).unwrap(),
    )
    .unwrap();
    assert_eq!(
        t.with_timezone(&New_York).format("%a %H:%M").to_string(),
        "Mon 09:00"
    );
}

/// A bad schedule names the field at fault, its value and what the field accepts.
#[test]
fn a_bad_field_is_named_with_what_it_accepts() {
    for (expr, says) in [
        (
            "61 * * * * ?",
            "the seconds field `61` is wrong (seconds: 0–59)",
        ),
        (
            "00 00 25 * * ?",
            "the hours field `25` is wrong (hours: 0–23)",
        ),
        ("0 0 1 32 * ?", "the day-of-month field `32`"),
        (
            "0 0 1 ? * 9",
            "the day-of-week field `9` is wrong (day-of-week: 1–7 with 1 = Sunday",
        ),
        ("0 0 1 * * MOX", "the day-of-week field `MOX`"),
        (
            "* * * 13 *",
            "the month field `13` is wrong (month: 1–12 or JAN–DEC)",
        ),
        (
            "* * * * 8",
            "the day-of-week field `8` is wrong (day-of-week: 0–6 with 0 = Sunday",
        ),
        ("0 0 2 ? * ?", "has `?` in both day fields"),
    ] {
        let err = Schedule::parse(expr).expect_err(expr);
        assert!(err.contains(says), "{expr}: {err}");
    }
}
