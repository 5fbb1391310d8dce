//! Cron expressions: Quartz style (6 or 7 fields: sec min hour day month weekday [year], `?`,
//! weekdays 1 = Sunday) as SPEC §5 uses, and classic 5-field cron. Parsing and next-fire
//! computation come from `croner`; this module only chooses its options and words the errors.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

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
        let cron = parser
            .parse(expr)
            .map_err(|e| format!("`{expr}` is not a valid cron expression: {e}"))?;
        let s = Schedule {
            expr: expr.to_string(),
            cron,
        };
        // An expression that parses but never fires (e.g. 30 February) is also invalid.
        let probe = Utc::now().with_timezone(&Tz::UTC);
        if s.next_after(probe).is_none() {
            return Err(format!(
                "`{expr}` never fires (no matching date in the coming years): check the day and month fields"
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
