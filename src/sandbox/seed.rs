//! Builds a reproducible, realistic account from a seed.
//!
//! Same seed and sizes → same ids, names, addresses and timestamps (times are relative to the
//! anchor, which defaults to the start of the current UTC day). Campaign history spans the last
//! twelve months; contacts were created over three years; tracking rows are generated campaign by
//! campaign in time order so self-unsubscribes really follow an opt-out click and later campaigns
//! skip those people (`seed_activity.rs`). Rows are sorted by time once at the end so every index
//! is built by pushing. This file makes the account, its lists and its contacts.

use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use uuid::Uuid;

use super::clock::Millis;
use super::model::*;
use super::names::*;
use super::seed_activity::{seed_campaigns, seed_tracks};

pub(super) const DAY: Millis = 86_400_000;
pub(super) const HOUR: Millis = 3_600_000;

/// Sizes of the seeded account.
#[derive(Clone, Debug)]
pub struct SeedSpec {
    pub seed: u64,
    pub contacts: usize,
    pub lists: usize,
    pub campaigns: usize,
    /// Target number of tracking rows (sends, opens, clicks, bounces, opt-outs, forwards).
    pub activities: usize,
    /// "Now" for the seeded history, in ms.
    pub anchor: Millis,
}

pub fn build(spec: &SeedSpec) -> Data {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let anchor = spec.anchor;
    let account = Account {
        encoded_account_id: format!("a{:015x}", rng.next_u64() >> 4),
        organization_name: "Lang & O'Brien CPAs (sandbox)".into(),
        first_name: "Debora".into(),
        last_name: "Lang".into(),
        contact_email: "debora.lang@smithlaw.example".into(),
    };
    let mut data = Data {
        account,
        contacts: Vec::with_capacity(spec.contacts),
        contact_by_id: HashMap::with_capacity(spec.contacts),
        contact_by_email: HashMap::with_capacity(spec.contacts),
        lists: Vec::new(),
        list_by_id: HashMap::new(),
        campaigns: Vec::new(),
        campaign_by_id: HashMap::new(),
        activities: Vec::new(),
        activity_by_id: HashMap::new(),
        tracks: Vec::with_capacity(spec.activities + 16),
        buckets: Vec::new(),
        by_contact: Vec::new(),
        bulk: Vec::new(),
        bulk_by_id: HashMap::new(),
        abuse: HashMap::new(),
        rng: StdRng::seed_from_u64(spec.seed ^ 0x5eed_5eed_5eed_5eed),
        counts_cache: Default::default(),
    };
    seed_lists(&mut data, &mut rng, spec);
    seed_contacts(&mut data, &mut rng, spec);
    seed_campaigns(&mut data, &mut rng, spec);
    seed_tracks(&mut data, &mut rng, spec);
    let _ = anchor;
    data
}

pub(super) fn uuid(rng: &mut StdRng) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Whole seconds: seeded timestamps render without fractions like most real responses.
pub(super) fn secs(ms: Millis) -> Millis {
    ms - ms.rem_euclid(1000)
}

fn seed_lists(data: &mut Data, rng: &mut StdRng, spec: &SeedSpec) {
    for i in 0..spec.lists {
        let (name, description) = LIST_NAMES[i % LIST_NAMES.len()];
        let name = if i < LIST_NAMES.len() {
            name.to_string()
        } else {
            format!("{name} {}", i / LIST_NAMES.len() + 1)
        };
        let created_at = secs(spec.anchor - 3 * 365 * DAY + rng.random_range(0..200 * DAY));
        let updated_at = secs(created_at + rng.random_range(0..700 * DAY));
        // One list in a larger account was deleted, so `status=deleted`/`all` have a subject.
        let deleted_at = (spec.lists >= 6 && i == spec.lists - 1).then(|| updated_at + DAY);
        let id = uuid(rng);
        data.list_by_id.insert(id, i as u32);
        data.lists.push(List {
            id,
            name,
            description: Some(description.to_string()),
            favorite: i == 1,
            created_at,
            updated_at,
            deleted_at,
        });
    }
}

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn seed_contacts(data: &mut Data, rng: &mut StdRng, spec: &SeedSpec) {
    let live_lists: Vec<u32> = (0..data.lists.len() as u32)
        .filter(|&i| data.lists[i as usize].deleted_at.is_none())
        .collect();
    let mut taken: HashSet<String> = HashSet::with_capacity(spec.contacts);
    for _ in 0..spec.contacts {
        let style: f64 = rng.random();
        let (first, last, local): (Option<&str>, Option<&str>, String) = if style < 0.08 {
            let (family, given, local) = *pick(rng, CJK_NAMES);
            (Some(given), Some(family), local.to_string())
        } else if style < 0.10 {
            (None, None, format!("info{}", rng.random_range(1..999)))
        } else {
            let (first, first_ascii) = *pick(rng, FIRST_NAMES);
            let (last, last_ascii) = *pick(rng, LAST_NAMES);
            let local = match rng.random_range(0..6) {
                0 => format!("{first_ascii}{last_ascii}"),
                1 => format!("{}.{last_ascii}", &first_ascii[..1]),
                2 => format!("{first_ascii}_{last_ascii}"),
                3 => format!("{first_ascii}.{last_ascii}+news"),
                _ => format!("{first_ascii}.{last_ascii}"),
            };
            let only_first = style > 0.97;
            (Some(first), (!only_first).then_some(last), local)
        };
        let domain = *pick(rng, DOMAINS);
        let mut address = format!("{local}@{domain}");
        let mut n = 2;
        while taken.contains(&address) {
            address = format!("{local}{n}@{domain}");
            n += rng.random_range(1..40);
        }
        taken.insert(address.clone());
        let lower = address.clone();
        if rng.random_bool(0.05) {
            address = mixed_case(&address);
        }

        // Skew creation toward recent years: a growing list.
        let age: f64 = rng.random::<f64>().powf(1.6);
        let created_at = secs(spec.anchor - (age * 3.0 * 365.0 * DAY as f64) as Millis - HOUR);
        let edited = rng.random_bool(0.3);
        let updated_at = if edited {
            secs(created_at + rng.random_range(0..=(spec.anchor - created_at - 1).max(0)))
        } else {
            created_at
        };
        let create_source = if rng.random_bool(0.15) {
            Source::Contact
        } else {
            Source::Account
        };
        let permission = match rng.random_range(0..100) {
            0..=69 => Permission::Implicit,
            70..=96 => Permission::Explicit,
            97 => Permission::NotSet,
            _ => Permission::PendingConfirmation,
        };
        let mut lists = Vec::new();
        if !live_lists.is_empty() {
            if rng.random_bool(0.6) {
                lists.push(live_lists[0]);
            }
            for _ in 0..rng.random_range(0..3) {
                let l = *pick(rng, &live_lists);
                if !lists.contains(&l) {
                    lists.push(l);
                }
            }
            if lists.is_empty() {
                lists.push(*pick(rng, &live_lists));
            }
            lists.sort_unstable();
        }
        let mut contact = Contact {
            id: uuid(rng),
            email: address.into_boxed_str(),
            first_name: first.map(Into::into),
            last_name: last.map(Into::into),
            job_title: rng
                .random_bool(0.35)
                .then(|| (*pick(rng, JOB_TITLES)).into()),
            company_name: rng.random_bool(0.4).then(|| (*pick(rng, COMPANIES)).into()),
            birthday_month: None,
            birthday_day: None,
            anniversary: None,
            permission,
            confirm_off: permission != Permission::PendingConfirmation,
            opt_in_source: matches!(permission, Permission::Explicit | Permission::Implicit)
                .then_some(create_source),
            opt_in_date: matches!(permission, Permission::Explicit | Permission::Implicit)
                .then_some(created_at),
            opt_out_source: None,
            opt_out_date: None,
            opt_out_reason: None,
            email_created_at: created_at,
            email_updated_at: created_at,
            create_source,
            update_source: edited.then_some(Source::Account),
            created_at,
            updated_at,
            deleted_at: None,
            lists,
            extra: None,
        };
        if rng.random_bool(0.2) {
            contact.birthday_month = Some(rng.random_range(1..=12));
            contact.birthday_day = Some(rng.random_range(1..=28));
        }
        if rng.random_bool(0.05) {
            let year = rng.random_range(1985..2024);
            contact.anniversary = Some(
                format!(
                    "{year}-{:02}-{:02}",
                    rng.random_range(1..=12),
                    rng.random_range(1..=28)
                )
                .into(),
            );
        }
        let fate: f64 = rng.random();
        if fate < 0.03 {
            // Unsubscribed by the account (e.g. at the person's phone request).
            let at = secs(created_at + rng.random_range(0..=(spec.anchor - created_at).max(1)));
            contact.permission = Permission::Unsubscribed;
            contact.opt_out_source = Some(Source::Account);
            contact.opt_out_date = Some(at);
            contact.email_updated_at = at;
        } else if fate < 0.05 {
            // Deleted: memberships stripped, address still reserved.
            let at = secs(created_at + rng.random_range(0..=(spec.anchor - created_at).max(1)));
            contact.deleted_at = Some(at);
            contact.updated_at = contact.updated_at.max(at);
            contact.update_source = Some(Source::Account);
            contact.lists.clear();
        }
        let index = data.contacts.len() as u32;
        data.contact_by_id.insert(contact.id, index);
        data.contact_by_email.insert(lower.into_boxed_str(), index);
        data.contacts.push(contact);
    }
}

fn mixed_case(address: &str) -> String {
    let (local, domain) = address.split_once('@').unwrap_or((address, ""));
    let mut out = String::with_capacity(address.len());
    let mut upper_next = true;
    for c in local.chars() {
        if upper_next {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        upper_next = matches!(c, '.' | '_' | '-');
    }
    out.push('@');
    let mut parts = domain.split('.');
    if let Some(first) = parts.next() {
        let mut chars = first.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    for part in parts {
        out.push('.');
        out.push_str(&part.to_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(seed: u64) -> SeedSpec {
        SeedSpec {
            seed,
            contacts: 2_000,
            lists: 6,
            campaigns: 8,
            activities: 8_000,
            anchor: 1_780_000_000_000,
        }
    }

    #[test]
    fn same_seed_same_account() {
        let a = build(&spec(7));
        let b = build(&spec(7));
        let c = build(&spec(8));
        let emails = |d: &Data| {
            d.contacts
                .iter()
                .map(|c| (c.id, c.email.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(emails(&a), emails(&b));
        assert_ne!(emails(&a), emails(&c));
        assert_eq!(a.tracks.len(), b.tracks.len());
    }

    #[test]
    fn indexes_are_consistent() {
        let d = build(&spec(1));
        assert_eq!(d.tracks.len(), 8_000);
        assert_eq!(
            d.contact_by_email.len(),
            d.contacts.len(),
            "addresses unique"
        );
        for (address, &i) in &d.contact_by_email {
            assert_eq!(d.contacts[i as usize].email.to_lowercase(), **address);
        }
        assert!(d.tracks.windows(2).all(|w| w[0].time <= w[1].time));
        assert!(
            d.tracks
                .iter()
                .all(|t| t.time < 1_780_000_000_000 && t.time % 1000 == 0)
        );
        let indexed: usize = d.buckets.iter().flat_map(|b| b.iter()).map(Vec::len).sum();
        assert_eq!(indexed, d.tracks.len());
        for t in d.tracks.iter().filter(|t| t.kind == OPTOUT) {
            let c = &d.contacts[t.contact as usize];
            assert_eq!(c.permission, Permission::Unsubscribed);
            assert_eq!(c.opt_out_source, Some(Source::Contact));
        }
        assert!(d.campaigns.iter().any(|c| c.automated));
        assert!(
            d.contacts
                .iter()
                .any(|c| c.is_deleted() && c.lists.is_empty())
        );
    }
}
