//! One module per subcommand: read the arguments, drive the library, print.

pub mod craft;
pub mod ls;
pub mod read;
pub mod write;

use pkt::output::render::{Style, TimeStyle, View};

/// The style of the views from the common view flags.
pub fn style(view: View, epoch: bool, no_time: bool, number: bool) -> Style {
    Style {
        view,
        time: if epoch {
            TimeStyle::Epoch
        } else if no_time {
            TimeStyle::None
        } else {
            TimeStyle::TimeOfDay
        },
        number,
    }
}
