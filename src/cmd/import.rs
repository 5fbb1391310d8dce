//! `ctctsync import contacts FILE [--dry-run]`.

use crate::cli::ImportCommand;
use crate::import::{self, ImportOptions};

use super::{Ctx, UsageError};

pub fn run(ctx: &Ctx, cmd: ImportCommand) -> anyhow::Result<u8> {
    let ImportCommand::Contacts { file, dry_run } = cmd;
    if !file.exists() {
        return Err(UsageError(format!(
            "{}: no such file; give the path of a CSV export of your CRM contacts",
            file.display()
        ))
        .into());
    }
    if file.is_dir() {
        return Err(UsageError(format!(
            "{}: is a folder; give the path of a CSV file inside it",
            file.display()
        ))
        .into());
    }
    let store = ctx.store()?;
    let report = match import::import_contacts_file(&store, &file, ImportOptions { dry_run }) {
        Ok(r) => r,
        Err(e) if e.is_bad_input() => {
            return Err(UsageError(format!("{}: {e}", file.display())).into());
        }
        Err(e) => return Err(e.into()),
    };
    println!("Columns mapped:");
    for (header, field) in &report.mapped {
        println!("  {header} → {field}");
    }
    if !report.ignored.is_empty() {
        println!("Columns ignored: {}", report.ignored.join(", "));
    }
    for p in &report.problems {
        println!("{p}");
    }
    let verb = if report.dry_run { "would be" } else { "were" };
    println!(
        "{} read: {} new, {} updated, {} unchanged, {} skipped; {} without email; {} new clients {verb} created.",
        if report.rows == 1 {
            "1 row".to_string()
        } else {
            format!("{} rows", report.rows)
        },
        report.inserted,
        report.updated,
        report.unchanged,
        report.skipped,
        report.without_email,
        report.clients_created
    );
    if report.dry_run {
        println!("Dry run: nothing was written.");
    }
    Ok(if report.all_good() { 0 } else { 2 })
}
