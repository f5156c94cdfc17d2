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

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::flag;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// A flag that Ctrl-C (and SIGTERM, SIGHUP) sets, for a command to stop cleanly and report.
/// With `second_exits`, a second signal exits at once (status 130); without, every signal only
/// asks (a capture file is always closed properly).
///
/// The handler only stores to the flag (signal-hook): no thread is started for it, which a
/// short command like `traceroute` or `ping -c 1` would pay for at start and exit.
pub fn stop_flag(second_exits: bool) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        // The order matters: the shutdown checks the flag before the second action sets it.
        if second_exits {
            let _ = flag::register_conditional_shutdown(sig, 130, stop.clone());
        }
        let _ = flag::register(sig, stop.clone());
    }
    stop
}
