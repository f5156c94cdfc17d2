//! IEEE 802.1Q VLAN tags (`Dot1Q`) and 802.1ad service tags (`Dot1AD`), stackable (QinQ).

use super::field::{Auto, Field};
use super::{Layer, Proto, val};
use std::fmt::Write as _;

pub static FIELDS: [Field; 4] = [
    Field::int("prio", 3, 0),
    Field::int("dei", 1, 0),
    Field::int("vlan", 12, 1),
    Field::auto("type", 16, Auto::Next(0)),
];

pub static DOT1Q: Proto = Proto {
    name: "Dot1Q",
    title: "802.1Q",
    fields: &FIELDS,
    min_len: 4,
    next: super::next_by_binding,
    summary: Some(summary),
    ..Proto::BASE
};

pub static DOT1AD: Proto = Proto {
    name: "Dot1AD",
    title: "802_1AD",
    fields: &FIELDS,
    min_len: 4,
    next: super::next_by_binding,
    summary: Some(summary),
    ..Proto::BASE
};

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let _ = write!(out, "vlan {}", val(&layers[i].values, 2));
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::test_util::hex;

    #[test]
    fn qinq_stack() {
        let f = hex(
            "ffffffffffff000000000000 88a8 0005 8100 a007 0806 000108000604000102fc00000001c000020200000000000000000000",
        );
        let p = dissect(1, &f, f.len());
        let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
        assert_eq!(names, ["Ether", "Dot1AD", "Dot1Q", "ARP"]);
        let q = &p.layers[2];
        assert_eq!(
            (q.int("prio"), q.int("dei"), q.int("vlan")),
            (Some(5), Some(0), Some(7))
        );
        assert_eq!(q.int("type"), Some(0x0806));
    }
}
