//! The client's decoders accept every real Constant Contact response body kept in
//! tests/data/ctct-fixtures (a copy of the team's shared ctct-fixtures, with their SOURCES.md;
//! one test per file), and error bodies decode in both shapes.

use std::path::PathBuf;

use ctctsync::ctct::error::parse_error_body;
use ctctsync::ctct::{
    Contact, ContactPut, ContactsPage, CtctError, CustomFieldsPage, EmailCampaign, Page,
};

fn fixture(rel: &str) -> Vec<u8> {
    let dir = std::env::var_os("CTCT_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ctct-fixtures")
        });
    let path = dir.join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn contacts_page1_with_custom_fields() {
    let page: ContactsPage =
        serde_json::from_slice(&fixture("contacts/amp-contacts-page1-custom-fields.json")).unwrap();
    assert_eq!(page.contacts.len(), 1);
    let c = &page.contacts[0];
    assert_eq!(c.contact_id, "af73e650-96f0-11ef-b2a0-fa163eafb85e");
    assert_eq!(c.email(), Some("dlang@example.com"));
    let email = c.email_address.as_ref().unwrap();
    assert_eq!(email.permission_to_send.as_deref(), Some("implicit"));
    assert_eq!(email.confirm_status.as_deref(), Some("off"));
    assert_eq!(c.birthday_month, Some(11));
    assert_eq!(c.anniversary.as_deref(), Some("2006-11-15"));
    let cf = c.custom_fields.as_ref().unwrap();
    assert_eq!(cf[0].value.as_deref(), Some("Skiing"));
    assert_eq!(
        c.created_at.map(|t| t.to_rfc3339()),
        Some("2024-10-30T18:56:35+00:00".to_string())
    );
    // The cursor link is relative and kept verbatim.
    assert_eq!(
        page.next_href(),
        Some("/v3/contacts?cursor=bGltaXQ9MSZuZXh0PTI=")
    );
}

#[test]
fn contacts_page2_last_has_empty_links() {
    let page: ContactsPage =
        serde_json::from_slice(&fixture("contacts/amp-contacts-page2-last.json")).unwrap();
    assert_eq!(page.contacts.len(), 1);
    assert_eq!(page.contacts[0].first_name.as_deref(), Some("John"));
    assert_eq!(page.contacts[0].update_source.as_deref(), Some("Account"));
    assert_eq!(page.next_href(), None, "`_links: {{}}` is the last page");
    assert!(page.contacts[0].custom_fields.is_none());
}

#[test]
fn single_contact_write_response() {
    let c: Contact = serde_json::from_slice(&fixture("contacts/amp-contact-single.json")).unwrap();
    assert_eq!(c.job_title.as_deref(), Some("Musician"));
    assert_eq!(c.company_name.as_deref(), Some("Acme Corp."));
    assert!(!c.is_deleted());
    // A PUT body built from it carries writable fields only.
    let put = ContactPut::from_contact(&c, "Account");
    let body = serde_json::to_value(&put).unwrap();
    let email = body["email_address"].as_object().unwrap();
    assert_eq!(
        email.get("address").and_then(|v| v.as_str()),
        Some("dlang@example.com")
    );
    for read_only in [
        "created_at",
        "updated_at",
        "opt_in_source",
        "opt_in_date",
        "confirm_status",
    ] {
        assert!(
            !email.contains_key(read_only),
            "{read_only} must not be sent"
        );
    }
    for read_only in [
        "contact_id",
        "created_at",
        "updated_at",
        "create_source",
        "deleted_at",
    ] {
        assert!(
            body.get(read_only).is_none(),
            "{read_only} must not be sent"
        );
    }
    assert_eq!(body["update_source"], "Account");
    assert_eq!(body["first_name"], "Debora");
    assert_eq!(body["birthday_day"], 24);
}

#[test]
fn custom_fields_without_links() {
    let page: CustomFieldsPage =
        serde_json::from_slice(&fixture("contact-custom-fields/amp-custom-fields.json")).unwrap();
    assert_eq!(page.custom_fields.len(), 1);
    let f = &page.custom_fields[0];
    assert_eq!(f.name.as_deref(), Some("hobby"));
    assert_eq!(f.kind.as_deref(), Some("string"));
    assert_eq!(
        page.next_href(),
        None,
        "no `_links` key at all is the last page"
    );
}

#[test]
fn email_campaign_create_response() {
    let e: EmailCampaign =
        serde_json::from_slice(&fixture("emails/amp-email-campaign-create.json")).unwrap();
    assert_eq!(
        e.name.as_deref(),
        Some("December Newsletter for Dog Lovers")
    );
    assert_eq!(e.current_status.as_deref(), Some("Draft"));
    assert_eq!(e.type_code, Some(26));
    assert_eq!(e.campaign_activities.len(), 2);
    assert_eq!(
        e.campaign_activities[0].role.as_deref(),
        Some("primary_email")
    );
    assert_eq!(
        e.created_at.map(|t| t.timestamp_subsec_millis()),
        Some(456),
        "milliseconds are kept"
    );
}

fn api_error(status: u16, body: &[u8]) -> CtctError {
    CtctError::Api {
        status,
        method: "GET".into(),
        path: "/v3/contacts".into(),
        errors: parse_error_body(body),
    }
}

#[test]
fn error_400_bad_request_array() {
    let e = api_error(400, &fixture("errors/amp-400-bad-request-array.json"));
    assert_eq!(e.error_keys(), vec!["contacts.api.bad_request"]);
    let text = e.to_string();
    assert!(text.contains("Sequence ID is invalid."), "{text}");
    assert!(text.contains("400"), "{text}");
    assert!(!e.is_retryable());
}

#[test]
fn error_400_validation_array() {
    let e = api_error(400, &fixture("errors/amp-400-validation-array.json"));
    assert_eq!(e.error_keys(), vec!["contacts.api.validation.error"]);
    assert!(e.to_string().contains("Descriptive error message."));
}

#[test]
fn error_object_shapes_401_and_429() {
    let e = api_error(
        401,
        br#"{"error_key":"unauthorized","error_message":"Unauthorized"}"#,
    );
    assert_eq!(e.error_keys(), vec!["unauthorized"]);
    assert!(e.to_string().contains("ctctsync auth login"));
    let t = api_error(
        429,
        br#"{"error_key":"throttled","error_message":"Too Many Requests"}"#,
    );
    assert!(t.is_retryable() && !t.is_quota_exceeded());
    let q = api_error(
        429,
        br#"{"error_key":"quota_exceeded","error_message":"Limit Exceeded"}"#,
    );
    assert!(q.is_quota_exceeded() && !q.is_retryable());
}
