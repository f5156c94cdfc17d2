//! NDJSON, contract version 1 (see `schema/packet.schema.json` and the README): one object per
//! packet, `layers` outermost first, each a flat `{"layer": NAME, FIELD: VALUE, …}` with scapy's
//! names. Written straight into a reused buffer: this is the hot path of `pkt read --json`.

use super::FrameMeta;
use crate::dissect::Packet;
use crate::layers::coded::{self, Coding, Item};
use crate::layers::field::Chain;
use crate::layers::field::{
    flag_string, flags_invertible, fmt_hex, fmt_ip4, fmt_ip6, fmt_mac, push_int,
};
use crate::layers::{Field, Kind, Layer, LenByte, TcpOption, Value, tcp};
use std::fmt::Write as _;

/// The version of the NDJSON contract these records follow.
pub const CONTRACT_VERSION: u32 = 1;

/// Appends one record (without the newline).
pub fn write_record(meta: &FrameMeta, pkt: &Packet, out: &mut String) {
    out.push_str("{\"n\":");
    push_int(meta.n, out);
    out.push_str(",\"time\":");
    super::time::push_epoch(meta.ts_sec, meta.ts_nsec, out);
    out.push_str(",\"caplen\":");
    push_int(meta.caplen as u64, out);
    out.push_str(",\"len\":");
    push_int(meta.len as u64, out);
    out.push_str(",\"linktype\":");
    push_int(meta.linktype as u64, out);
    if let Some(i) = meta.iface {
        out.push_str(",\"iface\":");
        write_str(i, out);
    }
    out.push_str(",\"layers\":[");
    for (i, l) in pkt.layers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_layer(l, out);
    }
    out.push(']');
    if !pkt.errors.is_empty() {
        out.push_str(",\"errors\":[");
        for (i, e) in pkt.errors.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{{\"layer\":\"{}\",\"offset\":{}", e.layer, e.offset);
            if let Some(f) = e.field {
                let _ = write!(out, ",\"field\":\"{f}\"");
            }
            out.push_str(",\"error\":");
            write_str(&e.error, out);
            if let Some(x) = e.expected {
                let _ = write!(out, ",\"expected\":{x}");
            }
            out.push('}');
        }
        out.push(']');
    }
    out.push('}');
}

/// A layer as a flat object: `{"layer":"IP","version":4,…}`; absent fields are left out.
pub fn write_layer(l: &Layer, out: &mut String) {
    write_fields(l, out);
    out.push('}');
}

/// Layers that are each the payload of the one before, as scapy renders a packet held in a
/// field: `{"layer":"A",…,"payload":{"layer":"B",…}}`.
fn write_chain(chain: &[Layer], out: &mut String) {
    if chain.is_empty() {
        return out.push_str("null");
    }
    for l in chain {
        write_fields(l, out);
        out.push_str(",\"payload\":");
    }
    // The last layer's `,"payload":` was one too many.
    out.truncate(out.len() - ",\"payload\":".len());
    out.extend(std::iter::repeat_n('}', chain.len()));
}

/// A list whose elements keep their payload: each element with the ones it takes as its
/// payload ([`Chain::takes_rest`]); one packet (`Chain::One`) as an object.
fn write_chained(chain: Chain, items: &[Layer], out: &mut String) {
    if chain == Chain::One {
        return write_chain(items, out);
    }
    out.push('[');
    let mut i = 0;
    while i < items.len() {
        let mut j = i + 1;
        while j < items.len() && chain.takes_rest(&items[j - 1]) {
            j += 1;
        }
        if i > 0 {
            out.push(',');
        }
        write_chain(&items[i..j], out);
        i = j;
    }
    out.push(']');
}

/// The layer's name and fields, without the closing brace.
fn write_fields(l: &Layer, out: &mut String) {
    out.push_str("{\"layer\":\"");
    out.push_str(l.proto.name);
    out.push('"');
    for (f, v) in l.present() {
        // One packet held in a field, of no bytes: not on the wire (scapy's `None`).
        if let (Kind::List(spec), Value::Options(items)) = (f.kind, v)
            && spec.chain == Chain::One
            && items.is_empty()
        {
            continue;
        }
        out.push_str(",\"");
        out.push_str(f.name);
        out.push_str("\":");
        write_value(f, v, out);
        // A name not in its plain form (a compression pointer, damage), or coded bytes their
        // form does not give back (a character-string cut short): the exact bytes too, so
        // `pkt write` gives the packet back as it was.
        let wire = match (v, f.kind) {
            (Value::Name(n), _) if !n.is_plain() => Some(&n.wire),
            (Value::Bytes(b), Kind::Coded(c))
                if !coded::exact(c, b, f.len.and_then(|r| r(&l.values).ok())) =>
            {
                Some(b)
            }
            _ => None,
        };
        if let Some(w) = wire {
            out.push_str(",\"");
            out.push_str(f.name);
            out.push_str(WIRE_SUFFIX);
            out.push_str("\":");
            quoted(out, |o| fmt_hex(w, o));
        }
    }
}

/// The key of a name's exact bytes beside the name (`rrname_wire`).
pub const WIRE_SUFFIX: &str = "_wire";

fn write_value(f: &Field, v: &Value, out: &mut String) {
    match (v, f.kind) {
        // A value its flag string would not give back (unnamed or same-named bits): the number.
        (Value::Int(x), Kind::Flags(_, names)) if !flags_invertible(*x, names) => push_int(*x, out),
        (Value::Int(x), Kind::Flags(_, names)) => {
            out.push('"');
            flag_string(*x, names, out);
            out.push('"');
        }
        (Value::Int(x), Kind::SInt(bits)) => {
            let v = crate::layers::field::signed(*x, bits);
            if v < 0 {
                out.push('-');
            }
            push_int(v.unsigned_abs(), out)
        }
        (Value::Int(x), _) => push_int(*x, out),
        (Value::Options(one), Kind::Packet(_)) if one.len() == 1 => write_layer(&one[0], out),
        (Value::Mac(m), _) => quoted(out, |o| fmt_mac(m, o)),
        (Value::Ip4(a), _) => quoted(out, |o| fmt_ip4(a, o)),
        (Value::Ip6(a), _) => quoted(out, |o| fmt_ip6(a, o)),
        (Value::Bytes(b), Kind::Tlv(t)) => crate::layers::tlv::write_json(t, b, out),
        (Value::Bytes(b), Kind::Coded(c)) => write_coded(c, b, out),
        (Value::Bytes(b), _) => quoted(out, |o| fmt_hex(b, o)),
        (Value::TcpOptions(opts), _) => {
            out.push('[');
            for (i, o) in opts.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_tcp_option(o, out);
            }
            out.push(']');
        }
        (Value::Options(opts), Kind::List(spec)) if spec.chain != Chain::None => {
            write_chained(spec.chain, opts, out)
        }
        (Value::Options(opts), _) => {
            out.push('[');
            for (i, o) in opts.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_layer(o, out);
            }
            out.push(']');
        }
        (Value::Ip6List(list), _) => {
            out.push('[');
            for (i, a) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                quoted(out, |o| fmt_ip6(a, o));
            }
            out.push(']');
        }
        (Value::Name(n), _) => write_str(&n.text, out),
        (Value::Absent, _) => out.push_str("null"),
    }
}

/// A coded field as scapy's value: a list (`["v=spf1 -all"]`, `[8, 13]`, `["192.0.2.1"]`), an
/// address for a prefix; the bytes as hex for a type bit map (scapy's value is its bytes) and
/// for bytes that are not a whole number of elements; `""` for no character-strings.
fn write_coded(c: Coding, b: &[u8], out: &mut String) {
    let items = match (c, coded::items(c, b)) {
        (Coding::TypeBitmap(_), _) | (_, None) => return quoted(out, |o| fmt_hex(b, o)),
        // scapy's empty `StrLenField`: b"".
        (Coding::Text | Coding::Domains | Coding::OptCodes, Some(i)) if i.is_empty() => {
            return out.push_str("\"\"");
        }
        (_, Some(i)) => i,
    };
    let one = matches!(c, Coding::Prefix(_) | Coding::Uuid);
    if !one {
        out.push('[');
    }
    for (k, i) in items.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        match i {
            // Domain names as scapy has them: text.
            Item::Text(t) if matches!(c, Coding::Domains) => {
                write_str(&String::from_utf8_lossy(t), out)
            }
            Item::Text(t) => {
                let mut s = String::with_capacity(t.len());
                coded::escape(t, &mut s);
                write_str(&s, out);
            }
            Item::Int(x) => push_int(*x, out),
            Item::Ip4(a) => quoted(out, |o| fmt_ip4(a, o)),
            Item::Ip6(a) => quoted(out, |o| fmt_ip6(a, o)),
        }
    }
    if !one {
        out.push(']');
    }
}

/// A TCP option as scapy's pair: `["MSS",1460]`, `["NOP",null]`, `["SAckOK",""]`,
/// `["Timestamp",[1,2]]`, `[30,"6162"]` for a kind scapy does not name.
pub fn write_tcp_option(o: &TcpOption, out: &mut String) {
    out.push('[');
    match tcp::option_name(o.kind) {
        Some(n) => {
            out.push('"');
            out.push_str(n);
            out.push('"');
        }
        None => push_int(o.kind as u64, out),
    }
    out.push(',');
    match (o.kind, tcp::option_numbers(o)) {
        // The bytes after an EOL (its padding) are kept with it, so nothing of the header is lost.
        // An EOL at the end of a cut area has them as a string even when there are none ("").
        (0, _) if !o.data().is_empty() || o.len_byte != LenByte::Derived => {
            quoted(out, |s| fmt_hex(o.data(), s))
        }
        (0 | 1, _) => out.push_str("null"),
        (2 | 3 | 28, Some(n)) => push_int(n.as_slice()[0], out),
        (_, Some(n)) => {
            out.push('[');
            for (i, x) in n.as_slice().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_int(*x, out);
            }
            out.push(']');
        }
        (_, None) => quoted(out, |s| fmt_hex(o.data(), s)),
    }
    // A length byte that disagrees with the data (a cut or malformed option) is kept as a
    // third element: the byte, or null when there was none.
    match o.len_byte {
        _ if o.kind == 0 => {}
        LenByte::Derived => {}
        LenByte::Wire(b) => {
            out.push(',');
            push_int(b as u64, out);
        }
        LenByte::Missing => out.push_str(",null"),
    }
    out.push(']');
}

fn quoted(out: &mut String, f: impl FnOnce(&mut String)) {
    out.push('"');
    f(out);
    out.push('"');
}

/// A JSON string with escaping.
pub fn write_str(s: &str, out: &mut String) {
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::dissect;
    use crate::test_util::hex;

    #[test]
    fn record_is_valid_json_with_scapy_names() {
        let f = hex(crate::layers::tcp::tests::SYN_OPTS);
        let meta = FrameMeta {
            n: 1,
            ts_sec: 1_700_000_000,
            ts_nsec: 1000,
            caplen: f.len(),
            len: f.len(),
            linktype: 1,
            iface: Some("eth0"),
        };
        let mut s = String::new();
        write_record(&meta, &dissect(1, &f, f.len()), &mut s);
        let v: serde_json::Value = serde_json::from_str(&s).expect(&s);
        assert_eq!(v["time"].as_f64(), Some(1_700_000_000.000001));
        assert_eq!(v["layers"][1]["layer"], "IP");
        assert_eq!(v["layers"][1]["flags"], "");
        assert_eq!(v["layers"][2]["flags"], "S");
        assert_eq!(
            v["layers"][2]["options"],
            serde_json::json!([
                ["MSS", 1460],
                ["NOP", null],
                ["WScale", 7],
                ["SAckOK", ""],
                ["Timestamp", [1, 2]],
                ["EOL", null]
            ])
        );
        assert!(v.get("errors").is_none());
        assert_eq!(v["iface"], "eth0");
        // A live capture's record is still one `pkt write` takes.
        let r = crate::record::parse(&s).expect("record");
        assert_eq!(r.layers.len(), 3);
    }
}
