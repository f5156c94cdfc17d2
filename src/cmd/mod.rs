//! One module per subcommand: read the arguments, drive the library, print.

pub mod craft;
pub mod ifaces;
pub mod ls;
pub mod net;
pub mod read;
pub mod replay;
pub mod send;
pub mod sniff;
pub mod sr;
pub mod write;
