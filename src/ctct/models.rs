//! Serde models of the Constant Contact V3 bodies ctctsync reads and writes (ctct-api.md §3–§6).
//!
//! Decoding is tolerant where the real API is loose: every optional field is `Option`, unknown
//! fields are ignored, `_links` may be absent or `{}`, and timestamps accept every RFC 3339 form
//! (and a bare date). Write bodies ([`ContactPut`], [`ContactCreate`], [`SignUpForm`]) carry only
//! fields the API lets a client write, so a read-only value can never be echoed back (P6).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::timefmt;

/// `_links` of a collection page. The last page has no `next` (or no `_links` at all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Links {
    #[serde(default)]
    pub next: Option<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Link {
    pub href: String,
}

/// A collection page: its items and the next cursor link.
pub trait Page {
    type Item;
    fn next_href(&self) -> Option<&str>;
    fn into_items(self) -> Vec<Self::Item>;
    fn items(&self) -> &[Self::Item];
}

macro_rules! page {
    ($page:ident, $field:ident, $item:ty) => {
        impl Page for $page {
            type Item = $item;
            fn next_href(&self) -> Option<&str> {
                self.links
                    .next
                    .as_ref()
                    .map(|l| l.href.as_str())
                    .filter(|h| !h.trim().is_empty())
            }
            fn into_items(self) -> Vec<$item> {
                self.$field
            }
            fn items(&self) -> &[$item] {
                &self.$field
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Account

/// `GET /account/summary`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct AccountSummary {
    pub organization_name: Option<String>,
    pub encoded_account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub country_code: Option<String>,
    pub state_code: Option<String>,
    pub time_zone_id: Option<String>,
    pub website: Option<String>,
    pub organization_phone: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Lists

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ContactList {
    pub list_id: String,
    pub name: String,
    pub description: Option<String>,
    pub favorite: Option<bool>,
    #[serde(default, with = "timefmt::opt")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub deleted_at: Option<DateTime<Utc>>,
    pub membership_count: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ContactListsPage {
    #[serde(default)]
    pub lists: Vec<ContactList>,
    pub lists_count: Option<i64>,
    #[serde(default, rename = "_links")]
    pub links: Links,
}
page!(ContactListsPage, lists, ContactList);

// ---------------------------------------------------------------------------------------------
// Contacts

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct EmailAddress {
    pub address: String,
    pub permission_to_send: Option<String>,
    #[serde(default, with = "timefmt::opt")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub updated_at: Option<DateTime<Utc>>,
    pub opt_in_source: Option<String>,
    #[serde(default, with = "timefmt::opt")]
    pub opt_in_date: Option<DateTime<Utc>>,
    pub opt_out_source: Option<String>,
    #[serde(default, with = "timefmt::opt")]
    pub opt_out_date: Option<DateTime<Utc>>,
    pub opt_out_reason: Option<String>,
    pub confirm_status: Option<String>,
}

impl EmailAddress {
    /// `permission_to_send` is `unsubscribed`.
    pub fn is_unsubscribed(&self) -> bool {
        self.permission_to_send.as_deref() == Some("unsubscribed")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct CustomFieldValue {
    pub custom_field_id: String,
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct PhoneNumber {
    pub phone_number_id: Option<String>,
    pub phone_number: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct StreetAddress {
    pub street_address_id: Option<String>,
    pub kind: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Note {
    pub note_id: Option<String>,
    pub created_at: Option<String>,
    pub content: Option<String>,
}

/// A contact as the API returns it (`ContactResource`). Sub-resources are `None` unless asked
/// for with `include=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Contact {
    pub contact_id: String,
    pub email_address: Option<EmailAddress>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub birthday_month: Option<u8>,
    pub birthday_day: Option<u8>,
    pub anniversary: Option<String>,
    pub update_source: Option<String>,
    pub create_source: Option<String>,
    #[serde(default, with = "timefmt::opt")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub updated_at: Option<DateTime<Utc>>,
    /// A date only (`2016-07-08`) in Constant Contact's answers; present on deleted contacts.
    #[serde(default, with = "timefmt::opt")]
    pub deleted_at: Option<DateTime<Utc>>,
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    pub phone_numbers: Option<Vec<PhoneNumber>>,
    pub street_addresses: Option<Vec<StreetAddress>>,
    pub list_memberships: Option<Vec<String>>,
    pub taggings: Option<Vec<String>>,
    pub notes: Option<Vec<Note>>,
    pub sms_channel: Option<serde_json::Value>,
}

impl Contact {
    pub fn email(&self) -> Option<&str> {
        self.email_address.as_ref().map(|e| e.address.as_str())
    }
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ContactsPage {
    #[serde(default)]
    pub contacts: Vec<Contact>,
    pub contacts_count: Option<i64>,
    /// `processing` on a 202 answer for a segment query that is not ready yet.
    pub status: Option<String>,
    #[serde(default, rename = "_links")]
    pub links: Links,
}
page!(ContactsPage, contacts, Contact);

/// Sub-resources to ask for with `include=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    CustomFields,
    ListMemberships,
    PhoneNumbers,
    StreetAddresses,
    Taggings,
    Notes,
}

impl Include {
    pub const ALL: [Include; 6] = [
        Include::CustomFields,
        Include::ListMemberships,
        Include::PhoneNumbers,
        Include::StreetAddresses,
        Include::Taggings,
        Include::Notes,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Include::CustomFields => "custom_fields",
            Include::ListMemberships => "list_memberships",
            Include::PhoneNumbers => "phone_numbers",
            Include::StreetAddresses => "street_addresses",
            Include::Taggings => "taggings",
            Include::Notes => "notes",
        }
    }
    pub fn csv(items: &[Include]) -> String {
        items
            .iter()
            .map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `GET /contacts` filters. Every value is percent-encoded when sent (a `+` in an email survives).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactsQuery {
    /// Comma list of statuses; `Some("all")` includes deleted contacts (P4).
    pub status: Option<String>,
    pub email: Option<String>,
    pub lists: Vec<String>,
    pub include: Vec<Include>,
    pub updated_after: Option<DateTime<Utc>>,
    pub optout_after: Option<DateTime<Utc>>,
    pub created_after: Option<DateTime<Utc>>,
    pub include_count: bool,
    /// 1–500; `None` = 500.
    pub limit: Option<u32>,
}

impl ContactsQuery {
    /// Query pairs in a stable order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(s) = &self.status {
            p.push(("status", s.clone()));
        }
        if let Some(e) = &self.email {
            p.push(("email", e.clone()));
        }
        if !self.lists.is_empty() {
            p.push(("lists", self.lists.join(",")));
        }
        if !self.include.is_empty() {
            p.push(("include", Include::csv(&self.include)));
        }
        let t = |d: &DateTime<Utc>| timefmt::to_wire(*d);
        if let Some(d) = &self.updated_after {
            p.push(("updated_after", t(d)));
        }
        if let Some(d) = &self.optout_after {
            p.push(("optout_after", t(d)));
        }
        if let Some(d) = &self.created_after {
            p.push(("created_after", t(d)));
        }
        if self.include_count {
            p.push(("include_count", "true".to_string()));
        }
        p.push(("limit", self.limit.unwrap_or(500).clamp(1, 500).to_string()));
        p
    }
}

/// `email_address` in a PUT body: only the writable parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct EmailAddressPut {
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_to_send: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opt_out_reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct PhoneNumberPut {
    pub phone_number: Option<String>,
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct StreetAddressPut {
    pub kind: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// `PUT /contacts/{id}` body (`ContactPutRequest`), writable fields only. Core fields left `None`
/// are cleared by Constant Contact (P6), so build it with [`ContactPut::from_contact`] from a
/// fresh GET (with every `include`) and change only what you mean to. Sub-resources left `None`
/// are not sent and stay as they are; a sent `list_memberships` replaces the whole set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ContactPut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<EmailAddressPut>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub company_name: Option<String>,
    pub birthday_month: Option<u8>,
    pub birthday_day: Option<u8>,
    pub anniversary: Option<String>,
    /// `Account` or `Contact` (required).
    pub update_source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_numbers: Option<Vec<PhoneNumberPut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_addresses: Option<Vec<StreetAddressPut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_memberships: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taggings: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<Note>>,
}

impl ContactPut {
    /// The writable fields of `c` (GET-merge-PUT): change what you need on the result. Read-only
    /// values (ids, dates, opt-in/out sources, confirm status) are never copied.
    pub fn from_contact(c: &Contact, update_source: &str) -> ContactPut {
        ContactPut {
            email_address: c.email_address.as_ref().map(|e| EmailAddressPut {
                address: e.address.clone(),
                permission_to_send: e.permission_to_send.clone(),
                opt_out_reason: None,
            }),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            job_title: c.job_title.clone(),
            company_name: c.company_name.clone(),
            birthday_month: c.birthday_month,
            birthday_day: c.birthday_day,
            anniversary: c.anniversary.clone(),
            update_source: update_source.to_string(),
            custom_fields: c.custom_fields.clone(),
            phone_numbers: c.phone_numbers.as_ref().map(|v| {
                v.iter()
                    .map(|p| PhoneNumberPut {
                        phone_number: p.phone_number.clone(),
                        kind: p.kind.clone(),
                    })
                    .collect()
            }),
            street_addresses: c.street_addresses.as_ref().map(|v| {
                v.iter()
                    .map(|a| StreetAddressPut {
                        kind: a.kind.clone(),
                        street: a.street.clone(),
                        city: a.city.clone(),
                        state: a.state.clone(),
                        postal_code: a.postal_code.clone(),
                        country: a.country.clone(),
                    })
                    .collect()
            }),
            list_memberships: c.list_memberships.clone(),
            taggings: c.taggings.clone(),
            notes: c.notes.clone(),
        }
    }
}

/// `email_address` in a POST body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct EmailAddressPost {
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_to_send: Option<String>,
}

/// `POST /contacts` body. Fails with 409 when the address exists in any state (P4): look up with
/// `status=all` first, or use [`SignUpForm`] when the person gave consent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ContactCreate {
    pub email_address: EmailAddressPost,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// `Account` or `Contact` (required).
    pub create_source: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub list_memberships: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub custom_fields: Vec<CustomFieldValue>,
}

/// `POST /contacts/sign_up_form` body: create-or-update by email; only legal with the contact's
/// own consent (it opts them in).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct SignUpForm {
    pub email_address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// 1–50 list ids (required).
    pub list_memberships: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct SignUpFormResult {
    pub contact_id: String,
    /// `created` or `updated`.
    pub action: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct CustomField {
    pub custom_field_id: String,
    pub label: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(default, with = "timefmt::opt")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct CustomFieldsPage {
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    #[serde(default, rename = "_links")]
    pub links: Links,
}
page!(CustomFieldsPage, custom_fields, CustomField);

// ---------------------------------------------------------------------------------------------
// Bulk activities

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ActivityStatus {
    pub items_total_count: Option<i64>,
    pub items_completed_count: Option<i64>,
    pub person_count: Option<i64>,
    pub error_count: Option<i64>,
    pub correctable_count: Option<i64>,
    pub cannot_add_to_list_count: Option<i64>,
    pub list_count: Option<i64>,
}

/// A bulk activity (`/activities/...`): `state` goes `initialized` → `processing` →
/// `completed` | `cancelled` | `failed` | `timed_out`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Activity {
    pub activity_id: String,
    pub state: String,
    #[serde(default, with = "timefmt::opt")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub completed_at: Option<DateTime<Utc>>,
    pub percent_done: Option<i64>,
    #[serde(default)]
    pub activity_errors: Vec<String>,
    pub status: Option<ActivityStatus>,
}

impl Activity {
    pub fn is_finished(&self) -> bool {
        matches!(
            self.state.as_str(),
            "completed" | "cancelled" | "failed" | "timed_out"
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Campaigns and reports

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct CampaignActivityRef {
    pub campaign_activity_id: String,
    pub role: Option<String>,
}

/// An email campaign (`/emails` row, or `/emails/{id}` with its activities).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct EmailCampaign {
    pub campaign_id: String,
    pub name: Option<String>,
    pub current_status: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub type_code: Option<i64>,
    #[serde(default, with = "timefmt::opt")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, with = "timefmt::opt")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub campaign_activities: Vec<CampaignActivityRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct EmailsPage {
    #[serde(default)]
    pub campaigns: Vec<EmailCampaign>,
    #[serde(default, rename = "_links")]
    pub links: Links,
}
page!(EmailsPage, campaigns, EmailCampaign);

/// `GET /emails/activities/{campaign_activity_id}` (no campaign name here: it is on the campaign).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct CampaignActivity {
    pub campaign_activity_id: String,
    pub campaign_id: Option<String>,
    pub role: Option<String>,
    pub current_status: Option<String>,
    pub subject: Option<String>,
    pub preheader: Option<String>,
    pub from_name: Option<String>,
    pub from_email: Option<String>,
    pub reply_to_email: Option<String>,
    #[serde(default)]
    pub contact_list_ids: Vec<String>,
    #[serde(default)]
    pub segment_ids: Vec<serde_json::Value>,
}

/// A tracking row, from either the campaign-level report (§5.3) or a contact's
/// `activity_details` (§5.1); fields absent from one or the other are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct TrackingActivity {
    pub contact_id: String,
    pub campaign_activity_id: String,
    pub tracking_activity_type: String,
    #[serde(with = "timefmt::req")]
    pub created_time: DateTime<Utc>,
    pub email_address: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default, with = "timefmt::opt")]
    pub deleted_at: Option<DateTime<Utc>>,
    pub device_type: Option<String>,
    /// A numeric string at Constant Contact; a JSON number is accepted too.
    #[serde(default, deserialize_with = "timefmt::string_or_number")]
    pub url_id: Option<String>,
    pub link_url: Option<String>,
    pub bounce_code: Option<String>,
    pub current_email_address: Option<String>,
    pub opt_out_reason: Option<String>,
    pub campaign_activity_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct TrackingPage {
    #[serde(default)]
    pub tracking_activities: Vec<TrackingActivity>,
    #[serde(default, rename = "_links")]
    pub links: Links,
}
page!(TrackingPage, tracking_activities, TrackingActivity);

/// The campaign-level tracking reports (`/reports/email_reports/{id}/tracking/{kind}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackingKind {
    Sends,
    Opens,
    UniqueOpens,
    Clicks,
    Bounces,
    Optouts,
    Forwards,
    DidNotOpens,
}

impl TrackingKind {
    /// The six kinds ctctsync syncs into interactions.
    pub const SYNCED: [TrackingKind; 6] = [
        TrackingKind::Sends,
        TrackingKind::Opens,
        TrackingKind::Clicks,
        TrackingKind::Bounces,
        TrackingKind::Optouts,
        TrackingKind::Forwards,
    ];
    pub fn path(self) -> &'static str {
        match self {
            TrackingKind::Sends => "sends",
            TrackingKind::Opens => "opens",
            TrackingKind::UniqueOpens => "unique_opens",
            TrackingKind::Clicks => "clicks",
            TrackingKind::Bounces => "bounces",
            TrackingKind::Optouts => "optouts",
            TrackingKind::Forwards => "forwards",
            TrackingKind::DidNotOpens => "didnotopens",
        }
    }
    /// The `tracking_activity_type` of its rows.
    pub fn activity_type(self) -> &'static str {
        match self {
            TrackingKind::Sends | TrackingKind::DidNotOpens => "em_sends",
            TrackingKind::Opens | TrackingKind::UniqueOpens => "em_opens",
            TrackingKind::Clicks => "em_clicks",
            TrackingKind::Bounces => "em_bounces",
            TrackingKind::Optouts => "em_optouts",
            TrackingKind::Forwards => "em_forwards",
        }
    }
}

/// The per-contact `activity_details` types (`tracking_activities_list`).
pub const EMAIL_ACTIVITY_TYPES: [&str; 6] = [
    "em_sends",
    "em_opens",
    "em_clicks",
    "em_bounces",
    "em_optouts",
    "em_forwards",
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct UniqueCounts {
    pub sends: Option<i64>,
    pub opens: Option<i64>,
    pub clicks: Option<i64>,
    pub forwards: Option<i64>,
    pub optouts: Option<i64>,
    pub abuse: Option<i64>,
    pub bounces: Option<i64>,
    pub not_opened: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct CampaignSummary {
    pub campaign_id: String,
    pub campaign_type: Option<String>,
    #[serde(default, with = "timefmt::opt")]
    pub last_sent_date: Option<DateTime<Utc>>,
    pub unique_counts: Option<UniqueCounts>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CampaignSummariesPage {
    #[serde(default)]
    pub bulk_email_campaign_summaries: Vec<CampaignSummary>,
    #[serde(default)]
    pub aggregate_percents: Option<serde_json::Value>,
    #[serde(default, rename = "_links")]
    pub links: Links,
}
page!(
    CampaignSummariesPage,
    bulk_email_campaign_summaries,
    CampaignSummary
);

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ActivityCounts {
    pub em_sends: Option<i64>,
    pub em_opens: Option<i64>,
    pub em_clicks: Option<i64>,
    pub em_bounces: Option<i64>,
    pub em_optouts: Option<i64>,
    pub em_forwards: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ActivityStatsResult {
    pub campaign_id: Option<String>,
    pub campaign_activity_id: String,
    #[serde(default)]
    pub stats: ActivityCounts,
    #[serde(default, with = "timefmt::opt")]
    pub last_refresh_time: Option<DateTime<Utc>>,
}

/// `GET /reports/stats/email_campaign_activities/{ids}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ActivityStats {
    #[serde(default)]
    pub results: Vec<ActivityStatsResult>,
    #[serde(default)]
    pub errors: Vec<super::error::ApiErrorItem>,
}
