//! The options of RFC 8415 (§21) and RFC 3633's prefix delegation, as scapy's classes: each a
//! layer of its own in a message's payload chain, or an element of an IA option's list.
//! Lengths are computed as scapy computes them (`optlen` counts the fixed fields after it and
//! the variable part); fields of a fixed size are read whatever `optlen` says, as scapy does.

use super::duid::DUID;
use super::names::{AUTH_ALGS, AUTH_PROTOS, AUTH_RDMS, LIFETIMES, RECONF_TYPES, STATUS_CODES};
use super::sub::{USER_CLASSES, VENDOR_CLASSES, VENDOR_OPTIONS};
use super::{IA_OPTIONS, RELAYED, code, fixed_len, len_of, optlen, optlen_minus};
use crate::layers::Layer;
use crate::layers::coded::Coding;
use crate::layers::field::{Def, Field, Kind, SliceFn};

/// An IA address or prefix leaves what follows it: scapy's `Padding` at the top of a message,
/// the next element in a list.
fn leaves_rest(_: &Layer) -> Option<usize> {
    Some(0)
}

const fn iaid() -> Field {
    Field::int("iaid", 32, 0)
}

const fn lifetime(name: &'static str) -> Field {
    Field::int(name, 32, 0).named(LIFETIMES)
}

/// Options inside an option, in what `optlen` leaves after the fixed fields.
const fn options(name: &'static str, rest: SliceFn) -> Field {
    Field::new(name, Kind::List(&IA_OPTIONS), Def::Empty).sliced(rest)
}

option!(
    UNKNOWN,
    "DHCP6OptUnknown",
    "Unknown DHCPv6 Option",
    4,
    [
        code(0),
        len_of("data", 0),
        Field::bytes("data").sized(optlen),
    ]
);

option!(
    CLIENT_ID,
    "DHCP6OptClientId",
    "DHCP6 Client Identifier Option",
    4,
    [
        code(1),
        len_of("duid", 0),
        Field::new("duid", Kind::List(&DUID), Def::Empty).sized(optlen),
    ]
);

option!(
    SERVER_ID,
    "DHCP6OptServerId",
    "DHCP6 Server Identifier Option",
    4,
    [
        code(2),
        len_of("duid", 0),
        Field::new("duid", Kind::List(&DUID), Def::Empty).sized(optlen),
    ]
);

option!(
    IA_NA,
    "DHCP6OptIA_NA",
    "DHCP6 Identity Association for Non-temporary Addresses Option",
    16,
    [
        code(3),
        len_of("ianaopts", 12),
        iaid(),
        Field::int("T1", 32, 0),
        Field::int("T2", 32, 0),
        options("ianaopts", optlen_minus::<12>),
    ]
);

option!(
    IA_TA,
    "DHCP6OptIA_TA",
    "DHCP6 Identity Association for Temporary Addresses Option",
    8,
    [
        code(4),
        len_of("iataopts", 4),
        iaid(),
        options("iataopts", optlen_minus::<4>),
    ]
);

option!(IA_ADDRESS, "DHCP6OptIAAddress",
    "DHCP6 IA Address Option (IA_TA or IA_NA suboption)", 28, [
    code(5),
    len_of("iaaddropts", 24),
    Field::ip6("addr", "::"),
    lifetime("preflft"),
    lifetime("validlft"),
    options("iaaddropts", optlen_minus::<24>),
], payload_len: leaves_rest);

option!(
    OPT_REQ,
    "DHCP6OptOptReq",
    "DHCP6 Option Request Option",
    4,
    [
        code(6),
        len_of("reqopts", 0),
        Field::new(
            "reqopts",
            Kind::Coded(Coding::OptCodes),
            Def::Bytes(&[0, 23, 0, 24])
        )
        .sized(optlen),
    ]
);

option!(
    PREF,
    "DHCP6OptPref",
    "DHCP6 Preference Option",
    5,
    [code(7), fixed_len(1), Field::int("prefval", 8, 255),]
);

option!(
    ELAPSED_TIME,
    "DHCP6OptElapsedTime",
    "DHCP6 Elapsed Time Option",
    6,
    [code(8), fixed_len(2), Field::int("elapsedtime", 16, 0),]
);

option!(
    RELAY_MSG,
    "DHCP6OptRelayMsg",
    "DHCP6 Relay Message Option",
    4,
    [
        code(9),
        len_of("message", 0),
        Field::new("message", Kind::List(&RELAYED), Def::Element).sized(optlen),
    ]
);

option!(
    AUTH,
    "DHCP6OptAuth",
    "DHCP6 Option - Authentication",
    15,
    [
        code(11),
        len_of("authinfo", 11),
        Field::int("proto", 8, 3).named(AUTH_PROTOS),
        Field::int("alg", 8, 1).named(AUTH_ALGS),
        Field::int("rdm", 8, 0).named(AUTH_RDMS),
        Field::new("replay", Kind::Fixed { len: 8, mac: false }, Def::Zeros(8)),
        Field::bytes("authinfo").sliced(optlen_minus::<11>),
    ]
);

option!(
    SERVER_UNICAST,
    "DHCP6OptServerUnicast",
    "DHCP6 Server Unicast Option",
    20,
    [code(12), fixed_len(16), Field::ip6("srvaddr", "::"),]
);

option!(
    STATUS_CODE,
    "DHCP6OptStatusCode",
    "DHCP6 Status Code Option",
    6,
    [
        code(13),
        len_of("statusmsg", 2),
        Field::int("statuscode", 16, 0).named(STATUS_CODES),
        Field::bytes("statusmsg").sliced(optlen_minus::<2>),
    ]
);

option!(
    RAPID_COMMIT,
    "DHCP6OptRapidCommit",
    "DHCP6 Rapid Commit Option",
    4,
    [code(14), fixed_len(0),]
);

option!(
    USER_CLASS,
    "DHCP6OptUserClass",
    "DHCP6 User Class Option",
    4,
    [
        code(15),
        len_of("userclassdata", 0),
        Field::new("userclassdata", Kind::List(&USER_CLASSES), Def::Empty).sized(optlen),
    ]
);

option!(
    VENDOR_CLASS,
    "DHCP6OptVendorClass",
    "DHCP6 Vendor Class Option",
    8,
    [
        code(16),
        len_of("vcdata", 4),
        Field::int("enterprisenum", 32, 0),
        Field::new("vcdata", Kind::List(&VENDOR_CLASSES), Def::Empty).sliced(optlen_minus::<4>),
    ]
);

option!(
    VENDOR_SPECIFIC_INFO,
    "DHCP6OptVendorSpecificInfo",
    "DHCP6 Vendor-specific Information Option",
    8,
    [
        code(17),
        len_of("vso", 4),
        Field::int("enterprisenum", 32, 0),
        Field::new("vso", Kind::List(&VENDOR_OPTIONS), Def::Empty).sliced(optlen_minus::<4>),
    ]
);

option!(
    IFACE_ID,
    "DHCP6OptIfaceId",
    "DHCP6 Interface-Id Option",
    4,
    [
        code(18),
        len_of("ifaceid", 0),
        Field::bytes("ifaceid").sized(optlen),
    ]
);

option!(
    RECONF_MSG,
    "DHCP6OptReconfMsg",
    "DHCP6 Reconfigure Message Option",
    5,
    [
        code(19),
        fixed_len(1),
        Field::int("msgtype", 8, 11).named(RECONF_TYPES),
    ]
);

option!(
    RECONF_ACCEPT,
    "DHCP6OptReconfAccept",
    "DHCP6 Reconfigure Accept Option",
    4,
    [code(20), fixed_len(0),]
);

option!(
    IA_PD,
    "DHCP6OptIA_PD",
    "DHCP6 Option - Identity Association for Prefix Delegation",
    16,
    [
        code(25),
        len_of("iapdopt", 12),
        iaid(),
        Field::int("T1", 32, 0),
        Field::int("T2", 32, 0),
        options("iapdopt", optlen_minus::<12>),
    ]
);

option!(IA_PREFIX, "DHCP6OptIAPrefix", "DHCP6 Option - IA Prefix option", 29, [
    code(26),
    len_of("iaprefopts", 25),
    lifetime("preflft"),
    lifetime("validlft"),
    Field::int("plen", 8, 48),
    Field::ip6("prefix", "2001:db8::"),
    options("iaprefopts", optlen_minus::<25>),
], payload_len: leaves_rest);
