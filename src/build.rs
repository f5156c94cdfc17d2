//! Layers → bytes, scapy's contract: every field has a default; a computed field left unset
//! (`Value::Absent` where the table's default is `Def::Auto`) is filled here — lengths, protocol
//! numbers from the binding table, checksums — from the innermost layer outwards; a field that
//! is set is written exactly as set, wrong or not. Auto-fill lives here and only here.

use crate::checksum;
use crate::layers::field::Def;
use crate::layers::{Field, Kind, Layer, LenByte, OptionSet, Proto, Scope, TcpOption, Value, bind};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A layer of this protocol with every field at its default (computed fields unset).
pub fn new_layer(proto: &'static Proto) -> Layer {
    let values = proto.fields.iter().map(default_value).collect();
    Layer {
        proto,
        offset: 0,
        len: 0,
        end: 0,
        values,
    }
}

/// The default of one field as a value (`Absent` for a computed one).
pub fn default_value(f: &Field) -> Value {
    match (f.default, f.kind) {
        (Def::Auto, _) => Value::Absent,
        (Def::Int(v), _) => Value::Int(v),
        (Def::Empty, Kind::TcpOptions) => Value::TcpOptions(Vec::new()),
        (Def::Empty, Kind::Options(_)) => Value::Options(Vec::new()),
        (Def::Empty, Kind::Ip6List) => Value::Ip6List(Vec::new()),
        (Def::Empty, _) => Value::Bytes(Vec::new()),
        (Def::Text(t), kind) => parse_text(kind, t).unwrap_or(Value::Absent),
    }
}

/// Reads an address given as text for a field of this kind.
pub fn parse_text(kind: Kind, t: &str) -> Option<Value> {
    match kind {
        Kind::Mac => parse_mac(t).map(Value::Mac),
        Kind::Ip4 => t.parse::<Ipv4Addr>().ok().map(|a| Value::Ip4(a.octets())),
        Kind::Ip6 => t.parse::<Ipv6Addr>().ok().map(|a| Value::Ip6(a.octets())),
        _ => None,
    }
}

/// `aa:bb:cc:dd:ee:ff` (or with `-`).
pub fn parse_mac(t: &str) -> Option<[u8; 6]> {
    let mut m = [0u8; 6];
    let mut parts = t.split([':', '-']);
    for b in &mut m {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(m)
}

/// Serialises layers exactly as their values say: every present field is written, nothing is
/// computed, absent fields are left out. A dissected packet serialises back to its bytes.
pub fn serialize(layers: &[Layer]) -> Vec<u8> {
    let mut w = Bits::default();
    for l in layers {
        write_fields(l, &mut w);
    }
    w.bytes
}

fn write_fields(l: &Layer, w: &mut Bits) {
    for (f, v) in l.proto.fields.iter().zip(&l.values) {
        match (v, f.kind) {
            (Value::TcpOptions(o), _) => {
                let mut bytes = encode_tcp_options(o);
                // An EOL without bytes after it stands for zeros up to the end of the area.
                if o.last().is_some_and(|e| e.kind == 0 && e.data().is_empty())
                    && let Some(area) = l
                        .int("dataofs")
                        .and_then(|d| (d as usize * 4).checked_sub(20))
                    && bytes.len() < area
                {
                    bytes.resize(area, 0);
                }
                w.put_bytes(&bytes);
            }
            (Value::Absent, _) => {}
            (Value::Int(x), Kind::Int(n) | Kind::Flags(n, _)) => w.put(*x, n as usize),
            (Value::Int(x), Kind::LeInt(n)) => w.put_bytes(&x.to_le_bytes()[..n as usize]),
            (Value::Int(_), _) => {}
            (Value::Mac(m), _) => w.put_bytes(m),
            (Value::Ip4(a), _) => w.put_bytes(a),
            (Value::Ip6(a), _) => w.put_bytes(a),
            (Value::Bytes(b), _) => w.put_bytes(b),
            (Value::Options(opts), _) => {
                for o in opts {
                    write_fields(o, w);
                }
            }
            (Value::Ip6List(a), _) => w.put_bytes(&a.concat()),
        }
    }
}

/// Serialises a stack of layers, outermost first.
pub fn build(layers: &[Layer]) -> Vec<u8> {
    // Trailing Padding is outside every length and checksum.
    let body_end = layers
        .iter()
        .rposition(|l| l.proto.name != "Padding")
        .map_or(0, |i| i + 1);
    let mut tail: Vec<u8> = Vec::new();
    for i in (0..body_end).rev() {
        let mut bytes = build_layer(layers, i, &tail);
        let header_len = bytes.len();
        bytes.extend_from_slice(&tail);
        checksum_into(layers, i, header_len, &mut bytes);
        tail = bytes;
    }
    for l in &layers[body_end..] {
        if let Some(Value::Bytes(b)) = l.values.first() {
            tail.extend_from_slice(b);
        }
    }
    tail
}

/// Writes bits most significant first.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    bit: usize,
}

impl Bits {
    fn put(&mut self, v: u64, n: usize) {
        if self.bit.is_multiple_of(8) && n.is_multiple_of(8) {
            for i in (0..n / 8).rev() {
                self.bytes.push((v >> (8 * i)) as u8);
            }
            self.bit += n;
            return;
        }
        for i in (0..n).rev() {
            if self.bit.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (v >> i) & 1 == 1 {
                let last = self.bytes.len() - 1;
                self.bytes[last] |= 0x80 >> (self.bit % 8);
            }
            self.bit += 1;
        }
    }
    fn put_bytes(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
        self.bit = self.bytes.len() * 8;
    }
}

/// The header of layer `i`, its computed fields filled in (checksums as zero for now).
fn build_layer(layers: &[Layer], i: usize, payload: &[u8]) -> Vec<u8> {
    let l = &layers[i];
    let next = layers.get(i + 1).map(|n| n.proto);
    let mut values = l.values.clone();
    // Two passes: variable parts first (their sizes feed the lengths), then the header.
    let encoded: Vec<Option<Vec<u8>>> = l
        .proto
        .fields
        .iter()
        .zip(&values)
        .map(|(f, v)| encode_variable(f, v))
        .collect();
    let var_len: usize = encoded.iter().flatten().map(Vec::len).sum();
    let fixed_bits: usize = l
        .proto
        .fields
        .iter()
        .enumerate()
        .filter(|(k, f)| f.fixed_bits().is_some() && present(l.proto, &values, *k))
        .map(|(_, f)| f.fixed_bits().unwrap_or(0))
        .sum();
    let header_len = fixed_bits / 8 + var_len;
    for (k, (v, f)) in values.iter_mut().zip(l.proto.fields).enumerate() {
        if v.is_absent() && f.default == Def::Auto {
            *v = auto_value(l, k, next, header_len, payload, &encoded);
        }
    }
    let mut w = Bits::default();
    for (k, f) in l.proto.fields.iter().enumerate() {
        if !present(l.proto, &values, k) {
            continue;
        }
        if let Some(bytes) = &encoded[k] {
            w.put_bytes(bytes);
            continue;
        }
        match (&values[k], f.kind) {
            (Value::Int(v), Kind::Int(n) | Kind::Flags(n, _)) => w.put(*v, n as usize),
            (Value::Int(v), Kind::LeInt(n)) => {
                let le = v.to_le_bytes();
                w.put_bytes(&le[..n as usize]);
            }
            (Value::Mac(m), _) => w.put_bytes(m),
            (Value::Ip4(a), _) => w.put_bytes(a),
            (Value::Ip6(a), _) => w.put_bytes(a),
            (_, kind) => {
                // An unset field with no rule: zeros of its width.
                if let Some(n) = Field::new("", kind, Def::Auto).fixed_bits() {
                    w.put(0, n);
                }
            }
        }
    }
    w.bytes
}

/// Whether field `k` is on the wire given the values before it.
fn present(proto: &Proto, values: &[Value], k: usize) -> bool {
    proto.fields[k].cond.is_none_or(|c| c(&values[..k]))
}

/// The bytes of a variable-length field (options, byte strings, address lists); `None` for a
/// fixed-width one.
fn encode_variable(f: &Field, v: &Value) -> Option<Vec<u8>> {
    match (v, f.kind) {
        (Value::Bytes(b), _) => Some(b.clone()),
        (Value::TcpOptions(opts), _) => Some(pad_to(encode_tcp_options(opts), 4)),
        (Value::Options(opts), Kind::Options(OptionSet::Ip)) => {
            let mut out = Vec::new();
            for o in opts {
                out.extend(build_option(o));
            }
            Some(pad_to(out, 4))
        }
        (Value::Options(opts), Kind::Options(OptionSet::Ip6)) => {
            let mut out = Vec::new();
            for o in opts {
                // Each option starts where its alignment rule (RFC 8200 §4.2) wants it; the
                // header's `nh` and `len` come first, hence the 2.
                let delta = alignment_delta(o.proto.name, out.len() + 2);
                pad6(&mut out, delta);
                out.extend(build_option(o));
            }
            let end = (8 - (out.len() + 2) % 8) % 8;
            pad6(&mut out, end);
            Some(out)
        }
        (Value::Ip6List(list), _) => Some(list.concat()),
        (Value::Absent, Kind::Bytes | Kind::TcpOptions | Kind::Options(_) | Kind::Ip6List) => {
            Some(Vec::new())
        }
        _ => None,
    }
}

fn encode_tcp_options(opts: &[TcpOption]) -> Vec<u8> {
    let mut out = Vec::new();
    for o in opts {
        out.push(o.kind);
        match o.kind {
            1 => {}
            // EOL: whatever followed it is written back as it was.
            0 => out.extend_from_slice(o.data()),
            _ => {
                match o.len_byte {
                    LenByte::Derived => out.push((o.data().len() + 2) as u8),
                    LenByte::Wire(b) => out.push(b),
                    LenByte::Missing => {}
                }
                out.extend_from_slice(o.data());
            }
        }
    }
    out
}

fn pad_to(mut v: Vec<u8>, n: usize) -> Vec<u8> {
    while !v.len().is_multiple_of(n) {
        v.push(0);
    }
    v
}

/// Pads IPv6 options with Pad1 (one byte) or PadN, as scapy's autopad does.
fn pad6(v: &mut Vec<u8>, n: usize) {
    match n {
        0 => {}
        1 => v.push(0),
        n => {
            v.push(1);
            v.push((n - 2) as u8);
            v.extend(std::iter::repeat_n(0, n - 2));
        }
    }
}

/// Bytes of padding an option needs before it at `pos` (its `xn + y` alignment).
fn alignment_delta(option: &str, pos: usize) -> usize {
    let (x, y) = match option {
        "RouterAlert" => (2, 0),
        "Jumbo" => (4, 2),
        "HAO" => (8, 6),
        _ => return 0,
    };
    (x * (pos + x - 1 - y).div_euclid(x) + y).saturating_sub(pos)
}

/// An option sub-layer (IP or IPv6 extension-header option) with its own length filled.
fn build_option(o: &Layer) -> Vec<u8> {
    build(std::slice::from_ref(o))
}

/// The value of a computed field.
fn auto_value(
    l: &Layer,
    k: usize,
    next: Option<&'static Proto>,
    header_len: usize,
    payload: &[u8],
    encoded: &[Option<Vec<u8>>],
) -> Value {
    let name = l.proto.fields[k].name;
    let proto = l.proto.name;
    let plen = payload.len();
    let by_binding = |default: u64| {
        Value::Int(
            next.and_then(|n| bind::field_for(l.proto, n).map(|(_, v)| v))
                .or_else(|| next.and_then(next_header_for))
                .unwrap_or(default),
        )
    };
    let bytes_of = |field: &str| {
        l.proto
            .fields
            .iter()
            .zip(encoded)
            .find(|(f, e)| f.name == field && e.is_some())
            .and_then(|(_, e)| e.as_ref().map(Vec::len))
    };
    let int = |v: usize| Value::Int(v as u64);
    match (proto, name) {
        ("Ether", "type") => by_binding(0x9000),
        ("Dot1Q" | "Dot1AD", "type") => by_binding(0),
        ("CookedLinux" | "CookedLinuxV2", "proto") => by_binding(0x0800),
        ("Dot3", "len") => int(plen),
        ("ARP", "hwlen") => int(arp_len(l, "hwsrc")),
        ("ARP", "plen") => int(arp_len(l, "psrc")),
        ("IP" | "IPerror", "ihl") => int(header_len / 4),
        ("IP" | "IPerror", "len") => int(header_len + plen),
        ("IP" | "IPerror", "proto") => by_binding(0),
        ("IPv6" | "IPerror6", "plen") => int(plen),
        (_, "nh") => by_binding(59),
        ("IPv6ExtHdrHopByHop" | "IPv6ExtHdrDestOpt", "len") => int(header_len / 8 - 1),
        ("IPv6ExtHdrRouting", "len") => int(bytes_of("addresses").unwrap_or(0) / 8),
        ("IPv6ExtHdrRouting", "segleft") => int(bytes_of("addresses").unwrap_or(0) / 16),
        ("TCP" | "TCPerror", "dataofs") => int(header_len / 4),
        ("UDP" | "UDPerror", "len") => int(8 + plen),
        ("IPOption", "length") => int(2 + bytes_of("value").unwrap_or(0)),
        ("PadN" | "HBHOptUnknown", "optlen") => int(bytes_of("optdata").unwrap_or(0)),
        ("ICMPv6NDOptUnknown", "len") => int((bytes_of("data").unwrap_or(0) + 2).div_ceil(8)),
        ("ICMPv6NDOptRedirectedHdr", "len") => int((bytes_of("pkt").unwrap_or(0) + 8).div_ceil(8)),
        // Checksums are computed over the finished bytes; zero until then.
        _ => Value::Int(0),
    }
}

/// Next-header values for what the binding table does not hold (ICMPv6 is chosen by type).
fn next_header_for(next: &'static Proto) -> Option<u64> {
    if next.checksum.is_some_and(|c| c.scope == Scope::Pseudo(58)) {
        return Some(58);
    }
    match next.name {
        "TCP" | "TCPerror" => Some(6),
        "UDP" | "UDPerror" => Some(17),
        "ICMP" | "ICMPerror" => Some(1),
        "IPv6" | "IPerror6" => Some(41),
        "IP" | "IPerror" => Some(4),
        "IPv6ExtHdrHopByHop" => Some(0),
        "IPv6ExtHdrRouting" => Some(43),
        "IPv6ExtHdrFragment" => Some(44),
        "IPv6ExtHdrDestOpt" => Some(60),
        _ => None,
    }
}

fn arp_len(l: &Layer, field: &str) -> usize {
    l.proto
        .fields
        .iter()
        .zip(&l.values)
        .filter(|(f, _)| f.name == field)
        .find_map(|(_, v)| match v {
            Value::Mac(_) => Some(6),
            Value::Ip4(_) => Some(4),
            Value::Ip6(_) => Some(16),
            Value::Bytes(b) => Some(b.len()),
            _ => None,
        })
        .unwrap_or(0)
}

/// Fills layer `i`'s checksum in `bytes` (its header and payload) when it is unset.
fn checksum_into(layers: &[Layer], i: usize, header_len: usize, bytes: &mut [u8]) {
    let l = &layers[i];
    let Some(ck) = l.proto.checksum else { return };
    let k = l.proto.fields.iter().position(|f| f.name == ck.field);
    if k.is_none_or(|k| !l.values[k].is_absent()) || bytes.len() < ck.at + 2 {
        return;
    }
    let sum = match ck.scope {
        Scope::Header => checksum::with_zeroed(&bytes[..header_len], ck.at, 0),
        Scope::Message => checksum::with_zeroed(bytes, ck.at, 0),
        Scope::Pseudo(proto) => {
            let seed = checksum::pseudo_header(&layers[..i], proto, bytes.len()).unwrap_or(0);
            match checksum::with_zeroed(bytes, ck.at, seed) {
                0 if proto == 17 => 0xffff,
                v => v,
            }
        }
    };
    bytes[ck.at..ck.at + 2].copy_from_slice(&sum.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::dissect;
    use crate::layers::{ether, icmp, ip, tcp, udp};
    use crate::test_util::hex;

    fn set(l: &mut Layer, name: &str, v: Value) {
        let k = l.proto.fields.iter().position(|f| f.name == name).unwrap();
        l.values[k] = v;
    }

    #[test]
    fn ether_ip_tcp_defaults_match_scapy() {
        // raw(Ether(src="00:00:00:00:00:00", dst="ff:ff:ff:ff:ff:ff")/IP()/TCP()) in scapy 2.8.
        let mut e = new_layer(&ether::ETHER);
        set(&mut e, "dst", Value::Mac([0xff; 6]));
        let layers = [e, new_layer(&ip::IP), new_layer(&tcp::TCP)];
        assert_eq!(
            build(&layers),
            hex(
                "ffffffffffff000000000000080045000028000100004006 7ccd 7f0000017f000001 0014005000000000000000005002200091 7c0000"
            )
        );
    }

    #[test]
    fn set_fields_are_written_exactly() {
        let mut i = new_layer(&ip::IP);
        set(&mut i, "chksum", Value::Int(0));
        set(&mut i, "len", Value::Int(9999));
        set(&mut i, "ihl", Value::Int(2));
        let b = build(&[i, new_layer(&udp::UDP)]);
        assert_eq!(b[0], 0x42);
        assert_eq!(&b[2..4], &9999u16.to_be_bytes());
        assert_eq!(&b[10..12], &[0, 0]);
    }

    #[test]
    fn built_then_dissected_gives_the_same_fields_and_no_errors() {
        let mut icmp_l = new_layer(&icmp::ICMP);
        set(&mut icmp_l, "id", Value::Int(7));
        let layers = [new_layer(&ether::ETHER), new_layer(&ip::IP), icmp_l];
        let b = build(&layers);
        let p = dissect(1, &b, b.len());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.layers[2].int("id"), Some(7));
        assert_eq!(p.layers[1].int("proto"), Some(1));
    }
}
