//! Link-layer pseudo-headers written in the capturing host's byte order, converted as libpcap
//! converts them (the same fields, under the same length checks), so frames read the same
//! through pkt's reader as through libpcap.

/// A link-layer pseudo-header written in the capturing host's byte order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Pseudo {
    None,
    LinuxSll,
    LinuxUsb,
    LinuxUsbMmapped,
    Nflog,
}

impl Pseudo {
    /// The pseudo-header a link type's frames begin with, if libpcap converts it.
    pub(super) fn of(linktype: u32) -> Pseudo {
        match linktype {
            113 => Pseudo::LinuxSll,
            189 => Pseudo::LinuxUsb,
            220 => Pseudo::LinuxUsbMmapped,
            239 => Pseudo::Nflog,
            _ => Pseudo::None,
        }
    }
}

/// Converts the pseudo-headers libpcap converts from the writing host's byte order (and only
/// those fields, under the same length checks), so frames read the same as through libpcap.
pub(super) fn swap_pseudo_header(kind: Pseudo, d: &mut [u8], len: usize) {
    match kind {
        Pseudo::None => {}
        Pseudo::LinuxSll => {
            // SocketCAN (0x000c) and CAN FD (0x000d) frames: the CAN ID after the 16-byte header.
            if d.len() < 16
                || len < 16
                || !matches!(u16::from_be_bytes([d[14], d[15]]), 0x000c | 0x000d)
            {
                return;
            }
            if d.len() >= 20 && len >= 20 {
                d[16..20].reverse();
            }
        }
        Pseudo::LinuxUsb => swap_linux_usb(d, false),
        Pseudo::LinuxUsbMmapped => swap_linux_usb(d, true),
        Pseudo::Nflog => swap_nflog(d, len),
    }
}

/// Reverses `d[at..at + n]`; false (and nothing done) if the frame is shorter.
fn reverse_field(d: &mut [u8], at: usize, n: usize) -> bool {
    match d.get_mut(at..at + n) {
        Some(f) => {
            f.reverse();
            true
        }
        None => false,
    }
}

/// The Linux USB header (`pcap_usb_header_mmapped`): libpcap's `swap_linux_usb_header`.
fn swap_linux_usb(d: &mut [u8], mmapped: bool) {
    // id, bus_id, ts_sec, ts_usec, status, urb_len, data_len.
    for (at, n) in [(0, 8), (12, 2), (16, 8), (24, 4), (28, 4), (32, 4), (36, 4)] {
        if !reverse_field(d, at, n) {
            return;
        }
    }
    let isochronous = d[9] == 0;
    // error_count and numdesc, else the setup packet (bytes, left alone).
    if isochronous && !(reverse_field(d, 40, 4) && reverse_field(d, 44, 4)) {
        return;
    }
    if !mmapped {
        return;
    }
    // interval, start_frame, xfer_flags, ndesc.
    for at in [48, 52, 56, 60] {
        if !reverse_field(d, at, 4) {
            return;
        }
    }
    if isochronous {
        let ndesc = u32::from_ne_bytes([d[60], d[61], d[62], d[63]]);
        let mut at = 64;
        for _ in 0..ndesc {
            // status, offset, len, then 4 bytes of padding.
            for field in [at, at + 4, at + 8] {
                if !reverse_field(d, field, 4) {
                    return;
                }
            }
            at += 16;
        }
    }
}

/// NFLOG TLVs: type and length in the writing host's byte order (libpcap's `swap_nflog_header`);
/// the 4-byte header is family, version (0), resource id.
fn swap_nflog(d: &mut [u8], len: usize) {
    let (mut caplen, mut length) = (d.len(), len);
    if caplen < 4 || length < 4 || d[1] != 0 {
        return;
    }
    caplen -= 4;
    length -= 4;
    let mut at = 4;
    while caplen >= 4 {
        d[at..at + 2].reverse();
        d[at + 2..at + 4].reverse();
        // The length, rounded up to 4 in 16 bits as libpcap does.
        let mut size = u16::from_ne_bytes([d[at], d[at + 1]]);
        if !size.is_multiple_of(4) {
            size = size.wrapping_add(4 - size % 4);
        }
        let size = usize::from(size);
        if size < 4 || caplen < size || length < size {
            return;
        }
        caplen -= size;
        length -= size;
        at += size;
    }
}
