//! ARP. Addresses are MAC/IPv4/IPv6 when their lengths say so, bytes otherwise (scapy's
//! `MultipleTypeField`): each form is its own conditional row of the table.

use super::field::{Auto, Def, Field, Kind, Value, fmt_ip4, fmt_mac};
use super::{Layer, Proto, val};
use std::fmt::Write as _;

const HWLEN: usize = 2;
const PLEN: usize = 3;

const HWTYPE: usize = 0;
const PTYPE: usize = 1;

// A length not computed yet (building) is taken to be the natural one for the type, so the
// rows those lengths are computed from are the MAC and IP ones.
fn unset(v: &[Value], k: usize) -> bool {
    v.get(k).is_some_and(Value::is_absent)
}
fn hw_is_mac(v: &[Value]) -> bool {
    val(v, HWTYPE) == 1 && (unset(v, HWLEN) || val(v, HWLEN) == 6)
}
fn hw_is_bytes(v: &[Value]) -> bool {
    !hw_is_mac(v)
}
fn p_is_ip4(v: &[Value]) -> bool {
    val(v, PTYPE) == 0x0800 && (unset(v, PLEN) || val(v, PLEN) == 4)
}
fn p_is_ip6(v: &[Value]) -> bool {
    val(v, PTYPE) == 0x86dd && (unset(v, PLEN) || val(v, PLEN) == 16)
}
fn p_is_bytes(v: &[Value]) -> bool {
    !p_is_ip4(v) && !p_is_ip6(v)
}
fn hwlen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, HWLEN) as usize)
}
fn plen(v: &[Value]) -> Result<usize, String> {
    Ok(val(v, PLEN) as usize)
}

pub static FIELDS: [Field; 15] = [
    Field::int("hwtype", 16, 1),
    Field::int("ptype", 16, 0x0800),
    Field::auto(
        "hwlen",
        8,
        Auto::SizeOf {
            field: "hwsrc",
            add: 0,
            unit: 1,
        },
    ),
    Field::auto(
        "plen",
        8,
        Auto::SizeOf {
            field: "psrc",
            add: 0,
            unit: 1,
        },
    ),
    Field::int("op", 16, 1),
    Field::mac("hwsrc", "00:00:00:00:00:00").when(hw_is_mac),
    Field::bytes("hwsrc").when(hw_is_bytes).sized(hwlen),
    Field::ip4("psrc", "0.0.0.0").when(p_is_ip4),
    Field::ip6("psrc", "::").when(p_is_ip6),
    Field::bytes("psrc").when(p_is_bytes).sized(plen),
    Field::mac("hwdst", "00:00:00:00:00:00").when(hw_is_mac),
    Field::bytes("hwdst").when(hw_is_bytes).sized(hwlen),
    Field::ip4("pdst", "0.0.0.0").when(p_is_ip4),
    Field::ip6("pdst", "::").when(p_is_ip6),
    Field::new("pdst", Kind::Bytes, Def::Empty)
        .when(p_is_bytes)
        .sized(plen),
];

pub static ARP: Proto = Proto {
    name: "ARP",
    title: "ARP",
    fields: &FIELDS,
    min_len: 8,
    // Whatever follows an ARP message is padding.
    payload_len: |_| Some(0),
    summary: Some(summary),
    ..Proto::BASE
};

fn addr(v: Option<&Value>, out: &mut String) {
    match v {
        Some(Value::Ip4(a)) => fmt_ip4(a, out),
        Some(Value::Ip6(a)) => super::field::fmt_ip6(a, out),
        Some(Value::Mac(m)) => fmt_mac(m, out),
        Some(Value::Bytes(b)) => super::field::fmt_hex(b, out),
        _ => out.push('?'),
    }
}

fn summary(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    let psrc = l.present().find(|(f, _)| f.name == "psrc").map(|(_, v)| v);
    let pdst = l.present().find(|(f, _)| f.name == "pdst").map(|(_, v)| v);
    let hwsrc = l.present().find(|(f, _)| f.name == "hwsrc").map(|(_, v)| v);
    match l.int("op") {
        Some(1) => {
            out.push_str("who has ");
            addr(pdst, out);
            out.push_str(" says ");
            addr(psrc, out);
        }
        Some(2) => {
            addr(hwsrc, out);
            out.push_str(" says ");
            addr(psrc, out);
        }
        op => {
            let _ = write!(out, "op {} ", op.unwrap_or(0));
            addr(psrc, out);
            out.push_str(" > ");
            addr(pdst, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::layers::Value;
    use crate::test_util::hex;

    #[test]
    fn who_has_with_padding() {
        let f = hex(
            "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 c0000201 \
             000000000000 c0000202 000000000000000000000000000000000000",
        );
        let p = dissect(1, &f, f.len());
        let a = &p.layers[1];
        assert_eq!(a.name(), "ARP");
        assert_eq!(a.get("psrc"), Some(&Value::Ip4([192, 0, 2, 1])));
        assert_eq!(a.get("pdst"), Some(&Value::Ip4([192, 0, 2, 2])));
        assert_eq!(p.layers[2].name(), "Padding");
        assert_eq!(p.layers[2].len, 18);
        let mut s = String::new();
        super::summary(&p.layers, 1, &mut s);
        assert_eq!(s, "who has 192.0.2.2 says 192.0.2.1");
    }

    #[test]
    fn odd_address_lengths_are_bytes() {
        let f = hex("0001 0800 02 03 0002 aabb 010203 ccdd 040506");
        let (l, complete) = crate::dissect::read_layer(&super::ARP, &f, 0, f.len(), &mut vec![]);
        assert!(complete);
        let present: Vec<_> = l.present().map(|(f, _)| f.name).collect();
        assert_eq!(
            present,
            [
                "hwtype", "ptype", "hwlen", "plen", "op", "hwsrc", "psrc", "hwdst", "pdst"
            ]
        );
        // Of the two hwsrc rows, the one used (bytes), not the MAC row.
        assert_eq!(l.get("hwsrc"), Some(&Value::Bytes(vec![0xaa, 0xbb])));
        assert_eq!(l.len, 18);
    }
}
