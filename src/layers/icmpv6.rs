//! ICMPv6: echo, the errors (which quote the offending packet as `IPerror6`), neighbour
//! discovery (RS, RA, NS, NA, redirect) and the ND options, each option a layer of its own as
//! in scapy.

use super::field::{Auto, Def, Field, Kind, Value};
use super::{Checksum, Layer, Proto, Scope, fmt_addr, fmt_hosts, ipv6, val};
use std::fmt::Write as _;

const CKSUM: Option<Checksum> = Some(Checksum {
    field: "cksum",
    at: 2,
    scope: Scope::Pseudo(58),
});

const fn head(ty: u64) -> [Field; 3] {
    [
        Field::int("type", 8, ty),
        Field::int("code", 8, 0),
        Field::auto("cksum", 16, Auto::Checksum),
    ]
}

macro_rules! fields {
    ($ty:expr; $($f:expr),* $(,)?) => {{
        let [a, b, c] = head($ty);
        [a, b, c, $($f),*]
    }};
}

pub static ECHO_REQUEST_FIELDS: [Field; 6] =
    fields!(128; Field::int("id", 16, 0), Field::int("seq", 16, 0), Field::bytes("data"));
pub static ECHO_REPLY_FIELDS: [Field; 6] =
    fields!(129; Field::int("id", 16, 0), Field::int("seq", 16, 0), Field::bytes("data"));

/// Errors quote the offending packet.
fn quoted(_: &Layer, _: &[u8]) -> Option<&'static Proto> {
    Some(&ipv6::IPERROR6)
}

/// Neighbour discovery messages are followed by options.
fn nd_option_next(_: &Layer, payload: &[u8]) -> Option<&'static Proto> {
    Some(option_by_type(payload))
}

const fn message(
    name: &'static str,
    title: &'static str,
    fields: &'static [Field],
    min_len: usize,
) -> Proto {
    Proto {
        name,
        title,
        fields,
        min_len,
        summary: Some(summary),
        checksum: CKSUM,
        ..Proto::BASE
    }
}

pub static ECHO_REQUEST: Proto = message(
    "ICMPv6EchoRequest",
    "ICMPv6 Echo Request",
    &ECHO_REQUEST_FIELDS,
    8,
);
pub static ECHO_REPLY: Proto = message(
    "ICMPv6EchoReply",
    "ICMPv6 Echo Reply",
    &ECHO_REPLY_FIELDS,
    8,
);

pub static DEST_UNREACH_FIELDS: [Field; 5] =
    fields!(1; Field::int("length", 8, 0), Field::int("unused", 24, 0));
pub static DEST_UNREACH: Proto = Proto {
    next: quoted,
    ..message(
        "ICMPv6DestUnreach",
        "ICMPv6 Destination Unreachable",
        &DEST_UNREACH_FIELDS,
        8,
    )
};

pub static PACKET_TOO_BIG_FIELDS: [Field; 4] = fields!(2; Field::int("mtu", 32, 1280));
pub static PACKET_TOO_BIG: Proto = Proto {
    next: quoted,
    ..message(
        "ICMPv6PacketTooBig",
        "ICMPv6 Packet Too Big",
        &PACKET_TOO_BIG_FIELDS,
        8,
    )
};

pub static TIME_EXCEEDED_FIELDS: [Field; 5] =
    fields!(3; Field::int("length", 8, 0), Field::int("unused", 24, 0));
pub static TIME_EXCEEDED: Proto = Proto {
    next: quoted,
    ..message(
        "ICMPv6TimeExceeded",
        "ICMPv6 Time Exceeded",
        &TIME_EXCEEDED_FIELDS,
        8,
    )
};

pub static PARAM_PROBLEM_FIELDS: [Field; 4] = fields!(4; Field::int("ptr", 32, 6));
pub static PARAM_PROBLEM: Proto = Proto {
    next: quoted,
    ..message(
        "ICMPv6ParamProblem",
        "ICMPv6 Parameter Problem",
        &PARAM_PROBLEM_FIELDS,
        8,
    )
};

pub static ND_RS_FIELDS: [Field; 4] = fields!(133; Field::int("res", 32, 0));
pub static ND_RS: Proto = Proto {
    next: nd_option_next,
    ..message(
        "ICMPv6ND_RS",
        "ICMPv6 Neighbor Discovery - Router Solicitation",
        &ND_RS_FIELDS,
        8,
    )
};

pub static ND_RA_FIELDS: [Field; 13] = fields!(134;
    Field::int("chlim", 8, 0),
    Field::int("M", 1, 0),
    Field::int("O", 1, 0),
    Field::int("H", 1, 0),
    Field::int("prf", 2, 1),
    Field::int("P", 1, 0),
    Field::int("res", 2, 0),
    Field::int("routerlifetime", 16, 1800),
    Field::int("reachabletime", 32, 0),
    Field::int("retranstimer", 32, 0),
);
pub static ND_RA: Proto = Proto {
    next: nd_option_next,
    ..message(
        "ICMPv6ND_RA",
        "ICMPv6 Neighbor Discovery - Router Advertisement",
        &ND_RA_FIELDS,
        16,
    )
};

pub static ND_NS_FIELDS: [Field; 5] =
    fields!(135; Field::int("res", 32, 0), Field::ip6("tgt", "::"));
pub static ND_NS: Proto = Proto {
    next: nd_option_next,
    ..message(
        "ICMPv6ND_NS",
        "ICMPv6 Neighbor Discovery - Neighbor Solicitation",
        &ND_NS_FIELDS,
        24,
    )
};

pub static ND_NA_FIELDS: [Field; 8] = fields!(136;
    Field::int("R", 1, 1),
    Field::int("S", 1, 0),
    Field::int("O", 1, 1),
    Field::int("res", 29, 0),
    Field::ip6("tgt", "::"),
);
pub static ND_NA: Proto = Proto {
    next: nd_option_next,
    ..message(
        "ICMPv6ND_NA",
        "ICMPv6 Neighbor Discovery - Neighbor Advertisement",
        &ND_NA_FIELDS,
        24,
    )
};

pub static ND_REDIRECT_FIELDS: [Field; 6] =
    fields!(137; Field::int("res", 32, 0), Field::ip6("tgt", "::"), Field::ip6("dst", "::"));
pub static ND_REDIRECT: Proto = Proto {
    next: nd_option_next,
    ..message(
        "ICMPv6ND_Redirect",
        "ICMPv6 Neighbor Discovery - Redirect",
        &ND_REDIRECT_FIELDS,
        40,
    )
};

pub static UNKNOWN_FIELDS: [Field; 4] = fields!(1; Field::bytes("msgbody"));
/// Not reached by dissection (scapy leaves unknown types as `Raw`); kept for building.
pub static UNKNOWN: Proto = message(
    "ICMPv6Unknown",
    "Scapy6 ICMPv6 fallback class",
    &UNKNOWN_FIELDS,
    4,
);

/// MLD (RFC 2710): maximum response delay, reserved, the group (scapy's `_ICMPv6ML`).
macro_rules! mld {
    ($ty:expr, $mrd:expr) => {
        fields!($ty; Field::int("mrd", 16, $mrd), Field::int("reserved", 16, 0),
            Field::ip6("mladdr", "::"))
    };
}
pub static ML_QUERY_FIELDS: [Field; 6] = mld!(130, 10000);
pub static ML_REPORT_FIELDS: [Field; 6] = mld!(131, 0);
pub static ML_DONE_FIELDS: [Field; 6] = mld!(132, 0);
pub static ML_QUERY: Proto = message(
    "ICMPv6MLQuery",
    "MLD - Multicast Listener Query",
    &ML_QUERY_FIELDS,
    24,
);
pub static ML_REPORT: Proto = message(
    "ICMPv6MLReport",
    "MLD - Multicast Listener Report",
    &ML_REPORT_FIELDS,
    24,
);
pub static ML_DONE: Proto = message(
    "ICMPv6MLDone",
    "MLD - Multicast Listener Done",
    &ML_DONE_FIELDS,
    24,
);

/// The ICMPv6 message class for a payload starting with its type byte; unknown types are `Raw`.
pub fn by_type(payload: &[u8]) -> Option<&'static Proto> {
    Some(match payload.first()? {
        1 => &DEST_UNREACH,
        2 => &PACKET_TOO_BIG,
        3 => &TIME_EXCEEDED,
        4 => &PARAM_PROBLEM,
        128 => &ECHO_REQUEST,
        129 => &ECHO_REPLY,
        130 => &ML_QUERY,
        131 => &ML_REPORT,
        132 => &ML_DONE,
        133 => &ND_RS,
        134 => &ND_RA,
        135 => &ND_NS,
        136 => &ND_NA,
        137 => &ND_REDIRECT,
        _ => return None,
    })
}

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    fmt_hosts(layers, i, out);
    let _ = write!(
        out,
        " type={} code={}",
        val(&l.values, 0),
        val(&l.values, 1)
    );
    if let (Some(id), Some(seq)) = (l.int("id"), l.int("seq")) {
        let _ = write!(out, " id={id} seq={seq}");
    }
    if let Some(t) = l.get("tgt") {
        out.push_str(" tgt=");
        fmt_addr(Some(t), out);
    }
}

// ---- ND options: `len` counts 8-byte units, type and length included ----

fn opt_body(v: &[Value]) -> Result<usize, String> {
    let len = val(v, 1) as usize;
    if len == 0 {
        return Err("ICMPv6 ND option len=0".to_string());
    }
    Ok(len * 8 - 2)
}

fn opt_next(_: &Layer, payload: &[u8]) -> Option<&'static Proto> {
    Some(option_by_type(payload))
}

const fn nd_option(
    name: &'static str,
    title: &'static str,
    fields: &'static [Field],
    min_len: usize,
) -> Proto {
    Proto {
        name,
        title,
        fields,
        min_len,
        next: opt_next,
        ..Proto::BASE
    }
}

pub static OPT_SRC_LLADDR_FIELDS: [Field; 3] = [
    Field::int("type", 8, 1),
    Field::int("len", 8, 1),
    Field::mac("lladdr", "00:00:00:00:00:00"),
];
pub static OPT_SRC_LLADDR: Proto = nd_option(
    "ICMPv6NDOptSrcLLAddr",
    "ICMPv6 Neighbor Discovery Option - Source Link-Layer Address",
    &OPT_SRC_LLADDR_FIELDS,
    8,
);
pub static OPT_DST_LLADDR_FIELDS: [Field; 3] = [
    Field::int("type", 8, 2),
    Field::int("len", 8, 1),
    Field::mac("lladdr", "00:00:00:00:00:00"),
];
pub static OPT_DST_LLADDR: Proto = nd_option(
    "ICMPv6NDOptDstLLAddr",
    "ICMPv6 Neighbor Discovery Option - Destination Link-Layer Address",
    &OPT_DST_LLADDR_FIELDS,
    8,
);

pub static OPT_PREFIX_INFO_FIELDS: [Field; 11] = [
    Field::int("type", 8, 3),
    Field::int("len", 8, 4),
    Field::int("prefixlen", 8, 64),
    Field::int("L", 1, 1),
    Field::int("A", 1, 1),
    Field::int("R", 1, 0),
    Field::int("res1", 5, 0),
    Field::int("validlifetime", 32, 0xffff_ffff),
    Field::int("preferredlifetime", 32, 0xffff_ffff),
    Field::int("res2", 32, 0),
    Field::ip6("prefix", "::"),
];
pub static OPT_PREFIX_INFO: Proto = nd_option(
    "ICMPv6NDOptPrefixInfo",
    "ICMPv6 Neighbor Discovery Option - Prefix Information",
    &OPT_PREFIX_INFO_FIELDS,
    32,
);

fn six(_: &[Value]) -> Result<usize, String> {
    Ok(6)
}
fn redirected_len(v: &[Value]) -> Result<usize, String> {
    opt_body(v).map(|n| n.saturating_sub(6))
}

pub static OPT_REDIRECTED_HDR_FIELDS: [Field; 4] = [
    Field::int("type", 8, 4),
    Field::auto(
        "len",
        8,
        Auto::SizeOf {
            field: "pkt",
            add: 8,
            unit: 8,
        },
    ),
    Field::new("res", Kind::Bytes, Def::Zeros(6)).sized(six),
    Field::bytes("pkt").sized(redirected_len),
];
pub static OPT_REDIRECTED_HDR: Proto = nd_option(
    "ICMPv6NDOptRedirectedHdr",
    "ICMPv6 Neighbor Discovery Option - Redirected Header",
    &OPT_REDIRECTED_HDR_FIELDS,
    8,
);

pub static OPT_MTU_FIELDS: [Field; 4] = [
    Field::int("type", 8, 5),
    Field::int("len", 8, 1),
    Field::int("res", 16, 0),
    Field::int("mtu", 32, 1280),
];
pub static OPT_MTU: Proto = nd_option(
    "ICMPv6NDOptMTU",
    "ICMPv6 Neighbor Discovery Option - MTU",
    &OPT_MTU_FIELDS,
    8,
);

pub static OPT_UNKNOWN_FIELDS: [Field; 3] = [
    Field::int("type", 8, 0),
    Field::auto(
        "len",
        8,
        Auto::SizeOf {
            field: "data",
            add: 2,
            unit: 8,
        },
    ),
    Field::bytes("data").sized(opt_body),
];
pub static OPT_UNKNOWN: Proto = nd_option(
    "ICMPv6NDOptUnknown",
    "ICMPv6 Neighbor Discovery Option - Scapy Unimplemented",
    &OPT_UNKNOWN_FIELDS,
    8,
);

/// The ND option class for the option starting at `b[0]`.
pub fn option_by_type(b: &[u8]) -> &'static Proto {
    match (b.first(), b.get(1)) {
        (Some(1), Some(1)) => &OPT_SRC_LLADDR,
        (Some(2), Some(1)) => &OPT_DST_LLADDR,
        (Some(3), Some(4)) => &OPT_PREFIX_INFO,
        (Some(4), _) => &OPT_REDIRECTED_HDR,
        (Some(5), Some(1)) => &OPT_MTU,
        _ => &OPT_UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::test_util::hex;

    fn names(f: &[u8]) -> Vec<&'static str> {
        dissect(1, f, f.len())
            .layers
            .iter()
            .map(|l| l.name())
            .collect()
    }

    #[test]
    fn unknown_type_is_raw() {
        let f = hex(
            "ffffffffffff00000000000086dd 6000000000063a40 00000000000000000000000000000001 00000000000000000000000000000001 \
             c800bd427a7a",
        );
        assert_eq!(names(&f), ["Ether", "IPv6", "Raw"]);
        assert!(dissect(1, &f, f.len()).errors.is_empty());
    }
}
