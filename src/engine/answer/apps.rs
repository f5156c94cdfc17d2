//! Answers above UDP and TCP: scapy's `DNS.answers` (same `id`, a response to a query),
//! `BOOTP.answers` (same `xid`) and the DHCPv6 messages' (same transaction id). The
//! [`Matcher`](super::Matcher)'s key stops at the transport ports (an ICMP error may quote a
//! query cut before its id), so these rules run on the few candidates it finds.
//!
//! Deliberate differences from scapy, each for a reason a user meets:
//! - a DNS response must also carry the query's first question (name, case aside, and type)
//!   when both have one: two queries with the same id to one server are told apart;
//! - a BOOTP answer must be a reply (`op` 2): a relay's copy of the request is no answer;
//! - DHCP answers come from the server's address to an address the client has not got yet
//!   (or to broadcast): their IP addresses are not compared, as scapy does only with
//!   `conf.checkIPaddr = False`, which every scapy DHCP recipe sets; likewise mDNS to
//!   224.0.0.251 and ff02::fb, as scapy's `IP.answers` does.

use super::same_int;
use crate::layers::{Layer, Value};

/// The application layers these rules cover.
pub(super) fn is_app(l: Option<&Layer>) -> bool {
    l.is_some_and(|l| matches!(l.name(), "DNS" | "BOOTP") || l.name().starts_with("DHCP6"))
}

/// Whether `r` (the reply's application layer) answers the request's layers `q` from the same
/// level.
pub(super) fn answers(r: &Layer, q: &[Layer]) -> bool {
    let Some(ql) = q.first() else {
        return false;
    };
    match r.name() {
        "DNS" => {
            ql.name() == "DNS"
                && same_int(r, "id", ql, "id")
                && r.int("qr") == Some(1)
                && ql.int("qr") == Some(0)
                && same_question(r, ql)
        }
        "BOOTP" => ql.name() == "BOOTP" && r.int("op") == Some(2) && same_int(r, "xid", ql, "xid"),
        // scapy's DHCP6_Advertise.answers, DHCP6_Reply.answers, DHCP6_RelayReply.answers.
        "DHCP6_Advertise" => ql.name() == "DHCP6_Solicit" && same_int(r, "trid", ql, "trid"),
        "DHCP6_Reply" => DHCP6_REPLIED.contains(&ql.name()) && same_int(r, "trid", ql, "trid"),
        "DHCP6_RelayReply" => {
            ql.name() == "DHCP6_RelayForward"
                && same_int(r, "hopcount", ql, "hopcount")
                && r.get("linkaddr") == ql.get("linkaddr")
                && r.get("peeraddr") == ql.get("peeraddr")
        }
        _ => false,
    }
}

/// The requests a DHCPv6 Reply answers.
const DHCP6_REPLIED: &[&str] = &[
    "DHCP6_Solicit",
    "DHCP6_Request",
    "DHCP6_Confirm",
    "DHCP6_Renew",
    "DHCP6_Rebind",
    "DHCP6_Release",
    "DHCP6_Decline",
    "DHCP6_InfoRequest",
];

/// Both questions the same, when both messages have one.
fn same_question(r: &Layer, q: &Layer) -> bool {
    match (first_question(r), first_question(q)) {
        (Some((rn, rt)), Some((qn, qt))) => rt == qt && rn.eq_ignore_ascii_case(qn),
        _ => true,
    }
}

fn first_question(l: &Layer) -> Option<(&str, Option<u64>)> {
    let Some(Value::Options(qd)) = l.get("qd") else {
        return None;
    };
    let q = qd.first()?;
    match q.get("qname") {
        Some(Value::Name(n)) => Some((n.text.as_str(), q.int("qtype"))),
        _ => None,
    }
}

/// Whether the IP addresses of the packet whose layers after the IP header are `upper` are
/// left out of matching: DHCP (and BOOTP) over UDP, mDNS to its group (`dst` is the IP
/// header's destination).
pub(super) fn unaddressed(upper: &[Layer], dst: Option<&[u8]>) -> bool {
    let app = upper.get(1);
    let udp = upper.first().is_some_and(|u| u.name() == "UDP");
    let dhcp = app.is_some_and(|a| a.name() == "BOOTP" || a.name().starts_with("DHCP6"));
    let mdns = app.is_some_and(|a| a.name() == "DNS")
        && upper.first().is_some_and(|u| u.int("dport") == Some(5353))
        && matches!(
            dst,
            Some([224, 0, 0, 251]) | Some([0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb])
        );
    udp && (dhcp || mdns)
}

#[cfg(test)]
#[path = "apps_tests.rs"]
mod tests;
