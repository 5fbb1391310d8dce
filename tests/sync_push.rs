//! The push: edits and list adds go through the outbox and reach the sandbox; during an outage
//! nothing is lost and each edit is delivered exactly once after it (coalesced per contact); an
//! email change keeps the link; a self-unsubscribed contact is not re-subscribed; add-to-list
//! creates unlinked contacts and links existing ones (409).

mod sync_support;

use std::sync::Arc;
use std::time::Duration;

use ctctsync::ctct::{ContactPut, EmailAddressPut, Include};
use ctctsync::store::contacts::{self, ContactEdit};
use ctctsync::store::jobs::{JobName, RunStatus};
use ctctsync::store::outbox::{self, Status};
use ctctsync::store::{self, lists};
use ctctsync::sync::{self, Trigger};
use serde_json::json;
use sync_support::*;
use tokio_util::sync::CancellationToken;

async fn prepared(n: usize) -> (Env, Vec<(i64, SandboxContact)>) {
    let env = env(n, 2, 200).await;
    let remote = sandbox_contacts(&env).await;
    let live: Vec<_> = remote
        .iter()
        .filter(|c| c.status != "deleted" && c.status != "unsubscribed")
        .cloned()
        .collect();
    let crm = import_crm(&env.store, &live[..10]);
    let api = fast_client(&env);
    for job in [JobName::Synccontactlists, JobName::Synccontacts] {
        let o = sync::run_job_with(
            &api,
            &env.store,
            job,
            Trigger::Cli,
            CancellationToken::new(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(o.status, RunStatus::Succeeded, "{:?}", o.error);
    }
    (env, crm)
}

fn edit(env: &Env, id: i64, e: ContactEdit) -> Option<i64> {
    let mut conn = env.store.connect().unwrap();
    let tx = store::write_tx(&mut conn).unwrap();
    let r = contacts::save_edit(&tx, id, &e, true).unwrap();
    tx.commit().unwrap();
    r
}

async fn wait_delivered(env: &Env, secs: u64) {
    for _ in 0..secs * 10 {
        let conn = env.store.connect().unwrap();
        let (pending, _) = outbox::counts(&conn).unwrap();
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("outbox not drained in {secs} s");
}

async fn remote(env: &Env, id: &str) -> ctctsync::ctct::Contact {
    fast_client(env)
        .contact(id, &[Include::ListMemberships])
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_during_an_outage_are_delivered_once_after_it() {
    let (env, crm) = prepared(40).await;
    let (a, b, c) = (&crm[0], &crm[1], &crm[2]);
    let worker = sync::outbox::Worker::spawn_with_options(
        env.store.clone(),
        Arc::new(fast_client(&env)),
        sync::outbox::WorkerOptions {
            backoff_base: Duration::from_millis(200),
            ..Default::default()
        },
    );
    // The outage: every API request fails with 503.
    env.fault(json!({"kind": "status", "status": 503, "count": 100000}))
        .await;
    let puts_before = env.stats().await;
    for i in 0..4 {
        edit(
            &env,
            a.0,
            ContactEdit {
                first_name: Some(format!("Ann{i}")),
                ..Default::default()
            },
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    edit(
        &env,
        b.0,
        ContactEdit {
            last_name: Some("Outage-Lastname".into()),
            ..Default::default()
        },
    );
    edit(
        &env,
        c.0,
        ContactEdit {
            do_not_email: Some(true),
            ..Default::default()
        },
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    {
        let conn = env.store.connect().unwrap();
        let waiting = outbox::undelivered(&conn, 50).unwrap();
        // One entry per contact (an edit made while an attempt is in flight may add a second).
        assert!((3..=5).contains(&waiting.len()), "{waiting:?}");
        assert!(waiting.iter().all(|e| e.status != Status::Delivered));
        assert!(
            waiting
                .iter()
                .any(|e| e.last_error.as_deref().is_some_and(|m| !m.is_empty()))
        );
    }
    env.fault(json!({"kind": "clear"})).await;
    wait_delivered(&env, 20).await;

    let conn = env.store.connect().unwrap();
    for (id, _) in [a, b, c] {
        let entries = outbox::for_contact(&conn, *id, 10).unwrap();
        assert!(!entries.is_empty() && entries.len() <= 2, "{entries:?}");
        assert!(
            entries.iter().all(|e| e.status == Status::Delivered),
            "{entries:?}"
        );
    }
    let ra = remote(&env, &a.1.contact_id).await;
    assert_eq!(ra.first_name.as_deref(), Some("Ann3"));
    assert_eq!(
        ra.last_name.as_deref(),
        Some(a.1.last_name.as_str()).filter(|s| !s.is_empty())
    );
    let rb = remote(&env, &b.1.contact_id).await;
    assert_eq!(rb.last_name.as_deref(), Some("Outage-Lastname"));
    assert!(
        !rb.list_memberships.clone().unwrap_or_default().is_empty() || b.1.status.is_empty(),
        "lists kept"
    );
    let rc = remote(&env, &c.1.contact_id).await;
    assert_eq!(
        rc.email_address.unwrap().permission_to_send.as_deref(),
        Some("unsubscribed")
    );
    // Exactly once: one PUT per contact after the outage.
    let after = env.stats().await;
    let puts = |s: &serde_json::Value| -> u64 {
        s["by_endpoint"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| k.starts_with("PUT "))
                    .filter_map(|(_, v)| v.as_u64())
                    .sum()
            })
            .unwrap_or(0)
    };
    assert_eq!(puts(&after) - puts(&puts_before), 3, "{after}");
    worker.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_change_keeps_link_and_self_unsubscribed_stays_unsubscribed() {
    let (env, crm) = prepared(30).await;
    let api = fast_client(&env);
    let (a, b) = (&crm[0], &crm[1]);
    // Email change: pushed, and the link (the Constant Contact id) is unchanged.
    let new_email = format!("renamed.{}", a.1.email);
    edit(
        &env,
        a.0,
        ContactEdit {
            email: Some(Some(new_email.clone())),
            ..Default::default()
        },
    );
    sync::outbox::drain(&api, &env.store).await.unwrap();
    let ra = remote(&env, &a.1.contact_id).await;
    assert_eq!(ra.email(), Some(new_email.as_str()));
    let o = sync::run_job_with(
        &api,
        &env.store,
        JobName::Synccontacts,
        Trigger::Cli,
        CancellationToken::new(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(o.status, RunStatus::Succeeded);
    let conn = env.store.connect().unwrap();
    assert_eq!(
        contacts::get(&conn, a.0)
            .unwrap()
            .unwrap()
            .ctct_id
            .as_deref(),
        Some(a.1.contact_id.as_str())
    );

    // b unsubscribes themselves in Constant Contact (update_source Contact).
    let current = api.contact(&b.1.contact_id, &Include::ALL).await.unwrap();
    let mut body = ContactPut::from_contact(&current, "Contact");
    body.email_address = Some(EmailAddressPut {
        address: b.1.email.clone(),
        permission_to_send: Some("unsubscribed".into()),
        opt_out_reason: Some("not interested".into()),
    });
    api.update_contact(&b.1.contact_id, &body).await.unwrap();
    let o = sync::run_job_with(
        &api,
        &env.store,
        JobName::Synccontacts,
        Trigger::Cli,
        CancellationToken::new(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(o.status, RunStatus::Succeeded);
    let cb = contacts::get(&conn, b.0).unwrap().unwrap();
    assert_eq!(
        cb.ctct_status.as_deref(),
        Some("unsubscribed"),
        "seen by the incremental pass"
    );
    assert_eq!(cb.ctct_opt_out_source.as_deref(), Some("Contact"));
    // The CRM turns Do Not Email on and off again: not re-subscribed, and the outcome says why.
    edit(
        &env,
        b.0,
        ContactEdit {
            do_not_email: Some(true),
            ..Default::default()
        },
    );
    sync::outbox::drain(&api, &env.store).await.unwrap();
    edit(
        &env,
        b.0,
        ContactEdit {
            do_not_email: Some(false),
            ..Default::default()
        },
    );
    sync::outbox::drain(&api, &env.store).await.unwrap();
    let rb = remote(&env, &b.1.contact_id).await;
    assert_eq!(
        rb.email_address.unwrap().permission_to_send.as_deref(),
        Some("unsubscribed")
    );
    let last = outbox::for_contact(&conn, b.0, 1).unwrap().remove(0);
    assert_eq!(last.status, Status::Delivered);
    assert!(
        last.outcome
            .as_deref()
            .unwrap_or("")
            .contains("re-subscribe"),
        "{:?}",
        last.outcome
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_to_list_creates_or_links() {
    let (env, _crm) = prepared(30).await;
    let api = fast_client(&env);
    let remote_all = sandbox_contacts(&env).await;
    let conn = env.store.connect().unwrap();
    let list = lists::all(&conn)
        .unwrap()
        .into_iter()
        .find(|l| l.deleted_at.is_none())
        .unwrap();
    // A brand-new person in the CRM, with Do Not Email on.
    let new_id = import_crm(
        &env.store,
        &[SandboxContact {
            email: "brand.new.person@example.org".into(),
            first_name: "Brand".into(),
            last_name: "New".into(),
            status: "unsubscribed".into(),
            contact_id: "new".into(),
        }],
    )[0]
    .0;
    // A CRM contact whose address exists in Constant Contact but is not linked yet (409 path).
    let existing = remote_all
        .iter()
        .find(|c| c.status == "deleted")
        .or_else(|| remote_all.last())
        .unwrap()
        .clone();
    let old_id = import_crm(&env.store, std::slice::from_ref(&existing))[0].0;
    let mut c2 = env.store.connect().unwrap();
    sync::request_add_to_list(&mut c2, new_id, &list.list_id).unwrap();
    sync::request_add_to_list(&mut c2, old_id, &list.list_id).unwrap();
    assert_eq!(
        lists::memberships_of(&conn, new_id).unwrap()[0].1,
        "pending_add"
    );
    sync::outbox::drain(&api, &env.store).await.unwrap();

    let n = contacts::get(&conn, new_id).unwrap().unwrap();
    let nid = n.ctct_id.clone().unwrap_or_else(|| {
        panic!(
            "created and linked: {:?}",
            outbox::for_contact(&conn, new_id, 5)
        )
    });
    let rn = remote(&env, &nid).await;
    assert_eq!(
        rn.email_address.unwrap().permission_to_send.as_deref(),
        Some("unsubscribed")
    );
    assert!(
        rn.list_memberships
            .unwrap_or_default()
            .contains(&list.list_id)
    );
    let o = contacts::get(&conn, old_id).unwrap().unwrap();
    assert_eq!(
        o.ctct_id.as_deref(),
        Some(existing.contact_id.as_str()),
        "found with status=all and linked"
    );
    let ro = remote(&env, &existing.contact_id).await;
    assert!(ro.deleted_at.is_none());
    assert!(
        ro.list_memberships
            .unwrap_or_default()
            .contains(&list.list_id)
    );
    assert_eq!(lists::memberships_of(&conn, old_id).unwrap()[0].1, "member");
    let (pending, failed) = outbox::counts(&conn).unwrap();
    assert_eq!((pending, failed), (0, 0));
}
