//! The sandbox's in-memory account: compact records plus the indexes the API pages through.
//!
//! Sized for 100,000 contacts and 1,000,000 tracking rows: times are `i64` milliseconds, strings
//! are boxed, a tracking row is 16 bytes, and every tracking index is a `Vec<u32>` of row numbers
//! sorted oldest-first, so a newest-first page is a reversed slice found by binary search.
//! Nothing here knows about HTTP; `wire` renders these records as Constant Contact JSON.

use std::collections::HashMap;

use rand::rngs::StdRng;
use uuid::Uuid;

use super::clock::Millis;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    Explicit,
    Implicit,
    NotSet,
    PendingConfirmation,
    TempHold,
    Unsubscribed,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Explicit => "explicit",
            Permission::Implicit => "implicit",
            Permission::NotSet => "not_set",
            Permission::PendingConfirmation => "pending_confirmation",
            Permission::TempHold => "temp_hold",
            Permission::Unsubscribed => "unsubscribed",
        }
    }

    pub fn parse(text: &str) -> Option<Permission> {
        Some(match text {
            "explicit" => Permission::Explicit,
            "implicit" => Permission::Implicit,
            "not_set" => Permission::NotSet,
            "pending_confirmation" => Permission::PendingConfirmation,
            "temp_hold" => Permission::TempHold,
            "unsubscribed" => Permission::Unsubscribed,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Account,
    Contact,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Account => "Account",
            Source::Contact => "Contact",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        match text {
            "Account" => Some(Source::Account),
            "Contact" => Some(Source::Contact),
            _ => None,
        }
    }
}

/// Sub-resources are rare in seeded data, so they live behind one optional box and are kept as
/// the JSON the client sent (with server-assigned ids and timestamps filled in).
#[derive(Clone, Debug, Default)]
pub struct Extra {
    pub custom_fields: Option<Vec<serde_json::Value>>,
    pub phone_numbers: Option<Vec<serde_json::Value>>,
    pub street_addresses: Option<Vec<serde_json::Value>>,
    pub taggings: Option<Vec<serde_json::Value>>,
    pub notes: Option<Vec<serde_json::Value>>,
}

#[derive(Clone, Debug)]
pub struct Contact {
    pub id: Uuid,
    /// As entered (case preserved); uniqueness is checked on the lower-cased form.
    pub email: Box<str>,
    pub first_name: Option<Box<str>>,
    pub last_name: Option<Box<str>>,
    pub job_title: Option<Box<str>>,
    pub company_name: Option<Box<str>>,
    pub birthday_month: Option<u8>,
    pub birthday_day: Option<u8>,
    pub anniversary: Option<Box<str>>,
    pub permission: Permission,
    pub confirm_off: bool,
    pub opt_in_source: Option<Source>,
    pub opt_in_date: Option<Millis>,
    pub opt_out_source: Option<Source>,
    pub opt_out_date: Option<Millis>,
    pub opt_out_reason: Option<Box<str>>,
    /// The email address has its own timestamps: an opt-out moves these, not `updated_at`.
    pub email_created_at: Millis,
    pub email_updated_at: Millis,
    pub create_source: Source,
    pub update_source: Option<Source>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub deleted_at: Option<Millis>,
    /// Indexes into `Data::lists`.
    pub lists: Vec<u32>,
    pub extra: Option<Box<Extra>>,
}

impl Contact {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

#[derive(Clone, Debug)]
pub struct List {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub favorite: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub deleted_at: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct Campaign {
    pub id: Uuid,
    pub name: String,
    /// `Draft`, `Scheduled`, `Executing`, `Done`, `Error`, `Removed`.
    pub status: &'static str,
    pub type_name: &'static str,
    pub type_code: i32,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Indexes into `Data::activities`.
    pub activities: Vec<u32>,
    /// Automated emails (welcome series, autoresponders): their activities appear in tracking
    /// reports but the campaigns API does not list them.
    pub automated: bool,
    pub last_sent: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct CampaignActivity {
    pub id: Uuid,
    pub campaign: u32,
    /// `primary_email`, `permalink`, `resend`.
    pub role: &'static str,
    pub subject: String,
    pub preheader: String,
    pub from_name: String,
    pub from_email: String,
    pub list_ids: Vec<u32>,
    pub links: Vec<String>,
    /// The numeric `url_id` of `links[0]`; the others follow consecutively.
    pub url_base: u64,
    pub sent_at: Option<Millis>,
}

/// Tracking row kinds, in the order of `TRACK_KINDS`.
pub const SEND: u8 = 0;
pub const OPEN: u8 = 1;
pub const CLICK: u8 = 2;
pub const BOUNCE: u8 = 3;
pub const OPTOUT: u8 = 4;
pub const FORWARD: u8 = 5;
pub const KIND_COUNT: usize = 6;

/// (`tracking_activity_type`, path segment of the campaign-level report) per kind.
pub const TRACK_KINDS: [(&str, &str); KIND_COUNT] = [
    ("em_sends", "sends"),
    ("em_opens", "opens"),
    ("em_clicks", "clicks"),
    ("em_bounces", "bounces"),
    ("em_optouts", "optouts"),
    ("em_forwards", "forwards"),
];

pub const DEVICES: [&str; 4] = ["computer", "mobile", "tablet", "other"];
/// Bounce codes: B non-existent, D undeliverable, F mailbox full, S suspended, V vacation,
/// X other, Z blocked.
pub const BOUNCE_CODES: [&str; 7] = ["B", "D", "F", "S", "V", "X", "Z"];
pub const OPTOUT_REASONS: [&str; 6] = [
    "",
    "I no longer want to receive these emails",
    "The emails are too frequent",
    "I never signed up for this mailing list",
    "The emails are not relevant to me",
    "Other: moving to a different firm",
];

/// One tracking event (16 bytes). `extra` depends on the kind: opens carry the device in bits
/// 0-1; clicks the device in bits 0-1 and the link index in bits 2-7; bounces an index into
/// `BOUNCE_CODES`; opt-outs an index into `OPTOUT_REASONS`.
#[derive(Clone, Copy, Debug)]
pub struct Track {
    pub time: Millis,
    pub contact: u32,
    pub activity: u16,
    pub kind: u8,
    pub extra: u8,
}

/// A bulk activity (`/v3/activities/...`): its list changes land when it completes.
#[derive(Clone, Debug)]
pub struct BulkActivity {
    pub id: Uuid,
    pub add: bool,
    pub contacts: Vec<u32>,
    pub lists: Vec<u32>,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub completed_at: Option<Millis>,
    pub polls: u32,
}

/// Sign-up abuse tracking per lower-cased address: more than 5 subscribe/update attempts in
/// 24 hours block the address for 48 hours.
#[derive(Clone, Debug, Default)]
pub struct AbuseState {
    pub attempts: Vec<Millis>,
    pub blocked_until: Option<Millis>,
}

#[derive(Clone, Debug)]
pub struct Account {
    pub encoded_account_id: String,
    pub organization_name: String,
    pub first_name: String,
    pub last_name: String,
    pub contact_email: String,
}

pub struct Data {
    pub account: Account,
    pub contacts: Vec<Contact>,
    pub contact_by_id: HashMap<Uuid, u32>,
    /// Lower-cased address → contact index; holds deleted contacts too (they keep the address).
    pub contact_by_email: HashMap<Box<str>, u32>,
    pub lists: Vec<List>,
    pub list_by_id: HashMap<Uuid, u32>,
    pub campaigns: Vec<Campaign>,
    pub campaign_by_id: HashMap<Uuid, u32>,
    pub activities: Vec<CampaignActivity>,
    pub activity_by_id: HashMap<Uuid, u32>,
    pub tracks: Vec<Track>,
    /// Per campaign activity, per kind: row numbers oldest-first.
    pub buckets: Vec<[Vec<u32>; KIND_COUNT]>,
    /// Per contact: row numbers oldest-first.
    pub by_contact: Vec<Vec<u32>>,
    pub bulk: Vec<BulkActivity>,
    pub bulk_by_id: HashMap<Uuid, u32>,
    pub abuse: HashMap<String, AbuseState>,
    pub rng: StdRng,
    /// Report counts per campaign activity, keyed by how many rows were visible when computed.
    pub counts_cache: std::sync::Mutex<HashMap<u32, (usize, Counts)>>,
}

/// Per campaign activity: unique contacts and total rows per kind, plus breakdowns.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub unique: [u32; KIND_COUNT],
    pub total: [u32; KIND_COUNT],
    pub opens_by_device: [u32; 4],
    pub clicks_by_device: [u32; 4],
    pub bounces_by_code: [u32; 7],
    pub last_time: Millis,
}

impl Data {
    pub fn new_uuid(&mut self) -> Uuid {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    pub fn find_contact(&self, id: &str) -> Option<u32> {
        let id = Uuid::parse_str(id).ok()?;
        self.contact_by_id.get(&id).copied()
    }

    /// Appends a tracking row and indexes it, keeping every index oldest-first.
    pub fn push_track(&mut self, track: Track) {
        let row = self.tracks.len() as u32;
        let activity = track.activity as usize;
        let contact = track.contact as usize;
        let kind = track.kind as usize;
        self.tracks.push(track);
        while self.buckets.len() <= activity {
            self.buckets.push(Default::default());
        }
        while self.by_contact.len() <= contact {
            self.by_contact.push(Vec::new());
        }
        insert_sorted(&self.tracks, &mut self.buckets[activity][kind], row);
        insert_sorted(&self.tracks, &mut self.by_contact[contact], row);
    }

    /// Row numbers of one contact or bucket that are already visible at `now`, oldest-first.
    pub fn visible<'a>(&self, rows: &'a [u32], now: Millis) -> &'a [u32] {
        let end = rows.partition_point(|&r| self.tracks[r as usize].time <= now);
        &rows[..end]
    }
}

fn insert_sorted(tracks: &[Track], rows: &mut Vec<u32>, row: u32) {
    let time = tracks[row as usize].time;
    let at = rows.partition_point(|&r| tracks[r as usize].time <= time);
    rows.insert(at, row);
}
