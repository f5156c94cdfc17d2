//! UDP, and the UDP header quoted in an ICMP error (`UDPerror`).

use super::field::{Auto, Field};
use super::{Checksum, Layer, Proto, Scope, fmt_endpoints, val};

pub static FIELDS: [Field; 4] = [
    Field::int("sport", 16, 53),
    Field::int("dport", 16, 53),
    Field::auto("len", 16, Auto::TotalLen),
    Field::auto("chksum", 16, Auto::Checksum),
];

/// `len` counts the header; bytes past it are padding.
fn payload_len(l: &Layer) -> Option<usize> {
    (val(&l.values, 2) as usize).checked_sub(8)
}

pub static UDP: Proto = Proto {
    name: "UDP",
    title: "UDP",
    fields: &FIELDS,
    min_len: 8,
    payload_len,
    next: super::next_by_binding,
    summary: Some(summary),
    checksum: Some(Checksum {
        field: "chksum",
        at: 6,
        scope: Scope::Pseudo(17),
    }),
    ..Proto::BASE
};

pub static UDPERROR: Proto = Proto {
    name: "UDPerror",
    title: "UDP in ICMP",
    fields: &FIELDS,
    min_len: 8,
    quoted: true,
    payload_len,
    // Computed when building; a quoted packet is usually cut, so dissection does not verify it.
    checksum: Some(Checksum {
        field: "chksum",
        at: 6,
        scope: Scope::Pseudo(17),
    }),
    ..Proto::BASE
};

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    fmt_endpoints(layers, i, out);
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::test_util::hex;

    #[test]
    fn udp_with_payload_and_good_checksum() {
        // Ether/IP/UDP()/"abc" as scapy builds it.
        let f = hex(
            "ffffffffffff0000000000000800 4500001f000100004011 7ccb 7f0000017f000001 00350035000b 3d09 616263",
        );
        let p = dissect(1, &f, f.len());
        let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
        // Port 53, but three bytes are no DNS header: Raw, as scapy leaves it.
        assert_eq!(names, ["Ether", "IP", "UDP", "Raw"]);
        assert_eq!(p.layers[2].int("len"), Some(11));
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn udp_len_shorter_than_payload_leaves_padding() {
        let f = hex(
            "ffffffffffff0000000000000800 4500001f000100004011 7ccb 7f0000017f000001 003500350009 0000 616263",
        );
        let p = dissect(1, &f, f.len());
        let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["Ether", "IP", "UDP", "Raw", "Padding"]);
        assert_eq!(p.layers[3].len, 1);
    }
}
