//! Cron expressions: Quartz style (6 or 7 fields: sec min hour day month weekday [year], `?`,
//! weekdays 1 = Sunday) as SPEC §5 uses, and classic 5-field cron. Parsing and next-fire
//! computation come from `croner`; this module only chooses its options and words the errors.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// Names the first field that makes `expr` fail on its own, with its value and what it accepts:
/// each field is tried in an expression whose other fields match anything.
fn culprit(parser: &CronParser, expr: &str) -> Option<String> {
    const QUARTZ: [(&str, &str); 7] = [
        ("seconds", "0–59"),
        ("minutes", "0–59"),
        ("hours", "0–23"),
        ("day-of-month", "1–31, L, W or ?"),
        ("month", "1–12 or JAN–DEC"),
        ("day-of-week", "1–7 with 1 = Sunday, SUN–SAT, L, # or ?"),
        ("year", "1970–2099"),
    ];
    const CLASSIC: [(&str, &str); 5] = [
        ("minutes", "0–59"),
        ("hours", "0–23"),
        ("day-of-month", "1–31"),
        ("month", "1–12 or JAN–DEC"),
        ("day-of-week", "0–6 with 0 = Sunday, or SUN–SAT"),
    ];
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let quartz = fields.len() != 5;
    let names: &[(&str, &str)] = if quartz { &QUARTZ } else { &CLASSIC };
    let (day_of_month, day_of_week) = if quartz { (3, 5) } else { (2, 4) };
    (0..fields.len().min(names.len())).find_map(|i| {
        let probe: Vec<&str> = (0..fields.len())
            .map(|j| match j {
                _ if j == i => fields[j],
                // Quartz wants one of the two day fields to be `?`.
                _ if quartz && j == day_of_week && i != day_of_week => "?",
                _ if quartz && j == day_of_month && i == day_of_week => "?",
                _ => "*",
            })
            .collect();
        let (name, accepts) = names[i];
        parser.parse(&probe.join(" ")).is_err().then(|| {
            format!(
                "the {name} field `{}` is wrong ({name}: {accepts})",
                fields[i]
            )
        })
    })
}

/// A parsed schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub expr: String,
    cron: Cron,
}

impl Schedule {
    /// Parses a Quartz (6–7 fields) or classic (5 fields) expression.
    pub fn parse(expr: &str) -> Result<Schedule, String> {
        let expr = expr.trim();
        let fields = expr.split_whitespace().count();
        let parser = match fields {
            5 => CronParser::builder()
                .seconds(Seconds::Disallowed)
                .year(Year::Disallowed)
                .sloppy_ranges(true)
                .build(),
            6 | 7 => CronParser::builder()
                .seconds(Seconds::Required)
                .year(Year::Optional)
                // Quartz numbers weekdays 1 = Sunday … 7 = Saturday.
                .alternative_weekdays(true)
                .sloppy_ranges(true)
                .build(),
            0 => {
                return Err(
                    "the schedule is empty: enter a cron expression such as `00 30 00 * * ?`"
                        .into(),
                );
            }
            n => {
                return Err(format!(
                    "a schedule has 6 fields (sec min hour day month weekday, Quartz style, e.g. `00 30 00 * * ?`) or 5 (classic cron); this one has {n}"
                ));
            }
        };
        let parts: Vec<&str> = expr.split_whitespace().collect();
        if fields >= 6 && parts[3] == "?" && parts[5] == "?" {
            return Err(format!(
                "`{expr}` has `?` in both day fields: use `?` in one of day-of-month and day-of-week and a value or `*` in the other, e.g. `00 00 02 ? * 2` (Mondays) or `00 00 02 * * ?` (every day)"
            ));
        }
        let cron = parser.parse(expr).map_err(|e| {
            let what = culprit(&parser, expr).unwrap_or_else(|| e.to_string());
            format!("`{expr}` is not a valid cron expression: {what}")
        })?;
        let s = Schedule {
            expr: expr.to_string(),
            cron,
        };
        // An expression that parses but never fires (e.g. 30 February) is also invalid.
        let probe = Utc::now().with_timezone(&Tz::UTC);
        if s.next_after(probe).is_none() {
            return Err(format!(
                "`{expr}` never fires (no matching date in the coming years): check the day, month and year fields"
            ));
        }
        Ok(s)
    }

    /// The first fire time strictly after `t`, in `t`'s zone. Across DST, croner skips local
    /// times that do not exist and fires a repeated hour once.
    pub fn next_after<Z: TimeZone>(&self, t: DateTime<Z>) -> Option<DateTime<Z>>
    where
        DateTime<Z>: croner::CronDateTime,
    {
        self.cron.find_next_occurrence(&t, false).ok()
    }

    /// The next `n` fire times after `t`, in zone `tz`.
    pub fn next_n(&self, tz: Tz, t: DateTime<Utc>, n: usize) -> Vec<DateTime<Tz>> {
        let mut out = Vec::with_capacity(n);
        let mut cur = t.with_timezone(&tz);
        while out.len() < n {
            match self.next_after(cur) {
                Some(next) => {
                    out.push(next);
                    cur = next;
                }
                None => break,
            }
        }
        out
    }

    /// The schedule in words ("At 00:30:00" …), from croner's describer.
    pub fn describe(&self) -> String {
        self.cron.describe()
    }
}

/// Parses an IANA time zone name, with a message that names the fix.
pub fn parse_tz(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!(
            "`{name}` is not an IANA time zone name: use a name such as America/New_York or UTC"
        )
    })
}
