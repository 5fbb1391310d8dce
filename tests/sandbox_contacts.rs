//! Contacts, lists and bulk activities of the sandbox over real HTTP (ctct-api.md §3, §4).

mod sandbox_support;

use std::collections::HashSet;

use ctctsync::sandbox::SandboxConfig;
use reqwest::{Method, StatusCode};
use sandbox_support::*;
use serde_json::{Value, json};

async fn first_list_id(api: &Api) -> String {
    let (_, lists) = api.get("/contact_lists").await;
    lists["lists"][0]["list_id"].as_str().unwrap().to_string()
}

async fn new_contact(api: &Api, address: &str, lists: Vec<String>) -> Value {
    let (status, body) = api
        .send(
            Method::POST,
            "/contacts",
            &json!({
                "email_address": {"address": address, "permission_to_send": "implicit"},
                "first_name": "Zoë", "last_name": "O'Brien", "job_title": "Owner",
                "create_source": "Account", "list_memberships": lists,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn paging_10000_contacts_at_limit_500_returns_each_exactly_once() {
    let config = SandboxConfig {
        contacts: 10_000,
        campaigns: 2,
        activities: 1_000,
        ..SandboxConfig::for_tests()
    };
    let h = start(config).await;
    let api = Api::new(&h).await;
    let mut seen = HashSet::new();
    let mut pages = 0;
    let mut next = Some("/contacts?status=all&limit=500".to_string());
    while let Some(path) = next.take() {
        let (status, body) = api.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        pages += 1;
        let contacts = body["contacts"].as_array().unwrap();
        assert!(contacts.len() <= 500);
        for c in contacts {
            assert!(
                seen.insert(c["contact_id"].as_str().unwrap().to_string()),
                "duplicate"
            );
        }
        if let Some(href) = body["_links"]["next"]["href"].as_str() {
            assert!(
                href.starts_with("/v3/contacts?cursor="),
                "relative href: {href}"
            );
            next = Some(href.to_string());
        }
    }
    assert_eq!(seen.len(), 10_000);
    assert_eq!(pages, 20);
}

#[tokio::test]
async fn listing_filters_status_and_counts() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let count = |q: &'static str| {
        let api = &api;
        async move {
            let (status, body) = api
                .get(&format!("/contacts?include_count=true&limit=1{q}"))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["contacts_count"].as_u64().unwrap()
        }
    };
    let default = count("").await;
    let all = count("&status=all").await;
    let deleted = count("&status=deleted").await;
    let unsubscribed = count("&status=unsubscribed").await;
    let active = count("&status=active").await;
    assert_eq!(
        default + deleted,
        all,
        "default listing hides deleted contacts"
    );
    assert!(deleted > 0 && unsubscribed > 0 && active > 0);
    let (_, page) = api.get("/contacts?status=deleted&limit=5").await;
    for c in page["contacts"].as_array().unwrap() {
        assert!(c["deleted_at"].as_str().unwrap().len() == 10, "date only");
    }
    // No sub-resources unless asked.
    let (_, page) = api.get("/contacts?limit=3").await;
    assert!(page["contacts"][0].get("list_memberships").is_none());
    let (_, page) = api
        .get("/contacts?limit=3&include=list_memberships,custom_fields")
        .await;
    assert!(page["contacts"][0]["list_memberships"].is_array());
    assert!(page["contacts"][0]["custom_fields"].is_array());
    // Bad input: 400 array bodies.
    let (status, body) = api.get("/contacts?limit=501").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.is_array() && body[0]["error_key"].is_string());
    let (status, body) = api.get("/contacts?cursor=%%%garbage").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.is_array());
    let (status, _) = api.get("/contacts?include=bogus").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn email_search_is_case_insensitive_and_plus_must_be_encoded() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let list = first_list_id(&api).await;
    new_contact(&api, "Ann.Lee+News@Example.COM", vec![list]).await;
    let (_, found) = api
        .get("/contacts?email=ann.lee%2Bnews%40example.com")
        .await;
    assert_eq!(found["contacts"].as_array().unwrap().len(), 1);
    assert_eq!(
        found["contacts"][0]["email_address"]["address"],
        "Ann.Lee+News@Example.COM"
    );
    // An unencoded '+' is a space in a query string: no match (ctct-api.md P9).
    let (status, missing) = api.get("/contacts?email=ann.lee+news@example.com").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(missing["contacts"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn create_conflicts_on_any_existing_address_including_deleted() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let created = new_contact(&api, "dup@example.com", vec![]).await;
    let id = created["contact_id"].as_str().unwrap();
    let again =
        json!({"email_address": {"address": "DUP@example.com"}, "create_source": "Account"});
    let (status, body) = api.send(Method::POST, "/contacts", &again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body[0]["error_key"], "contacts.api.conflict");

    let response = api
        .http
        .delete(format!("{}/contacts/{id}", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, hidden) = api.get("/contacts?email=dup%40example.com").await;
    assert_eq!(hidden["contacts"].as_array().unwrap().len(), 0);
    let (_, shown) = api
        .get("/contacts?email=dup%40example.com&status=all")
        .await;
    assert_eq!(shown["contacts"][0]["contact_id"], id);
    let (status, _) = api.send(Method::POST, "/contacts", &again).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "deleted contacts keep their address"
    );

    // A PUT with update_source Account revives it.
    let put = json!({"email_address": {"address": "dup@example.com"}, "update_source": "Account"});
    let (status, body) = api
        .send(Method::PUT, &format!("/contacts/{id}"), &put)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("deleted_at").is_none());
}

#[tokio::test]
async fn put_overwrites_omitted_core_fields_and_keeps_omitted_subresources() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let list = first_list_id(&api).await;
    let created = new_contact(&api, "put@example.com", vec![list.clone()]).await;
    let id = created["contact_id"].as_str().unwrap();
    let path = format!("/contacts/{id}");

    let (status, body) = api
        .send(
            Method::PUT,
            &path,
            &json!({"email_address": {"address": "put@example.com"}, "first_name": "Renée"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "update_source is required");
    assert!(body.is_array());

    let (status, body) = api
        .send(
            Method::PUT,
            &path,
            &json!({"email_address": {"address": "put@example.com"}, "first_name": "Renée", "update_source": "Account"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["first_name"], "Renée");
    assert!(
        body.get("last_name").is_none(),
        "omitted core field becomes null"
    );
    assert!(body.get("job_title").is_none());
    assert_eq!(body["update_source"], "Account");
    let (_, got) = api.get(&format!("{path}?include=list_memberships")).await;
    assert_eq!(
        got["list_memberships"],
        json!([list]),
        "omitted sub-resource kept"
    );

    let (status, body) = api
        .send(
            Method::PUT,
            &path,
            &json!({"email_address": {"address": "put@example.com"}, "update_source": "Account", "list_memberships": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["list_memberships"],
        json!([]),
        "sent sub-resource replaces"
    );

    // Changing the address to one another contact owns is a conflict.
    new_contact(&api, "taken@example.com", vec![]).await;
    let (status, _) = api
        .send(
            Method::PUT,
            &path,
            &json!({"email_address": {"address": "taken@example.com"}, "update_source": "Account"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = api
        .send(Method::PUT, "/contacts/not-a-uuid", &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn opt_out_moves_email_timestamp_not_contact_updated_at() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let created = new_contact(&api, "optout@example.com", vec![]).await;
    let id = created["contact_id"].as_str().unwrap();
    let path = format!("/contacts/{id}");
    let mark = created["updated_at"].as_str().unwrap().to_string();
    api.control("/clock", &json!({"advance": "1h"})).await;
    let body = json!({
        "email_address": {"address": "optout@example.com", "permission_to_send": "unsubscribed", "opt_out_reason": "Too many emails"},
        "first_name": "Zoë", "last_name": "O'Brien", "job_title": "Owner", "update_source": "Contact",
    });
    let (status, out) = api.send(Method::PUT, &path, &body).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["email_address"]["permission_to_send"], "unsubscribed");
    assert_eq!(out["email_address"]["opt_out_source"], "Contact");
    assert_eq!(out["email_address"]["opt_out_reason"], "Too many emails");
    assert_eq!(
        out["updated_at"],
        mark.as_str(),
        "contact updated_at unchanged"
    );
    assert_ne!(
        out["email_address"]["updated_at"],
        created["email_address"]["updated_at"]
    );

    let enc = |t: &str| t.replace(':', "%3A").replace('+', "%2B");
    let (_, by_update) = api
        .get(&format!(
            "/contacts?updated_after={}&email=optout%40example.com",
            enc(&mark)
        ))
        .await;
    assert_eq!(
        by_update["contacts"].as_array().unwrap().len(),
        0,
        "updated_after misses opt-outs"
    );
    let (_, by_optout) = api
        .get(&format!(
            "/contacts?optout_after={}&email=optout%40example.com",
            enc(&mark)
        ))
        .await;
    assert_eq!(
        by_optout["contacts"].as_array().unwrap().len(),
        1,
        "optout_after finds it"
    );

    // The account cannot re-subscribe someone who unsubscribed themselves…
    let resub = json!({
        "email_address": {"address": "optout@example.com", "permission_to_send": "explicit"},
        "first_name": "Zoë", "update_source": "Account",
    });
    let (status, out) = api.send(Method::PUT, &path, &resub).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(out["email_address"]["permission_to_send"], "unsubscribed");

    // …but may re-add someone the account itself opted out.
    let other = new_contact(&api, "acct-optout@example.com", vec![]).await;
    let opath = format!("/contacts/{}", other["contact_id"].as_str().unwrap());
    let out_body = json!({"email_address": {"address": "acct-optout@example.com", "permission_to_send": "unsubscribed"}, "update_source": "Account"});
    api.send(Method::PUT, &opath, &out_body).await;
    let in_body = json!({"email_address": {"address": "acct-optout@example.com", "permission_to_send": "explicit"}, "update_source": "Account"});
    let (_, out) = api.send(Method::PUT, &opath, &in_body).await;
    assert_eq!(out["email_address"]["permission_to_send"], "explicit");
}

#[tokio::test]
async fn sign_up_form_creates_then_updates_and_revives() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let (_, lists) = api.get("/contact_lists").await;
    let l1 = lists["lists"][0]["list_id"].as_str().unwrap().to_string();
    let l2 = lists["lists"][1]["list_id"].as_str().unwrap().to_string();
    let (status, body) = api
        .send(Method::POST, "/contacts/sign_up_form", &json!({"email_address": "signup@example.com", "first_name": "李", "list_memberships": [l1]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["action"], "created");
    let id = body["contact_id"].as_str().unwrap().to_string();
    let (status, body) = api
        .send(Method::POST, "/contacts/sign_up_form", &json!({"email_address": "signup@example.com", "last_name": "伟", "list_memberships": [l2]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["action"], "updated");
    let (_, c) = api
        .get(&format!("/contacts/{id}?include=list_memberships"))
        .await;
    assert_eq!(c["first_name"], "李", "partial update keeps unsent fields");
    assert_eq!(c["last_name"], "伟");
    assert_eq!(
        c["list_memberships"].as_array().unwrap().len(),
        2,
        "lists appended"
    );
    assert_eq!(c["email_address"]["permission_to_send"], "explicit");
    let (status, _) = api
        .send(
            Method::POST,
            "/contacts/sign_up_form",
            &json!({"email_address": "x@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "list_memberships required");
}

#[tokio::test]
async fn address_rules_80_chars_and_5_updates_in_24h() {
    // Long-lived access token: the test moves the clock past 24 h.
    let h = start(SandboxConfig {
        access_token_lifetime: 10 * 86_400,
        ..SandboxConfig::for_tests()
    })
    .await;
    let api = Api::new(&h).await;
    let long = format!("{}@example.com", "a".repeat(69));
    assert_eq!(long.len(), 81);
    let (status, body) = api
        .send(
            Method::POST,
            "/contacts",
            &json!({"email_address": {"address": long}, "create_source": "Account"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body[0]["error_key"], "contacts.api.validation.error");

    let created = new_contact(&api, "busy@example.com", vec![]).await; // attempt 1
    let path = format!("/contacts/{}", created["contact_id"].as_str().unwrap());
    let put = json!({"email_address": {"address": "busy@example.com"}, "update_source": "Account"});
    for _ in 0..4 {
        assert_eq!(api.send(Method::PUT, &path, &put).await.0, StatusCode::OK); // attempts 2-5
    }
    let (status, body) = api.send(Method::PUT, &path, &put).await; // 6th in 24 h
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    api.control("/clock", &json!({"advance": "25h"})).await;
    assert_eq!(
        api.send(Method::PUT, &path, &put).await.0,
        StatusCode::BAD_REQUEST,
        "blocked for 48 h"
    );
    api.control("/clock", &json!({"advance": "24h"})).await;
    assert_eq!(api.send(Method::PUT, &path, &put).await.0, StatusCode::OK);
}

#[tokio::test]
async fn bearer_scope_and_content_type_checks() {
    let h = start_default().await;
    let http = http();
    let response = http
        .get(format!("{}/contacts", h.api_base()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error_key": "unauthorized", "error_message": "Unauthorized"})
    );
    let response = http
        .get(format!("{}/contacts", h.api_base()))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let (token, _) = login(&h, "account_read").await;
    let response = http
        .get(format!("{}/contacts", h.api_base()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert!(body.is_array());
    let response = http
        .get(format!("{}/account/summary", h.api_base()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let api = Api::new(&h).await;
    let response = api
        .http
        .post(format!("{}/contacts", api.base))
        .bearer_auth(&api.token)
        .header("Content-Type", "text/plain")
        .body(r#"{"email_address":{"address":"x@example.com"},"create_source":"Account"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let response = api
        .http
        .post(format!("{}/contacts", api.base))
        .bearer_auth(&api.token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(body.is_array());
}

#[tokio::test]
async fn add_list_memberships_progresses_on_later_gets() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let (_, lists) = api.get("/contact_lists").await;
    let target = lists["lists"].as_array().unwrap().last().unwrap()["list_id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = new_contact(&api, "bulk@example.com", vec![]).await;
    let cid = c["contact_id"].as_str().unwrap().to_string();
    let (status, act) = api
        .send(
            Method::POST,
            "/activities/add_list_memberships",
            &json!({"source": {"contact_ids": [cid]}, "list_ids": [target]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{act}");
    assert_eq!(act["state"], "initialized");
    let href = act["_links"]["self"]["href"].as_str().unwrap().to_string();
    let (_, before) = api
        .get(&format!("/contacts/{cid}?include=list_memberships"))
        .await;
    assert_eq!(
        before["list_memberships"],
        json!([]),
        "not applied until completed"
    );
    let (_, a1) = api.get(&href).await;
    assert_eq!(a1["state"], "processing");
    let (_, a2) = api.get(&href).await;
    assert_eq!(a2["state"], "completed");
    assert_eq!(a2["percent_done"], 100);
    let (_, after) = api
        .get(&format!("/contacts/{cid}?include=list_memberships"))
        .await;
    assert_eq!(after["list_memberships"], json!([target]));

    let (status, act) = api
        .send(
            Method::POST,
            "/activities/remove_list_memberships",
            &json!({"source": {"contact_ids": [cid]}, "list_ids": [target]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    api.control("/clock", &json!({"advance": "5s"})).await;
    let (_, after) = api
        .get(&format!("/contacts/{cid}?include=list_memberships"))
        .await;
    assert_eq!(
        after["list_memberships"],
        json!([]),
        "settles after a few seconds"
    );
    let _ = act;
}

#[tokio::test]
async fn lists_listing_and_creation() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let (_, lists) = api
        .get("/contact_lists?include_count=true&include_membership_count=all")
        .await;
    let n = lists["lists_count"].as_u64().unwrap();
    assert!(n >= 5);
    assert!(lists["lists"][0]["membership_count"].is_u64());
    let (_, all) = api
        .get("/contact_lists?status=all&include_count=true")
        .await;
    assert_eq!(
        all["lists_count"].as_u64().unwrap(),
        n + 1,
        "one deleted list"
    );
    let (_, page) = api.get("/contact_lists?limit=2").await;
    let href = page["_links"]["next"]["href"].as_str().unwrap();
    assert!(href.starts_with("/v3/contact_lists?cursor="));
    let (status, created) = api
        .send(
            Method::POST,
            "/contact_lists",
            &json!({"name": "Sandbox Test List"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = api
        .send(
            Method::POST,
            "/contact_lists",
            &json!({"name": "Sandbox Test List"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, one) = api
        .get(&format!(
            "/contact_lists/{}",
            created["list_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["name"], "Sandbox Test List");
}

#[tokio::test]
async fn seeded_data_is_reproducible_and_realistic() {
    let a = start_default().await;
    let b = start_default().await;
    let csv_a = http()
        .get(format!("{}/__sandbox/contacts.csv", a.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csv_b = http()
        .get(format!("{}/__sandbox/contacts.csv", b.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv_a, csv_b, "same seed, same data");
    assert!(csv_a.starts_with("email,first_name,last_name,status,contact_id\n"));
    assert_eq!(csv_a.lines().count(), 201);
    let big = start(SandboxConfig {
        contacts: 3_000,
        ..SandboxConfig::for_tests()
    })
    .await;
    let csv = http()
        .get(format!("{}/__sandbox/contacts.csv", big.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains('\''), "apostrophes");
    assert!(
        csv.chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)
                || ('\u{ac00}'..='\u{d7af}').contains(&c)),
        "CJK"
    );
    assert!(csv.chars().any(|c| "éëöüñçøåł".contains(c)), "accents");
    assert!(csv.contains("+news@"), "plus addressing");
    assert!(
        csv.lines().any(|l| l
            .split(',')
            .next()
            .is_some_and(|e| e.chars().any(|c| c.is_ascii_uppercase()))),
        "mixed case"
    );
    assert!(csv.contains(",deleted,") && csv.contains(",unsubscribed,"));
    let api = Api::new(&big).await;
    let (_, page) = api.get("/contacts?status=unsubscribed&limit=500").await;
    let sources: HashSet<String> = page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["email_address"]["opt_out_source"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        sources.contains("Contact") && sources.contains("Account"),
        "{sources:?}"
    );
}

#[tokio::test]
async fn lists_and_updated_after_filters() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let list = first_list_id(&api).await;
    let (status, page) = api
        .get(&format!(
            "/contacts?lists={list}&include=list_memberships&limit=500"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let contacts = page["contacts"].as_array().unwrap();
    assert!(!contacts.is_empty());
    for c in contacts {
        let lists: Vec<&str> = c["list_memberships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert!(lists.contains(&list.as_str()));
    }
    // A contact edited now is the only one updated after "a second ago".
    let now = h.now() - chrono::Duration::seconds(1);
    let created = new_contact(&api, "fresh@example.com", vec![]).await;
    let mark = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (_, page) = api
        .get(&format!("/contacts?updated_after={mark}&status=all"))
        .await;
    let ids: Vec<&str> = page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["contact_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![created["contact_id"].as_str().unwrap()]);
}
