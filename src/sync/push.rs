//! Delivering one outbox entry to Constant Contact, and what the outcome means for the entry.
//!
//! - `update_contact`: the CRM contact's *current* email, first and last name (so one delivery
//!   carries every edit made since the entry was queued) are merged into the Constant Contact
//!   contact (GET, merge, PUT with update_source: nothing else is blanked). Do Not Email on →
//!   unsubscribed; off → opted back in only where Constant Contact allows it (the account opted
//!   them out); a person who unsubscribed themselves stays unsubscribed and the outcome says they
//!   must re-subscribe themselves.
//! - `add_to_list`: a linked contact is added; an unlinked one is created with the list
//!   (permission from Do Not Email); on 409 (the address exists, perhaps deleted) it is found with
//!   `status=all`, linked, then added.
//! - `remove_from_list`: removed when linked.

use rusqlite::Connection;

use crate::store::contacts::{self, Contact};
use crate::store::outbox::{Entry, Kind};
use crate::store::{StoreError, lists};

use super::api::{ApiError, ContactPush, CtctApi, NewContact, RemoteContact};
use super::contacts::link_one;

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Done; the words are shown to the user.
    Delivered(String),
    /// Will never succeed as it is (bad address, conflict): kept with its reason.
    Failed(String),
    /// Try again later.
    Retry(ApiError),
}

/// What the local store must record after a successful call (applied by the worker in one
/// transaction with the entry's new status).
#[derive(Debug, Clone, Default)]
pub struct Effects {
    pub link: Option<RemoteContact>,
    pub state: Option<RemoteContact>,
    pub membership: Option<(String, Option<&'static str>)>,
}

fn valid_email(contact: &Contact) -> Result<String, String> {
    let Some(email) = contact
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    else {
        return Err(format!(
            "{} has no email address; add one in the CRM, then retry",
            display(contact)
        ));
    };
    let ok = email.len() <= 80
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.ends_with('.'))
        && !email.chars().any(char::is_whitespace);
    if ok {
        Ok(email.to_string())
    } else {
        Err(format!(
            "`{email}` (email of {}) is not a valid address for Constant Contact (at most 80 characters, like name@example.com); correct it in the CRM",
            display(contact)
        ))
    }
}

fn display(c: &Contact) -> String {
    let name = c.full_name();
    if name.is_empty() {
        format!("contact {}", c.id)
    } else {
        name
    }
}

fn refused(e: ApiError) -> Delivery {
    match e {
        e if e.is_transient() => Delivery::Retry(e),
        ApiError::Conflict(m) => Delivery::Failed(format!(
            "Constant Contact refused it: {m} (another Constant Contact contact may already use this email address)"
        )),
        ApiError::NotFound(m) => Delivery::Failed(format!(
            "the linked Constant Contact contact was not found ({m}); run the contact sync, then retry"
        )),
        ApiError::Invalid(m) => Delivery::Failed(format!("Constant Contact refused it: {m}")),
        e => Delivery::Retry(e),
    }
}

/// Delivers one entry for the CRM contact as it is now (read by the caller); calls Constant
/// Contact. The caller records the result.
pub async fn deliver<A: CtctApi>(
    api: &A,
    contact: Option<Contact>,
    entry: &Entry,
) -> Result<(Delivery, Effects), StoreError> {
    let mut fx = Effects::default();
    let Some(contact) = contact else {
        return Ok((
            Delivery::Delivered("the contact was deleted from the CRM; nothing to send".into()),
            fx,
        ));
    };
    let list_id = entry
        .payload
        .get("list_id")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let d = match entry.kind {
        Kind::UpdateContact => {
            let Some(ctct_id) = contact.ctct_id.clone() else {
                return Ok((
                    Delivery::Delivered(format!(
                        "{} is not linked to Constant Contact; nothing to send",
                        display(&contact)
                    )),
                    fx,
                ));
            };
            let email = match valid_email(&contact) {
                Ok(e) => e,
                Err(msg) => return Ok((Delivery::Failed(msg), fx)),
            };
            let unsub_now = contact.ctct_status.as_deref() == Some("unsubscribed");
            let unsubscribe = match (contact.do_not_email, unsub_now) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            };
            let push = ContactPush {
                email,
                first_name: contact.first_name.clone(),
                last_name: contact.last_name.clone(),
                unsubscribe,
            };
            match api.push_contact(&ctct_id, &push).await {
                Ok(remote) => {
                    let still_unsub = remote.permission.as_deref() == Some("unsubscribed");
                    let msg = if unsubscribe == Some(false) && still_unsub {
                        format!(
                            "saved in Constant Contact, but {} stays unsubscribed: they unsubscribed themselves, so only they can re-subscribe (for example through a sign-up form)",
                            display(&contact)
                        )
                    } else if unsubscribe == Some(true) {
                        format!(
                            "saved in Constant Contact; {} is unsubscribed",
                            display(&contact)
                        )
                    } else if unsubscribe == Some(false) {
                        format!(
                            "saved in Constant Contact; {} is subscribed again",
                            display(&contact)
                        )
                    } else {
                        "saved in Constant Contact".to_string()
                    };
                    fx.state = Some(remote);
                    Delivery::Delivered(msg)
                }
                Err(e) => refused(e),
            }
        }
        Kind::AddToList => {
            let Some(list_id) = list_id else {
                return Ok((
                    Delivery::Failed(
                        "the entry names no list; add the contact to the list again".into(),
                    ),
                    fx,
                ));
            };
            match &contact.ctct_id {
                Some(ctct_id) => match api.add_to_list(ctct_id, &list_id).await {
                    Ok(()) => {
                        fx.membership = Some((list_id, Some("member")));
                        Delivery::Delivered("added to the list in Constant Contact".into())
                    }
                    Err(e) => refused(e),
                },
                None => {
                    let email = match valid_email(&contact) {
                        Ok(e) => e,
                        Err(msg) => return Ok((Delivery::Failed(msg), fx)),
                    };
                    let new = NewContact {
                        email: email.clone(),
                        first_name: contact.first_name.clone(),
                        last_name: contact.last_name.clone(),
                        do_not_email: contact.do_not_email,
                        list_ids: vec![list_id.clone()],
                    };
                    match api.create_contact(&new).await {
                        Ok(remote) => {
                            fx.link = Some(remote);
                            fx.membership = Some((list_id, Some("member")));
                            Delivery::Delivered(
                                "created in Constant Contact, linked and added to the list".into(),
                            )
                        }
                        Err(ApiError::Conflict(_)) => {
                            // The address exists (maybe deleted): find it, link it, then add it.
                            let found = match api.contacts_by_email(&email).await {
                                Ok(f) => f,
                                Err(e) => return Ok((refused(e), fx)),
                            };
                            let norm = contacts::normalize_email(&email);
                            let Some(remote) = found.into_iter().find(|c| {
                                c.email.as_deref().map(contacts::normalize_email).as_deref()
                                    == Some(norm.as_str())
                            }) else {
                                return Ok((
                                    Delivery::Retry(ApiError::Unavailable(format!(
                                        "Constant Contact says {email} exists but does not list it yet"
                                    ))),
                                    fx,
                                ));
                            };
                            match api.add_to_list(&remote.contact_id, &list_id).await {
                                Ok(()) => {
                                    let was_deleted = remote.deleted;
                                    fx.link = Some(RemoteContact {
                                        deleted: false,
                                        ..remote
                                    });
                                    fx.membership = Some((list_id, Some("member")));
                                    Delivery::Delivered(if was_deleted {
                                        "found (deleted) in Constant Contact, restored, linked and added to the list".into()
                                    } else {
                                        "already in Constant Contact: linked and added to the list"
                                            .into()
                                    })
                                }
                                Err(e) => {
                                    fx.link = Some(remote);
                                    refused(e)
                                }
                            }
                        }
                        Err(e) => refused(e),
                    }
                }
            }
        }
        Kind::RemoveFromList => {
            let Some(list_id) = list_id else {
                return Ok((Delivery::Failed("the entry names no list".into()), fx));
            };
            match &contact.ctct_id {
                Some(ctct_id) => match api.remove_from_list(ctct_id, &list_id).await {
                    Ok(()) => {
                        fx.membership = Some((list_id, None));
                        Delivery::Delivered("removed from the list in Constant Contact".into())
                    }
                    Err(e) => refused(e),
                },
                None => {
                    fx.membership = Some((list_id, None));
                    Delivery::Delivered("not in Constant Contact; nothing to remove".into())
                }
            }
        }
    };
    Ok((d, fx))
}

/// Records what a successful call changed in Constant Contact (inside the caller's transaction).
pub fn apply_effects(conn: &Connection, contact_id: i64, fx: &Effects) -> Result<(), StoreError> {
    if let Some(remote) = &fx.link {
        link_one(conn, contact_id, remote)?;
    }
    if let Some(remote) = &fx.state {
        contacts::set_ctct_status(
            conn,
            &remote.contact_id,
            remote.permission.as_deref(),
            remote.opt_out_source.as_deref(),
        )?;
    }
    if let Some((list_id, state)) = &fx.membership {
        match state {
            Some(s) => {
                if lists::get(conn, list_id)?.is_some() {
                    lists::set_membership(conn, contact_id, list_id, s)?;
                }
            }
            None => {
                lists::remove_membership(conn, contact_id, list_id)?;
            }
        }
    }
    Ok(())
}
