//! TCP, and the TCP header quoted in an ICMP error (`TCPerror`). Options are kept as
//! [`TcpOption`]s (kind + bytes) and rendered in scapy's `[name, value]` form by the views.

use super::field::{Auto, Def, Field, FlagNames, Kind, TcpOption, Value, flag_string};
use super::{Checksum, Layer, Proto, Scope, fmt_endpoints, val};

pub const FLAGS: FlagNames = FlagNames::Chars("FSRPAUECN");

fn options_len(v: &[Value]) -> Result<usize, String> {
    let dataofs = val(v, 4) as usize;
    if dataofs < 5 {
        return Err(format!("TCP.dataofs={dataofs} < 5"));
    }
    Ok(dataofs * 4 - 20)
}

pub static FIELDS: [Field; 11] = [
    Field::int("sport", 16, 20),
    Field::int("dport", 16, 80),
    Field::int("seq", 32, 0),
    Field::int("ack", 32, 0),
    Field::auto("dataofs", 4, Auto::HeaderLen(4)),
    Field::int("reserved", 3, 0),
    Field::flags("flags", 9, FLAGS, 2),
    Field::int("window", 16, 8192),
    Field::auto("chksum", 16, Auto::Checksum),
    Field::int("urgptr", 16, 0),
    Field::new("options", Kind::TcpOptions, Def::Empty).sized(options_len),
];

pub static TCP: Proto = Proto {
    name: "TCP",
    title: "TCP",
    fields: &FIELDS,
    min_len: 20,
    summary: Some(summary),
    checksum: Some(Checksum {
        field: "chksum",
        at: 16,
        scope: Scope::Pseudo(6),
    }),
    // Services by port (DNS on 53: bind.rs).
    next: super::next_by_binding,
    ..Proto::BASE
};

pub static TCPERROR: Proto = Proto {
    name: "TCPerror",
    title: "TCP in ICMP",
    fields: &FIELDS,
    min_len: 20,
    quoted: true,
    // Computed when building; a quoted packet is usually cut, so dissection does not verify it.
    checksum: Some(Checksum {
        field: "chksum",
        at: 16,
        scope: Scope::Pseudo(6),
    }),
    ..Proto::BASE
};

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    fmt_endpoints(layers, i, out);
    // A header cut before the flags shows none.
    if let Some(flags) = layers[i].values.get(6).and_then(Value::int) {
        out.push(' ');
        flag_string(flags, FLAGS, out);
    }
}

/// scapy's name for a TCP option kind, and how its value reads.
pub fn option_name(kind: u8) -> Option<&'static str> {
    Some(match kind {
        0 => "EOL",
        1 => "NOP",
        2 => "MSS",
        3 => "WScale",
        4 => "SAckOK",
        5 => "SAck",
        8 => "Timestamp",
        14 => "AltChkSum",
        15 => "AltChkSumOpt",
        19 => "MD5",
        25 => "Mood",
        28 => "UTO",
        29 => "AO",
        34 => "TFO",
        _ => return None,
    })
}

/// The numbers in a known option's value (at most nine: a SAck of 36 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionNumbers {
    values: [u64; 9],
    n: usize,
}

impl OptionNumbers {
    pub fn as_slice(&self) -> &[u64] {
        &self.values[..self.n]
    }
}

/// The value of a known option as scapy decodes it: numbers, or `None` when the option is not of
/// the size its kind needs (then it is rendered as bytes).
pub fn option_numbers(o: &TcpOption) -> Option<OptionNumbers> {
    let d = o.data();
    let be = |b: &[u8]| b.iter().fold(0u64, |a, &x| (a << 8) | x as u64);
    let mut out = OptionNumbers {
        values: [0; 9],
        n: 0,
    };
    let chunk = match (o.kind, d.len()) {
        (2, 2) | (28, 2) => 2,
        (3, 1) => 1,
        (5, n) if n % 4 == 0 && n <= 36 => 4,
        (8, 8) => 4,
        _ => return None,
    };
    for c in d.chunks(chunk) {
        out.values[out.n] = be(c);
        out.n += 1;
    }
    Some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::dissect::dissect;
    use crate::layers::{TcpOption, Value};
    use crate::test_util::hex;

    /// Ether/IP/TCP(options=[MSS 1460, NOP, WScale 7, SAckOK, Timestamp (1,2), EOL]) as scapy builds it.
    pub const SYN_OPTS: &str = "ffffffffffff000000000000080045000040000100004006 7cb5 7f0000017f000001\
        00140050 00000000 00000000 b002 2000 1993 0000 020405b4 01 030307 0402 080a0000000100000002 00 000000";

    #[test]
    fn options_in_order_with_scapy_names() {
        let f = hex(SYN_OPTS);
        let p = dissect(1, &f, f.len());
        let t = &p.layers[2];
        assert_eq!(t.name(), "TCP");
        assert_eq!(t.int("dataofs"), Some(11));
        assert_eq!(t.int("flags"), Some(2));
        let Some(Value::TcpOptions(o)) = t.get("options") else {
            panic!()
        };
        let kinds: Vec<u8> = o.iter().map(|o| o.kind).collect();
        assert_eq!(kinds, [2, 1, 3, 4, 8, 0]);
        assert_eq!(super::option_numbers(&o[0]).unwrap().as_slice(), [1460]);
        assert_eq!(super::option_numbers(&o[4]).unwrap().as_slice(), [1, 2]);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn unknown_option_kept_as_bytes() {
        let o = TcpOption::new(30, &[0x61, 0x62]);
        assert_eq!(super::option_name(o.kind), None);
        assert_eq!(super::option_numbers(&o), None);
    }

    #[test]
    fn truncated_header_keeps_what_it_read() {
        let f = hex(
            "ffffffffffff000000000000 0800 4500001c00010000400600007f0000017f000001 00140050 00000000",
        );
        let p = dissect(1, &f, f.len());
        let t = &p.layers[2];
        assert_eq!(t.int("sport"), Some(20));
        assert_eq!(t.int("seq"), Some(0));
        assert_eq!(t.int("ack"), None);
        assert!(
            p.errors
                .iter()
                .any(|e| e.error == "truncated: TCP header needs 20 bytes, 8 left"),
            "{:?}",
            p.errors
        );
    }

    #[test]
    fn dataofs_below_five_reads_no_options_and_says_so() {
        let mut f = hex(SYN_OPTS);
        f[46] = 0x30; // dataofs=3
        let p = dissect(1, &f, f.len());
        assert_eq!(p.layers[2].get("options"), Some(&Value::TcpOptions(vec![])));
        let e = p
            .errors
            .iter()
            .find(|e| e.field == Some("options"))
            .expect("dataofs error");
        assert_eq!(e.error, "TCP.dataofs=3 < 5");
        // the 20-byte header is followed by the bytes the options were in, as payload
        assert_eq!(p.layers[3].name(), "Raw");
    }

    #[test]
    fn option_running_past_the_header_keeps_its_bytes() {
        let o = crate::dissect::tests_support::tcp_options(&hex("0204 05b4 30 0a 3030"));
        assert_eq!(o.len(), 2);
        assert_eq!((o[1].kind, o[1].data()), (0x30, &[0x30, 0x30][..]));
    }

    #[test]
    fn bad_checksum_names_the_right_one() {
        let mut f = hex(SYN_OPTS);
        f[50] ^= 0xff;
        let p = dissect(1, &f, f.len());
        let e = p
            .errors
            .iter()
            .find(|e| e.layer == "TCP")
            .expect("TCP checksum error");
        assert_eq!(e.expected, Some(0x1993));
    }
}
