//! What the sync engine needs from Constant Contact, as one narrow trait.
//!
//! The jobs are written against [`CtctApi`] rather than the client's own types, so that the engine's
//! logic (marks, cursors, linking, merging) reads in sync terms and page cursors are explicit: a job
//! persists the `next` cursor of the page it just stored, in the same transaction as its rows, and a
//! killed run resumes from there. `ctct_adapter.rs` implements the trait for `crate::ctct::Client`.
//! Protocol details (pagination URLs, retries, rate limits, tokens) stay in the client.

use std::future::Future;

use crate::store::interactions::Kind;

/// One page of a collection and the cursor of the next one (`None` on the last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteList {
    pub list_id: String,
    pub name: String,
    pub description: Option<String>,
    pub favorite: bool,
    pub membership_count: Option<i64>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub deleted_at: Option<String>,
}

/// A Constant Contact contact as the sync sees it: identity and subscription state only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteContact {
    pub contact_id: String,
    pub email: Option<String>,
    /// `permission_to_send`: explicit, implicit, unsubscribed, …
    pub permission: Option<String>,
    /// `Contact` (they unsubscribed themselves) or `Account`.
    pub opt_out_source: Option<String>,
    pub deleted: bool,
    pub updated_at: Option<String>,
    pub email_updated_at: Option<String>,
    pub list_memberships: Vec<String>,
}

/// Which contacts to list: all (first pass) or those changed since a mark. Always `status=all`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactQuery {
    pub updated_after: Option<String>,
    pub optout_after: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteCampaign {
    pub campaign_id: String,
    pub name: String,
    pub current_status: Option<String>,
    pub kind: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteCampaignActivity {
    pub campaign_activity_id: String,
    pub role: Option<String>,
}

/// A campaign with its activities (`GET /emails/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteCampaignDetail {
    pub campaign: RemoteCampaign,
    pub activities: Vec<RemoteCampaignActivity>,
}

/// One tracking row (campaign-level report or per-contact activity details).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackingRow {
    pub contact_id: String,
    pub campaign_activity_id: String,
    pub kind: Option<Kind>,
    pub created_time: String,
    pub link_url: Option<String>,
    pub url_id: Option<String>,
    pub bounce_code: Option<String>,
    pub device_type: Option<String>,
    pub opt_out_reason: Option<String>,
    /// `campaign_activity_name` (per-contact endpoint only).
    pub campaign_activity_name: Option<String>,
}

/// The CRM-owned fields pushed to Constant Contact for a linked contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactPush {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `Some(true)`: unsubscribe; `Some(false)`: opt back in where allowed; `None`: leave as is.
    pub unsubscribe: Option<bool>,
}

/// A new contact for "add to list" of an unlinked CRM contact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewContact {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// From Do Not Email: unsubscribed when set, otherwise implicit permission.
    pub do_not_email: bool,
    pub list_ids: Vec<String>,
}

/// How a Constant Contact call failed, in the terms the engine decides on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Network trouble, 5xx, per-second throttling: try again later.
    #[error("Constant Contact is not reachable right now: {0}")]
    Unavailable(String),
    /// The daily request quota is spent: try again after midnight UTC.
    #[error("today's Constant Contact request quota is used up: {0}")]
    QuotaExceeded(String),
    /// Tokens missing, revoked or expired beyond refresh: an admin must authorize again.
    /// The message comes from the client and already says so, and what to do.
    #[error("{0}")]
    NeedsAuthorization(String),
    #[error("not found in Constant Contact: {0}")]
    NotFound(String),
    /// 409: e.g. the email address belongs to another contact.
    #[error("Constant Contact refused the change (conflict): {0}")]
    Conflict(String),
    /// 400 and other refusals that will not change on retry.
    #[error("Constant Contact refused the request: {0}")]
    Invalid(String),
}

impl ApiError {
    /// Whether retrying later can succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Unavailable(_) | ApiError::QuotaExceeded(_) | ApiError::NeedsAuthorization(_)
        )
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The Constant Contact operations the engine uses. Every method is one request, except
/// [`CtctApi::push_contact`] (GET, merge, PUT).
pub trait CtctApi: Send + Sync {
    fn lists_page(
        &self,
        next: Option<&str>,
    ) -> impl Future<Output = ApiResult<Page<RemoteList>>> + Send;

    fn contacts_page(
        &self,
        query: &ContactQuery,
        next: Option<&str>,
    ) -> impl Future<Output = ApiResult<Page<RemoteContact>>> + Send;

    fn emails_page(
        &self,
        next: Option<&str>,
    ) -> impl Future<Output = ApiResult<Page<RemoteCampaign>>> + Send;

    fn email(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = ApiResult<RemoteCampaignDetail>> + Send;

    /// Campaign-level tracking report of one type, newest first, 500 rows a page.
    fn tracking_page(
        &self,
        campaign_activity_id: &str,
        kind: Kind,
        next: Option<&str>,
    ) -> impl Future<Output = ApiResult<Page<TrackingRow>>> + Send;

    /// Per-contact activity details (all six types), newest first.
    fn contact_activity_page(
        &self,
        contact_id: &str,
        next: Option<&str>,
    ) -> impl Future<Output = ApiResult<Page<TrackingRow>>> + Send;

    fn get_contact(
        &self,
        contact_id: &str,
    ) -> impl Future<Output = ApiResult<RemoteContact>> + Send;

    /// Contacts with this exact email, in any status (`status=all`).
    fn contacts_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = ApiResult<Vec<RemoteContact>>> + Send;

    /// GET the full contact, merge the CRM fields in, PUT it back with `update_source` (nothing
    /// else is blanked). Returns the contact as Constant Contact now has it.
    fn push_contact(
        &self,
        contact_id: &str,
        push: &ContactPush,
    ) -> impl Future<Output = ApiResult<RemoteContact>> + Send;

    fn create_contact(
        &self,
        c: &NewContact,
    ) -> impl Future<Output = ApiResult<RemoteContact>> + Send;

    fn add_to_list(
        &self,
        contact_id: &str,
        list_id: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    fn remove_from_list(
        &self,
        contact_id: &str,
        list_id: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// Requests this client has sent so far (for the run's "API requests").
    fn requests_sent(&self) -> u64;
}
