//! NTP mode 7, ntpd's private (ntpdc) messages, as scapy's `NTPPrivate`: an 8-byte header,
//! then `nb_items` data items of `data_item_size` bytes each, read as the record class the
//! request code names ([`info`](super::info)) — request items in `req_data`, response items
//! in `data` — and, for an authenticated request, the padding and the `req_pkt_tail`.
//! What the items leave is the layer's payload (`Raw`), as in scapy.

use super::info::{self, request_class, response_class};
use super::{MODES, timestamp};
use crate::layers::field::{Def, Field, Kind, Names, PacketSpec};
use crate::layers::{Layer, Proto, Value, raw, val};

/// scapy's `_implementations`.
const IMPLEMENTATIONS: Names = &[(0, "IMPL_UNIV"), (2, "IMPL_XNTPD_OLD"), (3, "XNTPD")];

/// scapy's `_request_codes`.
pub const REQUEST_CODES: Names = &[
    (0, "REQ_PEER_LIST"),
    (1, "REQ_PEER_LIST_SUM"),
    (2, "REQ_PEER_INFO"),
    (3, "REQ_PEER_STATS"),
    (4, "REQ_SYS_INFO"),
    (5, "REQ_SYS_STATS"),
    (6, "REQ_IO_STATS"),
    (7, "REQ_MEM_STATS"),
    (8, "REQ_LOOP_INFO"),
    (9, "REQ_TIMER_STATS"),
    (10, "REQ_CONFIG"),
    (11, "REQ_UNCONFIG"),
    (12, "REQ_SET_SYS_FLAG"),
    (13, "REQ_CLR_SYS_FLAG"),
    (14, "REQ_MONITOR"),
    (15, "REQ_NOMONITOR"),
    (16, "REQ_GET_RESTRICT"),
    (17, "REQ_RESADDFLAGS"),
    (18, "REQ_RESSUBFLAGS"),
    (19, "REQ_UNRESTRICT"),
    (20, "REQ_MON_GETLIST"),
    (21, "REQ_RESET_STATS"),
    (22, "REQ_RESET_PEER"),
    (23, "REQ_REREAD_KEYS"),
    (24, "REQ_DO_DIRTY_HACK"),
    (25, "REQ_DONT_DIRTY_HACK"),
    (26, "REQ_TRUSTKEY"),
    (27, "REQ_UNTRUSTKEY"),
    (28, "REQ_AUTHINFO"),
    (29, "REQ_TRAPS"),
    (30, "REQ_ADD_TRAP"),
    (31, "REQ_CLR_TRAP"),
    (32, "REQ_REQUEST_KEY"),
    (33, "REQ_CONTROL_KEY"),
    (34, "REQ_GET_CTLSTATS"),
    (35, "REQ_GET_LEAPINFO"),
    (36, "REQ_GET_CLOCKINFO"),
    (37, "REQ_SET_CLKFUDGE"),
    (38, "REQ_GET_KERNEL"),
    (39, "REQ_GET_CLKBUGINFO"),
    (41, "REQ_SET_PRECISION"),
    (42, "REQ_MON_GETLIST_1"),
    (43, "REQ_HOSTNAME_ASSOCID"),
    (44, "REQ_IF_STATS"),
    (45, "REQ_IF_RELOAD"),
];

/// scapy's `_ntpd_private_errors`.
const ERRORS: Names = &[
    (0, "no error"),
    (1, "incompatible implementation number"),
    (2, "unimplemented request code"),
    (
        3,
        "format error (wrong data items, data size, packet size etc.)",
    ),
    (
        4,
        "no data available (e.g. request for details on unknown peer)",
    ),
    (5, "I don\"t know"),
    (6, "I don\"t know"),
    (7, "authentication failure (i.e. permission denied)"),
];

/// The `req_pkt_tail` of an authenticated request: 28 bytes.
const TAIL: usize = 28;

const AUTH: usize = 4;
const REQUEST_CODE: usize = 7;
const NB_ITEMS: usize = 9;
const ITEM_SIZE: usize = 11;

/// Where the element at `pos` bytes into the field is, in the items the header counts: the
/// item size, the number of items, and how many of them there are room for.
fn items(v: &[Value]) -> (usize, usize) {
    (val(v, ITEM_SIZE) as usize, val(v, NB_ITEMS) as usize)
}

fn pos_of(done: &[Layer]) -> usize {
    done.iter().map(|l| l.len).sum()
}

/// Request items, as scapy's `NTPPrivateReqPacketListField` reads them: items while what is
/// left holds all `nb_items` of them (so all or, with too few bytes, none); then, with the
/// auth bit, the bytes before the 28-byte tail as one `Raw` (Python's slice of
/// `len(rest) - 28`, negative indices and all).
fn request_cut(v: &[Value], done: &[Layer], rest: &[u8]) -> Option<(&'static Proto, usize)> {
    let (size, nb) = items(v);
    let pos = pos_of(done);
    let total = pos + rest.len();
    let mut k = 0;
    if size > 0 {
        let mut left = total;
        while left >= size * nb && k < nb {
            k += 1;
            left -= size;
        }
    }
    if pos < k * size {
        return Some((request_class(val(v, REQUEST_CODE)), size));
    }
    // The padding is one element starting where the items end.
    let start = done.first().map_or(0, |l| l.offset);
    let padded = done
        .last()
        .is_some_and(|l| std::ptr::eq(l.proto, &raw::RAW) && l.offset - start == k * size);
    if val(v, AUTH) != 1 || padded {
        return None;
    }
    let left = rest.len();
    let pad = if left >= TAIL {
        left - TAIL
    } else {
        (2 * left).saturating_sub(TAIL)
    };
    Some((&raw::RAW, pad))
}

/// Response items, as scapy's `NTPPrivateRespPacketListField` reads them: `nb_items` items of
/// `data_item_size` bytes while that many are left, each of the class the request code names.
fn response_cut(v: &[Value], done: &[Layer], rest: &[u8]) -> Option<(&'static Proto, usize)> {
    let (size, nb) = items(v);
    let k = pos_of(done).checked_div(size).unwrap_or(0);
    (size > 0 && k < nb && rest.len() >= size)
        .then(|| (response_class(val(v, REQUEST_CODE), &rest[..size]), size))
}

static REQUEST_ITEMS: PacketSpec = PacketSpec {
    what: "request data",
    cut: request_cut,
    accepts: info::is_record,
};

static RESPONSE_ITEMS: PacketSpec = PacketSpec {
    what: "response data",
    cut: response_cut,
    accepts: info::is_record,
};

static TAIL_SPEC: PacketSpec = PacketSpec {
    what: "NTPPrivatePktTail",
    cut: |_, _, rest| (!rest.is_empty()).then_some((&PKT_TAIL, rest.len())),
    accepts: |n| n == "NTPPrivatePktTail",
};

pub static PKT_TAIL: Proto = Proto {
    name: "NTPPrivatePktTail",
    title: "req_pkt_tail",
    fields: &[
        timestamp("tstamp"),
        Field::int("key_id", 32, 0),
        Field::new(
            "dgst",
            Kind::Fixed {
                len: 16,
                mac: false,
            },
            Def::Zeros(16),
        ),
    ],
    min_len: TAIL,
    ..Proto::BASE
};

const PRIVATE_FIELDS: [Field; 15] = [
    Field::int("response", 1, 0),
    Field::int("more", 1, 0),
    Field::int("version", 3, 2),
    Field::int("mode", 3, 7).named(MODES),
    Field::int("auth", 1, 0),
    Field::int("seq", 7, 0),
    Field::int("implementation", 8, 0).named(IMPLEMENTATIONS),
    Field::int("request_code", 8, 0).named(REQUEST_CODES),
    Field::int("err", 4, 0).named(ERRORS),
    Field::int("nb_items", 12, 0),
    Field::int("mbz", 4, 0),
    Field::int("data_item_size", 12, 0),
    Field::new("req_data", Kind::Packets(&REQUEST_ITEMS), Def::Empty).when(|v| val(v, 0) == 0),
    Field::new("data", Kind::Packets(&RESPONSE_ITEMS), Def::Empty).when(|v| val(v, 0) == 1),
    // Responses are not authenticated.
    Field::new("authenticator", Kind::Packet(&TAIL_SPEC), Def::Empty)
        .when(|v| val(v, 0) == 0 && val(v, AUTH) == 1),
];

pub static NTP_PRIVATE: Proto = Proto {
    name: "NTPPrivate",
    title: "Private (mode 7)",
    fields: &PRIVATE_FIELDS,
    min_len: 8,
    summary: Some(super::summary),
    dispatch: Some(super::ntp_form),
    ..Proto::BASE
};
