//! The parts of a layer that are lists: TCP options, IP and IPv6 option areas, and record
//! lists (DNS's questions and answers, EDNS0 options), each element read with the same table
//! machinery as a layer.

use super::*;
use crate::layers::field::Chain;

/// TCP options as scapy reads them: the list ends after EOL; a length below 2 counts as 2; an
/// option cut short by the end of the header keeps the bytes that are there.
/// `complete`: the options area was all there, so zeros after an EOL are implied by `dataofs`
/// (and left out, as scapy does); otherwise they are kept with the EOL.
pub(super) fn read_tcp_options(mut b: &[u8], complete: bool) -> Vec<TcpOption> {
    let mut out = Vec::new();
    while let Some(&kind) = b.first() {
        if kind == 0 {
            // The list ends; the bytes after EOL (padding) stay with it unless they are the
            // zeros that fill the area.
            // In an area cut short, the EOL is marked as the end (`LenByte::Missing`), so that
            // no zeros are implied after it even when nothing follows.
            let rest = &b[1..];
            out.push(if complete && rest.iter().all(|&x| x == 0) {
                TcpOption::new(0, &[])
            } else {
                TcpOption::new(0, rest).with_len_byte(LenByte::Missing)
            });
            break;
        }
        if kind == 1 {
            out.push(TcpOption::new(1, &[]));
            b = &b[1..];
            continue;
        }
        let len = (b.get(1).copied().unwrap_or(0) as usize)
            .max(2)
            .min(b.len());
        let len_byte = b.get(1).map_or(LenByte::Missing, |&l| LenByte::Wire(l));
        out.push(TcpOption::new(kind, &b[2.min(len)..len]).with_len_byte(len_byte));
        b = &b[len..];
    }
    out
}

/// How deep lists may nest, counting each element that is the payload of the one before it
/// (scapy's packets in a field keep a payload: a relayed DHCPv6 message is a chain of options):
/// past it, the rest of a list is left as `Raw`. It bounds the stack dissection takes and keeps
/// the NDJSON nesting well under what a JSON reader takes back (serde's 128).
pub(super) const MAX_NESTING: usize = 96;

thread_local! {
    /// The nesting of the list being read, in the units of [`MAX_NESTING`].
    static NESTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A list of records from `data[at..at + len]`, each read with its own table (names relative to
/// the message at `base`), within the bytes its header gives it when the list says how
/// ([`layers::field::ListSpec::size`]; what its fields leave of them is kept as a `Raw`
/// element): until the layer's count field is reached, or the bytes end. Returns the records,
/// the bytes they took, and whether the layer can go on after the list (what follows is read
/// from the bytes left, none when the list ran out of them). As scapy does, a record that
/// lacks a field (its bytes ended first) is kept as a `Raw` element of the rest of the list's
/// bytes; one cut in its last field keeps what there is of it. In a list whose elements keep
/// their payload ([`Chain`]), what follows an element that takes the rest is chosen by that
/// element's `next`.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_list(
    spec: &'static layers::field::ListSpec,
    proto: &'static Proto,
    f: &'static Field,
    values: &[Value],
    data: &[u8],
    base: usize,
    at: usize,
    len: usize,
    errors: &mut Vec<Issue>,
) -> (Vec<Layer>, usize, bool) {
    let outer = NESTING.get();
    NESTING.set(outer + 1);
    let r = read_list_at(spec, proto, f, values, data, base, at, len, errors);
    NESTING.set(outer);
    r
}

#[allow(clippy::too_many_arguments)]
fn read_list_at(
    spec: &'static layers::field::ListSpec,
    proto: &'static Proto,
    f: &'static Field,
    values: &[Value],
    data: &[u8],
    base: usize,
    at: usize,
    len: usize,
    errors: &mut Vec<Issue>,
) -> (Vec<Layer>, usize, bool) {
    let count = spec.count.map(|c| {
        proto
            .fields
            .iter()
            .zip(values)
            .find(|(g, _)| g.name == c)
            .and_then(|(_, v)| v.int())
            .unwrap_or(0) as usize
    });
    let end = at + len;
    let mut items: Vec<Layer> = Vec::new();
    let mut records = 0;
    let mut pos = at;
    let depth = NESTING.get();
    while count.is_none_or(|c| records < c) && pos < end {
        let rest = &data[pos..end];
        // The payload of the element before, or the list's next element.
        let element = match items.last() {
            Some(last) if spec.chain.takes_rest(last) => {
                (last.proto.next)(last, rest).unwrap_or(&layers::raw::RAW)
            }
            Some(_) if spec.chain == Chain::One => &layers::raw::PADDING,
            _ => (spec.element)(rest),
        };
        let chained = items.last().is_some_and(|l| spec.chain.takes_rest(l));
        // A payload is one deeper than the element it follows; a sibling is at the list's depth.
        let nesting = if chained { NESTING.get() + 1 } else { depth };
        if nesting > MAX_NESTING {
            errors.push(Issue {
                layer: element.name,
                offset: pos,
                field: None,
                error: format!(
                    "nested more than {MAX_NESTING} deep: the last {} bytes are left as Raw",
                    end - pos
                ),
                expected: None,
            });
            items.push(raw_element(data, pos, end));
            pos = end;
            break;
        }
        NESTING.set(nesting);
        let bound = spec
            .size
            .and_then(|size| size(rest))
            .map_or(end, |n| end.min(pos.saturating_add(n)));
        let (mut item, complete) = read_layer_into(
            Vec::with_capacity(element.fields.len()),
            element,
            data,
            base,
            pos,
            bound,
            errors,
        );
        let used = item.len;
        records += 1;
        if !complete && lacks_field(&mut item) {
            if !proto.quoted {
                errors.push(Issue {
                    layer: element.name,
                    offset: pos,
                    field: None,
                    error: format!(
                        "truncated: {} cut short, its {} bytes kept as Raw",
                        element.name,
                        end - pos
                    ),
                    expected: None,
                });
            }
            items.push(raw_element(data, pos, end));
            NESTING.set(depth);
            return (items, end - at, true);
        }
        items.push(item);
        pos += used;
        if !complete && bound < end && pos <= bound {
            // Cut by its own size, not by the data: the next element starts after it.
            if pos < bound {
                items.push(raw_element(data, pos, bound));
            }
            pos = bound;
            continue;
        }
        if !complete || used == 0 {
            NESTING.set(depth);
            return (items, pos - at, pos == end && used > 0);
        }
        if spec.size.is_some() && pos < bound {
            // Bytes of the element its fields did not read.
            items.push(raw_element(data, pos, bound));
            pos = bound;
        }
    }
    NESTING.set(depth);
    if let Some(c) = count
        && records < c
    {
        if !proto.quoted {
            errors.push(Issue {
                layer: proto.name,
                offset: pos,
                field: Some(f.name),
                error: format!("truncated: {c} records counted, {records} there"),
                expected: None,
            });
        }
        // The bytes ran out: what follows the list is read from none.
        return (items, pos - at, pos == end);
    }
    (items, pos - at, true)
}

/// Whether a layer read short lacks a fixed-width field it should have (scapy raises there);
/// a variable-length field after the bytes end is read as empty (scapy's `b""`, `[]`).
fn lacks_field(l: &mut Layer) -> bool {
    for (k, f) in l.proto.fields.iter().enumerate() {
        if !l.values[k].is_absent() || f.cond.is_some_and(|c| !c(&l.values[..k])) {
            continue;
        }
        if f.fixed_bits().is_some() {
            return true;
        }
        l.values[k] = match f.kind {
            Kind::Name => Value::Name(Box::new(layers::field::Name {
                text: ".".into(),
                wire: Vec::new(),
            })),
            Kind::List(_) | Kind::Options(_) => Value::Options(Vec::new()),
            _ => Value::Bytes(Vec::new()),
        };
    }
    false
}

/// `data[start..end]` as a `Raw` element of a list.
fn raw_element(data: &[u8], start: usize, end: usize) -> Layer {
    Layer {
        proto: &layers::raw::RAW,
        offset: start,
        len: end - start,
        end,
        values: vec![Value::Bytes(data[start..end].to_vec())],
    }
}

/// IP or IPv6 extension-header options: each one a small layer of its own (scapy's option
/// classes), read with the same table machinery.
pub(super) fn read_options(
    set: OptionSet,
    bytes: &[u8],
    offset: usize,
    errors: &mut Vec<Issue>,
) -> Vec<Layer> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let proto = match set {
            OptionSet::Ip => layers::ip::option_proto(&bytes[at..]),
            OptionSet::Ip6 => layers::ipv6::option_proto(&bytes[at..]),
        };
        let mut errs = Vec::new();
        let (mut opt, complete) = read_layer(proto, bytes, at, bytes.len(), &mut errs);
        opt.offset += offset;
        opt.end = opt.offset + opt.len;
        let used = opt.len;
        out.push(opt);
        if !complete || used == 0 {
            // What the malformed option leaves of the area is kept as it was.
            if at + used < bytes.len() {
                let mut rest = crate::build::new_layer(&layers::raw::RAW);
                rest.values[0] = Value::Bytes(bytes[at + used..].to_vec());
                rest.offset = offset + at + used;
                rest.len = bytes.len() - at - used;
                rest.end = rest.offset + rest.len;
                out.push(rest);
            }
            errors.push(Issue {
                layer: proto.name,
                offset: offset + at,
                field: None,
                error: format!(
                    "malformed option {}: {} bytes left",
                    proto.name,
                    bytes.len() - at
                ),
                expected: None,
            });
            break;
        }
        at += used;
    }
    out
}

/// The sub-records of a [`Kind::Packet`] or [`Kind::Packets`] field from `data[at..at + len]`,
/// each cut by the spec and read with its own table. Returns the records, the bytes they took
/// and whether the last one was whole. A list element's bytes its table leaves unread follow it
/// as `Raw`; a single record takes what its table reads. A cut of no bytes is a record with no
/// field set. At most one element per byte (and one more), so cuts of nothing cannot loop.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_packets(
    spec: &'static layers::field::PacketSpec,
    single: bool,
    values: &[Value],
    data: &[u8],
    base: usize,
    at: usize,
    len: usize,
    errors: &mut Vec<Issue>,
) -> (Vec<Layer>, usize, bool) {
    let end = at + len;
    let mut items: Vec<Layer> = Vec::new();
    let mut pos = at;
    let most = if single { 1 } else { len + 1 };
    for _ in 0..most {
        let Some((element, n)) = (spec.cut)(values, &items, &data[pos..end]) else {
            break;
        };
        let stop = if single { end } else { pos + n.min(end - pos) };
        if n == 0 {
            // A record of no bytes (scapy's `Cls(b"")`): every field unset.
            items.push(Layer {
                proto: element,
                offset: pos,
                len: 0,
                end: pos,
                values: vec![Value::Absent; element.fields.len()],
            });
            if single {
                break;
            }
            continue;
        }
        let (item, complete) = read_layer_into(
            Vec::with_capacity(element.fields.len()),
            element,
            data,
            base,
            pos,
            stop,
            errors,
        );
        let used = item.len;
        items.push(item);
        if !complete {
            return (items, pos + used - at, false);
        }
        if single {
            return (items, used, true);
        }
        if pos + used < stop {
            let mut rest = crate::build::new_layer(&layers::raw::RAW);
            rest.values[0] = Value::Bytes(data[pos + used..stop].to_vec());
            rest.offset = pos + used;
            rest.len = stop - pos - used;
            rest.end = stop;
            items.push(rest);
        }
        pos = stop;
    }
    (items, pos - at, true)
}
