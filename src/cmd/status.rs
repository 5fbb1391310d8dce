//! `ctctsync status [--json]`.

use super::Ctx;

pub fn run(_ctx: &Ctx, _json: bool) -> anyhow::Result<u8> {
    eprintln!("ctctsync status: not implemented yet");
    Ok(2)
}
