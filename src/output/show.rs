//! scapy's `show()`: every layer with every field on the wire, one per line.

use crate::dissect::Packet;
use crate::layers::coded::{self, Coding, Item};
use crate::layers::field::{flag_string, fmt_ip4, fmt_ip6, fmt_mac, name_of, push_int};
use crate::layers::{Field, Kind, Layer, Value};
use std::fmt::Write as _;

/// Appends the tree of `pkt` to `out`.
pub fn write(pkt: &Packet, out: &mut String) {
    for (depth, l) in pkt.layers.iter().enumerate() {
        write_layer(l, depth * 2, out);
    }
    for e in &pkt.errors {
        let _ = writeln!(out, "!!! {} at byte {}: {}", e.layer, e.offset, e.error);
    }
}

fn write_layer(l: &Layer, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}###[ {} ]###", l.proto.title);
    let width = l
        .proto
        .fields
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(0)
        .max(9);
    for (f, v) in l.present() {
        let _ = write!(out, "{pad}  {:<width$} = ", f.name);
        match v {
            Value::Options(opts) => {
                out.push('\n');
                for o in opts {
                    write_layer(o, indent + 4, out);
                }
                continue;
            }
            _ => write_value(f, v, out),
        }
        out.push('\n');
    }
}

fn write_value(f: &Field, v: &Value, out: &mut String) {
    match (v, f.kind) {
        (Value::Int(x), Kind::Flags(_, names)) => flag_string(*x, names, out),
        (Value::Int(x), _) if let Some(name) = f.names.and_then(|n| name_of(n, *x)) => {
            out.push_str(name);
        }
        (Value::Int(x), Kind::SInt(bits)) => {
            let _ = write!(out, "{}", crate::layers::field::signed(*x, bits));
        }
        (Value::Int(x), Kind::FixedPoint(_, frac)) => {
            let _ = write!(out, "{}", *x as f64 / (2f64).powi(i32::from(frac)));
        }
        (Value::Int(x), _)
            if f.name.contains("sum") || f.name == "type" || f.name == "proto" && *x > 255 =>
        {
            let _ = write!(out, "{x:#x}");
        }
        (Value::Int(x), _) => {
            let _ = write!(out, "{x}");
        }
        (Value::Mac(m), _) => fmt_mac(m, out),
        (Value::Ip4(a), _) => fmt_ip4(a, out),
        (Value::Ip6(a), _) => fmt_ip6(a, out),
        (Value::Bytes(b), Kind::Tlv(t)) => crate::layers::tlv::write_show(t, b, out),
        // scapy's BOOTP chaddr: `02:00:00:00:00:01 (+ 10 nul pad)`.
        (Value::Bytes(b), Kind::Fixed { mac: true, .. })
            if b.len() >= 6 && b[6..].iter().all(|&x| x == 0) =>
        {
            crate::layers::field::fmt_mac(&b[..6], out);
            if b.len() > 6 {
                let _ = write!(out, " (+ {} nul pad)", b.len() - 6);
            }
        }
        (Value::Bytes(b), Kind::Coded(c)) if let Some(items) = coded::items(c, b) => {
            let one = matches!(c, Coding::Prefix(_) | Coding::Uuid);
            out.push_str(if one { "" } else { "[" });
            for (k, i) in items.iter().enumerate() {
                out.push_str(if k > 0 { ", " } else { "" });
                match (c, i) {
                    (Coding::TypeBitmap(names), Item::Int(t)) => {
                        out.push_str(&coded::type_name(names, *t))
                    }
                    (_, Item::Text(t)) => py_bytes(t, out),
                    (_, Item::Int(x)) => push_int(*x, out),
                    (_, Item::Ip4(a)) => fmt_ip4(a, out),
                    (_, Item::Ip6(a)) => fmt_ip6(a, out),
                }
            }
            out.push_str(if one { "" } else { "]" });
        }
        (Value::Bytes(b), _) => py_bytes(b, out),
        (Value::TcpOptions(opts), _) => {
            let mut s = String::new();
            out.push('[');
            for (i, o) in opts.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                s.clear();
                super::json::write_tcp_option(o, &mut s);
                out.push_str(&s);
            }
            out.push(']');
        }
        (Value::Ip6List(list), _) => {
            out.push('[');
            for (i, a) in list.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                fmt_ip6(a, out);
            }
            out.push(']');
        }
        (Value::Name(n), _) => {
            // scapy shows a name as its bytes: b'www.example.com.'
            out.push_str("b'");
            out.push_str(&n.text);
            out.push('\'');
        }
        (Value::Options(_), _) | (Value::Absent, _) => {}
    }
}

/// Bytes as Python writes them: `b'abc\x00'`.
fn py_bytes(b: &[u8], out: &mut String) {
    out.push_str("b'");
    for &c in b {
        if (0x20..0x7f).contains(&c) && c != b'\'' && c != b'\\' {
            out.push(c as char);
        } else {
            let _ = write!(out, "\\x{c:02x}");
        }
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::test_util::hex;

    #[test]
    fn every_layer_and_field() {
        let f = hex(crate::layers::tcp::tests::SYN_OPTS);
        let mut s = String::new();
        super::write(&dissect(1, &f, f.len()), &mut s);
        assert!(
            s.starts_with("###[ Ethernet ]###\n  dst       = ff:ff:ff:ff:ff:ff\n"),
            "{s}"
        );
        assert!(s.contains("  ###[ IP ]###\n"), "{s}");
        assert!(s.contains("    flags     = S\n"), "{s}");
        assert!(s.contains("    chksum    = 0x1993\n"), "{s}");
        assert_eq!(s.matches(" = ").count(), 3 + 13 + 11);
    }

    #[test]
    fn enumerated_values_show_their_names() {
        use crate::layers::{Field, Value};
        static QTYPE: Field = Field::int("qtype", 16, 1).named(&[(1, "A"), (28, "AAAA")]);
        let mut s = String::new();
        super::write_value(&QTYPE, &Value::Int(28), &mut s);
        assert_eq!(s, "AAAA");
        s.clear();
        super::write_value(&QTYPE, &Value::Int(99), &mut s);
        assert_eq!(s, "99", "a value without a name is its number");
    }
}
