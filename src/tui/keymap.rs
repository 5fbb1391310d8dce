//! The one key table. Each binding has the keys, the [`Action`], the context it works in and a
//! description; the `?` help overlay and the footer hint bar are generated from it, so they can
//! never disagree with what the keys do.
//!
//! Contexts are layered: a screen reports the contexts active right now, most specific first
//! (e.g. `[Dialog]`, or `[Text, Wizard, Global]`), and the first binding that matches wins.
//! While a text field has focus, plain printable keys (no Ctrl/Alt) always go to the field, so a
//! `q` or `j` typed into a URL never quits or moves.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere, unless a dialog is open.
    Global,
    /// A yes/no question is open; only its keys work.
    Dialog,
    /// The help overlay is open.
    Help,
    /// Leaving a contact's page (or quitting) with unsaved edits: save, discard or stay.
    DashUnsaved,
    /// The setup wizard.
    Wizard,
    /// The Authorize step while it waits for the browser (the address is on screen).
    WizardUrl,
    /// The authorize address shown alone, full-screen.
    UrlAlone,
    /// A text field has focus (printable keys are typed into it).
    Text,
    /// A masked secret field has focus.
    Secret,
    /// A list, switch or tick-box has focus.
    List,
    /// The dashboard: switching tabs.
    Dashboard,
    /// A dashboard table (move, page, export).
    DashTable,
    /// The Jobs tab.
    DashJobs,
    /// The Jobs tab for a user holding the Constant Contact permission (who may reopen setup).
    DashJobsSetup,
    /// A table with a filter whose rows open a page (Contacts, Clients).
    DashBrowse,
    /// A contact's or client's page (sections, back).
    DashPage,
    /// A contact's Details section.
    DashDetails,
    /// A contact's Lists section.
    DashMembership,
    /// A contact's Constant Contact section.
    DashActivity,
    /// Choosing a list to add the contact to.
    DashPicker,
    /// Editing a field or the filter.
    DashEdit,
    /// The Outbox tab.
    DashOutbox,
    /// The Settings tab.
    DashSettings,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Dialog => "Question",
            Context::Help => "Help",
            Context::DashUnsaved => "Unsaved changes",
            Context::Wizard => "Setup wizard",
            Context::WizardUrl => "Authorize address",
            Context::UrlAlone => "Address alone",
            Context::Text => "Text fields",
            Context::Secret => "Secret fields",
            Context::List => "Lists and switches",
            Context::Dashboard => "Dashboard",
            Context::DashTable => "Tables",
            Context::DashJobs => "Jobs",
            Context::DashJobsSetup => "Jobs (with the permission)",
            Context::DashBrowse => "Browsing",
            Context::DashPage => "Pages",
            Context::DashDetails => "Contact details",
            Context::DashMembership => "Contact lists",
            Context::DashActivity => "Constant Contact activity",
            Context::DashPicker => "Choose a list",
            Context::DashEdit => "Editing",
            Context::DashOutbox => "Outbox",
            Context::DashSettings => "Settings",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }
    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// A printable key without Ctrl/Alt: it belongs to a focused text field.
    pub fn is_printable(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .mods
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }

    fn matches(&self, ev: &KeyEvent) -> bool {
        if self.code != ev.code {
            // Shift-Tab arrives as BackTab on most terminals.
            return false;
        }
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        match ev.code {
            // Characters carry their own shift state ('?' vs '/'), so only Ctrl/Alt matter.
            KeyCode::Char(_) => (ev.modifiers & relevant) == (self.mods & relevant),
            _ => (ev.modifiers & (relevant | KeyModifiers::SHIFT)) == self.mods,
        }
    }

    /// How the key is written in the help and the hint bar.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("C-{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("M-{base}")
        } else {
            base
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub context: Context,
    pub desc: &'static str,
    /// Shown in the footer hint bar (the help overlay shows every binding).
    pub hint: bool,
}

const fn b(
    keys: &'static [Key],
    action: Action,
    context: Context,
    desc: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        keys,
        action,
        context,
        desc,
        hint,
    }
}

use KeyCode as K;

/// The key table. Order matters within a context (first match wins) and is the display order.
pub static BINDINGS: &[Binding] = &[
    // A question is open: nothing else works.
    b(
        &[Key::ch('y'), Key::plain(K::Enter)],
        Action::Yes,
        Context::Dialog,
        "yes",
        true,
    ),
    b(
        &[Key::ch('n'), Key::plain(K::Esc)],
        Action::No,
        Context::Dialog,
        "no / stay",
        true,
    ),
    b(
        &[Key::ctrl('c')],
        Action::Quit,
        Context::Dialog,
        "quit without saving",
        false,
    ),
    // Leaving a page with unsaved edits: nothing else works.
    b(
        &[Key::ch('s'), Key::ch('y'), Key::plain(K::Enter)],
        Action::Save,
        Context::DashUnsaved,
        "save and leave",
        true,
    ),
    b(
        &[Key::ch('d')],
        Action::Discard,
        Context::DashUnsaved,
        "discard and leave",
        true,
    ),
    b(
        &[Key::ch('n'), Key::plain(K::Esc)],
        Action::No,
        Context::DashUnsaved,
        "stay",
        true,
    ),
    b(
        &[Key::ctrl('c')],
        Action::Quit,
        Context::DashUnsaved,
        "quit without saving",
        false,
    ),
    // The help overlay.
    b(
        &[
            Key::ch('?'),
            Key::plain(K::Esc),
            Key::plain(K::F(1)),
            Key::ch('q'),
        ],
        Action::Help,
        Context::Help,
        "close help",
        true,
    ),
    b(
        &[Key::ctrl('c')],
        Action::Quit,
        Context::Help,
        "quit",
        false,
    ),
    // Secret fields.
    b(
        &[Key::ctrl('r'), Key::plain(K::F(2))],
        Action::Reveal,
        Context::Secret,
        "show / hide the secret",
        true,
    ),
    // Text fields (printable keys type into the field).
    b(
        &[Key::plain(K::Enter)],
        Action::Confirm,
        Context::Text,
        "save and continue",
        true,
    ),
    b(
        &[Key::plain(K::Up)],
        Action::Up,
        Context::Text,
        "previous field",
        false,
    ),
    b(
        &[Key::plain(K::Down)],
        Action::Down,
        Context::Text,
        "next field",
        false,
    ),
    // Lists, switches, buttons.
    b(
        &[Key::plain(K::Up), Key::ch('k')],
        Action::Up,
        Context::List,
        "move up",
        false,
    ),
    b(
        &[Key::plain(K::Down), Key::ch('j')],
        Action::Down,
        Context::List,
        "move down",
        false,
    ),
    b(
        &[Key::ch(' ')],
        Action::Toggle,
        Context::List,
        "toggle",
        true,
    ),
    b(
        &[Key::plain(K::Enter)],
        Action::Confirm,
        Context::List,
        "press / continue",
        true,
    ),
    // The wizard.
    b(
        &[Key::plain(K::Tab)],
        Action::FocusNext,
        Context::Wizard,
        "next field",
        true,
    ),
    b(
        &[
            Key::plain(K::BackTab),
            Key {
                code: K::BackTab,
                mods: KeyModifiers::SHIFT,
            },
        ],
        Action::FocusPrev,
        Context::Wizard,
        "previous field",
        false,
    ),
    b(
        &[Key::plain(K::PageDown), Key::ch('n')],
        Action::NextPage,
        Context::Wizard,
        "next step",
        true,
    ),
    b(
        &[Key::plain(K::PageUp), Key::ch('p')],
        Action::PrevPage,
        Context::Wizard,
        "previous step",
        true,
    ),
    b(
        &[Key::plain(K::Esc)],
        Action::Back,
        Context::Wizard,
        "back",
        false,
    ),
    b(
        &[Key::ch('c'), Key::ctrl('y')],
        Action::Copy,
        Context::Wizard,
        "copy the URL (OSC 52)",
        false,
    ),
    b(
        &[Key::ch('u'), Key::ctrl('o')],
        Action::ShowUrl,
        Context::WizardUrl,
        "address alone (to select)",
        true,
    ),
    b(
        &[
            Key::ch('u'),
            Key::ctrl('o'),
            Key::plain(K::Esc),
            Key::plain(K::Enter),
        ],
        Action::ShowUrl,
        Context::UrlAlone,
        "back",
        true,
    ),
    b(
        &[Key::ch('c'), Key::ctrl('y')],
        Action::Copy,
        Context::UrlAlone,
        "copy (OSC 52)",
        true,
    ),
    b(
        &[Key::ch('r'), Key::ctrl('t')],
        Action::Retry,
        Context::Wizard,
        "run again",
        false,
    ),
    b(
        &[Key::plain(K::Enter)],
        Action::Confirm,
        Context::Wizard,
        "save and continue",
        false,
    ),
    // The dashboard (issue 7). Editing a field or the filter.
    b(
        &[Key::plain(K::Enter)],
        Action::Confirm,
        Context::DashEdit,
        "done",
        true,
    ),
    b(
        &[Key::plain(K::Esc)],
        Action::Back,
        Context::DashEdit,
        "cancel",
        true,
    ),
    b(
        &[Key::plain(K::Up)],
        Action::Up,
        Context::DashEdit,
        "move up",
        false,
    ),
    b(
        &[Key::plain(K::Down)],
        Action::Down,
        Context::DashEdit,
        "move down",
        false,
    ),
    // Choosing a list.
    b(
        &[Key::plain(K::Up), Key::ch('k')],
        Action::Up,
        Context::DashPicker,
        "move up",
        false,
    ),
    b(
        &[Key::plain(K::Down), Key::ch('j')],
        Action::Down,
        Context::DashPicker,
        "move down",
        false,
    ),
    b(
        &[Key::plain(K::Enter)],
        Action::Confirm,
        Context::DashPicker,
        "add to this list",
        true,
    ),
    b(
        &[Key::plain(K::Esc)],
        Action::Back,
        Context::DashPicker,
        "cancel",
        true,
    ),
    // The Jobs tab.
    b(
        &[Key::ch('r')],
        Action::RunNow,
        Context::DashJobs,
        "run now",
        true,
    ),
    b(
        &[Key::ch('c')],
        Action::CancelRun,
        Context::DashJobs,
        "cancel run",
        true,
    ),
    b(
        &[Key::ch(' ')],
        Action::Toggle,
        Context::DashJobs,
        "on/off",
        true,
    ),
    b(
        &[Key::ch('a')],
        Action::Authorize,
        Context::DashJobsSetup,
        "authorize again",
        false,
    ),
    // A contact's sections.
    b(
        &[Key::plain(K::Enter)],
        Action::Edit,
        Context::DashDetails,
        "edit",
        true,
    ),
    b(
        &[Key::ch(' ')],
        Action::Toggle,
        Context::DashDetails,
        "toggle Do Not Email",
        true,
    ),
    b(
        &[Key::ch('s'), Key::ctrl('s')],
        Action::Save,
        Context::DashDetails,
        "save",
        true,
    ),
    b(
        &[Key::ch('a')],
        Action::Add,
        Context::DashMembership,
        "add to list",
        true,
    ),
    b(
        &[Key::ch('d'), Key::plain(K::Delete)],
        Action::Remove,
        Context::DashMembership,
        "remove",
        true,
    ),
    b(
        &[Key::ch('r')],
        Action::Refresh,
        Context::DashActivity,
        "refresh now",
        true,
    ),
    // A contact's or client's page.
    b(
        &[Key::plain(K::Right), Key::ch(']')],
        Action::SubNext,
        Context::DashPage,
        "next section",
        true,
    ),
    b(
        &[Key::plain(K::Left), Key::ch('[')],
        Action::SubPrev,
        Context::DashPage,
        "previous section",
        false,
    ),
    b(
        &[Key::plain(K::Esc), Key::plain(K::Backspace)],
        Action::Back,
        Context::DashPage,
        "back",
        true,
    ),
    // Contacts and Clients tables.
    b(
        &[Key::plain(K::Enter)],
        Action::Confirm,
        Context::DashBrowse,
        "open",
        true,
    ),
    b(
        &[Key::ch('/')],
        Action::Filter,
        Context::DashBrowse,
        "filter",
        true,
    ),
    b(
        &[Key::plain(K::Esc)],
        Action::Back,
        Context::DashBrowse,
        "clear filter",
        false,
    ),
    // Outbox and Settings.
    b(
        &[Key::ch('r')],
        Action::Retry,
        Context::DashOutbox,
        "retry now",
        true,
    ),
    b(
        &[Key::plain(K::Enter)],
        Action::Confirm,
        Context::DashOutbox,
        "open the contact",
        true,
    ),
    b(
        &[Key::plain(K::Enter)],
        Action::Confirm,
        Context::DashSettings,
        "open this step",
        true,
    ),
    // Every dashboard table.
    b(
        &[Key::plain(K::Up), Key::ch('k')],
        Action::Up,
        Context::DashTable,
        "move up",
        false,
    ),
    b(
        &[Key::plain(K::Down), Key::ch('j')],
        Action::Down,
        Context::DashTable,
        "move down",
        false,
    ),
    b(
        &[Key::plain(K::PageUp)],
        Action::PrevPage,
        Context::DashTable,
        "page up",
        false,
    ),
    b(
        &[Key::plain(K::PageDown)],
        Action::NextPage,
        Context::DashTable,
        "page down",
        false,
    ),
    b(
        &[Key::ch('e')],
        Action::Export,
        Context::DashTable,
        "export CSV",
        true,
    ),
    // Switching tabs.
    b(
        &[Key::plain(K::Tab)],
        Action::TabNext,
        Context::Dashboard,
        "next tab",
        true,
    ),
    b(
        &[
            Key::plain(K::BackTab),
            Key {
                code: K::BackTab,
                mods: KeyModifiers::SHIFT,
            },
        ],
        Action::TabPrev,
        Context::Dashboard,
        "previous tab",
        false,
    ),
    b(
        &[Key::ch('1')],
        Action::GoTab(1),
        Context::Dashboard,
        "tabs 1-6 (number keys)",
        false,
    ),
    b(
        &[Key::ch('2')],
        Action::GoTab(2),
        Context::Dashboard,
        "tabs 1-6 (number keys)",
        false,
    ),
    b(
        &[Key::ch('3')],
        Action::GoTab(3),
        Context::Dashboard,
        "tabs 1-6 (number keys)",
        false,
    ),
    b(
        &[Key::ch('4')],
        Action::GoTab(4),
        Context::Dashboard,
        "tabs 1-6 (number keys)",
        false,
    ),
    b(
        &[Key::ch('5')],
        Action::GoTab(5),
        Context::Dashboard,
        "tabs 1-6 (number keys)",
        false,
    ),
    b(
        &[Key::ch('6')],
        Action::GoTab(6),
        Context::Dashboard,
        "tabs 1-6 (number keys)",
        false,
    ),
    // Everywhere.
    b(
        &[Key::ch('?'), Key::plain(K::F(1))],
        Action::Help,
        Context::Global,
        "help",
        true,
    ),
    b(
        &[Key::ch('q'), Key::ctrl('c')],
        Action::Quit,
        Context::Global,
        "quit",
        true,
    ),
];

/// The action a key press means in the given contexts (most specific first).
pub fn lookup(contexts: &[Context], ev: &KeyEvent) -> Option<Action> {
    let typing = contexts
        .iter()
        .any(|c| matches!(c, Context::Text | Context::Secret));
    for ctx in contexts {
        for bind in BINDINGS.iter().filter(|b| b.context == *ctx) {
            for key in bind.keys {
                if typing && key.is_printable() {
                    continue;
                }
                if key.matches(ev) {
                    return Some(bind.action);
                }
            }
        }
    }
    None
}

/// The labels of a binding's keys that work in these contexts, joined with `/`.
fn labels(bind: &Binding, typing: bool) -> String {
    bind.keys
        .iter()
        .filter(|k| !(typing && k.is_printable()))
        .filter(|k| !(k.code == K::BackTab && k.mods == KeyModifiers::SHIFT))
        .map(Key::label)
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether an earlier context in the list already claims one of this binding's keys.
fn shadowed(contexts: &[Context], upto: usize, bind: &Binding, typing: bool) -> bool {
    bind.keys
        .iter()
        .filter(|k| !(typing && k.is_printable()))
        .all(|k| {
            contexts[..upto].iter().any(|c| {
                BINDINGS.iter().any(|o| {
                    o.context == *c
                        && o.keys
                            .iter()
                            .any(|ok| ok == k && !(typing && ok.is_printable()))
                })
            })
        })
}

/// (keys, description) for the footer: the hinted bindings that work right now.
pub fn hints(contexts: &[Context]) -> Vec<(String, &'static str)> {
    rows(contexts, true)
        .into_iter()
        .map(|(_, k, d)| (k, d))
        .collect()
}

/// (context, keys, description) for the help overlay: every binding that works right now.
pub fn help_rows(contexts: &[Context]) -> Vec<(Context, String, &'static str)> {
    rows(contexts, false)
}

fn rows(contexts: &[Context], only_hints: bool) -> Vec<(Context, String, &'static str)> {
    let typing = contexts
        .iter()
        .any(|c| matches!(c, Context::Text | Context::Secret));
    let mut out: Vec<(Context, String, &'static str)> = Vec::new();
    for (i, ctx) in contexts.iter().enumerate() {
        for bind in BINDINGS.iter().filter(|b| b.context == *ctx) {
            if only_hints && !bind.hint {
                continue;
            }
            let keys = labels(bind, typing);
            if keys.is_empty() || shadowed(contexts, i, bind, typing) {
                continue;
            }
            if out.iter().any(|(_, _, d)| *d == bind.desc) {
                continue;
            }
            out.push((*ctx, keys, bind.desc));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new_with_kind(code, mods, KeyEventKind::Press)
    }

    #[test]
    fn printable_keys_go_to_text_fields() {
        let ctx = [Context::Text, Context::Wizard, Context::Global];
        assert_eq!(lookup(&ctx, &key(K::Char('q'), KeyModifiers::NONE)), None);
        assert_eq!(lookup(&ctx, &key(K::Char('n'), KeyModifiers::NONE)), None);
        assert_eq!(
            lookup(&ctx, &key(K::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            lookup(&ctx, &key(K::Tab, KeyModifiers::NONE)),
            Some(Action::FocusNext)
        );
        assert_eq!(
            lookup(&ctx, &key(K::F(1), KeyModifiers::NONE)),
            Some(Action::Help)
        );
    }

    #[test]
    fn list_keys_and_shift_tab() {
        let ctx = [Context::List, Context::Wizard, Context::Global];
        assert_eq!(
            lookup(&ctx, &key(K::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            lookup(&ctx, &key(K::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(
            lookup(&ctx, &key(K::BackTab, KeyModifiers::SHIFT)),
            Some(Action::FocusPrev)
        );
        assert_eq!(
            lookup(&ctx, &key(K::Char('q'), KeyModifiers::NONE)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn dialog_swallows_everything_else() {
        let ctx = [Context::Dialog];
        assert_eq!(
            lookup(&ctx, &key(K::Char('y'), KeyModifiers::NONE)),
            Some(Action::Yes)
        );
        assert_eq!(lookup(&ctx, &key(K::Char('q'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn hints_show_only_keys_that_work_while_typing() {
        let ctx = [Context::Text, Context::Wizard, Context::Global];
        let h = hints(&ctx);
        assert!(h.iter().any(|(k, d)| k == "C-c" && *d == "quit"), "{h:?}");
        assert!(h.iter().any(|(k, _)| k == "PgDn"), "{h:?}");
        assert!(!h.iter().any(|(k, _)| k.contains('q')), "{h:?}");
    }
}
