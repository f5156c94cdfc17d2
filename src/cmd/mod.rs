//! One module per subcommand: read the arguments, drive the library, print.

pub mod craft;
pub mod ls;
pub mod read;
pub mod write;
