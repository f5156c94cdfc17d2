//! One module per subcommand: read the arguments, drive the library, print.

pub mod craft;
pub mod ifaces;
pub mod ls;
pub mod net;
pub mod ping;
pub mod progress;
pub mod read;
pub mod replay;
pub mod send;
pub mod shell;
pub mod sniff;
pub mod sr;
pub mod traceroute;
pub mod write;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag that Ctrl-C (and SIGTERM, SIGHUP) sets, for a command to stop cleanly and report.
/// With `second_exits`, a second signal exits at once (status 130); without, every signal only
/// asks (a capture file is always closed properly).
pub fn stop_flag(second_exits: bool) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let _ = ctrlc::set_handler(move || {
        if s.swap(true, Ordering::SeqCst) && second_exits {
            std::process::exit(130);
        }
    });
    stop
}
