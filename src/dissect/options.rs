//! The parts of a layer that are lists: TCP options, IP and IPv6 option areas, and record
//! lists (DNS's questions and answers, EDNS0 options), each element read with the same table
//! machinery as a layer.

use super::*;

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

/// A list of records from `data[at..at + len]`, each read with its own table (names relative to
/// the message at `base`): until the layer's count field is reached, or the bytes end. Returns
/// the records, the bytes they took, and whether the list was whole (the count met, the last
/// record complete).
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
    let mut items = Vec::new();
    let mut pos = at;
    while count.is_none_or(|c| items.len() < c) && pos < end {
        let element = (spec.element)(&data[pos..end]);
        let (item, complete) = read_layer_into(
            Vec::with_capacity(element.fields.len()),
            element,
            data,
            base,
            pos,
            end,
            errors,
        );
        let used = item.len;
        items.push(item);
        pos += used;
        if !complete || used == 0 {
            return (items, pos - at, false);
        }
    }
    if let Some(c) = count
        && items.len() < c
    {
        if !proto.quoted {
            errors.push(Issue {
                layer: proto.name,
                offset: pos,
                field: Some(f.name),
                error: format!("truncated: {} records counted, {} there", c, items.len()),
                expected: None,
            });
        }
        return (items, pos - at, false);
    }
    (items, pos - at, true)
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
