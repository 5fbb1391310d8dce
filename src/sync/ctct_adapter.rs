//! [`CtctApi`] for the real client (`crate::ctct::Client`), plus the store-based entry points
//! (`run_job`, `refresh_contact`, `Worker::spawn`) that build a client from the settings.
//!
//! Page-level calls take the stream's first page and hand back [`Pages::cursor`] as the cursor of
//! the next one, so the jobs can store it and a later run can resume with `resume_pages`.

use futures::StreamExt;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::config;
use crate::ctct::{
    Client, Contact, ContactCreate, ContactPut, ContactsQuery, CtctError, EmailAddressPost,
    EmailAddressPut, Include, Pages, TrackingActivity, TrackingKind,
};
use crate::store::Store;
use crate::store::interactions::Kind;
use crate::store::jobs::JobName;

use super::api::*;
use super::outbox::{Worker, WorkerHandle};
use super::{RunOutcome, Snapshot, SyncError, Trigger};

impl From<CtctError> for ApiError {
    fn from(e: CtctError) -> ApiError {
        let msg = e.to_string();
        if e.is_quota_exceeded() {
            ApiError::QuotaExceeded(msg)
        } else if e.needs_authorization() || e.status() == Some(401) {
            ApiError::NeedsAuthorization(msg)
        } else if e.is_not_found() {
            ApiError::NotFound(msg)
        } else if e.is_conflict() {
            ApiError::Conflict(msg)
        } else if e.is_retryable() {
            ApiError::Unavailable(msg)
        } else {
            match e {
                CtctError::Api { .. } | CtctError::Decode { .. } | CtctError::NotConfigured(_) => {
                    ApiError::Invalid(msg)
                }
                _ => ApiError::Unavailable(msg),
            }
        }
    }
}

fn wire_time(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    t.map(crate::store::time::fmt_ms)
}

/// One page of a stream, and the cursor of the page after it.
async fn one_page<P>(
    client: &Client,
    first: Pages<P>,
    cursor: Option<&str>,
) -> ApiResult<(P, Option<String>)>
where
    P: crate::ctct::Page + serde::de::DeserializeOwned + Send + 'static,
{
    let mut pages = match cursor {
        Some(c) => client.resume_pages::<P>(c)?,
        None => first,
    };
    match pages.next().await {
        Some(Ok(p)) => {
            let next = if p.next_href().is_some() {
                pages.cursor()
            } else {
                None
            };
            Ok((p, next))
        }
        Some(Err(e)) => Err(e.into()),
        None => Err(ApiError::Invalid("the listing ended without a page".into())),
    }
}

fn remote_contact(c: &Contact) -> RemoteContact {
    let ea = c.email_address.as_ref();
    RemoteContact {
        contact_id: c.contact_id.clone(),
        email: ea.map(|e| e.address.clone()),
        permission: ea.and_then(|e| e.permission_to_send.clone()),
        opt_out_source: ea
            .filter(|e| e.permission_to_send.as_deref() == Some("unsubscribed"))
            .and_then(|e| e.opt_out_source.clone()),
        deleted: c.is_deleted(),
        updated_at: wire_time(c.updated_at),
        email_updated_at: wire_time(ea.and_then(|e| e.updated_at)),
        list_memberships: c.list_memberships.clone().unwrap_or_default(),
    }
}

fn tracking_row(a: TrackingActivity) -> TrackingRow {
    TrackingRow {
        kind: Kind::parse(&a.tracking_activity_type),
        contact_id: a.contact_id,
        campaign_activity_id: a.campaign_activity_id,
        created_time: crate::store::time::fmt_ms(a.created_time),
        link_url: a.link_url,
        url_id: a.url_id,
        bounce_code: a.bounce_code,
        device_type: a.device_type,
        opt_out_reason: a.opt_out_reason,
        campaign_activity_name: a.campaign_activity_name,
    }
}

fn tracking_kind(k: Kind) -> TrackingKind {
    match k {
        Kind::Send => TrackingKind::Sends,
        Kind::Open => TrackingKind::Opens,
        Kind::Click => TrackingKind::Clicks,
        Kind::Bounce => TrackingKind::Bounces,
        Kind::OptOut => TrackingKind::Optouts,
        Kind::Forward => TrackingKind::Forwards,
    }
}

fn parse_time(s: &Option<String>) -> Option<chrono::DateTime<chrono::Utc>> {
    s.as_deref().and_then(crate::store::time::parse)
}

/// GET with every sub-resource (so the PUT blanks nothing).
async fn full_contact(client: &Client, id: &str) -> ApiResult<Contact> {
    Ok(client.contact(id, &Include::ALL).await?)
}

impl CtctApi for Client {
    async fn lists_page(&self, _next: Option<&str>) -> ApiResult<Page<RemoteList>> {
        let lists = self.contact_lists().await?;
        Ok(Page {
            items: lists
                .into_iter()
                .map(|l| RemoteList {
                    list_id: l.list_id,
                    name: l.name,
                    description: l.description,
                    favorite: l.favorite.unwrap_or(false),
                    membership_count: l.membership_count,
                    created_at: wire_time(l.created_at),
                    updated_at: wire_time(l.updated_at),
                    deleted_at: wire_time(l.deleted_at),
                })
                .collect(),
            next: None,
        })
    }

    async fn contacts_page(
        &self,
        query: &ContactQuery,
        next: Option<&str>,
    ) -> ApiResult<Page<RemoteContact>> {
        let q = ContactsQuery {
            status: Some("all".into()),
            include: vec![Include::ListMemberships],
            updated_after: parse_time(&query.updated_after),
            optout_after: parse_time(&query.optout_after),
            limit: Some(500),
            ..ContactsQuery::default()
        };
        let (page, next) = one_page(self, self.contacts_pages(&q), next).await?;
        Ok(Page {
            items: page.contacts.iter().map(remote_contact).collect(),
            next,
        })
    }

    async fn emails_page(&self, next: Option<&str>) -> ApiResult<Page<RemoteCampaign>> {
        let (page, next) = one_page(self, self.emails_pages(), next).await?;
        Ok(Page {
            items: page
                .campaigns
                .into_iter()
                .map(|c| RemoteCampaign {
                    name: c.name.unwrap_or_default(),
                    campaign_id: c.campaign_id,
                    current_status: c.current_status,
                    kind: c.kind,
                    created_at: wire_time(c.created_at),
                    updated_at: wire_time(c.updated_at),
                })
                .collect(),
            next,
        })
    }

    async fn email(&self, campaign_id: &str) -> ApiResult<RemoteCampaignDetail> {
        let c = Client::email(self, campaign_id).await?;
        Ok(RemoteCampaignDetail {
            activities: c
                .campaign_activities
                .iter()
                .map(|a| RemoteCampaignActivity {
                    campaign_activity_id: a.campaign_activity_id.clone(),
                    role: a.role.clone(),
                })
                .collect(),
            campaign: RemoteCampaign {
                name: c.name.unwrap_or_default(),
                campaign_id: c.campaign_id,
                current_status: c.current_status,
                kind: c.kind,
                created_at: wire_time(c.created_at),
                updated_at: wire_time(c.updated_at),
            },
        })
    }

    async fn tracking_page(
        &self,
        ca: &str,
        kind: Kind,
        next: Option<&str>,
    ) -> ApiResult<Page<TrackingRow>> {
        let (page, next) =
            one_page(self, self.tracking_pages(ca, tracking_kind(kind)), next).await?;
        Ok(Page {
            items: page
                .tracking_activities
                .into_iter()
                .map(tracking_row)
                .collect(),
            next,
        })
    }

    async fn contact_activity_page(
        &self,
        contact_id: &str,
        next: Option<&str>,
    ) -> ApiResult<Page<TrackingRow>> {
        let (page, next) = one_page(
            self,
            self.contact_activity_details(contact_id, &[], 100),
            next,
        )
        .await?;
        Ok(Page {
            items: page
                .tracking_activities
                .into_iter()
                .map(tracking_row)
                .collect(),
            next,
        })
    }

    async fn get_contact(&self, contact_id: &str) -> ApiResult<RemoteContact> {
        Ok(remote_contact(
            &self
                .contact(contact_id, &[Include::ListMemberships])
                .await?,
        ))
    }

    async fn contacts_by_email(&self, email: &str) -> ApiResult<Vec<RemoteContact>> {
        Ok(Client::contacts_by_email(self, email, true)
            .await?
            .iter()
            .map(remote_contact)
            .collect())
    }

    async fn push_contact(&self, contact_id: &str, push: &ContactPush) -> ApiResult<RemoteContact> {
        let current = full_contact(self, contact_id).await?;
        let ea = current.email_address.clone();
        let permission = ea.as_ref().and_then(|e| e.permission_to_send.clone());
        let opt_out_source = ea.as_ref().and_then(|e| e.opt_out_source.clone());
        let new_permission = match push.unsubscribe {
            Some(true) => Some("unsubscribed".to_string()),
            // Only where the account opted them out: a person who unsubscribed themselves
            // must re-subscribe themselves.
            Some(false)
                if permission.as_deref() == Some("unsubscribed")
                    && opt_out_source.as_deref() != Some("Contact") =>
            {
                Some("explicit".to_string())
            }
            _ => permission.clone(),
        };
        let same = ea.as_ref().map(|e| e.address.trim().to_lowercase())
            == Some(push.email.trim().to_lowercase())
            && ea.as_ref().map(|e| e.address.as_str()) == Some(push.email.as_str())
            && current.first_name.as_deref().unwrap_or("") == push.first_name
            && current.last_name.as_deref().unwrap_or("") == push.last_name
            && new_permission == permission
            && !current.is_deleted();
        if same {
            return Ok(remote_contact(&current));
        }
        let mut body = ContactPut::from_contact(&current, "Account");
        body.email_address = Some(EmailAddressPut {
            address: push.email.clone(),
            permission_to_send: new_permission,
            opt_out_reason: None,
        });
        body.first_name = Some(push.first_name.clone()).filter(|s| !s.is_empty());
        body.last_name = Some(push.last_name.clone()).filter(|s| !s.is_empty());
        let updated = self.update_contact(contact_id, &body).await?;
        if updated.email_address.is_some() {
            Ok(remote_contact(&updated))
        } else {
            Ok(remote_contact(&full_contact(self, contact_id).await?))
        }
    }

    async fn create_contact(&self, c: &NewContact) -> ApiResult<RemoteContact> {
        let body = ContactCreate {
            email_address: EmailAddressPost {
                address: c.email.clone(),
                // Constant Contact does not create contacts unsubscribed: a Do Not Email
                // contact is created, then unsubscribed at once (below).
                permission_to_send: Some("implicit".into()),
            },
            first_name: Some(c.first_name.clone()).filter(|s| !s.is_empty()),
            last_name: Some(c.last_name.clone()).filter(|s| !s.is_empty()),
            create_source: "Account".into(),
            list_memberships: c.list_ids.clone(),
            ..ContactCreate::default()
        };
        let created = Client::create_contact(self, &body).await?;
        if !c.do_not_email {
            return Ok(remote_contact(&created));
        }
        let push = ContactPush {
            email: c.email.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            unsubscribe: Some(true),
        };
        self.push_contact(&created.contact_id, &push).await
    }

    async fn add_to_list(&self, contact_id: &str, list_id: &str) -> ApiResult<()> {
        // GET-merge-PUT (synchronous, and revives a deleted contact, unlike the bulk activity).
        let current = full_contact(self, contact_id).await?;
        let mut lists = current.list_memberships.clone().unwrap_or_default();
        if lists.iter().any(|l| l == list_id) && !current.is_deleted() {
            return Ok(());
        }
        if !lists.iter().any(|l| l == list_id) {
            lists.push(list_id.to_string());
        }
        let mut body = ContactPut::from_contact(&current, "Account");
        body.list_memberships = Some(lists);
        self.update_contact(contact_id, &body).await?;
        Ok(())
    }

    async fn remove_from_list(&self, contact_id: &str, list_id: &str) -> ApiResult<()> {
        let current = full_contact(self, contact_id).await?;
        let lists = current.list_memberships.clone().unwrap_or_default();
        if !lists.iter().any(|l| l == list_id) {
            return Ok(());
        }
        let mut body = ContactPut::from_contact(&current, "Account");
        body.list_memberships = Some(lists.into_iter().filter(|l| l != list_id).collect());
        self.update_contact(contact_id, &body).await?;
        Ok(())
    }

    fn requests_sent(&self) -> u64 {
        self.request_count()
    }
}

/// A Constant Contact client for the store's settings.
pub fn client_for(store: &Store) -> Result<Client, SyncError> {
    let conn = store.connect()?;
    let settings = config::ctct_settings(&conn)?;
    Client::new(store.clone(), settings).map_err(|e| SyncError::Setup(e.to_string()))
}

/// Runs one job with a client built from the store's settings (the TUI and `ctctsync run` use
/// this); see [`super::run_job_with`].
pub async fn run_job(
    store: &Store,
    job: JobName,
    trigger: Trigger,
    cancel: CancellationToken,
    progress: Option<watch::Sender<Snapshot>>,
) -> Result<RunOutcome, SyncError> {
    let api = client_for(store)?;
    super::run_job_with(&api, store, job, trigger, cancel, progress).await
}

/// Refreshes one contact's interactions from Constant Contact (`contacts show --refresh`).
pub async fn refresh_contact(store: &Store, contact_id: i64) -> Result<usize, SyncError> {
    let api = client_for(store)?;
    super::refresh_contact_with(&api, store, contact_id).await
}

impl Worker {
    /// Starts a worker with its own client built from the store's settings.
    pub fn spawn(store: Store) -> Result<WorkerHandle, SyncError> {
        let api = client_for(&store)?;
        Ok(Worker::spawn_with(store, std::sync::Arc::new(api)))
    }
}
