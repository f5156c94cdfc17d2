//! Bytes → [`Packet`]: lax and total. Every byte of the frame ends up in some layer (undecoded
//! bytes as `Raw`, bytes past a length field as `Padding`); every problem is an [`Issue`] saying
//! which layer, at what offset and why. Checksums are verified here and only here.

use crate::checksum;
use crate::layers::{
    self, Field, Kind, Layer, LenByte, OptionSet, Proto, Scope, TcpOption, Value, link, raw,
};

/// One problem found while dissecting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// The layer's scapy name (or `linktype`).
    pub layer: &'static str,
    /// Byte offset in the frame where the problem is.
    pub offset: usize,
    /// The field at fault, when there is one.
    pub field: Option<&'static str>,
    pub error: String,
    /// For a wrong checksum: the value it should have had.
    pub expected: Option<u64>,
}

/// A dissected frame: its layers, outermost first, and what went wrong.
#[derive(Clone, Debug, Default)]
pub struct Packet {
    pub layers: Vec<Layer>,
    pub errors: Vec<Issue>,
    /// Value vectors of earlier packets, reused by [`dissect_into`] (no allocation per layer).
    spare: Vec<Vec<Value>>,
    /// Byte buffers of earlier `Raw`/`Padding` loads, reused likewise.
    spare_bytes: Vec<Vec<u8>>,
}

impl PartialEq for Packet {
    fn eq(&self, other: &Packet) -> bool {
        self.layers == other.layers && self.errors == other.errors
    }
}
impl Eq for Packet {}

impl Packet {
    /// The first layer with this scapy name.
    pub fn layer(&self, name: &str) -> Option<&Layer> {
        self.layers.iter().find(|l| l.name() == name)
    }
}

/// How many spare buffers a [`Packet`] keeps for the next frame (bounded: memory stays flat
/// however many frames go through).
const SPARE: usize = 64;

/// Most layers one frame may have before the rest is left as `Raw` (tunnel bombs).
const MAX_LAYERS: usize = 48;

/// Dissects one frame of a capture of this link type. `wire_len` is the frame's original length
/// (more than `data.len()` when the capture was cut by a snap length).
pub fn dissect(linktype: u32, data: &[u8], wire_len: usize) -> Packet {
    let mut pkt = Packet::default();
    dissect_into(linktype, data, wire_len, &mut pkt);
    pkt
}

/// As [`dissect`], reusing `pkt`'s allocations.
pub fn dissect_into(linktype: u32, data: &[u8], wire_len: usize, pkt: &mut Packet) {
    match link::proto_for(linktype, data) {
        Some(first) => dissect_as(first, data, wire_len, pkt),
        None => {
            recycle(pkt);
            pkt.errors.push(Issue {
                layer: "linktype",
                offset: 0,
                field: None,
                error: format!(
                    "link type {} ({}) is not decoded",
                    linktype,
                    link::name(linktype)
                ),
                expected: None,
            });
            push_raw(&raw::RAW, data, 0, data.len(), pkt);
        }
    }
}

/// Moves the previous packet's buffers to the spare pools.
fn recycle(pkt: &mut Packet) {
    for mut l in pkt.layers.drain(..) {
        for v in l.values.drain(..) {
            if let Value::Bytes(mut b) = v
                && pkt.spare_bytes.len() < SPARE
            {
                b.clear();
                pkt.spare_bytes.push(b);
            }
        }
        if pkt.spare.len() < SPARE {
            pkt.spare.push(l.values);
        }
    }
    pkt.errors.clear();
}

/// As [`dissect_as`], into a new packet (the frame is complete: nothing was cut by a snap length).
pub fn dissect_as_new(first: &'static Proto, data: &[u8]) -> Packet {
    let mut pkt = Packet::default();
    dissect_as(first, data, data.len(), &mut pkt);
    pkt
}

/// Dissects `data` starting with layer `first` (what `pkt craft` shows: its packets may start
/// at any layer).
pub fn dissect_as(first: &'static Proto, data: &[u8], wire_len: usize, pkt: &mut Packet) {
    recycle(pkt);
    let snapped = wire_len > data.len();
    let mut paddings: Vec<(usize, usize)> = Vec::new();
    let mut proto = first.form(None, None);
    let mut start = 0usize;
    let mut end = data.len();
    loop {
        if pkt.layers.len() >= MAX_LAYERS {
            pkt.errors.push(Issue {
                layer: proto.name,
                offset: start,
                field: None,
                error: format!("more than {MAX_LAYERS} layers: the rest is left undecoded"),
                expected: None,
            });
            push_raw(&raw::RAW, data, start, end, pkt);
            break;
        }
        let values = pkt.spare.pop().unwrap_or_default();
        let base = (start + proto.names_from).min(end);
        let (layer, complete) =
            read_layer_into(values, proto, data, base, start, end, &mut pkt.errors);
        if layer.len == 0 && !complete {
            // Nothing of this layer was there: the error says so, and no empty layer is kept.
            push_raw(&raw::RAW, data, start, end, pkt);
            break;
        }
        let hdr_end = layer.offset + layer.len;
        if !complete {
            pkt.layers.push(layer);
            push_raw(&raw::RAW, data, hdr_end, end, pkt);
            break;
        }
        // Where the payload ends: a length field may say less (padding) or more (truncated).
        let avail = end - hdr_end;
        let mut payload_end = end;
        if let Some(plen) = (proto.payload_len)(&layer) {
            if plen < avail {
                payload_end = hdr_end + plen;
                paddings.push((payload_end, end));
            } else if plen > avail && !snapped && !proto.quoted {
                pkt.errors.push(Issue {
                    layer: proto.name,
                    offset: layer.offset,
                    field: None,
                    error: format!(
                        "truncated: {} length says {} bytes of payload, {} left",
                        proto.name, plen, avail
                    ),
                    expected: None,
                });
            }
        }
        let mut layer = layer;
        layer.end = payload_end;
        let payload = &data[hdr_end..payload_end];
        let layer_proto = layer.proto;
        let next = if payload.is_empty() {
            None
        } else {
            (proto.next)(&layer, payload)
        };
        pkt.layers.push(layer);
        match next {
            Some(p) => {
                proto = p.form(Some(layer_proto), Some(payload));
                start = hdr_end;
                end = payload_end;
            }
            None => {
                push_raw(&raw::RAW, data, hdr_end, payload_end, pkt);
                break;
            }
        }
    }
    for &(s, e) in paddings.iter().rev() {
        push_raw(&raw::PADDING, data, s, e, pkt);
    }
    if !snapped {
        verify_checksums(data, pkt);
    }
}

fn push_raw(proto: &'static Proto, data: &[u8], start: usize, end: usize, pkt: &mut Packet) {
    if start < end {
        let mut values = pkt.spare.pop().unwrap_or_default();
        let mut load = pkt.spare_bytes.pop().unwrap_or_default();
        load.extend_from_slice(&data[start..end]);
        values.push(Value::Bytes(load));
        pkt.layers.push(Layer {
            proto,
            offset: start,
            len: end - start,
            end,
            values,
        });
    }
}

/// Reads one layer's fields from `data[start..end]` by its table. Returns the layer and whether
/// its header was complete (when not, the fields it could read are kept, the rest are absent).
pub fn read_layer(
    proto: &'static Proto,
    data: &[u8],
    start: usize,
    end: usize,
    errors: &mut Vec<Issue>,
) -> (Layer, bool) {
    read_layer_into(
        Vec::with_capacity(proto.fields.len()),
        proto,
        data,
        start,
        start,
        end,
        errors,
    )
}

/// Reads a layer from `data[start..end]`; `base` is where the message it belongs to starts
/// (DNS names point into it; for a layer of its own, `start`).
fn read_layer_into(
    mut values: Vec<Value>,
    proto: &'static Proto,
    data: &[u8],
    base: usize,
    start: usize,
    end: usize,
    errors: &mut Vec<Issue>,
) -> (Layer, bool) {
    let buf = &data[start..end];
    let mut bit = 0usize;
    let mut complete = true;
    if buf.len() < proto.min_len && !proto.quoted {
        errors.push(Issue {
            layer: proto.name,
            offset: start,
            field: None,
            error: format!(
                "truncated: {} header needs {} bytes, {} left",
                proto.name,
                proto.min_len,
                buf.len()
            ),
            expected: None,
        });
    }
    // The last field boundary on a whole byte: where the bit position was, and how many
    // fields came before it.
    let mut whole = (0usize, 0usize);
    for f in proto.fields {
        if bit.is_multiple_of(8) {
            whole = (bit, values.len());
        }
        if !complete {
            values.push(Value::Absent);
            continue;
        }
        if f.cond.is_some_and(|cond| !cond(&values)) {
            values.push(Value::Absent);
            continue;
        }
        if let Some(bits) = f.fixed_bits() {
            if bit + bits > buf.len() * 8 {
                complete = false;
                values.push(Value::Absent);
                continue;
            }
            values.push(read_fixed(f, buf, bit));
            bit += bits;
            continue;
        }
        // Variable-length fields start on a byte boundary.
        let at = bit.div_ceil(8);
        let left = buf.len().saturating_sub(at);
        // Names and record lists find their own length as they are read.
        match f.kind {
            Kind::Name => {
                // With a length rule (scapy's DNSStrField with `length_from`) the name is read
                // within that length, and ends where it does when it has no end of its own.
                let want = length(f, &values, left).map(|n| n.unwrap_or(0));
                let whole = want.is_some_and(|w| w <= left);
                let stop = want.map_or(end, |w| (start + at).saturating_add(w).min(end));
                let msg = &data[base..stop.max(base)];
                let r = crate::layers::dnsname::read(msg, (start + at).saturating_sub(base));
                let used = (base + r.end).saturating_sub(start + at).min(left);
                if let Some((pos, why)) = r
                    .error
                    .filter(|(_, why)| !(whole && why.starts_with("truncated")))
                {
                    let cut = why.starts_with("truncated");
                    complete &= !cut;
                    if !proto.quoted || !cut {
                        errors.push(Issue {
                            layer: proto.name,
                            offset: base + pos,
                            field: Some(f.name),
                            error: why,
                            expected: None,
                        });
                    }
                }
                let wire = buf[at..at + used].to_vec();
                values.push(Value::Name(Box::new(layers::field::Name {
                    text: r.text,
                    wire,
                })));
                bit = (at + used) * 8;
                continue;
            }
            Kind::List(spec) => {
                let want = length(f, &values, left).map_or(left, |n| n.unwrap_or(0));
                let take = want.min(left);
                let (items, used, ok) = read_list(
                    spec,
                    proto,
                    f,
                    &values,
                    data,
                    base,
                    start + at,
                    take,
                    errors,
                );
                complete &= ok && take == want;
                values.push(Value::Options(items));
                bit = (at + used) * 8;
                continue;
            }
            Kind::Packet(spec) | Kind::Packets(spec) => {
                let single = matches!(f.kind, Kind::Packet(_));
                let want = match f.len {
                    None => left,
                    Some(len) => len(&values).unwrap_or(0),
                };
                let take = want.min(left);
                if take < want && !proto.quoted {
                    errors.push(Issue {
                        layer: proto.name,
                        offset: start + at,
                        field: Some(f.name),
                        error: format!(
                            "truncated: {}.{} needs {} bytes, {} left",
                            proto.name, f.name, want, left
                        ),
                        expected: None,
                    });
                }
                let (items, used, ok) =
                    read_packets(spec, single, &values, data, base, start + at, take, errors);
                complete &= ok && take == want;
                values.push(match (single, items.is_empty()) {
                    (true, true) => Value::Absent,
                    _ => Value::Options(items),
                });
                bit = (at + used) * 8;
                continue;
            }
            Kind::Bytes if matches!(f.default, layers::Def::Auto(layers::Auto::Align { .. })) => {
                // Padding: as much as there is, up to what aligns the field it names.
                let layers::Def::Auto(layers::Auto::Align { field, align }) = f.default else {
                    unreachable!()
                };
                let size = proto
                    .fields
                    .iter()
                    .zip(&values)
                    .filter(|(g, v)| g.name == field && !v.is_absent())
                    .map(|(g, v)| match v {
                        // Records as they were read (a short one takes fewer bytes than its
                        // table has).
                        Value::Options(items) => items.iter().map(|l| l.len).sum(),
                        _ => crate::build::value_size(g, v),
                    })
                    .next()
                    .unwrap_or(0);
                let take = (size.next_multiple_of(align.max(1) as usize) - size).min(left);
                // No padding on the wire is left out (building computes it).
                values.push(match take {
                    0 => Value::Absent,
                    _ => Value::Bytes(buf[at..at + take].to_vec()),
                });
                bit = (at + take) * 8;
                continue;
            }
            _ => {}
        }
        let want = match (f.peek, length(f, &values, left)) {
            (Some(peek), _) => peek(&buf[at.min(buf.len())..]),
            (None, None) => left,
            (None, Some(n)) => match n {
                Ok(n) => n,
                Err(why) => {
                    // The length is impossible: say so, read the field as empty, go on (as scapy
                    // does with a TCP dataofs below 5).
                    errors.push(Issue {
                        layer: proto.name,
                        offset: start,
                        field: Some(f.name),
                        error: why,
                        expected: None,
                    });
                    0
                }
            },
        };
        let take = want.min(left);
        if take < want {
            complete = false;
            if !proto.quoted {
                errors.push(Issue {
                    layer: proto.name,
                    offset: start + at,
                    field: Some(f.name),
                    error: format!(
                        "truncated: {}.{} needs {} bytes, {} left",
                        proto.name, f.name, want, left
                    ),
                    expected: None,
                });
            }
        }
        let bytes = &buf[at..at + take];
        values.push(read_variable(
            proto,
            f,
            bytes,
            start + at,
            take == want,
            errors,
        ));
        bit = (at + take) * 8;
    }
    if bit.is_multiple_of(8) {
        whole = (bit, values.len());
    }
    if !complete && !bit.is_multiple_of(8) {
        // Cut inside a group of bit fields: the fields of the last, partial byte are not kept
        // (that byte goes to Raw), so every byte of the frame is in exactly one layer. Keep the
        // fields up to the last one that ends on a byte boundary.
        let (at, n) = whole;
        for v in &mut values[n..] {
            *v = Value::Absent;
        }
        bit = at;
    }
    let layer = Layer {
        proto,
        offset: start,
        len: bit / 8,
        end,
        values,
    };
    (layer, complete)
}

/// A variable-length field's length by its rule (`None`: it has none, it takes the rest):
/// `len`, or `slice` as Python takes it, of the `left` bytes there are.
fn length(f: &Field, values: &[Value], left: usize) -> Option<Result<usize, String>> {
    match (f.slice, f.len) {
        (Some(slice), _) => {
            let n = slice(values);
            Some(Ok(if n >= 0 {
                n as usize
            } else {
                left.saturating_sub(n.unsigned_abs() as usize)
            }))
        }
        (None, len) => len.map(|len| len(values)),
    }
}

fn read_bits(buf: &[u8], bit: usize, n: usize) -> u64 {
    if bit.is_multiple_of(8) && n.is_multiple_of(8) {
        let b = bit / 8;
        return buf[b..b + n / 8]
            .iter()
            .fold(0u64, |a, &x| (a << 8) | x as u64);
    }
    let mut v = 0u64;
    for i in bit..bit + n {
        let byte = buf[i / 8];
        v = (v << 1) | ((byte >> (7 - i % 8)) & 1) as u64;
    }
    v
}

fn read_fixed(f: &Field, buf: &[u8], bit: usize) -> Value {
    let b = bit / 8;
    match f.kind {
        Kind::Int(n) | Kind::Flags(n, _) | Kind::SInt(n) | Kind::FixedPoint(n, _) => {
            Value::Int(read_bits(buf, bit, n as usize))
        }
        Kind::LeInt(n) => {
            let n = n as usize;
            Value::Int(
                buf[b..b + n]
                    .iter()
                    .rev()
                    .fold(0u64, |a, &x| (a << 8) | x as u64),
            )
        }
        Kind::Mac => Value::Mac(buf[b..b + 6].try_into().expect("6 bytes")),
        Kind::Ip4 => Value::Ip4(buf[b..b + 4].try_into().expect("4 bytes")),
        Kind::Ip6 => Value::Ip6(buf[b..b + 16].try_into().expect("16 bytes")),
        Kind::Fixed { len, .. } => Value::Bytes(buf[b..b + len as usize].to_vec()),
        Kind::Coded(layers::coded::Coding::Uuid) => Value::Bytes(buf[b..b + 16].to_vec()),
        _ => Value::Absent,
    }
}

fn read_variable(
    proto: &'static Proto,
    f: &Field,
    bytes: &[u8],
    offset: usize,
    complete: bool,
    errors: &mut Vec<Issue>,
) -> Value {
    match f.kind {
        Kind::TcpOptions => Value::TcpOptions(read_tcp_options(bytes, complete)),
        Kind::Options(set) => Value::Options(read_options(set, bytes, offset, errors)),
        // Not a whole number of addresses (a segment routing header with TLVs): kept as bytes.
        Kind::Ip6List if !bytes.len().is_multiple_of(16) => {
            errors.push(Issue {
                layer: proto.name,
                offset,
                field: Some(f.name),
                error: format!(
                    "{} bytes are not a whole number of IPv6 addresses",
                    bytes.len()
                ),
                expected: None,
            });
            Value::Bytes(bytes.to_vec())
        }
        Kind::Ip6List => Value::Ip6List(
            bytes
                .chunks_exact(16)
                .map(|c| c.try_into().expect("16 bytes"))
                .collect(),
        ),
        Kind::Tlv(t) => {
            if let Some((at, why)) = crate::layers::tlv::check(t, bytes) {
                errors.push(Issue {
                    layer: proto.name,
                    offset: offset + at,
                    field: Some(f.name),
                    error: format!("{} end here: {why}; the rest is kept as bytes", t.what),
                    expected: None,
                });
            }
            Value::Bytes(bytes.to_vec())
        }
        _ => Value::Bytes(bytes.to_vec()),
    }
}

/// Verifies every checksum a layer declares, over a complete frame.
fn verify_checksums(data: &[u8], pkt: &mut Packet) {
    for i in 0..pkt.layers.len() {
        let l = &pkt.layers[i];
        let Some(ck) = l.proto.checksum.filter(|_| !l.proto.quoted) else {
            continue;
        };
        let Some(have) = l.int(ck.field) else {
            continue;
        };
        let covered = match ck.scope {
            Scope::Header => &data[l.offset..l.offset + l.len],
            _ => &data[l.offset..l.end],
        };
        let want = match ck.scope {
            Scope::Header | Scope::Message => checksum::with_zeroed(covered, ck.at, 0),
            Scope::Pseudo(proto) => {
                if proto == 17 && have == 0 {
                    continue; // UDP without a checksum
                }
                let Some(seed) = checksum::pseudo_header(&pkt.layers[..i], proto, covered.len())
                else {
                    continue;
                };
                match checksum::with_zeroed(covered, ck.at, seed) {
                    0 if proto == 17 => 0xffff,
                    v => v,
                }
            }
        };
        // 0x0000 and 0xffff are the two forms of one's-complement zero: a sender may write
        // either (Linux answers an all-zero echo with 0x0000 where 0xffff is computed).
        let zero_forms = (want == 0xffff && have == 0) || (want == 0 && have == 0xffff);
        if want as u64 != have && !zero_forms {
            let (layer, offset) = (l.proto.name, l.offset);
            pkt.errors.push(Issue {
                layer,
                offset,
                field: Some(ck.field),
                error: format!("bad checksum {have:#06x}, should be {want:#06x}"),
                expected: Some(want as u64),
            });
        }
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    pub fn tcp_options(b: &[u8]) -> Vec<super::TcpOption> {
        super::read_tcp_options(b, true)
    }
}

mod options;
use options::{read_list, read_options, read_packets, read_tcp_options};

#[cfg(test)]
mod tests;
