//! The copy of the app a frame is drawn from: every text a person wrote made ready for the
//! terminal (see [`crate::screen`]). The app itself keeps the real text, so what it sends to
//! the node, searches and exports is exactly what was written.

use tui_input::Input;

use super::{App, Notice};
use crate::screen::{for_screen, value_for_screen};

fn input_for_screen(input: &Input) -> Input {
    // One character for one: the cursor stays on the same character.
    Input::new(for_screen(input.value()).into_owned()).with_cursor(input.cursor())
}

impl App {
    /// A copy to draw the next frame from.
    pub fn for_screen(&self) -> App {
        let text = |s: &String| for_screen(s).into_owned();
        let mut app = self.clone();
        app.items = self.items.iter().map(value_for_screen).collect();
        app.found = self
            .found
            .as_ref()
            .map(|found| found.iter().map(value_for_screen).collect());
        app.members = self.members.iter().map(value_for_screen).collect();
        app.peers = self.peers.iter().map(value_for_screen).collect();
        app.status = self.status.as_ref().map(value_for_screen);
        app.overview = self.overview.as_ref().map(value_for_screen);
        app.notice = self.notice.as_ref().map(|n| Notice {
            text: text(&n.text),
            problem: n.problem,
        });
        app.query = text(&self.query);
        app.search = self.search.as_ref().map(input_for_screen);
        app.places = self
            .places
            .iter()
            .map(|(state, district)| (text(state), text(district)))
            .collect();
        // The card can list a hundred thousand ids: only its names are text.
        if let Some(card) = &mut app.scorecard {
            for office in &mut card.offices {
                office.office_name = text(&office.office_name);
                office.district = text(&office.district);
                office.state = text(&office.state);
            }
            for district in &mut card.districts {
                district.district = text(&district.district);
                district.state = text(&district.state);
            }
            for office in &mut card.worst {
                office.office_name = text(&office.office_name);
                office.district = text(&office.district);
                office.state = text(&office.state);
            }
        }
        if let Some(form) = &mut app.form {
            for field in &mut form.fields {
                field.input = input_for_screen(&field.input);
                field.label = text(&field.label);
                field.hint = text(&field.hint);
            }
            if let Some((_, name)) = &mut form.member {
                *name = text(name);
            }
            if let Some((_, title)) = &mut form.target {
                *title = text(title);
            }
        }
        if let Some(setup) = &mut app.setup {
            use crate::setup::Step;
            match &mut setup.step {
                Step::Details { name, region, .. } => {
                    *name = input_for_screen(name);
                    *region = input_for_screen(region);
                }
                // Only dots are shown for a passphrase: nothing to lay out.
                Step::Passphrase { name, region, .. }
                | Step::KeyPassphrase { name, region, .. }
                | Step::Choice { name, region } => {
                    *name = text(name);
                    *region = text(region);
                }
                Step::NetworkName { network, .. } => *network = input_for_screen(network),
                Step::Working(what) => *what = text(what),
                Step::Invite { invite, .. } => *invite = input_for_screen(invite),
            }
            setup.problem = setup.problem.as_ref().map(text);
        }
        if let Some(invite) = &mut app.invite {
            invite.name = text(&invite.name);
        }
        app
    }
}
