//! `ctctsync import contacts FILE`: CRM contacts and their clients from CSV.
//!
//! One transaction for the whole file (rolled back for `--dry-run`), so an import either lands
//! whole or not at all; bad rows are reported as `line N: <column>: <problem>` and skipped, good
//! rows are imported. Rows are matched by the file's own id column when it has one, otherwise by
//! email, otherwise (no email either) by name within the client — so importing the same file
//! again changes nothing.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, params};

use super::headers::{Field, check_email, parse_kind, parse_yes_no, recognise};
use crate::store::clients::{self, ClientKind};
use crate::store::contacts::{self, ContactFields, Upserted};
use crate::store::{self, OptionalRow, Store};

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
}

/// One bad row (or a file-level problem when `line` is 0).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub line: u64,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.column, self.message)
        } else {
            write!(f, "line {}: {}: {}", self.line, self.column, self.message)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// (header as in the file, what it feeds)
    pub mapped: Vec<(String, String)>,
    pub ignored: Vec<String>,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub without_email: u64,
    pub clients_created: u64,
    pub problems: Vec<Problem>,
    pub dry_run: bool,
}

impl ImportReport {
    pub fn all_good(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    BadFile(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

impl ImportError {
    /// Bad input (exit 2) rather than an operational failure (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ImportError::BadFile(_))
    }
}

pub fn import_contacts_file(
    store: &Store,
    path: &Path,
    opts: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let file = std::fs::File::open(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut conn = store.connect()?;
    import_contacts_reader(&mut conn, std::io::BufReader::new(file), opts)
}

struct Columns {
    by_field: HashMap<Field, usize>,
    /// Kind implied by the client column's header ("Household", "Organization").
    implied_kind: Option<ClientKind>,
    headers: Vec<String>,
}

impl Columns {
    fn get<'r>(&self, rec: &'r csv::StringRecord, f: Field) -> Option<&'r str> {
        self.by_field
            .get(&f)
            .and_then(|&i| rec.get(i))
            .map(str::trim)
    }
    fn header(&self, f: Field) -> &str {
        self.by_field
            .get(&f)
            .and_then(|&i| self.headers.get(i))
            .map(String::as_str)
            .unwrap_or(f.label())
    }
}

fn map_columns(
    headers: &csv::StringRecord,
    report: &mut ImportReport,
) -> Result<Columns, ImportError> {
    let mut by_field = HashMap::new();
    let mut implied_kind = None;
    let mut names = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_string();
        names.push(h.clone());
        match recognise(&h) {
            Some((field, kind)) if !by_field.contains_key(&field) => {
                by_field.insert(field, i);
                if field == Field::ClientName {
                    implied_kind = kind;
                }
                report.mapped.push((h, field.label().to_string()));
            }
            _ => report.ignored.push(h),
        }
    }
    let has_name = by_field.contains_key(&Field::FirstName)
        || by_field.contains_key(&Field::LastName)
        || by_field.contains_key(&Field::FullName);
    if !has_name && !by_field.contains_key(&Field::Email) {
        return Err(ImportError::BadFile(format!(
            "no contact columns recognised in the header ({}): the file needs at least First Name / Last Name or Email columns",
            names.join(", ")
        )));
    }
    Ok(Columns {
        by_field,
        implied_kind,
        headers: names,
    })
}

/// Imports from any reader (BOM, CRLF, quoted commas and newlines are handled by the csv crate).
pub fn import_contacts_reader<R: Read>(
    conn: &mut Connection,
    reader: R,
    opts: ImportOptions,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        ..ImportReport::default()
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(reader);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
            return Err(ImportError::BadFile(
                "the header line is not UTF-8 text: save the export as CSV UTF-8 (in Excel: \
                 Save As → CSV UTF-8) and import it again"
                    .into(),
            ));
        }
        Err(e) => {
            return Err(ImportError::BadFile(format!(
                "the header line cannot be read: {e}"
            )));
        }
    };
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(ImportError::BadFile(
            "the file is empty: the first line must be a header (First Name, Last Name, Email, …)"
                .into(),
        ));
    }
    let cols = map_columns(&headers, &mut report)?;
    let width = headers.len();

    // A big import touches random pages of several indexes: a larger page cache keeps them in
    // memory instead of spilling to the WAL mid-transaction (the default is 2 MiB).
    conn.pragma_update(None, "cache_size", -65_536)?;
    let tx = store::write_tx(conn)?;
    let mut clients_cache: HashMap<(Option<String>, String), i64> = HashMap::new();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let mut seen_emails: HashMap<String, u64> = HashMap::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { err, .. } => format!(
                        "field {} is not UTF-8 text; save the export as CSV UTF-8 and import it again",
                        err.field() + 1
                    ),
                    _ => format!("cannot be read ({e}); fix the quoting or encoding"),
                };
                report.problems.push(Problem {
                    line,
                    column: "row".into(),
                    message,
                });
                report.skipped += 1;
                // A UTF-8 or quoting error may leave the reader mid-record; continue with the next.
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    continue;
                }
                break;
            }
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue; // blank line
        }
        report.rows += 1;
        if rec.len() != width {
            report.problems.push(Problem {
                line,
                column: "row".into(),
                message: format!(
                    "has {} fields but the header has {width}; check for a missing or extra comma",
                    rec.len()
                ),
            });
            report.skipped += 1;
            continue;
        }
        match row_fields(&cols, &rec, line) {
            Err(p) => {
                report.problems.push(p);
                report.skipped += 1;
            }
            Ok(row) => {
                // The same contact twice in one file would make a re-import ambiguous.
                if let Some(id) = &row.crm_id {
                    if let Some(first) = seen_ids.insert(id.clone(), line) {
                        report.problems.push(Problem {
                            line,
                            column: cols.header(Field::Id).to_string(),
                            message: format!(
                                "id `{id}` is also on line {first}; each row needs its own id"
                            ),
                        });
                        report.skipped += 1;
                        continue;
                    }
                } else if let Some(e) = &row.email {
                    let norm = contacts::normalize_email(e);
                    if let Some(first) = seen_emails.insert(norm, line) {
                        report.problems.push(Problem {
                            line,
                            column: cols.header(Field::Email).to_string(),
                            message: format!("`{e}` is also on line {first}; without an id column rows are matched by email, so add an id column to import both"),
                        });
                        report.skipped += 1;
                        continue;
                    }
                }
                apply_row(&tx, &row, &mut clients_cache, &mut report)?;
            }
        }
    }
    if opts.dry_run {
        tx.rollback()?;
    } else {
        tx.commit()?;
    }
    Ok(report)
}

struct Row {
    crm_id: Option<String>,
    first: String,
    last: String,
    email: Option<String>,
    dne: bool,
    client: Option<(Option<String>, String, ClientKind)>,
}

fn row_fields(cols: &Columns, rec: &csv::StringRecord, line: u64) -> Result<Row, Problem> {
    let problem = |f: Field, message: String| Problem {
        line,
        column: cols.header(f).to_string(),
        message,
    };
    let crm_id = cols
        .get(rec, Field::Id)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    // Names keep their accents and apostrophes; line breaks and runs of spaces become one space.
    let tidy = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (mut first, mut last) = (
        tidy(cols.get(rec, Field::FirstName).unwrap_or("")),
        tidy(cols.get(rec, Field::LastName).unwrap_or("")),
    );
    if first.is_empty()
        && last.is_empty()
        && let Some(full) = cols
            .get(rec, Field::FullName)
            .map(tidy)
            .filter(|s| !s.is_empty())
    {
        match full.rsplit_once(' ') {
            Some((f, l)) => {
                first = f.trim().to_string();
                last = l.trim().to_string();
            }
            None => last = full,
        }
    }
    let email = cols.get(rec, Field::Email).filter(|s| !s.is_empty());
    if let Some(e) = email {
        check_email(e).map_err(|m| {
            problem(
                Field::Email,
                format!("{m}; fix the address or leave the cell empty"),
            )
        })?;
    }
    if first.is_empty() && last.is_empty() && email.is_none() {
        return Err(problem(
            Field::LastName,
            "the row has no name and no email; fill one in or delete the row".into(),
        ));
    }
    for (f, v) in [(Field::FirstName, &first), (Field::LastName, &last)] {
        if v.chars().count() > 255 {
            return Err(problem(f, "is longer than 255 characters".into()));
        }
    }
    let dne = match cols.get(rec, Field::DoNotEmail) {
        None => false,
        Some(v) => parse_yes_no(v).ok_or_else(|| {
            problem(
                Field::DoNotEmail,
                format!("`{v}` is not a yes/no value; use true/false, yes/no or 1/0"),
            )
        })?,
    };
    let client = match cols
        .get(rec, Field::ClientName)
        .map(tidy)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(name) => {
            let kind = match cols.get(rec, Field::ClientKind).filter(|s| !s.is_empty()) {
                Some(k) => parse_kind(k).ok_or_else(|| {
                    problem(
                        Field::ClientKind,
                        format!("`{k}` is neither a household nor an organization"),
                    )
                })?,
                None => cols.implied_kind.unwrap_or(ClientKind::Household),
            };
            let cid = cols
                .get(rec, Field::ClientId)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            Some((cid, name, kind))
        }
    };
    Ok(Row {
        crm_id,
        first,
        last,
        email: email.map(str::to_string),
        dne,
        client,
    })
}

fn apply_row(
    conn: &Connection,
    row: &Row,
    clients_cache: &mut HashMap<(Option<String>, String), i64>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let client_id = match &row.client {
        None => None,
        Some((cid, name, kind)) => {
            let key = (cid.clone(), clients::name_key(name));
            match clients_cache.get(&key) {
                Some(&id) => Some(id),
                None => {
                    let (id, change) = clients::upsert(conn, cid.as_deref(), name, *kind)?;
                    if change == clients::Change::Inserted {
                        report.clients_created += 1;
                    }
                    clients_cache.insert(key, id);
                    Some(id)
                }
            }
        }
    };
    let mut fields = ContactFields {
        crm_id: row.crm_id.clone(),
        client_id,
        first_name: row.first.clone(),
        last_name: row.last.clone(),
        email: row.email.clone(),
        do_not_email: row.dne,
    };
    // No id and no email: match by name within the client so a re-import doesn't duplicate.
    if fields.crm_id.is_none() && fields.email.is_none() {
        let existing: Option<(i64, Option<String>)> = conn
            .prepare_cached(
                "SELECT id, crm_id FROM contacts WHERE email_norm IS NULL AND client_id IS ?1
                 AND first_name = ?2 AND last_name = ?3 ORDER BY id LIMIT 1",
            )?
            .query_row(
                params![client_id, fields.first_name, fields.last_name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional_row()?;
        match existing {
            Some((_, Some(crm))) => fields.crm_id = Some(crm),
            Some((id, None)) => {
                let n = conn.execute(
                    "UPDATE contacts SET do_not_email = ?2, updated_at = ?3
                     WHERE id = ?1 AND do_not_email != ?2",
                    params![id, fields.do_not_email, store::time::now()],
                )?;
                if n > 0 {
                    report.updated += 1;
                } else {
                    report.unchanged += 1;
                }
                report.without_email += 1;
                return Ok(());
            }
            None => {}
        }
    }
    if fields.email.is_none() {
        report.without_email += 1;
    }
    match contacts::upsert(conn, &fields)? {
        Upserted::Inserted(_) => report.inserted += 1,
        Upserted::Updated(_) => report.updated += 1,
        Upserted::Unchanged(_) => report.unchanged += 1,
    }
    Ok(())
}
