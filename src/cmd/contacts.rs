//! `ctctsync contacts list|show`.

use serde_json::json;

use crate::cli::ContactsCommand;
use crate::store::{self, clients, contacts, interactions, lists};

use super::{Ctx, UsageError};

pub async fn run(ctx: &Ctx, cmd: ContactsCommand) -> anyhow::Result<u8> {
    let store = ctx.store()?;
    match cmd {
        ContactsCommand::List { filter, json } => {
            list(&store, filter.as_deref().unwrap_or(""), json)
        }
        ContactsCommand::Show {
            email_or_id,
            refresh,
            json,
        } => {
            if refresh {
                refresh_contact(ctx, &store, &email_or_id).await?;
            }
            show(&store, &email_or_id, json)
        }
    }
}

/// The words for a contact's Constant Contact state.
pub fn ctct_state(c: &contacts::Contact) -> String {
    match (
        &c.ctct_id,
        c.ctct_status.as_deref(),
        c.ctct_opt_out_source.as_deref(),
    ) {
        (None, _, _) if c.email.is_none() => "no email".into(),
        (None, _, _) => "not linked".into(),
        (Some(_), Some("unsubscribed"), Some("Contact")) => {
            "unsubscribed in Constant Contact (by the contact)".into()
        }
        (Some(_), Some("unsubscribed"), _) => "unsubscribed in Constant Contact".into(),
        (Some(_), Some(s), _) => format!("linked ({s})"),
        (Some(_), None, _) => "linked".into(),
    }
}

fn list(store: &store::Store, filter: &str, json_out: bool) -> anyhow::Result<u8> {
    let conn = store.connect_read_only()?;
    let mut all = Vec::new();
    let mut after: Option<(String, String, i64)> = None;
    loop {
        let page = contacts::page_after(
            &conn,
            after.as_ref().map(|(l, f, i)| (l.as_str(), f.as_str(), *i)),
            filter,
            1000,
        )?;
        let Some(last) = page.last() else { break };
        after = Some((last.last_name.clone(), last.first_name.clone(), last.id));
        let done = page.len() < 1000;
        all.extend(page);
        if done {
            break;
        }
    }
    let mut client_names = std::collections::HashMap::new();
    for c in &all {
        if let Some(cid) = c.client_id
            && let std::collections::hash_map::Entry::Vacant(e) = client_names.entry(cid)
        {
            e.insert(
                clients::get(&conn, cid)?
                    .map(|c| c.name)
                    .unwrap_or_default(),
            );
        }
    }
    if json_out {
        let docs: Vec<_> = all
            .iter()
            .map(|c| {
                json!({
                    "id": c.id, "crm_id": c.crm_id, "first_name": c.first_name, "last_name": c.last_name,
                    "email": c.email, "client": c.client_id.and_then(|id| client_names.get(&id)),
                    "do_not_email": c.do_not_email, "ctct_id": c.ctct_id, "ctct_status": c.ctct_status,
                    "ctct_opt_out_source": c.ctct_opt_out_source, "last_activity_at": c.last_activity_at,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&docs)?);
        return Ok(0);
    }
    println!(
        "{:>6}  {:<28} {:<34} {:<24} {:<4} CONSTANT CONTACT",
        "ID", "NAME", "EMAIL", "CLIENT", "DNE"
    );
    for c in &all {
        println!(
            "{:>6}  {} {} {} {:<4} {}",
            c.id,
            clip(&c.full_name(), 28),
            clip(c.email.as_deref().unwrap_or("(no email)"), 34),
            clip(
                c.client_id
                    .and_then(|id| client_names.get(&id))
                    .map(String::as_str)
                    .unwrap_or(""),
                24
            ),
            if c.do_not_email { "yes" } else { "" },
            ctct_state(c)
        );
    }
    println!("{} contacts", all.len());
    Ok(0)
}

/// `s` in exactly `width` terminal columns: cut with "…" when longer, padded when shorter. Widths
/// are display widths, so CJK names keep the columns aligned.
fn clip(s: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let mut out = String::new();
    let mut used = 0;
    if s.width() <= width {
        out.push_str(s);
        used = s.width();
    } else {
        for ch in s.chars() {
            let cw = ch.width().unwrap_or(0);
            if used + cw + 1 > width {
                break;
            }
            out.push(ch);
            used += cw;
        }
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

fn find_one(conn: &rusqlite::Connection, key: &str) -> anyhow::Result<contacts::Contact> {
    let mut found = contacts::find(conn, key)?;
    match found.len() {
        0 => Err(UsageError(format!(
            "no contact matches `{key}`; give an email, a CRM id, a Constant Contact id or the number from `ctctsync contacts list`"
        ))
        .into()),
        1 => Ok(found.remove(0)),
        n => Err(UsageError(format!(
            "{n} contacts share `{key}` (ids {}); show one by its id",
            found.iter().map(|c| c.id.to_string()).collect::<Vec<_>>().join(", ")
        ))
        .into()),
    }
}

fn show(store: &store::Store, key: &str, json_out: bool) -> anyhow::Result<u8> {
    let conn = store.connect_read_only()?;
    let c = find_one(&conn, key)?;
    let client = c
        .client_id
        .map(|id| clients::get(&conn, id))
        .transpose()?
        .flatten();
    let memberships = lists::memberships_of(&conn, c.id)?;
    let acts = interactions::page_for_contact(&conn, c.id, None, 50)?;
    let total = interactions::count_for_contact(&conn, c.id)?;
    if json_out {
        let doc = json!({
            "contact": c,
            "client": client,
            "ctct_state": ctct_state(&c),
            "lists": memberships.iter().map(|(l, st)| json!({"list_id": l.list_id, "name": l.name, "state": st})).collect::<Vec<_>>(),
            "interactions_total": total,
            "interactions": acts.iter().map(|i| json!({
                "occurred_at": i.occurred_at, "type": i.kind.code(), "label": i.kind.label(),
                "campaign": i.campaign_name, "campaign_activity_id": i.campaign_activity_id,
                "link_url": if i.link_url.is_empty() { None } else { Some(&i.link_url) },
                "bounce_code": i.bounce_code,
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    println!(
        "{} (#{})",
        if c.full_name().is_empty() {
            "(no name)".into()
        } else {
            c.full_name()
        },
        c.id
    );
    println!(
        "  Email:            {}",
        c.email.as_deref().unwrap_or("(no email)")
    );
    println!(
        "  Client:           {}",
        client
            .as_ref()
            .map(|c| format!("{} ({})", c.name, c.kind.as_str()))
            .unwrap_or_else(|| "—".into())
    );
    println!(
        "  Do Not Email:     {}",
        if c.do_not_email { "yes" } else { "no" }
    );
    println!(
        "  Constant Contact: {}{}",
        ctct_state(&c),
        c.ctct_id
            .as_deref()
            .map(|id| format!(" — {id}"))
            .unwrap_or_default()
    );
    if !memberships.is_empty() {
        println!(
            "  Lists:            {}",
            memberships
                .iter()
                .map(|(l, st)| if st == "member" {
                    l.name.clone()
                } else {
                    format!("{} ({})", l.name, st.replace('_', " "))
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if total == 0 {
        println!(
            "Constant Contact activity: none stored yet (`--refresh` asks Constant Contact now)"
        );
    } else {
        println!("Constant Contact activity ({total} in all, newest first):");
    }
    for i in &acts {
        let local = store::time::parse(&i.occurred_at)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|| i.occurred_at.clone());
        let extra = if !i.link_url.is_empty() {
            format!("  {}", i.link_url)
        } else if let Some(b) = &i.bounce_code {
            format!("  bounce code {b}")
        } else {
            String::new()
        };
        println!(
            "  {local}  {:<10} {}{extra}",
            i.kind.label(),
            i.campaign_name.as_deref().unwrap_or("(unknown campaign)")
        );
    }
    Ok(0)
}

/// `--refresh`: fetch this contact's activity from Constant Contact now (per-contact endpoint).
async fn refresh_contact(_ctx: &Ctx, store: &store::Store, key: &str) -> anyhow::Result<()> {
    let id = {
        let conn = store.connect_read_only()?;
        find_one(&conn, key)?.id
    };
    let new = crate::sync::refresh_contact(store, id).await?;
    eprintln!("Refreshed from Constant Contact: {new} new interactions.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::clip;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn cells_are_exactly_their_width_in_columns() {
        for s in [
            "",
            "Ann Lee",
            "민준 김",
            "김 가족 Household with a long name",
            "AVeryLongFirstName",
        ] {
            for width in [1, 5, 8, 12, 28] {
                let c = clip(s, width);
                assert_eq!(c.width(), width, "{s:?} at {width}: {c:?}");
            }
        }
        assert_eq!(clip("Ann Lee", 10), "Ann Lee   ");
        assert_eq!(clip("Ann Lee", 5), "Ann …");
    }
}
