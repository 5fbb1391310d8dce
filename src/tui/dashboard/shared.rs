//! What every dashboard tab reads: the clock, the time zone, the overview (jobs, quota, auth,
//! visibility) and the generation counter that stamps queries so stale replies are dropped.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::data::{DashQuery, Overview, Slot, Visibility};
use crate::tui::effect::Effect;
use crate::tui::worker::Query;

/// Where "now" comes from: the system clock, or a pinned instant (snapshots, benches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }
}

#[derive(Debug, Default)]
pub struct Gens {
    next: u64,
    latest: HashMap<Slot, u64>,
}

impl Gens {
    /// A query effect stamped with a new generation; older replies for its slot become stale.
    pub fn query(&mut self, q: DashQuery) -> Effect {
        self.next += 1;
        self.latest.insert(q.slot(), self.next);
        Effect::Query {
            generation: self.next,
            query: Query::Dash(q),
        }
    }

    /// Whether a reply with this generation is the latest asked for its slot.
    pub fn current(&self, slot: Slot, generation: u64) -> bool {
        self.latest.get(&slot) == Some(&generation)
    }

    /// The slot a generation was issued for (replies carry only the generation).
    pub fn slot_of(&self, generation: u64) -> Option<Slot> {
        self.latest
            .iter()
            .find(|(_, g)| **g == generation)
            .map(|(s, _)| *s)
    }
}

pub struct Shared {
    pub user: String,
    pub clock: Clock,
    pub now: DateTime<Utc>,
    pub overview: Option<Overview>,
    pub gens: Gens,
    /// A toast a tab asked for during this update (the screen shows it and times it out).
    pub toast: Option<(String, bool)>,
}

impl Shared {
    pub fn tz(&self) -> Tz {
        self.overview
            .as_ref()
            .map(|o| super::fmt::tz(&o.timezone))
            .unwrap_or(Tz::UTC)
    }

    /// Whether this user may reopen setup steps (Settings, `a` on Jobs): only with the Constant
    /// Contact permission, known once the overview has been read.
    pub fn may_setup(&self) -> bool {
        self.overview.as_ref().is_some_and(|o| o.visibility.ctct)
    }

    pub fn visibility(&self) -> Visibility {
        self.overview
            .as_ref()
            .map(|o| o.visibility)
            .unwrap_or_default()
    }

    pub fn query(&mut self, q: DashQuery) -> Effect {
        self.gens.query(q)
    }

    /// The overview (jobs, quota, auth, visibility) as of this screen's clock.
    pub fn overview_query(&mut self) -> Effect {
        let q = DashQuery::Overview {
            user: self.user.clone(),
            today: crate::store::api_usage::day_of(self.now),
        };
        self.gens.query(q)
    }

    pub fn say(&mut self, text: impl Into<String>) {
        self.toast = Some((text.into(), false));
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.toast = Some((text.into(), true));
    }

    /// Whether any job run is live (in any process), per the last overview.
    pub fn any_running(&self) -> bool {
        self.overview
            .as_ref()
            .is_some_and(|o| o.jobs.iter().any(|j| j.running.is_some()))
    }
}
