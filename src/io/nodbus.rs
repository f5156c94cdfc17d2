//! libpcap's D-Bus capture module, replaced: pkt links `libpcap.a` without it (see
//! `scripts/build.rs`), so the `dbus-system`/`dbus-session` pseudo-devices are not offered and
//! libdbus with its eight libraries is not loaded. These are the two entry points libpcap's
//! device table calls (`pcap-dbus.h`); defining them keeps `pcap-dbus.o` out of the link.

use std::ffi::{c_char, c_int, c_void};

/// No D-Bus devices to list.
#[unsafe(no_mangle)]
pub extern "C" fn dbus_findalldevs(_devlist: *mut c_void, _errbuf: *mut c_char) -> c_int {
    0
}

/// Not a D-Bus device: libpcap goes on to its other modules.
///
/// # Safety
/// `is_ours` is libpcap's pointer to an int it reads back.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dbus_create(
    _device: *const c_char,
    _ebuf: *mut c_char,
    is_ours: *mut c_int,
) -> *mut c_void {
    if !is_ours.is_null() {
        // SAFETY: libpcap passes a valid int pointer.
        unsafe { *is_ours = 0 };
    }
    std::ptr::null_mut()
}
