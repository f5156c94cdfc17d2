//! Layers → bytes, scapy's contract: every field has a default; a computed field left unset
//! (`Value::Absent` where the table's default is `Def::Auto`) is filled here by its rule — lengths, protocol
//! numbers from the binding table, checksums — from the innermost layer outwards; a field that
//! is set is written exactly as set, wrong or not. Auto-fill lives here and only here.

use crate::checksum;
use crate::layers::field::{Auto, Def};
use crate::layers::{Field, Kind, Layer, LenByte, OptionSet, Proto, Scope, TcpOption, Value, bind};
use std::net::{Ipv4Addr, Ipv6Addr};

mod fit;
mod template;
pub use fit::{FitError, max_of, shape};
pub use template::{Slot, Template};

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
        (Def::Auto(_), _) => Value::Absent,
        (Def::Int(v), _) => Value::Int(v),
        (Def::Empty, Kind::TcpOptions) => Value::TcpOptions(Vec::new()),
        (Def::Empty, Kind::Options(_) | Kind::List(_) | Kind::Packets(_)) => {
            Value::Options(Vec::new())
        }
        // A sub-record field without a default record is not on the wire (scapy's "").
        (Def::Empty, Kind::Packet(_)) => Value::Absent,
        (Def::Empty, Kind::Ip6List) => Value::Ip6List(Vec::new()),
        (Def::Empty, _) => Value::Bytes(Vec::new()),
        (Def::Element, Kind::List(s)) => Value::Options(vec![new_layer((s.element)(&[]))]),
        (Def::Element, _) => Value::Absent,
        (Def::Zeros(n), _) => Value::Bytes(vec![0; n]),
        (Def::Bytes(b), _) => Value::Bytes(b.to_vec()),
        (Def::Text(t), kind) => parse_text(kind, t).unwrap_or(Value::Absent),
    }
}

/// Reads an address given as text for a field of this kind.
pub fn parse_text(kind: Kind, t: &str) -> Option<Value> {
    match kind {
        Kind::Mac => parse_mac(t).map(Value::Mac),
        Kind::Ip4 => t.parse::<Ipv4Addr>().ok().map(|a| Value::Ip4(a.octets())),
        Kind::Ip6 => t.parse::<Ipv6Addr>().ok().map(|a| Value::Ip6(a.octets())),
        Kind::Name => crate::layers::field::Name::from_text(t)
            .ok()
            .map(|n| Value::Name(Box::new(n))),
        Kind::Coded(c) => crate::layers::coded::from_text(c, t).map(Value::Bytes),
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
    let mut out = Vec::new();
    let mut w = Bits::new(&mut out);
    for l in layers {
        write_fields(l, &mut w);
    }
    w.flush();
    out
}

fn write_fields(l: &Layer, w: &mut Bits) {
    for (f, v) in l.proto.fields.iter().zip(&l.values) {
        match (v, f.kind) {
            (Value::TcpOptions(o), _) => {
                let mut bytes = Vec::with_capacity(40);
                encode_tcp_options(o, &mut bytes);
                // An EOL without bytes after it stands for zeros up to the end of the area
                // (unless marked as where a cut area ends).
                if o.last().is_some_and(|e| {
                    e.kind == 0 && e.data().is_empty() && e.len_byte == LenByte::Derived
                }) && let Some(area) = l
                    .int("dataofs")
                    .and_then(|d| (d as usize * 4).checked_sub(20))
                    && bytes.len() < area
                {
                    bytes.resize(area, 0);
                }
                w.put_bytes(&bytes);
            }
            (Value::Absent, _) => {}
            (Value::Int(x), Kind::LeInt(n)) => w.put_bytes(&x.to_le_bytes()[..n as usize]),
            (Value::Int(x), kind) => {
                if let Some(n) = kind.int_bits() {
                    w.put(*x, n as usize)
                }
            }
            (Value::Mac(m), _) => w.put_bytes(m),
            (Value::Ip4(a), _) => w.put_bytes(a),
            (Value::Ip6(a), _) => w.put_bytes(a),
            (Value::Bytes(b), Kind::Fixed { len, .. }) => put_fixed(w, b, len),
            (Value::Bytes(b), _) => w.put_bytes(b),
            (Value::Options(opts), _) => {
                for o in opts {
                    write_fields(o, w);
                }
            }
            (Value::Ip6List(a), _) => w.put_bytes(&a.concat()),
            (Value::Name(n), _) => w.put_bytes(&n.wire),
        }
    }
}

/// Serialises a stack of layers, outermost first, computing what is unset. A computed value
/// that does not fit its field is written cut to the field's width, as it always was: callers
/// that must refuse such a packet use [`try_build`] (the expression compiler does, so every
/// packet of a [`crate::craft::PacketSet`] fits).
pub fn build(layers: &[Layer]) -> Vec<u8> {
    let mut out = Vec::new();
    build_into(layers, &mut out);
    out
}

/// As [`build`], into `out` (cleared first; its allocation is reused). Three passes: header
/// sizes, headers written forward (lengths and protocol numbers filled as they go), then the
/// checksums from the innermost layer out.
pub fn build_into(layers: &[Layer], out: &mut Vec<u8>) {
    build_headers(layers, out, &mut None);
}

/// As [`build`], or the first computed field (outermost layer first) whose value does not fit
/// it ([`FitError`]). Fields that are set are written as set, fitting or not.
pub fn try_build(layers: &[Layer]) -> Result<Vec<u8>, FitError> {
    let mut out = Vec::new();
    try_build_into(layers, &mut out)?;
    Ok(out)
}

/// As [`try_build`], into `out` (cleared first). On an error `out` holds the packet as
/// [`build`] makes it.
pub fn try_build_into(layers: &[Layer], out: &mut Vec<u8>) -> Result<(), FitError> {
    let mut misfit = None;
    build_headers(layers, out, &mut misfit);
    misfit.map_or(Ok(()), Err)
}

/// Builds into `out`; returns, per layer below the trailing padding, its header's start and
/// length and whether its checksum was computed (so a [`Template`] can refresh it). The first
/// computed field that does not fit goes to `misfit`.
fn build_headers(
    layers: &[Layer],
    out: &mut Vec<u8>,
    misfit: &mut Option<FitError>,
) -> Vec<(usize, usize, bool)> {
    out.clear();
    // Trailing Padding is outside every length and checksum.
    let body_end = layers
        .iter()
        .rposition(|l| !std::ptr::eq(l.proto, &crate::layers::raw::PADDING))
        .map_or(0, |i| i + 1);
    let mut header: Vec<(usize, usize, bool)> = layers[..body_end]
        .iter()
        .map(|l| (0, header_size(l), false))
        .collect();
    let body: usize = header.iter().map(|h| h.1).sum();
    out.reserve(body + 64);
    let mut at = 0;
    for (i, h) in header.iter_mut().enumerate() {
        h.0 = at;
        let fitted = misfit.is_none();
        h.2 = write_header(layers, i, h.1, body - at - h.1, out, misfit, false);
        if fitted && let Some(m) = misfit {
            m.layer = i;
            m.proto = layers[i].proto.name;
        }
        at += h.1;
    }
    for l in &layers[body_end..] {
        if let Some(Value::Bytes(b)) = l.values.first() {
            out.extend_from_slice(b);
        }
    }
    for (i, &(start, len, pending)) in header.iter().enumerate().rev() {
        if pending {
            checksum_into(layers, i, len, &mut out[start..body]);
        }
    }
    header
}

/// Writes bits most significant first, appending to a buffer: bits gather in an accumulator and
/// go out a byte at a time. Byte-aligned writes (`put_bytes`) expect no bits pending, which
/// holds for every table (bit fields fill whole bytes before any byte field).
struct Bits<'a> {
    bytes: &'a mut Vec<u8>,
    acc: u64,
    pending: usize,
}

impl<'a> Bits<'a> {
    fn new(bytes: &'a mut Vec<u8>) -> Bits<'a> {
        Bits {
            bytes,
            acc: 0,
            pending: 0,
        }
    }
    #[inline]
    fn put(&mut self, v: u64, n: usize) {
        if self.pending == 0 {
            // Whole bytes: fixed-size copies the compiler turns into plain stores.
            match n {
                8 => return self.bytes.push(v as u8),
                16 => return self.bytes.extend_from_slice(&(v as u16).to_be_bytes()),
                32 => return self.bytes.extend_from_slice(&(v as u32).to_be_bytes()),
                _ => {}
            }
        }
        self.put_bits(v, n);
    }
    fn put_bits(&mut self, v: u64, n: usize) {
        if self.pending == 0 && n.is_multiple_of(8) {
            self.bytes.extend_from_slice(&v.to_be_bytes()[8 - n / 8..]);
            return;
        }
        let mut left = n;
        while left > 0 {
            // At most 56 new bits on top of fewer than 8 pending: the accumulator never overflows.
            let width = left.min(56);
            left -= width;
            self.acc = (self.acc << width) | ((v >> left) & ((1u64 << width) - 1));
            self.pending += width;
            while self.pending >= 8 {
                self.pending -= 8;
                self.bytes.push((self.acc >> self.pending) as u8);
            }
            self.acc &= (1u64 << self.pending) - 1;
        }
    }
    #[inline]
    fn put_bytes(&mut self, b: &[u8]) {
        self.flush();
        self.bytes.extend_from_slice(b);
    }
    /// Writes out a partial byte (zero-filled), if any.
    fn flush(&mut self) {
        if self.pending > 0 {
            self.bytes.push((self.acc << (8 - self.pending)) as u8);
            self.pending = 0;
        }
    }
}

/// The values conditions are evaluated on: ARP's address forms depend on its computed lengths.
#[inline]
fn effective(l: &Layer) -> std::borrow::Cow<'_, [Value]> {
    if std::ptr::eq(l.proto, &crate::layers::arp::ARP) {
        std::borrow::Cow::Owned(arp_effective(l))
    } else {
        std::borrow::Cow::Borrowed(&l.values)
    }
}

#[cold]
fn arp_effective(l: &Layer) -> Vec<Value> {
    let mut v = l.values.clone();
    for (k, f) in l.proto.fields.iter().enumerate() {
        if let (Value::Absent, Def::Auto(rule @ Auto::SizeOf { .. })) = (&v[k], f.default) {
            v[k] = Value::Int(auto_value(l, rule, None, 0, 0));
        }
    }
    v
}

/// Whether field `k` is on the wire given the values before it.
fn present(proto: &Proto, values: &[Value], k: usize) -> bool {
    proto.fields[k].cond.is_none_or(|c| c(&values[..k]))
}

/// Bytes of a layer's header as it will be built.
fn header_size(l: &Layer) -> usize {
    let values = effective(l);
    let mut bits = 0;
    for (k, f) in l.proto.fields.iter().enumerate() {
        if !present(l.proto, &values, k) {
            continue;
        }
        bits += match (f.fixed_bits(), &values[k], f.default) {
            (Some(n), _, _) => n,
            (None, Value::Absent, Def::Auto(Auto::Align { field, align })) => {
                align_pad(l, field, align) * 8
            }
            (None, v, _) => variable_size(f, v) * 8,
        };
    }
    bits.div_ceil(8)
}

/// Bytes a variable-length field takes (options padded as they are built).
fn variable_size(f: &Field, v: &Value) -> usize {
    match (v, f.kind) {
        (Value::Bytes(b), _) => b.len(),
        (Value::TcpOptions(o), _) => tcp_options_len(o).next_multiple_of(4),
        (Value::Options(o), Kind::Options(OptionSet::Ip)) => {
            o.iter().map(header_size).sum::<usize>().next_multiple_of(4)
        }
        (Value::Options(o), Kind::Options(OptionSet::Ip6)) => {
            let mut pos = 2;
            for opt in o {
                pos += alignment_delta(opt.proto.name, pos) + header_size(opt);
            }
            pos.next_multiple_of(8) - 2
        }
        (Value::Ip6List(a), _) => a.len() * 16,
        (Value::Name(n), _) => n.wire.len(),
        (Value::Options(o), Kind::List(_) | Kind::Packet(_) | Kind::Packets(_)) => {
            o.iter().map(header_size).sum()
        }
        _ => 0,
    }
}

/// Writes layer `i`'s header, its computed fields filled in (checksums as zero for now); the
/// first computed value that does not fit its field goes to `misfit` (written cut to its width).
/// Returns whether the layer's checksum is left to compute.
fn write_header(
    layers: &[Layer],
    i: usize,
    header_len: usize,
    payload_len: usize,
    out: &mut Vec<u8>,
    misfit: &mut Option<FitError>,
    option: bool,
) -> bool {
    let l = &layers[i];
    let next = layers.get(i + 1).map(|n| n.proto);
    let values = effective(l);
    let mut w = Bits::new(out);
    let mut checksum = false;
    for (k, f) in l.proto.fields.iter().enumerate() {
        if !present(l.proto, &values, k) {
            continue;
        }
        let v = match (&values[k], f.default, f.kind.int_bits()) {
            (Value::Absent, Def::Auto(Auto::Align { field, align }), _) => {
                w.put_bytes(&vec![0; align_pad(l, field, align)]);
                continue;
            }
            (Value::Absent, Def::Auto(rule), Some(n)) => {
                checksum |= rule == Auto::Checksum;
                let v = auto_value(l, rule, next, header_len, payload_len);
                if !fit::fits(rule, v, n, header_len) && misfit.is_none() {
                    *misfit = Some(fit::misfit(l.proto.name, option, f, rule, v, n, header_len));
                }
                w.put(v, n as usize);
                continue;
            }
            (v, _, _) => v,
        };
        match (v, f.kind) {
            (Value::Int(x), Kind::LeInt(n)) => w.put_bytes(&x.to_le_bytes()[..n as usize]),
            (Value::Int(x), kind) if let Some(n) = kind.int_bits() => w.put(*x, n as usize),
            (Value::Mac(m), _) => w.put_bytes(m),
            (Value::Ip4(a), _) => w.put_bytes(a),
            (Value::Ip6(a), _) => w.put_bytes(a),
            (Value::Bytes(b), Kind::Fixed { len, .. }) => put_fixed(&mut w, b, len),
            (Value::Bytes(b), _) => w.put_bytes(b),
            (Value::TcpOptions(o), _) => {
                w.flush();
                let start = w.bytes.len();
                encode_tcp_options(o, w.bytes);
                pad_from(w.bytes, start, 4);
            }
            (Value::Options(opts), Kind::Options(OptionSet::Ip)) => {
                w.flush();
                let start = w.bytes.len();
                for o in opts {
                    build_option(o, w.bytes, misfit);
                }
                pad_from(w.bytes, start, 4);
            }
            (Value::Options(opts), Kind::Options(OptionSet::Ip6)) => {
                w.flush();
                let start = w.bytes.len();
                for o in opts {
                    // Each option starts where its alignment rule (RFC 8200 §4.2) wants it; the
                    // header's `nh` and `len` come first, hence the 2.
                    let delta = alignment_delta(o.proto.name, w.bytes.len() - start + 2);
                    pad6(w.bytes, delta);
                    build_option(o, w.bytes, misfit);
                }
                let end = (8 - (w.bytes.len() - start + 2) % 8) % 8;
                pad6(w.bytes, end);
            }
            (Value::Ip6List(list), _) => {
                for a in list {
                    w.put_bytes(a);
                }
            }
            (Value::Name(n), _) => w.put_bytes(&n.wire),
            (Value::Options(records), Kind::List(_) | Kind::Packet(_) | Kind::Packets(_)) => {
                w.flush();
                for r in records {
                    build_option(r, w.bytes, misfit);
                }
            }
            (_, kind) => {
                // An unset field with no rule: zeros of its width.
                if let Some(n) = Field::new("", kind, Def::Auto(Auto::Zero)).fixed_bits() {
                    if n.is_multiple_of(8) {
                        w.put_bytes(&vec![0; n / 8]);
                    } else {
                        w.put(0, n);
                    }
                }
            }
        }
    }
    w.flush();
    checksum
}

fn tcp_options_len(opts: &[TcpOption]) -> usize {
    opts.iter()
        .map(|o| match o.kind {
            1 => 1,
            0 => 1 + o.data().len(),
            _ => 1 + usize::from(o.len_byte != LenByte::Missing) + o.data().len(),
        })
        .sum()
}

fn encode_tcp_options(opts: &[TcpOption], out: &mut Vec<u8>) {
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
}

/// Zero-pads what was written since `start` to a multiple of `n`.
fn pad_from(v: &mut Vec<u8>, start: usize, n: usize) {
    let len = v.len() - start;
    v.resize(start + len.next_multiple_of(n), 0);
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
fn build_option(o: &Layer, out: &mut Vec<u8>, misfit: &mut Option<FitError>) {
    let len = header_size(o);
    write_header(std::slice::from_ref(o), 0, len, 0, out, misfit, true);
}

/// Fixed-length bytes: padded with zeros, or cut, to `len` (scapy's `StrFixedLenField`).
fn put_fixed(w: &mut Bits, b: &[u8], len: u8) {
    let len = len as usize;
    w.put_bytes(&b[..b.len().min(len)]);
    if b.len() < len {
        w.put_bytes(&vec![0; len - b.len()]);
    }
}

/// The value of a computed field, by its rule.
fn auto_value(
    l: &Layer,
    rule: Auto,
    next: Option<&'static Proto>,
    header_len: usize,
    payload_len: usize,
) -> u64 {
    let n = match rule {
        // Checksums are computed over the finished bytes; zero until then.
        Auto::Checksum | Auto::Zero | Auto::Align { .. } => 0,
        Auto::NtpNow => return ntp_now(),
        Auto::Next(default) => {
            return next
                .and_then(|n| bind::field_for(l.proto, n).map(|(_, v)| v))
                .or_else(|| next.and_then(next_header_for))
                .unwrap_or(default);
        }
        Auto::HeaderLen(unit) => header_len / usize::from(unit),
        Auto::TotalLen => header_len + payload_len,
        Auto::PayloadLen => payload_len,
        Auto::ExtLen => (header_len / 8).saturating_sub(1),
        Auto::BitsOf(field) => {
            let rule = Auto::SizeOf {
                field,
                add: 0,
                unit: 1,
            };
            return auto_value(l, rule, next, header_len, payload_len) * 8;
        }
        Auto::SizeOf { field, add, unit } => {
            // Of several rows with this name (one per condition), the one on the wire; while
            // the conditions cannot tell yet (ARP's lengths are being computed), the first set.
            let rows = || {
                l.proto
                    .fields
                    .iter()
                    .zip(&l.values)
                    .enumerate()
                    .filter(|&(_, (f, v))| f.name == field && !v.is_absent())
            };
            let size = rows()
                .find(|&(k, _)| present(l.proto, &l.values, k))
                .or_else(|| rows().next())
                .map_or(0, |(_, (f, v))| value_size(f, v));
            (size + usize::from(add)).div_ceil(usize::from(unit))
        }
        Auto::RestLen => {
            let values = effective(l);
            let mut bits = 0;
            for (k, f) in l.proto.fields.iter().enumerate() {
                if !present(l.proto, &values, k) {
                    continue;
                }
                bits += f
                    .fixed_bits()
                    .unwrap_or_else(|| variable_size(f, &values[k]) * 8);
                if f.default == Def::Auto(Auto::RestLen) {
                    break;
                }
            }
            header_len.saturating_sub(bits / 8)
        }
        // Records, not the `Raw` bytes a list keeps between them.
        Auto::CountOf(field) => l
            .proto
            .fields
            .iter()
            .zip(&l.values)
            .find(|(f, _)| f.name == field)
            .map_or(0, |(_, v)| match v {
                Value::Options(items) => items.iter().filter(|i| i.proto.name != "Raw").count(),
                _ => 0,
            }),
    };
    n as u64
}

/// The time now as an NTP timestamp (scapy: `time.time() + 2208988800` in 32.32 fixed point).
fn ntp_now() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = t.as_secs() + 2_208_988_800;
    (secs << 32) | ((u64::from(t.subsec_nanos()) << 32) / 1_000_000_000)
}

/// The zeros that bring field `field` of `l` (the row on the wire) to a multiple of `align`.
fn align_pad(l: &Layer, field: &str, align: u8) -> usize {
    let size = l
        .proto
        .fields
        .iter()
        .zip(&l.values)
        .enumerate()
        .filter(|&(k, (f, _))| f.name == field && present(l.proto, &l.values, k))
        .map(|(_, (f, v))| value_size(f, v))
        .next()
        .unwrap_or(0);
    size.next_multiple_of(usize::from(align.max(1))) - size
}

/// Bytes a value takes on the wire (0 when absent).
pub(crate) fn value_size(f: &Field, v: &Value) -> usize {
    match v {
        Value::Mac(_) => 6,
        Value::Ip4(_) => 4,
        Value::Ip6(_) => 16,
        Value::Int(_) => f.fixed_bits().unwrap_or(0) / 8,
        _ => variable_size(f, v),
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

/// Fills layer `i`'s checksum in `bytes` (its header and payload).
fn checksum_into(layers: &[Layer], i: usize, header_len: usize, bytes: &mut [u8]) {
    let Some(ck) = layers[i].proto.checksum else {
        return;
    };
    if bytes.len() < ck.at + 2 {
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
mod tests;
