//! Ethernet II (`Ether`) and IEEE 802.3 with a length field (`Dot3`).

use super::field::{Auto, Field, Value, fmt_mac};
use super::{Layer, Proto, val};
use std::fmt::Write as _;

pub static ETHER_FIELDS: [Field; 3] = [
    Field::mac("dst", "ff:ff:ff:ff:ff:ff"),
    Field::mac("src", "00:00:00:00:00:00"),
    Field::auto("type", 16, Auto::Next(0x9000)),
];

pub static ETHER: Proto = Proto {
    name: "Ether",
    title: "Ethernet",
    fields: &ETHER_FIELDS,
    min_len: 14,
    next: super::next_by_binding,
    summary: Some(summary),
    ..Proto::BASE
};

pub static DOT3_FIELDS: [Field; 3] = [
    Field::mac("dst", "ff:ff:ff:ff:ff:ff"),
    Field::mac("src", "00:00:00:00:00:00"),
    Field::auto("len", 16, Auto::PayloadLen),
];

/// 802.3 frames carry a length (≤ 1500) where Ethernet II has a type; scapy calls them `Dot3`.
pub static DOT3: Proto = Proto {
    name: "Dot3",
    title: "802.3",
    fields: &DOT3_FIELDS,
    min_len: 14,
    payload_len: |l| Some(val(&l.values, 2) as usize),
    summary: Some(summary),
    ..Proto::BASE
};

/// An Ethernet-framed buffer is `Dot3` when its type/length field is a length.
pub fn proto_for(data: &[u8]) -> &'static Proto {
    match data.get(12..14) {
        Some(t) if u16::from_be_bytes([t[0], t[1]]) <= 1500 => &DOT3,
        _ => &ETHER,
    }
}

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    if let (Some(Value::Mac(s)), Some(Value::Mac(d))) = (l.values.get(1), l.values.first()) {
        fmt_mac(s, out);
        out.push_str(" > ");
        fmt_mac(d, out);
    }
    if let Some(t) = l.values.get(2).and_then(Value::int) {
        let _ = write!(out, " ({t:#06x})");
    }
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::test_util::hex;

    #[test]
    fn ether_fields_and_unknown_type_payload_is_raw() {
        let p = dissect(1, &hex("ffffffffffff 020000000001 88b5 0102"), 16);
        let e = &p.layers[0];
        assert_eq!(e.name(), "Ether");
        assert_eq!(e.int("type"), Some(0x88b5));
        assert_eq!(p.layers[1].name(), "Raw");
        assert!(p.errors.is_empty());
    }

    #[test]
    fn length_field_makes_dot3_and_cuts_padding() {
        let p = dissect(1, &hex("ffffffffffff 020000000001 0003 aabbcc 0000"), 19);
        assert_eq!(p.layers[0].name(), "Dot3");
        assert_eq!(p.layers[1].name(), "Raw");
        assert_eq!(p.layers[2].name(), "Padding");
        assert_eq!(p.layers[2].len, 2);
    }

    #[test]
    fn short_frame_is_truncated_not_lost() {
        let p = dissect(1, &hex("ffffffffffff 0200"), 8);
        assert_eq!(p.layers[0].name(), "Ether");
        assert_eq!(p.layers[0].int("type"), None);
        assert_eq!(p.layers[1].name(), "Raw");
        assert_eq!(p.layers[1].len, 2);
        assert!(
            p.errors[0]
                .error
                .contains("Ether header needs 14 bytes, 8 left"),
            "{:?}",
            p.errors
        );
    }
}
