//! Interactions: engagement activities of linked contacts (SPEC §3), newest first.

use rusqlite::{Connection, Row, params};

use super::{Result, time};

/// The six tracking activity types and how the product names them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Kind {
    #[serde(rename = "em_sends")]
    Send,
    #[serde(rename = "em_opens")]
    Open,
    #[serde(rename = "em_clicks")]
    Click,
    #[serde(rename = "em_bounces")]
    Bounce,
    #[serde(rename = "em_optouts")]
    OptOut,
    #[serde(rename = "em_forwards")]
    Forward,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Send,
        Kind::Open,
        Kind::Click,
        Kind::Bounce,
        Kind::OptOut,
        Kind::Forward,
    ];

    /// The wire name (`em_sends`, …).
    pub fn code(self) -> &'static str {
        match self {
            Kind::Send => "em_sends",
            Kind::Open => "em_opens",
            Kind::Click => "em_clicks",
            Kind::Bounce => "em_bounces",
            Kind::OptOut => "em_optouts",
            Kind::Forward => "em_forwards",
        }
    }

    /// The path segment of the campaign-level tracking report (`sends`, …).
    pub fn report_path(self) -> &'static str {
        match self {
            Kind::Send => "sends",
            Kind::Open => "opens",
            Kind::Click => "clicks",
            Kind::Bounce => "bounces",
            Kind::OptOut => "optouts",
            Kind::Forward => "forwards",
        }
    }

    /// Shown in tables: Sent / Opened / Clicked / Bounced / Opted Out / Forwarded.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Send => "Sent",
            Kind::Open => "Opened",
            Kind::Click => "Clicked",
            Kind::Bounce => "Bounced",
            Kind::OptOut => "Opted Out",
            Kind::Forward => "Forwarded",
        }
    }

    /// The action word of an event subject: "CTCT: Open - Q1 Newsletter".
    pub fn action(self) -> &'static str {
        match self {
            Kind::Send => "Send",
            Kind::Open => "Open",
            Kind::Click => "Click",
            Kind::Bounce => "Bounce",
            Kind::OptOut => "Opt Out",
            Kind::Forward => "Forward",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Interaction {
    pub id: i64,
    pub contact_id: i64,
    pub ctct_contact_id: String,
    pub campaign_activity_id: String,
    pub kind: Kind,
    pub occurred_at: String,
    pub link_url: String,
    pub url_id: Option<String>,
    pub bounce_code: Option<String>,
    pub device_type: Option<String>,
    pub opt_out_reason: Option<String>,
    /// Resolved campaign name (joined; None when Constant Contact could not resolve it).
    pub campaign_name: Option<String>,
}

/// One activity to store. `occurred_at` must be normalized with [`time::fmt_ms`] so the
/// natural key matches across runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewInteraction {
    pub contact_id: i64,
    pub ctct_contact_id: String,
    pub campaign_activity_id: String,
    pub kind: Option<Kind>,
    pub occurred_at: String,
    pub link_url: String,
    pub url_id: Option<String>,
    pub bounce_code: Option<String>,
    pub device_type: Option<String>,
    pub opt_out_reason: Option<String>,
}

pub const INSERT_SQL: &str =
    "INSERT INTO interactions (contact_id, ctct_contact_id, campaign_activity_id, kind,
      occurred_at, link_url, url_id, bounce_code, device_type, opt_out_reason)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT(ctct_contact_id, campaign_activity_id, kind, occurred_at, link_url) DO NOTHING";

/// Inserts activities idempotently; returns how many were new. Call inside a transaction.
pub fn insert_many(conn: &Connection, rows: &[NewInteraction]) -> Result<usize> {
    let mut stmt = conn.prepare_cached(INSERT_SQL)?;
    let mut new = 0;
    for r in rows {
        let Some(kind) = r.kind else { continue };
        new += stmt.execute(params![
            r.contact_id,
            r.ctct_contact_id,
            r.campaign_activity_id,
            kind.code(),
            r.occurred_at,
            r.link_url,
            r.url_id,
            r.bounce_code,
            r.device_type,
            r.opt_out_reason
        ])?;
    }
    Ok(new)
}

/// Refreshes `contacts.last_activity_at` from interactions (after a sync).
pub fn refresh_last_activity(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE contacts SET last_activity_at = (SELECT max(occurred_at) FROM interactions i WHERE i.contact_id = contacts.id)
         WHERE ctct_id IS NOT NULL AND last_activity_at IS NOT
           (SELECT max(occurred_at) FROM interactions i WHERE i.contact_id = contacts.id)",
        [],
    )?)
}

const COLS: &str = "i.id, i.contact_id, i.ctct_contact_id, i.campaign_activity_id, i.kind, i.occurred_at,
     i.link_url, i.url_id, i.bounce_code, i.device_type, i.opt_out_reason, coalesce(a.name, c.name)";
const JOIN: &str = "FROM interactions i
     LEFT JOIN campaign_activities a ON a.campaign_activity_id = i.campaign_activity_id
     LEFT JOIN campaigns c ON c.campaign_id = a.campaign_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Interaction> {
    let kind: String = r.get(4)?;
    Ok(Interaction {
        id: r.get(0)?,
        contact_id: r.get(1)?,
        ctct_contact_id: r.get(2)?,
        campaign_activity_id: r.get(3)?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Send),
        occurred_at: r.get(5)?,
        link_url: r.get(6)?,
        url_id: r.get(7)?,
        bounce_code: r.get(8)?,
        device_type: r.get(9)?,
        opt_out_reason: r.get(10)?,
        campaign_name: r.get(11)?,
    })
}

/// A contact's interactions newest first, after the (occurred_at, id) key of the last row shown.
pub fn page_for_contact(
    conn: &Connection,
    contact_id: i64,
    before: Option<(&str, i64)>,
    limit: usize,
) -> Result<Vec<Interaction>> {
    let (t, id) = before.unwrap_or(("9999", i64::MAX));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} {JOIN} WHERE i.contact_id = ?1 AND i.occurred_at <= ?2 AND (i.occurred_at, i.id) < (?2, ?3)
         ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![contact_id, t, id, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// All members' interactions of a client, newest first, paged like [`page_for_contact`].
pub fn page_for_client(
    conn: &Connection,
    client_id: i64,
    before: Option<(&str, i64)>,
    limit: usize,
) -> Result<Vec<Interaction>> {
    let (t, id) = before.unwrap_or(("9999", i64::MAX));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} {JOIN} WHERE i.contact_id IN (SELECT id FROM contacts WHERE client_id = ?1)
           AND i.occurred_at <= ?2 AND (i.occurred_at, i.id) < (?2, ?3)
         ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![client_id, t, id, limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM interactions", [], |r| r.get(0))?)
}

pub fn count_for_contact(conn: &Connection, contact_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM interactions WHERE contact_id = ?1",
        [contact_id],
        |r| r.get(0),
    )?)
}

/// One campaign activity's counts: (campaign_activity_id, name,
/// [sent, opened, clicked, bounced, opted out, forwarded]).
pub type CampaignRollup = (String, Option<String>, [i64; 6]);

/// Per-campaign-activity counts by kind (for the Lists tab roll-ups).
pub fn rollup_by_campaign(conn: &Connection) -> Result<Vec<CampaignRollup>> {
    let mut stmt = conn.prepare(
        "SELECT i.campaign_activity_id, coalesce(a.name, c.name),
           sum(i.kind = 'em_sends'), sum(i.kind = 'em_opens'), sum(i.kind = 'em_clicks'),
           sum(i.kind = 'em_bounces'), sum(i.kind = 'em_optouts'), sum(i.kind = 'em_forwards'),
           max(i.occurred_at) AS latest
         FROM interactions i
         LEFT JOIN campaign_activities a ON a.campaign_activity_id = i.campaign_activity_id
         LEFT JOIN campaigns c ON c.campaign_id = a.campaign_id
         GROUP BY i.campaign_activity_id ORDER BY latest DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            [
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ],
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Normalizes any RFC 3339 activity time to the stored form; None when it cannot be parsed.
pub fn normalize_time(s: &str) -> Option<String> {
    time::parse(s).map(time::fmt_ms)
}

/// Interactions per calendar month (UTC) of one contact or of a client's members:
/// (year, month, counts in [`Kind::ALL`] order), oldest first. For the engagement chart.
pub fn monthly_counts(
    conn: &Connection,
    contact_id: Option<i64>,
    client_id: Option<i64>,
) -> Result<Vec<(i32, u32, [i64; 6])>> {
    // Two statements rather than an OR, so each uses its index.
    let (filter, key) = match (contact_id, client_id) {
        (Some(c), _) => ("contact_id = ?1", c),
        (None, Some(c)) => (
            "contact_id IN (SELECT id FROM contacts WHERE client_id = ?1)",
            c,
        ),
        (None, None) => return Ok(Vec::new()),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT CAST(substr(occurred_at, 1, 4) AS INTEGER), CAST(substr(occurred_at, 6, 2) AS INTEGER),
           sum(kind = 'em_sends'), sum(kind = 'em_opens'), sum(kind = 'em_clicks'),
           sum(kind = 'em_bounces'), sum(kind = 'em_optouts'), sum(kind = 'em_forwards')
         FROM interactions WHERE {filter}
         GROUP BY 1, 2 ORDER BY 1, 2"
    ))?;
    let rows = stmt.query_map([key], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            [
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ],
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
