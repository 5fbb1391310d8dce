//! Every user intent is one [`Action`]. Keys map to actions in `keymap.rs` (one table), mouse
//! clicks are translated by the screen that owns the clicked region.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Quit (asks first when something is unsaved).
    Quit,
    /// Open or close the `?` help overlay.
    Help,
    /// Next / previous field (Tab / Shift-Tab).
    FocusNext,
    FocusPrev,
    /// Move in a list (↑↓, j/k).
    Up,
    Down,
    /// Toggle the focused switch or tick-box (Space).
    Toggle,
    /// Confirm: press the focused button, or save the step and go on (Enter).
    Confirm,
    /// Go back / close (Esc).
    Back,
    /// Next / previous step or page (PgDn/PgUp, n/p).
    NextPage,
    PrevPage,
    /// Show or hide a masked secret.
    Reveal,
    /// Copy the value on screen to the clipboard (OSC 52).
    Copy,
    /// Run again (reachability checks, authorization).
    Retry,
    /// Answer a yes/no question.
    Yes,
    No,
    // The dashboard (issue 7).
    /// Next / previous dashboard tab (Tab / Shift-Tab), or tab N (number keys, 1-based).
    TabNext,
    TabPrev,
    GoTab(u8),
    /// Next / previous section of a contact's or client's page (→ / ←).
    SubNext,
    SubPrev,
    /// Run the selected job now / cancel its run.
    RunNow,
    CancelRun,
    /// Write what the table shows to a CSV file.
    Export,
    /// Re-download this contact's activity from Constant Contact now.
    Refresh,
    /// Focus the table's filter field.
    Filter,
    /// Edit the focused field / save the edits.
    Edit,
    Save,
    /// Drop the unsaved edits (the question asked before leaving a page).
    Discard,
    /// Add to / remove from a list.
    Add,
    Remove,
    /// Open the wizard's Authorize step.
    Authorize,
    /// Show the authorize address alone, full-screen and without borders (so a mouse selection
    /// copies it cleanly), or go back from there.
    ShowUrl,
}
