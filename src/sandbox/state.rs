//! Shared server state: the account data, OAuth grants, per-client limits, request statistics
//! and pending faults. Each part has its own lock and no lock is held across an `.await`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::clock::{Clock, Millis, utc_day};
use super::config::SandboxConfig;
use super::model::Data;
use super::oauth::OAuthStore;

pub struct AppState {
    pub config: RwLock<SandboxConfig>,
    pub clock: Clock,
    pub data: RwLock<Data>,
    pub oauth: Mutex<OAuthStore>,
    pub limits: Mutex<Limits>,
    pub stats: Mutex<Stats>,
    pub faults: Mutex<Vec<FaultRule>>,
    /// `http://127.0.0.1:PORT`, known once bound.
    pub base_url: OnceLock<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl AppState {
    pub fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }
    pub fn write(&self) -> RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }
    pub fn config(&self) -> SandboxConfig {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    pub fn oauth(&self) -> MutexGuard<'_, OAuthStore> {
        lock(&self.oauth)
    }
    pub fn limits(&self) -> MutexGuard<'_, Limits> {
        lock(&self.limits)
    }
    pub fn stats(&self) -> MutexGuard<'_, Stats> {
        lock(&self.stats)
    }
    pub fn faults(&self) -> MutexGuard<'_, Vec<FaultRule>> {
        lock(&self.faults)
    }
    pub fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    /// Takes the first pending fault that matches this request, if any.
    pub fn take_fault(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut faults = self.faults();
        let mut fired = None;
        for rule in faults.iter_mut() {
            let matches = match &rule.path {
                Some(prefix) => path.starts_with(prefix.as_str()),
                None => path.starts_with("/v3/"),
            } && rule
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method));
            if !matches || rule.remaining == 0 {
                continue;
            }
            if rule.skip > 0 {
                rule.skip -= 1;
                continue;
            }
            rule.remaining -= 1;
            fired = Some(rule.kind.clone());
            break;
        }
        faults.retain(|r| r.remaining > 0);
        fired
    }
}

/// Per-client request accounting for the 4-per-second window and the daily quota.
#[derive(Default)]
pub struct Limits {
    clients: HashMap<String, ClientUsage>,
    token_buckets: HashMap<String, (f64, Millis)>,
}

#[derive(Default)]
struct ClientUsage {
    recent: VecDeque<Millis>,
    day: i64,
    used_today: u32,
}

pub enum LimitVerdict {
    Ok,
    Throttled,
    QuotaExceeded,
}

impl Limits {
    /// Counts one API request; a rejected request is not counted. The quota resets at 00:00 UTC.
    pub fn check(
        &mut self,
        client: &str,
        now: Millis,
        per_sec: Option<u32>,
        quota: Option<u32>,
    ) -> LimitVerdict {
        let usage = self.clients.entry(client.to_string()).or_default();
        let today = utc_day(now);
        if usage.day != today {
            usage.day = today;
            usage.used_today = 0;
        }
        if let Some(quota) = quota
            && usage.used_today >= quota
        {
            return LimitVerdict::QuotaExceeded;
        }
        if let Some(per_sec) = per_sec {
            while usage
                .recent
                .front()
                .is_some_and(|&t| t <= now - 1000 || t > now)
            {
                usage.recent.pop_front();
            }
            if usage.recent.len() >= per_sec as usize {
                return LimitVerdict::Throttled;
            }
            usage.recent.push_back(now);
        }
        usage.used_today = usage.used_today.saturating_add(1);
        LimitVerdict::Ok
    }

    /// The token endpoint: a bucket of 2 refilled at 1 per second ("about one per second",
    /// so an exchange followed at once by one refresh still works).
    pub fn token_request(&mut self, client: &str, now: Millis) -> bool {
        let (tokens, last) = self
            .token_buckets
            .entry(client.to_string())
            .or_insert((2.0, now));
        let elapsed = (now - *last).max(0) as f64 / 1000.0;
        *tokens = (*tokens + elapsed).min(2.0);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn used_today(&self, client: &str) -> u32 {
        self.clients.get(client).map_or(0, |u| u.used_today)
    }

    /// Marks the client's quota as spent for the rest of the UTC day (a fault).
    pub fn exhaust(&mut self, client: &str, now: Millis) {
        let usage = self.clients.entry(client.to_string()).or_default();
        usage.day = utc_day(now);
        usage.used_today = u32::MAX;
    }
}

#[derive(Default)]
pub struct Stats {
    pub total: u64,
    pub by_endpoint: BTreeMap<String, u64>,
    pub by_client: BTreeMap<String, u64>,
}

impl Stats {
    pub fn record(&mut self, endpoint: String, client: Option<&str>) {
        self.total += 1;
        *self.by_endpoint.entry(endpoint).or_default() += 1;
        if let Some(client) = client {
            *self.by_client.entry(client.to_string()).or_default() += 1;
        }
    }
}

#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answer with this status (500 or 503) and a CC-style error body.
    Status(u16),
    /// Answer 429 `throttled`.
    Throttle,
    /// Answer 429 `quota_exceeded`.
    Quota,
    /// Sleep this long before handling.
    Latency(u64),
    /// Send the real response's headers and half its body, then drop the connection.
    Cut,
}

#[derive(Clone, Debug)]
pub struct FaultRule {
    pub kind: FaultKind,
    pub remaining: u32,
    pub skip: u32,
    pub path: Option<String>,
    pub method: Option<String>,
}
