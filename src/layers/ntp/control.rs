//! NTP mode 6, control messages (RFC 9327), as scapy's `NTPControl`: the header, a status word
//! that is a number in requests and a status record in responses (system, peer, clock or error
//! status, by the error bit, the opcode and the association), then `count` bytes of data — a
//! list of association/peer-status pairs for a READSTAT of all associations, else bytes —
//! padded to 32 bits, then an optional MAC.

use super::{LEAP, MODES, NTP_AUTHENTICATOR};
use crate::layers::field::{Auto, Def, Field, Kind, Names, PacketSpec};
use crate::layers::{Layer, Proto, Value, raw, val};

/// scapy's `_op_codes`.
const OPCODES: Names = &[
    (0, "CTL_OP_UNSPEC"),
    (1, "CTL_OP_READSTAT"),
    (2, "CTL_OP_READVAR"),
    (3, "CTL_OP_WRITEVAR"),
    (4, "CTL_OP_READCLOCK"),
    (5, "CTL_OP_WRITECLOCK"),
    (6, "CTL_OP_SETTRAP"),
    (7, "CTL_OP_ASYNCMSG"),
    (8, "CTL_OP_CONFIGURE"),
    (9, "CTL_OP_SAVECONFIG"),
    (10, "CTL_OP_READ_MRU"),
    (11, "CTL_OP_READ_ORDLIST_A"),
    (12, "CTL_OP_REQ_NONCE"),
    (31, "CTL_OP_UNSETTRAP"),
];

const SYSTEM_STATUSES: Names = &[
    (0, "no warning"),
    (1, "last minute was 61 seconds"),
    (2, "last minute was 59 seconds"),
    (3, "alarm condition (clock not synchronized)"),
];

const CLOCK_SOURCES: Names = &[
    (0, "unspecified or unknown"),
    (1, " Calibrated atomic clock"),
    (2, "VLF (band 4) or LF (band 5) radio"),
    (3, "HF (band 7) radio"),
    (4, "UHF (band 9) satellite"),
    (5, "local net"),
    (6, "UDP/NTP"),
    (7, "UDP/TIME"),
    (8, "eyeball-and-wristwatch"),
    (9, "telephone modem"),
];

const SYSTEM_EVENTS: Names = &[
    (0, "unspecified"),
    (1, "system restart"),
    (2, "system or hardware fault"),
    (
        3,
        "system new status word (leap bits or synchronization change)",
    ),
    (
        4,
        "system new synchronization source or stratum (sys.peer or sys.stratum change)",
    ),
    (
        5,
        "system clock reset (offset correction exceeds CLOCK.MAX)",
    ),
    (6, "system invalid time or date"),
    (7, "system clock exception"),
];

const PEER_SELECTION: Names = &[
    (0, "rejected"),
    (1, "passed sanity checks"),
    (2, "passed correctness checks"),
    (3, "passed candidate checks"),
    (4, "passed outlyer checks"),
    (5, "current synchronization source; max distance exceeded"),
    (6, "current synchronization source; max distance okay"),
    (7, "reserved"),
];

const PEER_EVENTS: Names = &[
    (0, "unspecified"),
    (1, "peer IP error"),
    (2, "peer authentication failure"),
    (3, "peer unreachable"),
    (4, "peer reachable"),
    (5, "peer clock exception"),
];

const CLOCK_STATUSES: Names = &[
    (0, "clock operating within nominals"),
    (1, "reply timeout"),
    (2, "bad reply format"),
    (3, "hardware or software fault"),
    (4, "propagation failure"),
    (5, "bad date format or value"),
    (6, "bad time format or value"),
];

const ERROR_STATUSES: Names = &[
    (0, "unspecified"),
    (1, "authentication failure"),
    (2, "invalid message length or format"),
    (3, "invalid opcode"),
    (4, "unknown association identifier"),
    (5, "unknown variable name"),
    (6, "invalid variable value"),
    (7, "administratively prohibited"),
];

/// A two-byte status record.
macro_rules! status {
    ($static:ident, $name:expr, $title:expr, [$($field:expr),* $(,)?]) => {
        pub static $static: Proto = Proto {
            name: $name,
            title: $title,
            fields: &[$($field),*],
            min_len: 2,
            ..Proto::BASE
        };
    };
}

status!(
    SYSTEM_STATUS,
    "NTPSystemStatusPacket",
    "system status",
    [
        Field::int("leap_indicator", 2, 0).named(SYSTEM_STATUSES),
        Field::int("clock_source", 6, 0).named(CLOCK_SOURCES),
        Field::int("system_event_counter", 4, 0),
        Field::int("system_event_code", 4, 0).named(SYSTEM_EVENTS),
    ]
);
status!(
    PEER_STATUS,
    "NTPPeerStatusPacket",
    "peer status",
    [
        Field::int("configured", 1, 0),
        Field::int("auth_enabled", 1, 0),
        Field::int("authentic", 1, 0),
        Field::int("reachability", 1, 0),
        Field::int("reserved", 1, 0),
        Field::int("peer_sel", 3, 0).named(PEER_SELECTION),
        Field::int("peer_event_counter", 4, 0),
        Field::int("peer_event_code", 4, 0).named(PEER_EVENTS),
    ]
);
status!(
    CLOCK_STATUS,
    "NTPClockStatusPacket",
    "clock status",
    [
        Field::int("clock_status", 8, 0).named(CLOCK_STATUSES),
        Field::int("code", 8, 0),
    ]
);
status!(
    ERROR_STATUS,
    "NTPErrorStatusPacket",
    "error status",
    [
        Field::int("error_code", 8, 0).named(ERROR_STATUSES),
        Field::int("reserved", 8, 0),
    ]
);

fn is_status(n: &str) -> bool {
    n.starts_with("NTP") && n.ends_with("StatusPacket")
}

/// A response's status record (scapy's `NTPControlStatusField`): error status when the error
/// bit is set, clock status for READCLOCK/WRITECLOCK, else peer status for an association and
/// system status for none (the association identifier follows the status word).
fn status_cut(v: &[Value], _: &[Layer], rest: &[u8]) -> Option<(&'static Proto, usize)> {
    let class = if val(v, 4) == 1 {
        &ERROR_STATUS
    } else if matches!(val(v, 6), 4 | 5) {
        &CLOCK_STATUS
    } else if rest.get(2..4).is_some_and(|a| a != [0, 0]) {
        &PEER_STATUS
    } else {
        &SYSTEM_STATUS
    };
    Some((class, 2))
}

static STATUS: PacketSpec = PacketSpec {
    what: "status",
    cut: status_cut,
    accepts: is_status,
};

static PEER_STATUS_ONE: PacketSpec = PacketSpec {
    what: "NTPPeerStatusPacket",
    cut: |_, _, rest| Some((&PEER_STATUS, rest.len().min(2))),
    accepts: |n| n == "NTPPeerStatusPacket",
};

pub static PEER_STATUS_DATA: Proto = Proto {
    name: "NTPPeerStatusDataPacket",
    title: "data / peer status",
    fields: &[
        Field::int("association_id", 16, 0),
        Field::new("peer_status", Kind::Packet(&PEER_STATUS_ONE), Def::Zeros(2)),
    ],
    // scapy reads an association without its status.
    min_len: 2,
    ..Proto::BASE
};

/// READSTAT's association list: four bytes each. As scapy reads a shorter end: two bytes are
/// an association without its status, one or three `Raw`.
fn peer_data_cut(_: &[Value], _: &[Layer], rest: &[u8]) -> Option<(&'static Proto, usize)> {
    match rest.len() {
        0 => None,
        1 | 3 => Some((&raw::RAW, rest.len())),
        n => Some((&PEER_STATUS_DATA, n.min(4))),
    }
}

static PEER_DATA: PacketSpec = PacketSpec {
    what: "NTPPeerStatusDataPacket",
    cut: peer_data_cut,
    accepts: |n| n == "NTPPeerStatusDataPacket",
};

static AUTHENTICATOR: PacketSpec = PacketSpec {
    what: "NTPAuthenticator",
    cut: |_, _, rest| (!rest.is_empty()).then_some((&NTP_AUTHENTICATOR, rest.len())),
    accepts: |n| n == "NTPAuthenticator",
};

/// The status word is a plain number in requests and in SETTRAP/ASYNCMSG.
fn plain_status(v: &[Value]) -> bool {
    val(v, 3) == 0 || matches!(val(v, 6), 6 | 7)
}

/// The data is an association list for a READSTAT response about all associations.
fn association_list(v: &[Value]) -> bool {
    val(v, 3) == 1 && val(v, 6) == 1 && val(v, 10) == 0
}

fn count(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 12) as usize)
}

const CONTROL_FIELDS: [Field; 17] = [
    Field::int("leap", 2, 0).named(LEAP),
    Field::int("version", 3, 2),
    Field::int("mode", 3, 6).named(MODES),
    Field::int("response", 1, 0),
    Field::int("err", 1, 0),
    Field::int("more", 1, 0),
    Field::int("op_code", 5, 0).named(OPCODES),
    Field::int("sequence", 16, 0),
    Field::int("status", 16, 0).when(plain_status),
    // scapy's default is an all-zero NTPSystemStatusPacket().
    Field::new("status", Kind::Packet(&STATUS), Def::Zeros(2)).when(|v| !plain_status(v)),
    Field::int("association_id", 16, 0),
    Field::int("offset", 16, 0),
    Field::auto(
        "count",
        16,
        Auto::SizeOf {
            field: "data",
            add: 0,
            unit: 1,
        },
    ),
    Field::new("data", Kind::Packets(&PEER_DATA), Def::Empty)
        .when(association_list)
        .sized(count),
    Field::bytes("data")
        .when(|v| !association_list(v))
        .sized(count),
    // scapy's PadField(align=4): the pad is not one of scapy's fields, but its bytes are kept.
    Field::new(
        "data_pad",
        Kind::Bytes,
        Def::Auto(Auto::Align {
            field: "data",
            align: 4,
        }),
    ),
    // Present when bytes are left (scapy's MayEnd).
    Field::new("authenticator", Kind::Packet(&AUTHENTICATOR), Def::Empty),
];

pub static NTP_CONTROL: Proto = Proto {
    name: "NTPControl",
    title: "NTP Control message",
    fields: &CONTROL_FIELDS,
    min_len: 12,
    summary: Some(super::summary),
    dispatch: Some(super::ntp_form),
    ..Proto::BASE
};
