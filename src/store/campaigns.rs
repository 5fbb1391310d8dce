//! Campaigns and campaign activities: the names shown on interactions and event subjects.

use rusqlite::{Connection, params};

use super::{OptionalRow, Result, time};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignFields {
    pub campaign_id: String,
    pub name: String,
    pub current_status: Option<String>,
    pub kind: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub last_sent_at: Option<String>,
}

pub fn upsert_campaign(conn: &Connection, c: &CampaignFields) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO campaigns (campaign_id, name, current_status, type, created_at, updated_at,
           last_sent_at, synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(campaign_id) DO UPDATE SET name = excluded.name,
           current_status = excluded.current_status, type = excluded.type,
           created_at = excluded.created_at, updated_at = excluded.updated_at,
           last_sent_at = coalesce(excluded.last_sent_at, campaigns.last_sent_at),
           synced_at = excluded.synced_at
         WHERE (campaigns.name, campaigns.current_status, campaigns.type, campaigns.updated_at,
                campaigns.last_sent_at)
           IS NOT (excluded.name, excluded.current_status, excluded.type, excluded.updated_at,
                   coalesce(excluded.last_sent_at, campaigns.last_sent_at))",
        params![
            c.campaign_id,
            c.name,
            c.current_status,
            c.kind,
            c.created_at,
            c.updated_at,
            c.last_sent_at,
            time::now()
        ],
    )?;
    Ok(n > 0)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFields {
    pub campaign_activity_id: String,
    pub campaign_id: Option<String>,
    pub role: Option<String>,
    pub subject: Option<String>,
    /// The display name: the campaign's name, or a label such as "Automated email (ab12…)".
    pub name: Option<String>,
}

pub fn upsert_activity(conn: &Connection, a: &ActivityFields) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO campaign_activities (campaign_activity_id, campaign_id, role, subject, name, synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(campaign_activity_id) DO UPDATE SET
           campaign_id = coalesce(excluded.campaign_id, campaign_activities.campaign_id),
           role = coalesce(excluded.role, campaign_activities.role),
           subject = coalesce(excluded.subject, campaign_activities.subject),
           name = coalesce(excluded.name, campaign_activities.name),
           synced_at = excluded.synced_at
         WHERE (campaign_activities.campaign_id, campaign_activities.role, campaign_activities.subject,
                campaign_activities.name)
           IS NOT (coalesce(excluded.campaign_id, campaign_activities.campaign_id),
                   coalesce(excluded.role, campaign_activities.role),
                   coalesce(excluded.subject, campaign_activities.subject),
                   coalesce(excluded.name, campaign_activities.name))",
        params![
            a.campaign_activity_id,
            a.campaign_id,
            a.role,
            a.subject,
            a.name,
            time::now()
        ],
    )?;
    Ok(n > 0)
}

/// The display name of a campaign activity: its own resolved name, else its campaign's name.
pub fn activity_name(conn: &Connection, campaign_activity_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT coalesce(a.name, c.name) FROM campaign_activities a
             LEFT JOIN campaigns c ON c.campaign_id = a.campaign_id
             WHERE a.campaign_activity_id = ?1",
            [campaign_activity_id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional_row()?
        .flatten())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Campaign {
    pub campaign_id: String,
    pub name: String,
    pub current_status: Option<String>,
    pub last_sent_at: Option<String>,
}

/// Every campaign, most recently sent or updated first.
pub fn all(conn: &Connection) -> Result<Vec<Campaign>> {
    let mut stmt = conn.prepare_cached(
        "SELECT campaign_id, name, current_status, last_sent_at FROM campaigns
         ORDER BY coalesce(last_sent_at, updated_at) DESC, name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Campaign {
            campaign_id: r.get(0)?,
            name: r.get(1)?,
            current_status: r.get(2)?,
            last_sent_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Campaign activity ids that belong to sendable roles (primary_email, resend) of a campaign.
pub fn activities_of(conn: &Connection, campaign_id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT campaign_activity_id FROM campaign_activities WHERE campaign_id = ?1
         AND coalesce(role, 'primary_email') IN ('primary_email', 'resend') ORDER BY campaign_activity_id",
    )?;
    let rows = stmt.query_map([campaign_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
