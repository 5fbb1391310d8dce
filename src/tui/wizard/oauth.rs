//! The Authorize step's link to the OAuth library (`crate::ctct::oauth`): starts a login, feeds it
//! a pasted redirect URL, cancels it, and reports progress to the event loop as [`LoginEvent`]s.
//! The login itself (PKCE, state, loopback listener, token exchange, storing tokens) is the
//! library's; this file only drives it from a task so `update` never waits.

use tokio::sync::mpsc::{self, UnboundedSender};

use crate::ctct::oauth::{self, LoginOptions};
use crate::store::Store;

use super::super::msg::{Msg, Reply};

/// What the wizard asks of the login driver.
#[derive(Clone, PartialEq, Eq)]
pub enum LoginCmd {
    /// Start (or restart) an authorization.
    Begin,
    /// The redirected URL the admin pasted (no-browser path).
    Paste(String),
    Cancel,
}

impl std::fmt::Debug for LoginCmd {
    // The pasted URL holds an authorization code: never in Debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoginCmd::Begin => f.write_str("Begin"),
            LoginCmd::Paste(_) => f.write_str("Paste(<redacted>)"),
            LoginCmd::Cancel => f.write_str("Cancel"),
        }
    }
}

/// Progress of an authorization, as the wizard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginEvent {
    /// Waiting for the browser (or a pasted URL) at `url`.
    Started {
        url: String,
        browser_opened: bool,
        /// Why no browser opened or the listener is not used, if so.
        note: Option<String>,
    },
    /// The pasted URL was refused; the login keeps waiting.
    PasteRejected {
        reason: String,
    },
    Succeeded {
        organization: String,
    },
    Failed {
        reason: String,
    },
}

/// Owns the login in progress (at most one).
pub struct LoginDriver {
    store: Store,
    tx: UnboundedSender<Msg>,
    options: LoginOptions,
    current: Option<mpsc::UnboundedSender<LoginCmd>>,
}

impl LoginDriver {
    pub fn new(store: Store, tx: UnboundedSender<Msg>, options: LoginOptions) -> LoginDriver {
        LoginDriver {
            store,
            tx,
            options,
            current: None,
        }
    }

    pub fn handle(&mut self, cmd: LoginCmd) {
        match cmd {
            LoginCmd::Begin => {
                if let Some(old) = self.current.take() {
                    let _ = old.send(LoginCmd::Cancel);
                }
                let (ctl_tx, ctl_rx) = mpsc::unbounded_channel();
                self.current = Some(ctl_tx);
                let store = self.store.clone();
                let tx = self.tx.clone();
                let options = self.options.clone();
                tokio::spawn(async move {
                    let event = run_login(store, options, ctl_rx, tx.clone()).await;
                    let _ = tx.send(Msg::Reply(Reply::Login(event)));
                });
            }
            other => {
                let sent = self
                    .current
                    .as_ref()
                    .is_some_and(|c| c.send(other.clone()).is_ok());
                if !sent && matches!(other, LoginCmd::Paste(_)) {
                    let _ = self.tx.send(Msg::Reply(Reply::Login(LoginEvent::Failed {
                        reason: "no authorization is waiting: press Enter on “Authorize in the browser” first".into(),
                    })));
                }
            }
        }
    }
}

/// One authorization from start to end; returns the final event.
async fn run_login(
    store: Store,
    options: LoginOptions,
    mut ctl: mpsc::UnboundedReceiver<LoginCmd>,
    tx: UnboundedSender<Msg>,
) -> LoginEvent {
    let read = store.clone();
    let settings = match tokio::task::spawn_blocking(move || -> Result<_, String> {
        let conn = read.connect().map_err(|e| e.to_string())?;
        crate::config::ctct_settings(&conn).map_err(|e| e.to_string())
    })
    .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return LoginEvent::Failed { reason: e },
        Err(e) => {
            return LoginEvent::Failed {
                reason: e.to_string(),
            };
        }
    };
    let pending = match oauth::begin_login(store, settings, options).await {
        Ok(p) => p,
        Err(e) => {
            return LoginEvent::Failed {
                reason: e.to_string(),
            };
        }
    };
    let note = pending.listener_note().map(str::to_string).or_else(|| {
        pending
            .no_browser_reason()
            .map(|r| format!("no browser: {r}"))
    });
    let _ = tx.send(Msg::Reply(Reply::Login(LoginEvent::Started {
        url: pending.authorize_url().to_string(),
        browser_opened: pending.browser_opened(),
        note,
    })));
    let paste = pending.paste_sender();
    let cancel = pending.cancel_token();
    let wait = pending.wait();
    tokio::pin!(wait);
    loop {
        tokio::select! {
            outcome = &mut wait => {
                return match outcome {
                    Ok(o) => LoginEvent::Succeeded {
                        organization: o
                            .organization_name
                            .unwrap_or_else(|| "(account name not available)".into()),
                    },
                    Err(e) => LoginEvent::Failed { reason: e.to_string() },
                };
            }
            cmd = ctl.recv() => match cmd {
                Some(LoginCmd::Paste(url)) => {
                    if let Err(e) = paste.submit(&url) {
                        let _ = tx.send(Msg::Reply(Reply::Login(LoginEvent::PasteRejected {
                            reason: e.to_string(),
                        })));
                    }
                }
                Some(LoginCmd::Cancel) | None => cancel.cancel(),
                Some(LoginCmd::Begin) => {}
            },
        }
    }
}
