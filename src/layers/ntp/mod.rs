//! NTP (RFC 5905, RFC 9327, ntpd's mode 7), as scapy's `scapy/layers/ntp.py`: UDP port 123 is
//! bound to `NTP`, which reads as `NTPHeader` (modes 0–5), `NTPControl` (mode 6) or
//! `NTPPrivate` (mode 7) by the mode bits of its first byte (scapy's `dispatch_hook`, here
//! [`Proto::dispatch`]; fewer than 8 bytes stay `Raw`). After a header, a MAC alone is `NTPAuthenticator`; more is
//! `NTPExtensions` (RFC 7822 extension fields, then the MAC). Control and private messages are
//! in [`control`] and [`private`], the private messages' data records in [`info`].

use super::field::{Auto, Def, Field, Kind, Names, PacketSpec};
use super::{Layer, Proto, Value, raw, val};
use std::fmt::Write as _;

pub mod control;
pub mod info;
pub mod private;
#[cfg(test)]
mod tests;

pub use control::NTP_CONTROL;
pub use private::NTP_PRIVATE;

/// scapy's `_leap_indicator`.
pub const LEAP: Names = &[
    (0, "no warning"),
    (1, "last minute of the day has 61 seconds"),
    (2, "last minute of the day has 59 seconds"),
    (3, "unknown (clock unsynchronized)"),
];

/// scapy's `_ntp_modes`.
pub const MODES: Names = &[
    (0, "reserved"),
    (1, "symmetric active"),
    (2, "symmetric passive"),
    (3, "client"),
    (4, "server"),
    (5, "broadcast"),
    (6, "NTP control message"),
    (7, "reserved for private use"),
];

/// A signed byte (scapy's `SignedByteField`).
pub(crate) const fn sbyte(name: &'static str, default: i8) -> Field {
    Field::new(name, Kind::SInt(8), Def::Int(default as u8 as u64))
}

/// A 16.16 fixed-point number (scapy's `FixedPointField(size=32, frac_bits=16)`).
pub(crate) const fn short_fixed(name: &'static str) -> Field {
    Field::new(name, Kind::FixedPoint(32, 16), Def::Int(0))
}

/// A 32.32 timestamp (scapy's `TimeStampField`), 0 by default.
pub(crate) const fn timestamp(name: &'static str) -> Field {
    Field::new(name, Kind::FixedPoint(64, 32), Def::Int(0))
}

/// A timestamp that is the time of building unless given (scapy's default `None`).
const fn timestamp_now(name: &'static str) -> Field {
    Field::new(name, Kind::FixedPoint(64, 32), Def::Auto(Auto::NtpNow))
}

/// The bytes a header's table holds at least (its fixed-width fields).
pub(crate) const fn fixed_len(fields: &[Field]) -> usize {
    let (mut bits, mut i) = (0, 0);
    while i < fields.len() {
        if fields[i].cond.is_none()
            && let Some(n) = fields[i].fixed_bits()
        {
            bits += n;
        }
        i += 1;
    }
    bits / 8
}

pub static HEADER_FIELDS: [Field; 14] = [
    Field::int("leap", 2, 0).named(LEAP),
    Field::int("version", 3, 4),
    Field::int("mode", 3, 3).named(MODES),
    Field::int("stratum", 8, 2),
    sbyte("poll", 10),
    sbyte("precision", 0),
    short_fixed("delay"),
    short_fixed("dispersion"),
    // The reference identifier: an address from stratum 2 on, four characters below.
    Field::ip4("id", "127.0.0.1").when(|v| val(v, 3) > 1),
    Field::new("ref_id", Kind::Fixed { len: 4, mac: false }, Def::Zeros(4)).when(|v| val(v, 3) < 2),
    timestamp("ref"),
    timestamp_now("orig"),
    timestamp("recv"),
    timestamp_now("sent"),
];

pub static NTP_HEADER: Proto = Proto {
    name: "NTPHeader",
    title: "NTPHeader",
    fields: &HEADER_FIELDS,
    min_len: 48,
    next: header_next,
    summary: Some(summary),
    dispatch: Some(ntp_form),
    ..Proto::BASE
};

/// What port 123 is bound to: scapy's `NTP`, read as the class its first byte's mode says.
/// In an expression `NTP()` is an `NTPHeader`, as in scapy.
pub static NTP: Proto = Proto {
    name: "NTP",
    title: "NTP",
    fields: &HEADER_FIELDS,
    min_len: 8,
    dispatch: Some(ntp_form),
    ..Proto::BASE
};

/// The form of NTP (and of each of its classes) where a port row finds it: the class the bytes'
/// mode says. Building has no bytes: `NTP()` is an `NTPHeader`, a class is itself.
fn ntp_form(this: &'static Proto, _: Option<&'static Proto>, b: Option<&[u8]>) -> &'static Proto {
    match b {
        Some(b) => ntp_class(b),
        None if std::ptr::eq(this, &NTP) => &NTP_HEADER,
        None => this,
    }
}

/// scapy's `_ntp_dispatcher`: fewer than 8 bytes are `Raw`; mode 6 is control, 7 private,
/// anything else the RFC 5905 header.
pub fn ntp_class(b: &[u8]) -> &'static Proto {
    match b {
        _ if b.len() < 8 => &raw::RAW,
        [x, ..] if x & 7 == 6 => &NTP_CONTROL,
        [x, ..] if x & 7 == 7 => &NTP_PRIVATE,
        _ => &NTP_HEADER,
    }
}

/// After the header (scapy's `NTPHeader.guess_payload_class`): a key identifier and a digest
/// of MD5, SHA-1, SHA-256, SHA-384 or SHA-512 size is a MAC alone; more than a MAC's 20 bytes
/// are extension fields and a MAC.
fn header_next(_: &Layer, payload: &[u8]) -> Option<&'static Proto> {
    let n = payload.len();
    if n >= 4 && matches!(n - 4, 16 | 20 | 32 | 48 | 64) {
        Some(&NTP_AUTHENTICATOR)
    } else if n > 20 {
        Some(&NTP_EXTENSIONS)
    } else {
        None
    }
}

pub static NTP_AUTHENTICATOR: Proto = Proto {
    name: "NTPAuthenticator",
    title: "Authenticator",
    fields: &[Field::int("key_id", 32, 0), Field::bytes("dgst")],
    min_len: 4,
    ..Proto::BASE
};

/// The extension fields: everything but the last 20 bytes (the MAC), cut as scapy cuts them
/// (`NTPExtPacketListField`): each field by its length (0: the rest); 16 bytes or more are an
/// `NTPExtension`, less (a short length, or what is left) `Raw`.
fn extension_cut(_: &[Value], _: &[Layer], rest: &[u8]) -> Option<(&'static Proto, usize)> {
    let left = rest.len().checked_sub(20).filter(|&n| n > 0)?;
    if left < 16 {
        return Some((&raw::RAW, left));
    }
    let len = match (u16::from_be_bytes([rest[2], rest[3]]) as usize).min(left) {
        0 => left,
        n => n,
    };
    Some((if len >= 16 { &NTP_EXTENSION } else { &raw::RAW }, len))
}

static EXTENSION_LIST: PacketSpec = PacketSpec {
    what: "NTPExtension",
    cut: extension_cut,
    accepts: |n| n == "NTPExtension" || n == "Raw",
};

/// The bytes left, as one record of this protocol (none when there are none).
macro_rules! rest_as {
    ($proto:expr) => {
        |_, _, rest| (!rest.is_empty()).then_some((&$proto, rest.len()))
    };
}

static MAC: PacketSpec = PacketSpec {
    what: "NTPAuthenticator",
    cut: rest_as!(NTP_AUTHENTICATOR),
    accepts: |n| n == "NTPAuthenticator",
};

pub static NTP_EXTENSIONS: Proto = Proto {
    name: "NTPExtensions",
    title: "NTPv4 extensions",
    fields: &[
        Field::new("extensions", Kind::Packets(&EXTENSION_LIST), Def::Empty),
        // scapy's default is an empty NTPAuthenticator(): a zero key identifier.
        Field::new("mac", Kind::Packet(&MAC), Def::Zeros(4)),
    ],
    ..Proto::BASE
};

static OPAQUE: PacketSpec = PacketSpec {
    what: "Packet",
    cut: rest_as!(PACKET),
    accepts: |n| n == "Packet",
};

pub static NTP_EXTENSION: Proto = Proto {
    name: "NTPExtension",
    title: "extension",
    fields: &[
        Field::int("type", 16, 0),
        Field::int("len", 16, 0),
        Field::new("value", Kind::Packet(&OPAQUE), Def::Empty),
        // scapy's PadField: the value is padded to 32 bits when building.
        Field::new(
            "value_pad",
            Kind::Bytes,
            Def::Auto(Auto::Align {
                field: "value",
                align: 4,
            }),
        ),
    ],
    min_len: 4,
    ..Proto::BASE
};

static PAYLOAD: PacketSpec = PacketSpec {
    what: "Raw",
    cut: rest_as!(raw::RAW),
    accepts: |n| n == "Raw",
};

/// scapy's base class `Packet`, as a `PacketField` of it holds bytes: no fields, the bytes as
/// its `Raw` payload (`{"layer": "Packet", "payload": {"layer": "Raw", …}}`).
pub static PACKET: Proto = Proto {
    name: "Packet",
    title: "Packet",
    fields: &[Field::new("payload", Kind::Packet(&PAYLOAD), Def::Empty)],
    ..Proto::BASE
};

/// tcpdump's mode words.
fn mode_word(mode: u64) -> &'static str {
    [
        "unspecified",
        "symmetric active",
        "symmetric passive",
        "Client",
        "Server",
        "Broadcast",
        "Control Message",
        "Reserved",
    ][(mode & 7) as usize]
}

/// tcpdump's line: `NTPv4, Client, length 48`, with the stratum of what a server sends
/// (`NTPv4, Server, length 48, stratum 2`); `NTPv2, Control Message, length 12`.
pub(crate) fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    let mode = l.int("mode").unwrap_or(0);
    let _ = write!(
        out,
        "NTPv{}, {}, length {}",
        l.int("version").unwrap_or(0),
        mode_word(mode),
        l.end - l.offset
    );
    if matches!(mode, 4 | 5)
        && let Some(s) = l.int("stratum")
    {
        let _ = write!(out, ", stratum {s}");
    }
}
