//! DHCPv6 (RFC 8415), as scapy's `dhcp6` module dissects and builds it: the messages
//! (`DHCP6_Solicit` … `DHCP6_Reply`, `DHCP6_RelayForward`, `DHCP6_RelayReply`: a type and a
//! transaction id, or the relay header), chosen by their type, each followed by its options.
//! An option is a layer of its own, chosen by its code (scapy's `dhcp6opts_by_code`; an
//! unknown code is `DHCP6OptUnknown`, its bytes kept): the options of a message are its
//! payload chain, as in scapy. Options inside an option (an IA's addresses, a relayed message,
//! a DUID) are lists whose elements keep their payload ([`Chain`]), rendered as scapy renders
//! them. Bound to UDP by the destination port, 546 (client) or 547 (server), as scapy binds
//! it; building gives scapy's ports for each message (`UDP()/DHCP6_Solicit()`: 546 to 547).

#[macro_use]
mod macros {
    /// An option: its name, title, the bytes its fixed fields need, its fields; its payload is
    /// the next option. `payload_len: f` when it leaves the rest (an IA address).
    macro_rules! option {
        ($static:ident, $name:expr, $title:expr, $min:expr, [$($field:expr),* $(,)?]
            $(, $key:ident : $value:expr)* $(,)?) => {
            pub static $static: $crate::layers::Proto = $crate::layers::Proto {
                name: $name,
                title: $title,
                fields: &[$($field),*],
                min_len: $min,
                next: $crate::layers::dhcp6::next_option,
                $($key: $value,)*
                ..$crate::layers::Proto::BASE
            };
        };
    }
}

mod duid;
mod more;
mod names;
mod options;
mod sub;

pub use duid::*;
pub use more::*;
pub use names::*;
pub use options::*;
pub use sub::*;

use super::field::{Auto, Chain, Def, Field, ListSpec, fmt_ip6, name_of};
use super::{Layer, Proto, Value, raw, val};
use std::fmt::Write as _;

/// The option code every option starts with.
pub(crate) const fn code(c: u64) -> Field {
    Field::int("optcode", 16, c).named(OPTIONS)
}

/// `optlen`, computed as the size of `field` plus `add` (the fixed fields after `optlen`).
pub(crate) const fn len_of(field: &'static str, add: u8) -> Field {
    Field::auto(
        "optlen",
        16,
        Auto::SizeOf {
            field,
            add,
            unit: 1,
        },
    )
}

/// `optlen` with a fixed default (scapy's `ShortField`: not computed).
pub(crate) const fn fixed_len(n: u64) -> Field {
    Field::int("optlen", 16, n)
}

/// The bytes `optlen` (an option's second field) says.
pub(crate) fn optlen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, 1) as usize)
}

/// `optlen` less the `N` bytes of fixed fields it counts, as scapy slices with it: when
/// `optlen` is smaller, a negative length (all but that many of the bytes left).
pub(crate) fn optlen_minus<const N: i64>(v: &[Value]) -> i64 {
    val(v, 1) as i64 - N
}

/// The fields of the messages between clients and servers.
const fn message_fields(msgtype: u64) -> [Field; 2] {
    [
        Field::int("msgtype", 8, msgtype).named(MSG_TYPES),
        Field::int("trid", 24, 0),
    ]
}

macro_rules! message {
    ($static:ident, $name:expr, $title:expr, $type:expr) => {
        pub static $static: Proto = Proto {
            name: $name,
            title: $title,
            fields: &message_fields($type),
            min_len: 4,
            next: next_option,
            summary: Some(summary),
            ..Proto::BASE
        };
    };
}

/// scapy's generic `DHCP6`: what a relay message holds by default (its type unset, 0). On a
/// DHCPv6 port the class is chosen by the type ([`message_class`]).
pub static DHCP6: Proto = Proto {
    name: "DHCP6",
    title: "DHCPv6 Generic Message",
    fields: &message_fields(0),
    min_len: 4,
    next: next_option,
    summary: Some(summary),
    dispatch: Some(dispatch),
    ..Proto::BASE
};

message!(SOLICIT, "DHCP6_Solicit", "DHCPv6 Solicit Message", 1);
message!(ADVERTISE, "DHCP6_Advertise", "DHCPv6 Advertise Message", 2);
message!(REQUEST, "DHCP6_Request", "DHCPv6 Request Message", 3);
message!(CONFIRM, "DHCP6_Confirm", "DHCPv6 Confirm Message", 4);
message!(RENEW, "DHCP6_Renew", "DHCPv6 Renew Message", 5);
message!(REBIND, "DHCP6_Rebind", "DHCPv6 Rebind Message", 6);
message!(REPLY, "DHCP6_Reply", "DHCPv6 Reply Message", 7);
message!(RELEASE, "DHCP6_Release", "DHCPv6 Release Message", 8);
message!(DECLINE, "DHCP6_Decline", "DHCPv6 Decline Message", 9);
message!(RECONF, "DHCP6_Reconf", "DHCPv6 Reconfigure Message", 10);
message!(
    INFO_REQUEST,
    "DHCP6_InfoRequest",
    "DHCPv6 Information Request Message",
    11
);
message!(
    ADDR_REG_INFORM,
    "DHCP6_AddrRegInform",
    "DHCPv6 Information Request Message",
    36
);
message!(
    ADDR_REG_REPLY,
    "DHCP6_AddrRegReply",
    "DHCPv6 Information Reply Message",
    37
);

const fn relay_fields(msgtype: u64) -> [Field; 4] {
    [
        Field::int("msgtype", 8, msgtype).named(MSG_TYPES),
        Field::int("hopcount", 8, 0),
        Field::ip6("linkaddr", "::"),
        Field::ip6("peeraddr", "::"),
    ]
}

pub static RELAY_FORWARD: Proto = Proto {
    name: "DHCP6_RelayForward",
    title: "DHCPv6 Relay Forward Message (Relay Agent/Server Message)",
    fields: &relay_fields(12),
    min_len: 34,
    next: next_option,
    summary: Some(summary),
    ..Proto::BASE
};

pub static RELAY_REPLY: Proto = Proto {
    name: "DHCP6_RelayReply",
    title: "DHCPv6 Relay Reply Message (Relay Agent/Server Message)",
    fields: &relay_fields(13),
    min_len: 34,
    next: next_option,
    summary: Some(summary),
    ..Proto::BASE
};

/// Every message class, for `layers::all()`.
pub static MESSAGES: [&Proto; 16] = [
    &DHCP6,
    &SOLICIT,
    &ADVERTISE,
    &REQUEST,
    &CONFIRM,
    &RENEW,
    &REBIND,
    &REPLY,
    &RELEASE,
    &DECLINE,
    &RECONF,
    &INFO_REQUEST,
    &RELAY_FORWARD,
    &RELAY_REPLY,
    &ADDR_REG_INFORM,
    &ADDR_REG_REPLY,
];

/// The message class of `b` by its type (scapy's `_dhcp6_dispatcher`): `Raw` for fewer than
/// two bytes or a type scapy has no class for; the generic `DHCP6` for none (a default).
pub fn message_class(b: &[u8]) -> &'static Proto {
    match b {
        [] => &DHCP6,
        [_] => &raw::RAW,
        [t, ..] => MESSAGES[1..]
            .iter()
            .copied()
            .find(|m| m.fields[0].default == Def::Int(*t as u64))
            .unwrap_or(&raw::RAW),
    }
}

/// On a DHCPv6 port, the message class the bytes' type chooses.
fn dispatch(this: &'static Proto, _: Option<&'static Proto>, b: Option<&[u8]>) -> &'static Proto {
    b.map_or(this, message_class)
}

/// Every option class, by code (scapy's `dhcp6opts_by_code`).
pub static OPTION_CLASSES: [&Proto; 53] = [
    &CLIENT_ID,
    &SERVER_ID,
    &IA_NA,
    &IA_TA,
    &IA_ADDRESS,
    &OPT_REQ,
    &PREF,
    &ELAPSED_TIME,
    &RELAY_MSG,
    &AUTH,
    &SERVER_UNICAST,
    &STATUS_CODE,
    &RAPID_COMMIT,
    &USER_CLASS,
    &VENDOR_CLASS,
    &VENDOR_SPECIFIC_INFO,
    &IFACE_ID,
    &RECONF_MSG,
    &RECONF_ACCEPT,
    &SIP_DOMAINS,
    &SIP_SERVERS,
    &DNS_SERVERS,
    &DNS_DOMAINS,
    &IA_PD,
    &IA_PREFIX,
    &NIS_SERVERS,
    &NISP_SERVERS,
    &NIS_DOMAIN,
    &NISP_DOMAIN,
    &SNTP_SERVERS,
    &INFO_REFRESH_TIME,
    &BCMCS_DOMAINS,
    &BCMCS_SERVERS,
    &REMOTE_ID,
    &SUBSCRIBER_ID,
    &CLIENT_FQDN,
    &PANA_AUTH_AGENT,
    &NEW_POSIX_TIMEZONE,
    &NEW_TZDB_TIMEZONE,
    &RELAY_AGENT_ERO,
    &LQ_CLIENT_LINK,
    &NTP_SERVER,
    &BOOT_FILE_URL,
    &CLIENT_ARCH_TYPE,
    &CLIENT_NETWORK_INTER_ID,
    &ERP_DOMAIN,
    &RELAY_SUPPLIED_OPT,
    &VSS,
    &CLIENT_LINK_LAYER_ADDR,
    &CAPTIVE_PORTAL,
    &MUD_URL,
    &ADDR_REG_ENABLE,
    &UNKNOWN,
];

/// The class of the option with this code, if scapy has one.
pub fn option_class(code: u16) -> Option<&'static Proto> {
    OPTION_CLASSES[..OPTION_CLASSES.len() - 1]
        .iter()
        .copied()
        .find(|p| p.fields[0].default == Def::Int(code as u64))
}

/// What follows a message or an option (scapy's `_DHCP6OptGuessPayload`): the next option by
/// its code, `DHCP6OptUnknown` for a code without a class; `Raw` for two bytes or fewer.
pub fn next_option(_: &Layer, payload: &[u8]) -> Option<&'static Proto> {
    match payload {
        [a, b, _, ..] => Some(option_class(u16::from_be_bytes([*a, *b])).unwrap_or(&UNKNOWN)),
        _ => None,
    }
}

/// An option as an element of an IA option's list (scapy's `_DHCP6OptGuessPayloadElt`): by
/// its code, `Raw` (the rest of the list) for an unknown code or two bytes or fewer.
fn option_in_list(b: &[u8]) -> &'static Proto {
    match b {
        [x, y, _, ..] => option_class(u16::from_be_bytes([*x, *y])).unwrap_or(&raw::RAW),
        _ => &raw::RAW,
    }
}

/// Options inside an option (an IA's, an IA address's, the relay-supplied options).
pub(crate) static IA_OPTIONS: ListSpec = ListSpec {
    what: "DHCPv6 options",
    element: option_in_list,
    count: None,
    accepts: |n| n.starts_with("DHCP6Opt") || n == "Raw",
    size: None,
    chain: Chain::Payload,
};

/// The message a Relay Message option holds, with its options.
pub(crate) static RELAYED: ListSpec = ListSpec {
    what: "DHCPv6 message",
    element: message_class,
    count: None,
    accepts: |n| n.starts_with("DHCP6") || n == "Raw" || n == "Padding",
    size: None,
    chain: Chain::One,
};

/// scapy's ports for the messages a client sends (`overload_fields`: 546 to 547).
pub const TO_SERVER: &[(&str, Def)] = &[("sport", Def::Int(546)), ("dport", Def::Int(547))];
/// For the messages a server sends (547 to 546).
pub const TO_CLIENT: &[(&str, Def)] = &[("sport", Def::Int(547)), ("dport", Def::Int(546))];
/// For relay messages (547 to 547).
pub const RELAYS: &[(&str, Def)] = &[("sport", Def::Int(547)), ("dport", Def::Int(547))];

/// tcpdump's words: `dhcp6 solicit (xid=1a2b3c)`,
/// `dhcp6 relay-fwd (linkaddr=2001:db8::1 peeraddr=fe80::1)`.
fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    let t = val(&l.values, 0);
    out.push_str("dhcp6 ");
    match name_of(TCPDUMP_TYPES, t) {
        Some(n) => out.push_str(n),
        None => {
            let _ = write!(out, "msgtype-{t}");
        }
    }
    out.push_str(" (");
    if l.proto.fields.len() == 4 {
        for (k, key) in [(2, "linkaddr="), (3, " peeraddr=")] {
            out.push_str(key);
            match l.values.get(k) {
                Some(Value::Ip6(a)) => fmt_ip6(a, out),
                _ => out.push('?'),
            }
        }
    } else {
        let _ = write!(out, "xid={:x}", val(&l.values, 1));
    }
    out.push(')');
}

#[cfg(test)]
mod tests;
