//! The setup wizard (SPEC §4): ten steps, a checklist derived from the store, inline validation,
//! progress saved as you go.
//!
//! - `steps.rs`: the steps and the store-derived status of each (pure);
//! - `state.rs`: the state machine (`update(event) -> Vec<Effect>`, no I/O);
//! - `view.rs` + `body.rs`: pure drawing and the layout shared with mouse hit-testing;
//! - `oauth.rs`: drives the OAuth library for the Authorize step.

pub mod body;
pub mod oauth;
pub mod state;
pub mod steps;
pub mod view;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::effect::Effect;
use super::keymap::Context;
use super::screen::{Screen, ScreenEvent};
use super::theme::Theme;

pub use state::WizardState;
pub use steps::StepId;

/// The wizard as a [`Screen`].
pub struct WizardScreen {
    pub state: WizardState,
}

impl WizardScreen {
    pub fn new(state: WizardState) -> WizardScreen {
        WizardScreen { state }
    }
}

impl Screen for WizardScreen {
    fn init(&mut self) -> Vec<Effect> {
        self.state.init()
    }
    fn contexts(&self) -> Vec<Context> {
        self.state.contexts()
    }
    fn update(&mut self, ev: ScreenEvent) -> Vec<Effect> {
        self.state.update(ev)
    }
    fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        view::render(&self.state, area, buf, theme);
    }
    fn animating(&self) -> bool {
        self.state.animating()
    }
}
