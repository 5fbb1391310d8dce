//! `ctctsync config get|set|list`.

use crate::cli::ConfigCommand;
use crate::config::{self, ConfigError, KEYS, KeyKind};

use std::io::IsTerminal;

use super::{Ctx, UsageError, read_stdin_value};

pub fn run(ctx: &Ctx, cmd: ConfigCommand) -> anyhow::Result<u8> {
    let store = ctx.store()?;
    let conn = store.connect()?;
    match cmd {
        ConfigCommand::Get { key } => {
            let def = config::key_def(&key).ok_or(ConfigError::UnknownKey(key.clone()))?;
            match config::get(&conn, &key)? {
                // A secret is never printed: say whether it is set.
                Some(v) if def.kind == KeyKind::Secret => {
                    println!("{}", config::display_value(&key, &v))
                }
                Some(v) => println!("{v}"),
                None => {
                    eprintln!("{key} is not set");
                    return Ok(1);
                }
            }
            Ok(0)
        }
        ConfigCommand::Set { key, value } => {
            let value = if value == "-" {
                let def = config::key_def(&key).ok_or(ConfigError::UnknownKey(key.clone()))?;
                let secret = def.kind == KeyKind::Secret;
                let value = if std::io::stdin().is_terminal() {
                    // Typed or pasted at a prompt; a secret is not echoed.
                    let prompt = format!("{key}{}: ", if secret { " (input hidden)" } else { "" });
                    if secret {
                        rpassword::prompt_password(prompt)?
                    } else {
                        eprint!("{prompt}");
                        read_stdin_value()?
                    }
                } else {
                    read_stdin_value()?
                };
                if value.trim().is_empty() {
                    return Err(UsageError(format!(
                        "{key}: nothing was read from standard input, so nothing changed; \
                         to clear it, run `ctctsync config set {key} ''`"
                    ))
                    .into());
                }
                value
            } else {
                value
            };
            let stored = config::set(&conn, &key, &value)?;
            eprintln!("{key} = {}", config::display_value(&key, &stored));
            Ok(0)
        }
        ConfigCommand::List => {
            let width = KEYS.iter().map(|k| k.key.len()).max().unwrap_or(0);
            for def in KEYS {
                let v = config::get(&conn, def.key)?.unwrap_or_default();
                let origin = if config::is_set(&conn, def.key)? {
                    ""
                } else {
                    " (default)"
                };
                println!(
                    "{:width$}  {}{origin}\n{:width$}  # {}",
                    def.key,
                    if v.is_empty() {
                        "—".to_string()
                    } else {
                        config::display_value(def.key, &v)
                    },
                    "",
                    def.help
                );
            }
            Ok(0)
        }
    }
}
