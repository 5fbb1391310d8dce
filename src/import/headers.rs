//! Recognising the column headers of the usual CRM exports (Salesforce, HubSpot, Dynamics,
//! Redtail, Wealthbox, plain spreadsheets), case- and punctuation-insensitively.

/// A CRM field a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    FirstName,
    LastName,
    FullName,
    Email,
    ClientName,
    ClientId,
    ClientKind,
    DoNotEmail,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Id => "contact id",
            Field::FirstName => "first name",
            Field::LastName => "last name",
            Field::FullName => "full name",
            Field::Email => "preferred email",
            Field::ClientName => "client (household / organization)",
            Field::ClientId => "client id",
            Field::ClientKind => "client type",
            Field::DoNotEmail => "do not email",
        }
    }
}

/// Lower-case, letters and digits only: "First Name" → "firstname", "E-mail" → "email".
pub fn normalize(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field a header means, if any. `household` / `organization` headers also imply a kind.
pub fn recognise(header: &str) -> Option<(Field, Option<crate::store::clients::ClientKind>)> {
    use crate::store::clients::ClientKind::{Household, Organization};
    let h = normalize(header);
    let f = match h.as_str() {
        "id" | "contactid" | "crmid" | "recordid" | "externalid" | "contactrecordid" => Field::Id,
        "firstname" | "first" | "givenname" | "fname" | "forename" | "preferredname" => {
            Field::FirstName
        }
        "lastname" | "last" | "surname" | "familyname" | "lname" => Field::LastName,
        "name" | "fullname" | "contactname" | "displayname" => Field::FullName,
        "email"
        | "emailaddress"
        | "preferredemail"
        | "preferredemailaddress"
        | "primaryemail"
        | "email1"
        | "emailaddress1"
        | "workemail"
        | "personalemail" => Field::Email,
        "account" | "accountname" | "client" | "clientname" => Field::ClientName,
        "household" | "householdname" | "family" => {
            return Some((Field::ClientName, Some(Household)));
        }
        "organization" | "organisation" | "organizationname" | "organisationname" | "company"
        | "companyname" | "business" => return Some((Field::ClientName, Some(Organization))),
        "accountid" | "clientid" | "householdid" | "organizationid" | "organisationid" => {
            Field::ClientId
        }
        "accounttype" | "clienttype" | "recordtype" | "accountrecordtype" | "type" => {
            Field::ClientKind
        }
        "emailoptout" | "donotemail" | "hasoptedoutofemail" | "optout" | "emailoptedout"
        | "unsubscribed" | "nomail" | "noemail" | "donotcontactemail" => Field::DoNotEmail,
        _ => return None,
    };
    Some((f, None))
}

/// Reads a yes/no cell. Empty means no.
pub fn parse_yes_no(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "n" | "f" | "off" | "opted in" | "subscribed" => Some(false),
        "1" | "true" | "yes" | "y" | "t" | "x" | "on" | "opted out" | "do not email" => Some(true),
        _ => None,
    }
}

/// Reads a client type cell.
pub fn parse_kind(v: &str) -> Option<crate::store::clients::ClientKind> {
    use crate::store::clients::ClientKind::{Household, Organization};
    let v = v.trim().to_ascii_lowercase();
    if v.contains("household")
        || v.contains("family")
        || v.contains("individual")
        || v.contains("person")
    {
        Some(Household)
    } else if v.contains("organi")
        || v.contains("business")
        || v.contains("company")
        || v.contains("corporat")
        || v.contains("trust")
        || v.contains("foundation")
    {
        Some(Organization)
    } else {
        None
    }
}

/// A pragmatic email shape check: one `@`, a non-empty local part, a dotted domain, no spaces,
/// at most 254 characters. Returns the problem in words.
pub fn check_email(v: &str) -> Result<(), String> {
    let e = v.trim();
    if e.chars().count() > 254 {
        return Err("is longer than 254 characters".into());
    }
    if e.chars().any(char::is_whitespace) {
        return Err(format!("`{e}` contains a space"));
    }
    let Some((local, domain)) = e.rsplit_once('@') else {
        return Err(format!("`{e}` has no @"));
    };
    if local.is_empty() || local.contains('@') {
        return Err(format!(
            "`{e}` is not one address (check the part before the @)"
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(format!("`{e}` has a misplaced dot before the @"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
        || !labels
            .iter()
            .all(|l| l.chars().all(|c| c.is_alphanumeric() || c == '-'))
    {
        return Err(format!("`{e}` has no valid domain after the @"));
    }
    Ok(())
}
