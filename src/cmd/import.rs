//! `ctctsync import contacts FILE [--dry-run]`.

use crate::cli::ImportCommand;

use super::Ctx;

pub fn run(_ctx: &Ctx, _cmd: ImportCommand) -> anyhow::Result<u8> {
    eprintln!("ctctsync import: not implemented yet");
    Ok(2)
}
