//! The dashboard's reads and writes, run on the UI's database threads (never on the event loop).
//!
//! Reads are [`DashQuery`] values answered with [`DashData`] on the read-only query worker; every
//! table is read one window at a time by key (`after` / `before` cursors, never OFFSET, never the
//! whole table). Writes are [`DashWrite`] values applied by the writer thread inside its one
//! `BEGIN IMMEDIATE` transaction. CSV export is a read too: it streams the rows a table shows by
//! key into a file in the data dir.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::schedule::cron::Schedule;
use crate::store::clients::Client;
use crate::store::contacts::{Contact, ContactEdit};
use crate::store::credentials::AuthState;
use crate::store::events::Event;
use crate::store::interactions::Interaction;
use crate::store::jobs::{Job, JobName, Run};
use crate::store::lists::List;
use crate::store::outbox::Entry;
use crate::store::{self, StoreError};

/// The daily request quota of a Constant Contact application (shown as a gauge).
pub const DAILY_QUOTA: i64 = 10_000;

/// Rows per window read from the store.
pub const PAGE: usize = 120;

/// Which part of the screen a reply belongs to; each slot keeps its own latest generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Overview,
    Contacts,
    Contact,
    ContactActivity,
    Chart,
    Clients,
    Client,
    ClientTimeline,
    ClientActivity,
    Lists,
    Outbox,
    Settings,
    Export,
}

/// A keyset cursor: the sort key of the row a window starts after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Contacts: (last name, first name, id).
    Name3(String, String, i64),
    /// Clients: (name key, id).
    Name2(String, i64),
    /// Newest-first tables: (time, id).
    Time(String, i64),
    /// Newest-first by id (outbox).
    Id(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashQuery {
    /// `today` is the UTC day of the screen's clock (for the API request count).
    Overview {
        user: String,
        today: String,
    },
    Contacts {
        after: Option<Cursor>,
        filter: String,
        limit: usize,
    },
    Contact {
        id: i64,
    },
    Interactions {
        contact: i64,
        after: Option<Cursor>,
        limit: usize,
    },
    Chart {
        contact: Option<i64>,
        client: Option<i64>,
    },
    Clients {
        after: Option<Cursor>,
        filter: String,
        limit: usize,
    },
    Client {
        id: i64,
    },
    ClientTimeline {
        client: i64,
        after: Option<Cursor>,
        limit: usize,
    },
    ClientActivity {
        client: i64,
        after: Option<Cursor>,
        limit: usize,
    },
    Lists,
    Outbox {
        after: Option<Cursor>,
        limit: usize,
    },
    Settings,
    Export {
        spec: ExportSpec,
        stamp: String,
    },
}

impl DashQuery {
    pub fn slot(&self) -> Slot {
        match self {
            DashQuery::Overview { .. } => Slot::Overview,
            DashQuery::Contacts { .. } => Slot::Contacts,
            DashQuery::Contact { .. } => Slot::Contact,
            DashQuery::Interactions { .. } => Slot::ContactActivity,
            DashQuery::Chart { .. } => Slot::Chart,
            DashQuery::Clients { .. } => Slot::Clients,
            DashQuery::Client { .. } => Slot::Client,
            DashQuery::ClientTimeline { .. } => Slot::ClientTimeline,
            DashQuery::ClientActivity { .. } => Slot::ClientActivity,
            DashQuery::Lists => Slot::Lists,
            DashQuery::Outbox { .. } => Slot::Outbox,
            DashQuery::Settings => Slot::Settings,
            DashQuery::Export { .. } => Slot::Export,
        }
    }
}

/// One scheduled job as the Jobs tab shows it.
#[derive(Debug, Clone)]
pub struct JobView {
    pub job: Job,
    pub expr: String,
    pub schedule: Result<Schedule, String>,
    pub last: Option<Run>,
    pub running: Option<Run>,
    pub history: Vec<Run>,
}

/// Which optional tabs the user may see (permission + layouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility {
    pub ctct: bool,
    pub contact_ctct: bool,
    pub client_timeline: bool,
    pub client_ctct: bool,
    pub client_membership: bool,
    pub client_activity: bool,
}

impl Default for Visibility {
    fn default() -> Self {
        Visibility {
            ctct: true,
            contact_ctct: true,
            client_timeline: true,
            client_ctct: true,
            client_membership: true,
            client_activity: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub jobs: Vec<JobView>,
    pub requests_today: i64,
    pub auth: AuthState,
    pub auth_reason: Option<String>,
    pub organization: Option<String>,
    pub visibility: Visibility,
    pub timezone: String,
    pub outbox_pending: i64,
    pub outbox_failed: i64,
    /// A live daemon holds the `daemon` lease ("run now" is handed to it).
    pub daemon_pid: Option<i64>,
    pub contacts: i64,
    pub linked: i64,
}

/// A contact row with the name of its client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub contact: Contact,
    pub client: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ContactPage {
    pub row: ContactRow,
    /// (list, state) memberships.
    pub memberships: Vec<(List, String)>,
    /// Every live list (for the "add to a list" picker).
    pub all_lists: Vec<List>,
    /// The contact's newest pushes (the outcome of a save).
    pub pushes: Vec<Entry>,
    pub interactions: i64,
}

#[derive(Debug, Clone)]
pub struct ClientPage {
    pub client: Client,
    pub members: Vec<Contact>,
    /// Lists any member is on, in name order.
    pub lists: Vec<List>,
    /// For each member (same order), the state on each list (same order), if any.
    pub matrix: Vec<Vec<Option<String>>>,
}

/// A list with its member counts.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub list: List,
    pub crm_members: i64,
    pub pending: i64,
}

/// Per-campaign roll-up: (campaign activity id, name, counts in `Kind::ALL` order).
pub type Rollup = (String, Option<String>, [i64; 6]);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    pub counts: [i64; 6],
}

#[derive(Debug, Clone)]
pub struct SettingsData {
    pub progress: crate::setup::Progress,
}

#[derive(Debug, Clone)]
pub enum DashData {
    Overview(Box<Overview>),
    Contacts {
        after: Option<Cursor>,
        filter: String,
        rows: Vec<ContactRow>,
    },
    Contact(Box<ContactPage>),
    Interactions {
        contact: i64,
        after: Option<Cursor>,
        rows: Vec<Interaction>,
    },
    Chart {
        months: Vec<Month>,
    },
    Clients {
        after: Option<Cursor>,
        filter: String,
        rows: Vec<Client>,
    },
    Client(Box<ClientPage>),
    ClientTimeline {
        client: i64,
        after: Option<Cursor>,
        rows: Vec<Event>,
    },
    ClientActivity {
        client: i64,
        after: Option<Cursor>,
        rows: Vec<Interaction>,
    },
    Lists {
        lists: Vec<ListRow>,
        rollups: Vec<Rollup>,
    },
    Outbox {
        after: Option<Cursor>,
        rows: Vec<(Entry, String)>,
    },
    Settings(Box<SettingsData>),
    Exported {
        path: PathBuf,
        rows: usize,
    },
}

/// What a CSV export writes: the table as shown (its filter, its order), streamed by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportSpec {
    Jobs,
    Contacts { filter: String },
    Interactions { contact: i64 },
    Clients { filter: String },
    ClientTimeline { client: i64 },
    ClientActivity { client: i64 },
    Lists,
    Outbox,
}

impl ExportSpec {
    fn name(&self) -> String {
        match self {
            ExportSpec::Jobs => "job-runs".into(),
            ExportSpec::Contacts { .. } => "contacts".into(),
            ExportSpec::Interactions { contact } => format!("contact-{contact}-interactions"),
            ExportSpec::Clients { .. } => "clients".into(),
            ExportSpec::ClientTimeline { client } => format!("client-{client}-timeline"),
            ExportSpec::ClientActivity { client } => format!("client-{client}-activity"),
            ExportSpec::Lists => "lists".into(),
            ExportSpec::Outbox => "outbox".into(),
        }
    }
}

/// A change asked for on the dashboard (applied by the UI's writer thread).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashWrite {
    /// Save a contact edit and queue its push (when linked and the trigger is on).
    SaveContact { id: i64, edit: ContactEdit },
    /// Add to (`add`) or remove from a Constant Contact list: membership + outbox row.
    Membership {
        contact: i64,
        list_id: String,
        add: bool,
    },
    /// Ask the daemon to run a job now.
    RequestRun { job: JobName },
    /// Ask whichever process runs the job to stop it.
    RequestCancel { job: JobName },
    /// Put a failed push back in the queue.
    RetryPush { id: i64 },
}

pub fn apply_write(conn: &Connection, w: &DashWrite) -> Result<(), String> {
    let r: Result<(), StoreError> = match w {
        DashWrite::SaveContact { id, edit } => {
            if let Some(Some(email)) = &edit.email {
                validate_email(email)?;
            }
            let push = crate::config::get_bool(conn, "sync.trigger_enabled").unwrap_or(true);
            store::contacts::save_edit(conn, *id, edit, push).map(|_| ())
        }
        DashWrite::Membership {
            contact,
            list_id,
            add,
        } => store::lists::request_membership_change(conn, *contact, list_id, *add).map(|_| ()),
        DashWrite::RequestRun { job } => store::jobs::request_run(conn, *job, true),
        DashWrite::RequestCancel { job } => store::jobs::request_cancel(conn, *job, true),
        DashWrite::RetryPush { id } => store::outbox::retry_now(conn, *id).map(|_| ()),
    };
    r.map_err(|e| e.to_string())
}

/// A light check before an email is saved and pushed; Constant Contact checks it fully.
pub fn validate_email(email: &str) -> Result<(), String> {
    let e = email.trim();
    if e.is_empty() {
        return Ok(());
    }
    let ok = e.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
    }) && !e.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Email: `{e}` is not an email address (expected name@example.com); fix it and save again"
        ))
    }
}

/// Answers one query on the read-only connection.
pub fn run(conn: &Connection, q: DashQuery) -> Result<DashData, String> {
    run_inner(conn, q).map_err(|e| format!("cannot read the store: {e}"))
}

fn run_inner(conn: &Connection, q: DashQuery) -> Result<DashData, StoreError> {
    Ok(match q {
        DashQuery::Overview { user, today } => {
            DashData::Overview(Box::new(overview(conn, &user, &today)?))
        }
        DashQuery::Contacts {
            after,
            filter,
            limit,
        } => {
            let key = match &after {
                Some(Cursor::Name3(l, f, id)) => Some((l.as_str(), f.as_str(), *id)),
                _ => None,
            };
            let rows = store::contacts::search_after(conn, key, &filter, limit)?;
            let rows = with_clients(conn, rows)?;
            DashData::Contacts {
                after,
                filter,
                rows,
            }
        }
        DashQuery::Contact { id } => {
            let c = store::contacts::get(conn, id)?
                .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
            let row = with_clients(conn, vec![c])?
                .into_iter()
                .next()
                .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
            DashData::Contact(Box::new(ContactPage {
                row,
                memberships: store::lists::memberships_of(conn, id)?,
                all_lists: store::lists::all(conn)?
                    .into_iter()
                    .filter(|l| l.deleted_at.is_none())
                    .collect(),
                pushes: store::outbox::for_contact(conn, id, 5)?,
                interactions: store::interactions::count_for_contact(conn, id)?,
            }))
        }
        DashQuery::Interactions {
            contact,
            after,
            limit,
        } => {
            let key = time_key(&after);
            let rows = store::interactions::page_for_contact(
                conn,
                contact,
                key.as_ref().map(|(t, i)| (t.as_str(), *i)),
                limit,
            )?;
            DashData::Interactions {
                contact,
                after,
                rows,
            }
        }
        DashQuery::Chart { contact, client } => DashData::Chart {
            months: store::interactions::monthly_counts(conn, contact, client)?
                .into_iter()
                .map(|(year, month, counts)| Month {
                    year,
                    month,
                    counts,
                })
                .collect(),
        },
        DashQuery::Clients {
            after,
            filter,
            limit,
        } => {
            let key = match &after {
                Some(Cursor::Name2(k, id)) => Some((k.as_str(), *id)),
                _ => None,
            };
            let rows = store::clients::page_after(conn, key, &filter, limit)?;
            DashData::Clients {
                after,
                filter,
                rows,
            }
        }
        DashQuery::Client { id } => DashData::Client(Box::new(client_page(conn, id)?)),
        DashQuery::ClientTimeline {
            client,
            after,
            limit,
        } => {
            let key = time_key(&after);
            let rows = store::events::page_for_client(
                conn,
                client,
                key.as_ref().map(|(t, i)| (t.as_str(), *i)),
                limit,
            )?;
            DashData::ClientTimeline {
                client,
                after,
                rows,
            }
        }
        DashQuery::ClientActivity {
            client,
            after,
            limit,
        } => {
            let key = time_key(&after);
            let rows = store::interactions::page_for_client(
                conn,
                client,
                key.as_ref().map(|(t, i)| (t.as_str(), *i)),
                limit,
            )?;
            DashData::ClientActivity {
                client,
                after,
                rows,
            }
        }
        DashQuery::Lists => {
            let counts = store::lists::member_counts(conn)?;
            let lists = store::lists::all(conn)?
                .into_iter()
                .filter(|l| l.deleted_at.is_none())
                .map(|l| {
                    let (crm_members, pending) = counts
                        .iter()
                        .find(|(id, _, _)| *id == l.list_id)
                        .map(|(_, m, p)| (*m, *p))
                        .unwrap_or((0, 0));
                    ListRow {
                        list: l,
                        crm_members,
                        pending,
                    }
                })
                .collect();
            DashData::Lists {
                lists,
                rollups: store::interactions::rollup_by_campaign(conn)?,
            }
        }
        DashQuery::Outbox { after, limit } => {
            let before = match &after {
                Some(Cursor::Id(id)) => Some(*id),
                _ => None,
            };
            let entries = store::outbox::undelivered_before(conn, before, limit)?;
            let mut rows = Vec::with_capacity(entries.len());
            for e in entries {
                let name = store::contacts::get(conn, e.contact_id)?
                    .map(|c| contact_label(&c))
                    .unwrap_or_else(|| format!("contact {}", e.contact_id));
                rows.push((e, name));
            }
            DashData::Outbox { after, rows }
        }
        DashQuery::Settings => DashData::Settings(Box::new(SettingsData {
            progress: crate::setup::progress(conn)?,
        })),
        DashQuery::Export { spec, stamp } => {
            // Exports go to the data dir: where the store file lives.
            let dir = conn
                .path()
                .and_then(|p| std::path::Path::new(p).parent().map(|d| d.to_path_buf()))
                .unwrap_or_else(|| PathBuf::from("."));
            let (path, rows) = super::export::export(conn, &spec, &dir, &stamp)?;
            DashData::Exported { path, rows }
        }
    })
}

impl ExportSpec {
    pub fn file_name(&self, stamp: &str) -> String {
        format!("{}-{stamp}.csv", self.name())
    }
}

fn time_key(c: &Option<Cursor>) -> Option<(String, i64)> {
    match c {
        Some(Cursor::Time(t, id)) => Some((t.clone(), *id)),
        _ => None,
    }
}

/// "Ada Lovelace" or the email when the contact has no name.
pub fn contact_label(c: &Contact) -> String {
    let n = c.full_name();
    if n.is_empty() {
        c.email
            .clone()
            .unwrap_or_else(|| format!("contact {}", c.id))
    } else {
        n
    }
}

fn with_clients(conn: &Connection, rows: Vec<Contact>) -> Result<Vec<ContactRow>, StoreError> {
    let mut cache: Vec<(i64, String)> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let client = match c.client_id {
            Some(id) => match cache.iter().find(|(k, _)| *k == id) {
                Some((_, n)) => Some(n.clone()),
                None => {
                    let n = store::clients::get(conn, id)?.map(|cl| cl.name);
                    if let Some(n) = &n {
                        cache.push((id, n.clone()));
                    }
                    n
                }
            },
            None => None,
        };
        out.push(ContactRow { contact: c, client });
    }
    Ok(out)
}

fn overview(conn: &Connection, user: &str, today: &str) -> Result<Overview, StoreError> {
    let tz = crate::config::get(conn, "schedule.timezone")
        .ok()
        .flatten()
        .unwrap_or_else(|| "UTC".to_string());
    let mut jobs = Vec::new();
    for job in store::jobs::all(conn)? {
        let key = format!("schedule.{}", job.name.as_str());
        let expr = crate::config::get(conn, &key)
            .ok()
            .flatten()
            .unwrap_or_default();
        let history = store::jobs::recent_runs(conn, job.name, 50)?;
        let running = store::jobs::running(conn, job.name)?;
        let last = history
            .iter()
            .find(|r| r.status != store::jobs::RunStatus::Running)
            .cloned();
        jobs.push(JobView {
            schedule: Schedule::parse(&expr),
            expr,
            job,
            last,
            running,
            history,
        });
    }
    let cred = store::credentials::get(conn)?;
    let (auth, auth_reason, organization) = match cred {
        Some(c) => (c.state, c.state_reason, c.organization_name),
        None => (AuthState::None, None, None),
    };
    let ctct = store::users::has_permission(conn, user)?;
    let vis = |page: &str, tab: &str| store::layouts::visible(conn, page, tab);
    let visibility = Visibility {
        ctct,
        contact_ctct: ctct && vis("contact", "ctct")?,
        client_timeline: vis("client", "timeline")?,
        client_ctct: ctct && vis("client", "ctct")?,
        client_membership: ctct && vis("client", "ctct")? && vis("client", "ctct.membership")?,
        client_activity: ctct && vis("client", "ctct")? && vis("client", "ctct.activity")?,
    };
    let (outbox_pending, outbox_failed) = store::outbox::counts(conn)?;
    let now = store::time::now();
    let daemon_pid = store::leases::get(conn, "daemon")?
        .filter(|l| l.expires_at > now && store::leases::pid_alive(l.pid))
        .map(|l| l.pid);
    let counts = store::contacts::counts(conn)?;
    Ok(Overview {
        jobs,
        requests_today: store::api_usage::requests_on(conn, today)?,
        auth,
        auth_reason,
        organization,
        visibility,
        timezone: tz,
        outbox_pending,
        outbox_failed,
        daemon_pid,
        contacts: counts.contacts,
        linked: counts.linked,
    })
}

fn client_page(conn: &Connection, id: i64) -> Result<ClientPage, StoreError> {
    let client = store::clients::get(conn, id)?
        .ok_or_else(|| StoreError::NotFound(format!("client {id}")))?;
    // A client's members are a household or an organization: bounded and small.
    let members = store::contacts::by_client(conn, id)?;
    let mut lists: Vec<List> = Vec::new();
    let mut per_member = Vec::with_capacity(members.len());
    for m in &members {
        let ms = store::lists::memberships_of(conn, m.id)?;
        for (l, _) in &ms {
            if !lists.iter().any(|x| x.list_id == l.list_id) {
                lists.push(l.clone());
            }
        }
        per_member.push(ms);
    }
    lists.sort_by_key(|l| l.name.to_lowercase());
    let matrix = per_member
        .iter()
        .map(|ms| {
            lists
                .iter()
                .map(|l| {
                    ms.iter()
                        .find(|(x, _)| x.list_id == l.list_id)
                        .map(|(_, s)| s.clone())
                })
                .collect()
        })
        .collect();
    Ok(ClientPage {
        client,
        members,
        lists,
        matrix,
    })
}

/// Now, for stamps in file names.
pub fn stamp(now: DateTime<Utc>) -> String {
    now.format("%Y%m%d-%H%M%S").to_string()
}
