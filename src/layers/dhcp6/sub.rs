//! The records inside some options, as scapy's classes: the User and Vendor Class options'
//! `USER_CLASS_DATA` / `VENDOR_CLASS_DATA` (a length and its bytes), the Vendor-specific
//! Information option's `VENDOR_SPECIFIC_OPTION`, and the NTP Server option's suboptions
//! (RFC 5908: a server address, a multicast address, a server name). None keeps a payload:
//! each ends where its fields do and the next starts there.

use super::{len_of, optlen};
use crate::layers::field::{Auto, Chain, Field, Kind, ListSpec};
use crate::layers::{Proto, Value, raw, val};

/// `len`, then `data` of that many bytes.
const CLASS_DATA: [Field; 2] = [
    Field::auto(
        "len",
        16,
        Auto::SizeOf {
            field: "data",
            add: 0,
            unit: 1,
        },
    ),
    Field::bytes("data").sized(|v: &[Value]| Ok(val(v, 0) as usize)),
];

pub static USER_CLASS_DATA: Proto = Proto {
    name: "USER_CLASS_DATA",
    title: "user class data",
    fields: &CLASS_DATA,
    min_len: 2,
    ..Proto::BASE
};

pub static VENDOR_CLASS_DATA: Proto = Proto {
    name: "VENDOR_CLASS_DATA",
    title: "vendor class data",
    fields: &CLASS_DATA,
    min_len: 2,
    ..Proto::BASE
};

pub static VENDOR_SPECIFIC_OPTION: Proto = Proto {
    name: "VENDOR_SPECIFIC_OPTION",
    title: "vendor specific option data",
    fields: &[
        Field::int("optcode", 16, 0),
        len_of("optdata", 0),
        Field::bytes("optdata").sized(optlen),
    ],
    min_len: 4,
    ..Proto::BASE
};

/// A list of records of one class, one after the other.
const fn records(what: &'static str, element: fn(&[u8]) -> &'static Proto) -> ListSpec {
    ListSpec {
        what,
        element,
        count: None,
        accepts: |n| n.ends_with("_DATA") || n.starts_with("VENDOR_") || n == "Raw",
        size: None,
        chain: Chain::None,
    }
}

pub(super) static USER_CLASSES: ListSpec = records("USER_CLASS_DATA", |_| &USER_CLASS_DATA);
pub(super) static VENDOR_CLASSES: ListSpec = records("VENDOR_CLASS_DATA", |_| &VENDOR_CLASS_DATA);
pub(super) static VENDOR_OPTIONS: ListSpec =
    records("VENDOR_SPECIFIC_OPTION", |_| &VENDOR_SPECIFIC_OPTION);

/// An NTP suboption carrying an address (fixed length 16, as scapy has it).
macro_rules! ntp_address {
    ($static:ident, $name:expr, $title:expr, $code:expr) => {
        pub static $static: Proto = Proto {
            name: $name,
            title: $title,
            fields: &[
                Field::int("optcode", 16, $code),
                Field::int("optlen", 16, 16),
                Field::ip6("addr", "::"),
            ],
            min_len: 20,
            ..Proto::BASE
        };
    };
}

ntp_address!(
    NTP_SRV_ADDR,
    "DHCP6NTPSubOptSrvAddr",
    "DHCP6 NTP Server Address Suboption",
    1
);
ntp_address!(
    NTP_MC_ADDR,
    "DHCP6NTPSubOptMCAddr",
    "DHCP6 NTP Multicast Address Suboption",
    2
);

pub static NTP_SRV_FQDN: Proto = Proto {
    name: "DHCP6NTPSubOptSrvFQDN",
    title: "DHCP6 NTP Server FQDN Suboption",
    fields: &[
        Field::int("optcode", 16, 3),
        len_of("fqdn", 0),
        Field::new("fqdn", Kind::Name, crate::layers::Def::Text("")).sized(optlen),
    ],
    min_len: 4,
    ..Proto::BASE
};

/// The suboption class by its code (scapy's `_ntp_subopt_dispatcher`): `Raw` for an unknown
/// code or fewer than 2 bytes.
fn ntp_class(b: &[u8]) -> &'static Proto {
    match b {
        [0, 1, ..] => &NTP_SRV_ADDR,
        [0, 2, ..] => &NTP_MC_ADDR,
        [0, 3, ..] => &NTP_SRV_FQDN,
        _ => &raw::RAW,
    }
}

pub(super) static NTP_SUBOPTIONS: ListSpec = ListSpec {
    what: "NTP suboptions",
    element: ntp_class,
    count: None,
    accepts: |n| n.starts_with("DHCP6NTPSubOpt") || n == "Raw",
    size: None,
    chain: Chain::None,
};
