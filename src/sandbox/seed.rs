//! Builds a reproducible, realistic account from a seed.
//!
//! Same seed and sizes → same ids, names, addresses and timestamps (times are relative to the
//! anchor, which defaults to the start of the current UTC day). Campaign history spans the last
//! twelve months; contacts were created over three years; tracking rows are generated campaign by
//! campaign in time order so self-unsubscribes really follow an opt-out click and later campaigns
//! skip those people. Rows are sorted by time once at the end so every index is built by pushing.

use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use uuid::Uuid;

use super::clock::{Millis, to_datetime};
use super::model::*;
use super::names::*;

const DAY: Millis = 86_400_000;
const HOUR: Millis = 3_600_000;

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

fn uuid(rng: &mut StdRng) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Whole seconds: seeded timestamps render without fractions like most real responses.
fn secs(ms: Millis) -> Millis {
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

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
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

fn seed_campaigns(data: &mut Data, rng: &mut StdRng, spec: &SeedSpec) {
    // Tracking rows keep the campaign activity index in 16 bits (≤ 3 activities per campaign).
    let n = spec.campaigns.min(20_000);
    let live_lists: Vec<u32> = (0..data.lists.len() as u32)
        .filter(|&i| data.lists[i as usize].deleted_at.is_none())
        .collect();
    for i in 0..n {
        // Evenly over the last twelve months, on a weekday morning.
        let slot = spec.anchor - 365 * DAY + (i as Millis + 1) * (360 * DAY) / (n as Millis + 1);
        let send_at = secs(slot - slot.rem_euclid(DAY) + 14 * HOUR + rng.random_range(0..HOUR));
        let theme = CAMPAIGN_THEMES[i % CAMPAIGN_THEMES.len()];
        let when = to_datetime(send_at);
        let name = format!("{} – {}", theme, when.format("%B %Y"));
        let draft = n >= 3 && i == n - 1;
        let removed = n >= 8 && i == n / 2;
        let status = if draft {
            "Draft"
        } else if removed {
            "Removed"
        } else {
            "Done"
        };
        let created_at = secs(send_at - rng.random_range(2 * DAY..10 * DAY));
        let mut lists = Vec::new();
        if let Some(&first) = live_lists.first() {
            lists.push(first);
            if live_lists.len() > 2 && rng.random_bool(0.5) {
                lists.push(live_lists[1 + rng.random_range(0..live_lists.len() - 1)]);
            }
        }
        let subject = format!("{theme}: what's new this {}", when.format("%B"));
        let sent = (!draft).then_some(send_at);
        let resend = !draft && i % 4 == 1;
        push_campaign(
            data,
            rng,
            CampaignPlan {
                name,
                status,
                automated: false,
                created_at,
                updated_at: if draft { created_at } else { send_at },
                subject,
                lists,
                sent,
                resend,
            },
        );
    }
    if n > 0 {
        for (i, name) in AUTOMATED_NAMES.iter().take(2).enumerate() {
            let created_at = secs(spec.anchor - 400 * DAY + i as Millis * DAY);
            push_campaign(
                data,
                rng,
                CampaignPlan {
                    name: (*name).to_string(),
                    status: "Done",
                    automated: true,
                    created_at,
                    updated_at: created_at,
                    subject: format!("Welcome to {}", data.account.organization_name),
                    lists: Vec::new(),
                    sent: Some(created_at),
                    resend: false,
                },
            );
        }
    }
}

pub struct CampaignPlan {
    pub name: String,
    pub status: &'static str,
    pub automated: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub subject: String,
    pub lists: Vec<u32>,
    pub sent: Option<Millis>,
    pub resend: bool,
}

/// Adds a campaign with its activities (primary email, permalink, optional resend).
pub fn push_campaign(data: &mut Data, rng: &mut StdRng, plan: CampaignPlan) -> u32 {
    let campaign_index = data.campaigns.len() as u32;
    let mut activity_indexes = Vec::new();
    let roles: &[&'static str] = if plan.automated {
        &["primary_email"]
    } else if plan.resend {
        &["primary_email", "permalink", "resend"]
    } else {
        &["primary_email", "permalink"]
    };
    for &role in roles {
        let index = data.activities.len() as u32;
        let id = uuid(rng);
        let link_count = if role == "permalink" {
            0
        } else {
            rng.random_range(2..6)
        };
        let mut links = Vec::new();
        let offset = rng.random_range(0..LINK_PATHS.len());
        for k in 0..link_count {
            links.push(LINK_PATHS[(offset + k) % LINK_PATHS.len()].to_string());
        }
        let sent_at = match role {
            "permalink" => None,
            "resend" => plan.sent.map(|t| t + 4 * DAY),
            _ => plan.sent,
        };
        data.activity_by_id.insert(id, index);
        data.activities.push(CampaignActivity {
            id,
            campaign: campaign_index,
            role,
            subject: if role == "resend" {
                format!("In case you missed it: {}", plan.subject)
            } else {
                plan.subject.clone()
            },
            preheader: "News and reminders from your advisers".into(),
            from_name: data.account.organization_name.clone(),
            from_email: data.account.contact_email.clone(),
            list_ids: plan.lists.clone(),
            links,
            url_base: 1_000_000_000 + u64::from(index) * 100,
            sent_at,
        });
        activity_indexes.push(index);
    }
    let id = uuid(rng);
    data.campaign_by_id.insert(id, campaign_index);
    data.campaigns.push(Campaign {
        id,
        name: plan.name,
        status: plan.status,
        type_name: if plan.automated {
            "AUTOMATED_EMAIL"
        } else {
            "NEWSLETTER"
        },
        type_code: if plan.automated { 57 } else { 10 },
        created_at: plan.created_at,
        updated_at: plan.updated_at,
        activities: activity_indexes,
        automated: plan.automated,
        last_sent: plan.sent,
    });
    while data.buckets.len() < data.activities.len() {
        data.buckets.push(Default::default());
    }
    campaign_index
}

/// Events generated for one recipient of one send; returns whether they opened.
/// One send of one campaign activity, as `recipient_events` needs it.
#[derive(Clone, Copy)]
pub struct SendCtx {
    pub activity: u16,
    pub link_count: usize,
    pub send_at: Millis,
    /// Rows dated after this are dropped.
    pub horizon: Millis,
}

pub fn recipient_events(
    rng: &mut StdRng,
    out: &mut Vec<Track>,
    contact: &mut Contact,
    contact_index: u32,
    ctx: &SendCtx,
) -> bool {
    let SendCtx {
        activity,
        link_count,
        send_at,
        horizon,
    } = *ctx;
    let push = |out: &mut Vec<Track>, time: Millis, kind: u8, extra: u8| {
        // Tracking times are whole seconds (`…:SS.000Z` in reports).
        let time = secs(time);
        if time <= horizon {
            out.push(Track {
                time,
                contact: contact_index,
                activity,
                kind,
                extra,
            });
        }
    };
    push(out, send_at, SEND, 0);
    if rng.random_bool(0.02) {
        let code = match rng.random_range(0..100) {
            0..=39 => 0,
            40..=59 => 1,
            60..=74 => 2,
            75..=79 => 3,
            80..=89 => 4,
            90..=94 => 5,
            _ => 6,
        };
        push(
            out,
            send_at + rng.random_range(1_000..600_000),
            BOUNCE,
            code,
        );
        return false;
    }
    if !rng.random_bool(0.38) {
        return false;
    }
    let device = rng.random_range(0..4u8);
    // Most opens happen within hours; a long tail over the following days.
    let delay = (rng.random::<f64>().powi(3) * 6.0 * DAY as f64) as Millis + 30_000;
    let open_at = secs(send_at + delay);
    push(out, open_at, OPEN, device);
    if rng.random_bool(0.3) {
        let again = open_at + rng.random_range(60_000..3 * DAY);
        push(out, secs(again), OPEN, rng.random_range(0..4u8));
    }
    if link_count > 0 && rng.random_bool(0.25) {
        let link = rng.random_range(0..link_count.min(63)) as u8;
        push(
            out,
            secs(open_at + rng.random_range(5_000..900_000)),
            CLICK,
            device | (link << 2),
        );
    }
    if rng.random_bool(0.01) {
        push(
            out,
            secs(open_at + rng.random_range(60_000..DAY)),
            FORWARD,
            0,
        );
    }
    if contact.permission != Permission::Unsubscribed && rng.random_bool(0.004) {
        let at = secs(open_at + rng.random_range(10_000..600_000));
        if at <= horizon {
            let reason = rng.random_range(0..OPTOUT_REASONS.len()) as u8;
            push(out, at, OPTOUT, reason);
            contact.permission = Permission::Unsubscribed;
            contact.opt_out_source = Some(Source::Contact);
            contact.opt_out_date = Some(at);
            let text = OPTOUT_REASONS[reason as usize];
            contact.opt_out_reason = (!text.is_empty()).then(|| text.into());
            contact.email_updated_at = at;
        }
    }
    true
}

/// Whether the contact could receive a send at `at` (existed, not deleted or unsubscribed yet).
pub fn reachable(contact: &Contact, at: Millis) -> bool {
    contact.created_at < at
        && contact.deleted_at.is_none_or(|d| d > at)
        && contact.opt_out_date.is_none_or(|d| d > at)
        && !matches!(
            contact.permission,
            Permission::NotSet | Permission::PendingConfirmation
        )
}

fn seed_tracks(data: &mut Data, rng: &mut StdRng, spec: &SeedSpec) {
    let sent: Vec<u32> = (0..data.activities.len() as u32)
        .filter(|&a| data.activities[a as usize].sent_at.is_some())
        .collect();
    let mut out: Vec<Track> = Vec::with_capacity(spec.activities + 64);
    if !sent.is_empty() && !data.contacts.is_empty() {
        let mut order = sent.clone();
        order.sort_by_key(|&a| data.activities[a as usize].sent_at);
        let horizon = spec.anchor - 1000;
        let mut openers: HashSet<u32> = HashSet::new();
        let mut sends_done = 0usize;
        let mut eligible: Vec<u32> = Vec::with_capacity(data.contacts.len());
        for (k, &a) in order.iter().enumerate() {
            if out.len() >= spec.activities {
                break;
            }
            let act = &data.activities[a as usize];
            let Some(send_at) = act.sent_at else { continue };
            let automated = data.campaigns[act.campaign as usize].automated;
            let lists = act.list_ids.clone();
            let link_count = act.links.len();
            let role = act.role;
            if role == "primary_email" {
                openers.clear();
            }
            // Spread what is left of the row budget over the activities still to send,
            // using the rows-per-send ratio observed so far.
            let rows_per_send = if sends_done > 0 {
                out.len() as f64 / sends_done as f64
            } else {
                1.6
            };
            let budget = spec.activities.saturating_sub(out.len()) as f64;
            let per_activity = (budget / rows_per_send / (order.len() - k) as f64).ceil() as usize;
            eligible.clear();
            for (ci, contact) in data.contacts.iter().enumerate() {
                let at = if automated {
                    // Autoresponders go out an hour after the person joined.
                    contact.created_at + HOUR
                } else {
                    send_at
                };
                if at + 1_200_000 > horizon || !reachable(contact, at) {
                    continue;
                }
                if !automated
                    && !lists.is_empty()
                    && !contact.lists.iter().any(|l| lists.contains(l))
                {
                    continue;
                }
                if role == "resend" && openers.contains(&(ci as u32)) {
                    continue;
                }
                eligible.push(ci as u32);
            }
            if eligible.is_empty() {
                continue;
            }
            let p = (per_activity as f64 / eligible.len() as f64).min(1.0);
            let mut taken = 0usize;
            for &ci in &eligible {
                if taken >= per_activity || out.len() >= spec.activities {
                    break;
                }
                if !rng.random_bool(p) {
                    continue;
                }
                taken += 1;
                let ci = ci as usize;
                let at = if automated {
                    data.contacts[ci].created_at + HOUR
                } else {
                    send_at + rng.random_range(0..1_200_000)
                };
                let ctx = SendCtx {
                    activity: a as u16,
                    link_count,
                    send_at: secs(at),
                    horizon,
                };
                let opened =
                    recipient_events(rng, &mut out, &mut data.contacts[ci], ci as u32, &ctx);
                if opened && role == "primary_email" {
                    openers.insert(ci as u32);
                }
            }
            sends_done += taken;
        }
    }
    out.truncate(spec.activities);
    out.sort_by_key(|t| t.time);
    data.tracks = out;
    data.buckets = vec![Default::default(); data.activities.len()];
    data.by_contact = vec![Vec::new(); data.contacts.len()];
    for (row, t) in data.tracks.iter().enumerate() {
        data.buckets[t.activity as usize][t.kind as usize].push(row as u32);
        data.by_contact[t.contact as usize].push(row as u32);
    }
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
