//! Seeded campaign history: named campaigns spread over the last twelve months (plus automated
//! emails), and their tracking rows generated campaign by campaign in time order, so a
//! self-unsubscribe really follows an opened email and later campaigns skip that person. Also
//! used by `POST /__sandbox/campaigns` to send a campaign "now".

use std::collections::HashSet;

use rand::Rng;
use rand::rngs::StdRng;

use super::clock::{Millis, to_datetime};
use super::model::*;
use super::names::*;
use super::seed::{DAY, HOUR, SeedSpec, secs, uuid};

pub(super) fn seed_campaigns(data: &mut Data, rng: &mut StdRng, spec: &SeedSpec) {
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

/// One send of one campaign activity, as `recipient_events` needs it.
#[derive(Clone, Copy)]
pub struct SendCtx {
    pub activity: u16,
    pub link_count: usize,
    pub send_at: Millis,
    /// Rows dated after this are dropped.
    pub horizon: Millis,
}

/// Events generated for one recipient of one send; returns whether they opened.
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

pub(super) fn seed_tracks(data: &mut Data, rng: &mut StdRng, spec: &SeedSpec) {
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
    top_up_with_reopens(rng, &mut out, spec);
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

/// When the account is too small for the requested volume, people re-open emails they already
/// opened (as real readers do) until the row budget is met.
fn top_up_with_reopens(rng: &mut StdRng, out: &mut Vec<Track>, spec: &SeedSpec) {
    let opens: Vec<Track> = out.iter().filter(|t| t.kind == OPEN).copied().collect();
    if opens.is_empty() {
        return;
    }
    let horizon = spec.anchor - 1000;
    let mut attempts = 0usize;
    while out.len() < spec.activities && attempts < spec.activities.saturating_mul(4) {
        attempts += 1;
        let open = opens[rng.random_range(0..opens.len())];
        let time = secs(open.time + rng.random_range(60_000..5 * DAY));
        if time <= horizon {
            out.push(Track {
                time,
                extra: rng.random_range(0..4u8),
                ..open
            });
        }
    }
}
