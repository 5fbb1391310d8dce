//! Campaigns, tracking reports and summaries of the sandbox over real HTTP (ctct-api.md §5).

mod sandbox_support;

use std::collections::HashSet;

use ctctsync::sandbox::SandboxConfig;
use reqwest::StatusCode;
use sandbox_support::*;
use serde_json::{Value, json};

async fn all_campaigns(api: &Api) -> Vec<Value> {
    let body: Value = api
        .http
        .get(format!("{}/__sandbox/campaigns", api.origin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["campaigns"].as_array().unwrap().clone()
}

fn primary(c: &Value) -> String {
    c["activities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["role"] == "primary_email")
        .unwrap()["campaign_activity_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn times(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["created_time"].as_str().unwrap().to_string())
        .collect()
}

fn assert_newest_first(rows: &[Value]) {
    let t = times(rows);
    assert!(t.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[tokio::test]
async fn emails_hide_automated_campaigns_that_tracking_still_reports() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let (status, emails) = api.get("/emails?limit=50").await;
    assert_eq!(status, StatusCode::OK);
    let listed: HashSet<String> = emails["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["campaign_id"].as_str().unwrap().to_string())
        .collect();
    let updated: Vec<&str> = emails["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["updated_at"].as_str().unwrap())
        .collect();
    assert!(
        updated.windows(2).all(|w| w[0] >= w[1]),
        "newest updated_at first"
    );
    let everything = all_campaigns(&api).await;
    let automated: Vec<&Value> = everything
        .iter()
        .filter(|c| c["automated"] == true)
        .collect();
    assert!(!automated.is_empty());
    for c in &automated {
        assert!(!listed.contains(c["campaign_id"].as_str().unwrap()));
        let activity = primary(c);
        let (status, _) = api.get(&format!("/emails/activities/{activity}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, sends) = api
            .get(&format!("/reports/email_reports/{activity}/tracking/sends"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !sends["tracking_activities"].as_array().unwrap().is_empty(),
            "automated email has sends"
        );
        let (_, stats) = api
            .get(&format!(
                "/reports/stats/email_campaign_activities/{activity}"
            ))
            .await;
        assert_eq!(stats["results"][0]["campaign_id"], c["campaign_id"]);
    }
    // A listed campaign's details and activity.
    let first = emails["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["current_status"] == "Done")
        .unwrap();
    let (status, detail) = api
        .get(&format!(
            "/emails/{}",
            first["campaign_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["name"], first["name"]);
    let roles: Vec<&str> = detail["campaign_activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["role"].as_str().unwrap())
        .collect();
    assert!(roles.contains(&"primary_email") && roles.contains(&"permalink"));
    let pa = detail["campaign_activities"][0]["campaign_activity_id"]
        .as_str()
        .unwrap();
    let (status, activity) = api.get(&format!("/emails/activities/{pa}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(activity["subject"].is_string());
    assert_eq!(activity["current_status"], "DONE");
}

#[tokio::test]
async fn campaign_tracking_pages_newest_first_with_limit_500() {
    let config = SandboxConfig {
        contacts: 3_000,
        campaigns: 3,
        activities: 12_000,
        ..SandboxConfig::for_tests()
    };
    let h = start(config).await;
    let api = Api::new(&h).await;
    let campaigns = all_campaigns(&api).await;
    let activity = primary(&campaigns[0]);
    let (status, body) = api
        .get(&format!(
            "/reports/email_reports/{activity}/tracking/sends?limit=501"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let mut next = Some(format!("/reports/email_reports/{activity}/tracking/sends"));
    let mut all = Vec::new();
    let mut pages = 0;
    while let Some(path) = next.take() {
        let (status, body) = api.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows = body["tracking_activities"].as_array().unwrap();
        assert!(rows.len() <= 500);
        all.extend(rows.iter().cloned());
        pages += 1;
        next = body["_links"]["next"]["href"].as_str().map(|h| {
            assert!(h.starts_with("/v3/reports/email_reports/"));
            h.to_string()
        });
    }
    assert!(pages >= 2, "needs several pages, got {} rows", all.len());
    assert_newest_first(&all);
    let keys: HashSet<String> = all
        .iter()
        .map(|r| r["contact_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        keys.len(),
        all.len(),
        "one send per contact, no duplicates across pages"
    );
    for r in &all {
        assert_eq!(r["tracking_activity_type"], "em_sends");
        assert!(r["email_address"].is_string());
        assert!(r["created_time"].as_str().unwrap().ends_with(".000Z"));
    }

    let (_, clicks) = api
        .get(&format!(
            "/reports/email_reports/{activity}/tracking/clicks?limit=50"
        ))
        .await;
    let rows = clicks["tracking_activities"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert_newest_first(rows);
    let url_id = rows[0]["url_id"].as_str().unwrap().to_string();
    assert!(
        rows[0]["link_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let (_, one_link) = api
        .get(&format!(
            "/reports/email_reports/{activity}/tracking/clicks?url_id={url_id}"
        ))
        .await;
    assert!(
        one_link["tracking_activities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["url_id"] == url_id.as_str())
    );

    let (_, opens) = api
        .get(&format!(
            "/reports/email_reports/{activity}/tracking/opens?limit=20"
        ))
        .await;
    assert!(opens["tracking_activities"][0]["device_type"].is_string());
    let (_, bounces) = api
        .get(&format!(
            "/reports/email_reports/{activity}/tracking/bounces"
        ))
        .await;
    let b = bounces["tracking_activities"].as_array().unwrap();
    assert!(!b.is_empty());
    assert!(
        b.iter()
            .all(|r| "BDFSVXZ".contains(r["bounce_code"].as_str().unwrap()))
    );
    for kind in ["optouts", "forwards", "unique_opens", "didnotopens"] {
        let (status, _) = api
            .get(&format!(
                "/reports/email_reports/{activity}/tracking/{kind}"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{kind}");
    }
    let (status, _) = api
        .get("/reports/email_reports/00000000-0000-4000-8000-000000000000/tracking/sends")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn contact_activity_details_newest_first_limit_100() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let campaigns = all_campaigns(&api).await;
    let activity = primary(&campaigns[0]);
    let (_, opens) = api
        .get(&format!(
            "/reports/email_reports/{activity}/tracking/opens?limit=1"
        ))
        .await;
    let contact = opens["tracking_activities"][0]["contact_id"]
        .as_str()
        .unwrap()
        .to_string();
    let base = format!("/reports/contact_reports/{contact}/activity_details");
    let (status, _) = api.get(&base).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "activity type required");
    let (status, _) = api
        .get(&format!(
            "{base}?tracking_activities_list=em_sends&limit=101"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = api
        .get(&format!("{base}?tracking_activities_list=em_sends,em_opens,em_clicks,em_bounces,em_optouts,em_forwards&limit=2"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut rows: Vec<Value> = body["tracking_activities"].as_array().unwrap().clone();
    let mut next = body["_links"]["next"]["href"].as_str().map(str::to_string);
    while let Some(href) = next.take() {
        let (_, page) = api.get(&href).await;
        rows.extend(
            page["tracking_activities"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        next = page["_links"]["next"]["href"].as_str().map(str::to_string);
    }
    assert!(rows.len() >= 2);
    assert_newest_first(&rows);
    assert!(rows.iter().all(|r| r["contact_id"] == contact.as_str() && r["campaign_activity_name"].is_string()));
    let (_, only_opens) = api
        .get(&format!(
            "{base}?tracking_activity_type=em_opens&include_campaign_activity_names=false"
        ))
        .await;
    let o = only_opens["tracking_activities"].as_array().unwrap();
    assert!(
        o.iter().all(|r| r["tracking_activity_type"] == "em_opens"
            && r.get("campaign_activity_name").is_none())
    );
}

#[tokio::test]
async fn summaries_and_stats() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let (status, body) = api
        .get("/reports/summary_reports/email_campaign_summaries")
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = body["bulk_email_campaign_summaries"].as_array().unwrap();
    assert!(!rows.is_empty());
    let dates: Vec<&str> = rows
        .iter()
        .map(|r| r["last_sent_date"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    assert!(rows[0]["unique_counts"]["sends"].as_u64().unwrap() > 0);
    assert!(body["aggregate_percents"]["open"].is_number());

    let campaigns = all_campaigns(&api).await;
    let ids: Vec<String> = campaigns.iter().take(3).map(primary).collect();
    let (status, stats) = api
        .get(&format!(
            "/reports/stats/email_campaign_activities/{}",
            ids.join(",")
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stats["results"].as_array().unwrap().len(), 3);
    assert!(stats["results"][0]["stats"]["em_sends"].is_u64());
    let (status, _) = api
        .get("/reports/stats/email_campaign_activities/not-a-uuid")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let eleven = vec![ids[0].clone(); 11].join(",");
    let (status, _) = api
        .get(&format!(
            "/reports/stats/email_campaign_activities/{eleven}"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sending_a_campaign_now_adds_activity_visible_as_the_clock_moves() {
    let h = start_default().await;
    let api = Api::new(&h).await;
    let sent = api
        .control("/campaigns", &json!({"name": "Flash Update"}))
        .await;
    let activity = sent["campaign_activity_id"].as_str().unwrap().to_string();
    assert!(sent["sends"].as_u64().unwrap() > 0);
    let (_, sends) = api
        .get(&format!("/reports/email_reports/{activity}/tracking/sends"))
        .await;
    assert_eq!(
        sends["tracking_activities"].as_array().unwrap().len() as u64,
        sent["sends"].as_u64().unwrap()
    );
    let (_, opens) = api
        .get(&format!("/reports/email_reports/{activity}/tracking/opens"))
        .await;
    assert!(
        !opens["tracking_activities"].as_array().unwrap().is_empty(),
        "visible at once by default"
    );
    let (_, emails) = api.get("/emails?limit=1").await;
    assert_eq!(
        emails["campaigns"][0]["name"], "Flash Update",
        "newest first"
    );

    let later = api
        .control(
            "/campaigns",
            &json!({"name": "Slow Burn", "spread_hours": 48}),
        )
        .await;
    let activity = later["campaign_activity_id"].as_str().unwrap().to_string();
    let count = |v: &Value| v["tracking_activities"].as_array().unwrap().len();
    let (_, opens_now) = api
        .get(&format!("/reports/email_reports/{activity}/tracking/opens"))
        .await;
    api.control("/clock", &json!({"advance": "3h"})).await;
    let (_, opens_later) = api
        .get(&format!("/reports/email_reports/{activity}/tracking/opens"))
        .await;
    assert!(
        count(&opens_later) > count(&opens_now),
        "{} then {}",
        count(&opens_now),
        count(&opens_later)
    );
}

#[tokio::test]
async fn hostile_cursors_and_ids_are_answered_not_crashed_on() {
    use base64::Engine;
    let h = start_default().await;
    let api = Api::new(&h).await;
    let b64 = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .encode(s)
            .replace('+', "%2B")
            .replace('/', "%2F")
    };
    let huge = b64("limit=500&next=18446744073709551615&pos=18446744073709551615");
    let garbage = b64("\u{0}\u{fffd}&&==");
    let campaigns = all_campaigns(&api).await;
    let activity = primary(&campaigns[0]);
    for path in [
        format!("/contacts?cursor={huge}"),
        format!("/contacts?cursor={garbage}"),
        format!("/contact_lists?cursor={huge}"),
        format!("/emails?next={huge}"),
        format!("/reports/summary_reports/email_campaign_summaries?next={huge}"),
        format!("/reports/email_reports/{activity}/tracking/opens?next={huge}"),
        format!("/reports/email_reports/{activity}/tracking/unique_opens?next={huge}"),
        format!("/reports/email_reports/{activity}/tracking/clicks?url_id=-1"),
        format!("/reports/email_reports/{activity}/tracking/bounces?bounce_code=Q"),
        "/contacts/%00%ff".to_string(),
        "/contacts?limit=99999999999999999999999".to_string(),
        "/contacts?updated_after=not-a-date".to_string(),
        "/reports/stats/email_campaign_activities/,,,".to_string(),
    ] {
        let (status, _) = api.get(&path).await;
        assert!(
            status.is_success() || status.is_client_error(),
            "{path}: {status}"
        );
    }
    assert_eq!(
        api.get("/contacts?limit=1").await.0,
        StatusCode::OK,
        "still serving"
    );
}
