//! The typed endpoints ctctsync uses (ctct-api.md §3–§6). Collections come back as [`Pages`]
//! streams; `*_all` helpers collect every page.

use futures::TryStreamExt;
use reqwest::Method;
use serde_json::json;

use super::client::Client;
use super::error::CtctError;
use super::models::*;
use super::pages::Pages;

impl Client {
    /// `GET /account/summary` (scope `account_read`).
    pub async fn account_summary(&self) -> Result<AccountSummary, CtctError> {
        self.get_json(self.url(&["account", "summary"], &[])).await
    }

    /// Every contact list, deleted ones included, with member counts (all pages).
    pub async fn contact_lists(&self) -> Result<Vec<ContactList>, CtctError> {
        let pages: Pages<ContactListsPage> = Pages::new(
            self.clone(),
            self.url(
                &["contact_lists"],
                &[
                    ("status", "all".into()),
                    ("include_membership_count", "all".into()),
                    ("include_count", "true".into()),
                    ("limit", "500".into()),
                ],
            ),
        );
        collect(pages).await
    }

    /// `GET /contacts` as a stream of pages (limit 500 unless the query says otherwise).
    pub fn contacts_pages(&self, query: &ContactsQuery) -> Pages<ContactsPage> {
        Pages::new(self.clone(), self.url(&["contacts"], &query.pairs()))
    }

    /// `GET /contacts/{id}` with sub-resources.
    pub async fn contact(&self, id: &str, include: &[Include]) -> Result<Contact, CtctError> {
        let q: Vec<(&str, String)> = if include.is_empty() {
            Vec::new()
        } else {
            vec![("include", Include::csv(include))]
        };
        self.get_json(self.url(&["contacts", id], &q)).await
    }

    /// Contacts with this exact address. `status_all` also finds deleted contacts, which still
    /// reserve their address (P4). The address is percent-encoded (`+` survives, P9).
    pub async fn contacts_by_email(
        &self,
        email: &str,
        status_all: bool,
    ) -> Result<Vec<Contact>, CtctError> {
        let query = ContactsQuery {
            email: Some(email.trim().to_string()),
            status: status_all.then(|| "all".to_string()),
            include: vec![Include::ListMemberships],
            limit: Some(50),
            ..ContactsQuery::default()
        };
        collect(self.contacts_pages(&query)).await
    }

    /// `POST /contacts`. A 409 means the address exists in some state (see P4).
    pub async fn create_contact(&self, body: &ContactCreate) -> Result<Contact, CtctError> {
        let (_, c) = self
            .send_json(Method::POST, self.url(&["contacts"], &[]), body)
            .await?;
        Ok(c)
    }

    /// `PUT /contacts/{id}`: a full replacement of the core fields (build `body` with
    /// [`ContactPut::from_contact`] from a fresh GET).
    pub async fn update_contact(&self, id: &str, body: &ContactPut) -> Result<Contact, CtctError> {
        let (_, c) = self
            .send_json(Method::PUT, self.url(&["contacts", id], &[]), body)
            .await?;
        Ok(c)
    }

    /// `POST /contacts/sign_up_form` (create or update by email; only with the person's consent).
    pub async fn sign_up_form(&self, body: &SignUpForm) -> Result<SignUpFormResult, CtctError> {
        let (_, r) = self
            .send_json(
                Method::POST,
                self.url(&["contacts", "sign_up_form"], &[]),
                body,
            )
            .await?;
        Ok(r)
    }

    /// `POST /activities/add_list_memberships` for up to 500 contacts and 50 lists.
    pub async fn add_list_memberships(
        &self,
        contact_ids: &[String],
        list_ids: &[String],
    ) -> Result<Activity, CtctError> {
        self.bulk("add_list_memberships", contact_ids, list_ids)
            .await
    }

    /// `POST /activities/remove_list_memberships`.
    pub async fn remove_list_memberships(
        &self,
        contact_ids: &[String],
        list_ids: &[String],
    ) -> Result<Activity, CtctError> {
        self.bulk("remove_list_memberships", contact_ids, list_ids)
            .await
    }

    async fn bulk(
        &self,
        which: &str,
        contact_ids: &[String],
        list_ids: &[String],
    ) -> Result<Activity, CtctError> {
        if contact_ids.is_empty() || contact_ids.len() > 500 {
            return Err(CtctError::NotConfigured(format!(
                "{which} takes 1 to 500 contact ids, not {}",
                contact_ids.len()
            )));
        }
        if list_ids.is_empty() || list_ids.len() > 50 {
            return Err(CtctError::NotConfigured(format!(
                "{which} takes 1 to 50 list ids, not {}",
                list_ids.len()
            )));
        }
        let body = json!({"source": {"contact_ids": contact_ids}, "list_ids": list_ids});
        let (_, a) = self
            .send_json(Method::POST, self.url(&["activities", which], &[]), &body)
            .await?;
        Ok(a)
    }

    /// `GET /activities/{id}` (poll a bulk activity).
    pub async fn activity(&self, id: &str) -> Result<Activity, CtctError> {
        self.get_json(self.url(&["activities", id], &[])).await
    }

    /// `GET /emails` (campaigns, newest `updated_at` first) as pages.
    pub fn emails_pages(&self) -> Pages<EmailsPage> {
        Pages::new(
            self.clone(),
            self.url(&["emails"], &[("limit", "500".into())]),
        )
    }

    /// `GET /emails/{campaign_id}` with its campaign activities.
    pub async fn email(&self, campaign_id: &str) -> Result<EmailCampaign, CtctError> {
        self.get_json(self.url(&["emails", campaign_id], &[])).await
    }

    /// `GET /emails/activities/{campaign_activity_id}`.
    pub async fn email_activity(
        &self,
        campaign_activity_id: &str,
    ) -> Result<CampaignActivity, CtctError> {
        self.get_json(self.url(&["emails", "activities", campaign_activity_id], &[]))
            .await
    }

    /// The campaign-level tracking report of one kind, newest first, 500 rows a page; stop
    /// early by dropping the stream once rows reach what is already stored.
    pub fn tracking_pages(
        &self,
        campaign_activity_id: &str,
        kind: TrackingKind,
    ) -> Pages<TrackingPage> {
        Pages::new(
            self.clone(),
            self.url(
                &[
                    "reports",
                    "email_reports",
                    campaign_activity_id,
                    "tracking",
                    kind.path(),
                ],
                &[("limit", "500".into())],
            ),
        )
    }

    /// One contact's activities (`activity_details`), newest first; `types` defaults to the six
    /// email types; `limit` is clamped to 1–100 (P11).
    pub fn contact_activity_details(
        &self,
        contact_id: &str,
        types: &[&str],
        limit: u32,
    ) -> Pages<TrackingPage> {
        let types = if types.is_empty() {
            EMAIL_ACTIVITY_TYPES.join(",")
        } else {
            types.join(",")
        };
        Pages::new(
            self.clone(),
            self.url(
                &["reports", "contact_reports", contact_id, "activity_details"],
                &[
                    ("tracking_activities_list", types),
                    ("include_campaign_activity_names", "true".into()),
                    ("limit", limit.clamp(1, 100).to_string()),
                ],
            ),
        )
    }

    /// Every bulk email campaign summary (all pages), newest `last_sent_date` first.
    pub async fn email_campaign_summaries(&self) -> Result<Vec<CampaignSummary>, CtctError> {
        let pages: Pages<CampaignSummariesPage> = Pages::new(
            self.clone(),
            self.url(
                &["reports", "summary_reports", "email_campaign_summaries"],
                &[("limit", "500".into())],
            ),
        );
        collect(pages).await
    }

    /// Counts per campaign activity, 10 ids per request (more are split into several calls).
    pub async fn campaign_activity_stats(
        &self,
        ids: &[String],
    ) -> Result<Vec<ActivityStatsResult>, CtctError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(10) {
            let joined = chunk.join(",");
            let stats: ActivityStats = self
                .get_json(self.url(
                    &["reports", "stats", "email_campaign_activities", &joined],
                    &[],
                ))
                .await?;
            out.extend(stats.results);
        }
        Ok(out)
    }

    /// `GET /contact_custom_fields` (all pages).
    pub async fn custom_fields(&self) -> Result<Vec<CustomField>, CtctError> {
        let pages: Pages<CustomFieldsPage> = Pages::new(
            self.clone(),
            self.url(&["contact_custom_fields"], &[("limit", "100".into())]),
        );
        collect(pages).await
    }
}

/// Every item of every page.
pub async fn collect<P>(pages: Pages<P>) -> Result<Vec<P::Item>, CtctError>
where
    P: Page + serde::de::DeserializeOwned + Send + 'static,
{
    pages.map_ok(|p| p.into_items()).try_concat().await
}
