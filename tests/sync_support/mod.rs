//! Shared set-up for the sync tests: a logged-in sandbox environment (from `ctct_support`), a CRM
//! seeded from the sandbox's own contacts, and helpers to run jobs and read results.
#![allow(dead_code)]

#[path = "../ctct_support/mod.rs"]
pub mod ctct_support;

use std::time::Duration;

pub use ctct_support::Env;
use ctctsync::ctct::{Client, ClientOptions};
use ctctsync::sandbox::SandboxConfig;
use ctctsync::store::contacts::{self, ContactFields};
use ctctsync::store::jobs::{JobName, RunStatus};
use ctctsync::store::{self, Store};
use ctctsync::sync::{self, RunOutcome, Trigger};
use tokio_util::sync::CancellationToken;

/// A sandbox with `contacts` contacts and `activities` rows, logged in.
pub async fn env(contacts: usize, campaigns: usize, activities: usize) -> Env {
    env_with(move |c: &mut SandboxConfig| {
        c.contacts = contacts;
        c.campaigns = campaigns;
        c.activities = activities;
    })
    .await
}

pub async fn env_with(tweak: impl FnOnce(&mut SandboxConfig)) -> Env {
    let env = ctct_support::env_with("127.0.0.1", tweak).await;
    env.login().await;
    env
}

/// A client with quick retries (tests of outages need no 30 s backoff).
pub fn fast_client(env: &Env) -> Client {
    Client::with_options(
        env.store.clone(),
        env.settings.clone(),
        ClientOptions {
            max_attempts: 2,
            backoff_base: Duration::from_millis(10),
            backoff_cap: Duration::from_millis(50),
            pace_interval: Duration::from_millis(1),
            ..ClientOptions::default()
        },
    )
    .expect("client")
}

/// One row of the sandbox's contacts.csv.
#[derive(Debug, Clone)]
pub struct SandboxContact {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub contact_id: String,
}

pub async fn sandbox_contacts(env: &Env) -> Vec<SandboxContact> {
    let text = reqwest::get(format!("{}/__sandbox/contacts.csv", env.sandbox.base_url()))
        .await
        .expect("contacts.csv")
        .text()
        .await
        .expect("csv text");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records()
        .map(|r| {
            let r = r.expect("csv row");
            SandboxContact {
                email: r[0].to_string(),
                first_name: r[1].to_string(),
                last_name: r[2].to_string(),
                status: r[3].to_string(),
                contact_id: r[4].to_string(),
            }
        })
        .collect()
}

/// Puts `which` sandbox contacts into the CRM (no Constant Contact id: the contact sync links
/// them). Returns (CRM id, sandbox contact).
/// The sandbox's contacts that are not deleted.
pub async fn live_contacts(env: &Env) -> Vec<SandboxContact> {
    sandbox_contacts(env)
        .await
        .into_iter()
        .filter(|c| c.status != "deleted")
        .collect()
}

pub fn import_crm(store: &Store, which: &[SandboxContact]) -> Vec<(i64, SandboxContact)> {
    let mut conn = store.connect().expect("conn");
    let tx = store::write_tx(&mut conn).expect("tx");
    let mut out = Vec::new();
    for (i, c) in which.iter().enumerate() {
        let id = contacts::upsert(
            &tx,
            &ContactFields {
                crm_id: Some(format!("CRM-{i}-{}", c.contact_id)),
                client_id: None,
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                email: Some(c.email.clone()),
                do_not_email: c.status == "unsubscribed",
            },
        )
        .expect("upsert")
        .id();
        out.push((id, c.clone()));
    }
    tx.commit().expect("commit");
    out
}

pub async fn run(env: &Env, job: JobName) -> RunOutcome {
    let o = sync::run_job(
        &env.store,
        job,
        Trigger::Cli,
        CancellationToken::new(),
        None,
    )
    .await
    .expect("run starts");
    assert_eq!(o.status, RunStatus::Succeeded, "{job}: {:?}", o.error);
    o
}

/// Every interaction's natural key, sorted.
pub fn interaction_keys(store: &Store) -> Vec<(String, String, String, String, String)> {
    let conn = store.connect().expect("conn");
    let mut stmt = conn
        .prepare(
            "SELECT ctct_contact_id, campaign_activity_id, kind, occurred_at, link_url FROM interactions
             ORDER BY 1, 2, 3, 4, 5",
        )
        .expect("prepare");
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

pub fn count(store: &Store, sql: &str) -> i64 {
    store
        .connect()
        .expect("conn")
        .query_row(sql, [], |r| r.get(0))
        .expect("count")
}
