//! `ctctsync contacts list|show`.

use crate::cli::ContactsCommand;

use super::Ctx;

pub async fn run(_ctx: &Ctx, _cmd: ContactsCommand) -> anyhow::Result<u8> {
    eprintln!("ctctsync contacts: not implemented yet");
    Ok(2)
}
