//! A built packet whose fixed-width fields are patched in place and its checksums refreshed:
//! how a field set (`dport=(1,65535)`) is built without building each packet anew.

use super::{build_headers, checksum_into, effective, present};
use crate::layers::{Kind, Layer, Value};

/// A built packet whose fixed-width fields are rewritten in place, its checksums refreshed on
/// demand: how a field set (`dport=(1,65535)`) is built without building each packet anew.
pub struct Template {
    layers: Vec<Layer>,
    bytes: Vec<u8>,
    /// Per layer below the trailing padding: header start, header length, checksum pending.
    headers: Vec<(usize, usize, bool)>,
    body: usize,
    stale: bool,
}

/// Where a field sits in a [`Template`]'s bytes.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    layer: usize,
    field: usize,
    bit: usize,
    bits: usize,
    little_endian: bool,
}

impl Template {
    /// Builds `layers` and finds a slot for each `(layer, field, values)`, or `None` when some
    /// field cannot be patched in place: one that is not fixed-width, follows a variable-width
    /// field, takes a value of another form or a computed (`None`) one, or whose values would
    /// change which fields are on the wire (a condition reading it).
    pub fn new(
        layers: Vec<Layer>,
        fields: &[(usize, usize, &[Value])],
    ) -> Option<(Template, Vec<Slot>)> {
        let mut bytes = Vec::new();
        let headers = build_headers(&layers, &mut bytes, &mut None);
        let body = headers.last().map_or(0, |h| h.0 + h.1);
        let mut slots = Vec::with_capacity(fields.len());
        for &(i, k, values) in fields {
            let l = layers.get(i)?;
            let f = l.proto.fields.get(k)?;
            let (start, _, _) = *headers.get(i)?;
            let bits = f.fixed_bits()?;
            let fits = |v: &Value| {
                matches!(
                    (v, f.kind),
                    (
                        Value::Int(_),
                        Kind::Int(_) | Kind::Flags(..) | Kind::LeInt(_)
                    ) | (Value::Mac(_), Kind::Mac)
                        | (Value::Ip4(_), Kind::Ip4)
                        | (Value::Ip6(_), Kind::Ip6)
                )
            };
            if !values.iter().all(fits) {
                return None;
            }
            let eff = effective(l);
            let mut bit = start * 8;
            for j in 0..k {
                if present(l.proto, &eff, j) {
                    bit += l.proto.fields[j].fixed_bits()?;
                }
            }
            if l.proto.fields.iter().any(|f| f.cond.is_some()) {
                // Conditions may read this field: each value must leave the layout as it is,
                // and two fields of one such layer varying together are not checked.
                if fields.iter().filter(|(j, _, _)| *j == i).count() > 1 {
                    return None;
                }
                let layout = |vals: &[Value]| -> Vec<bool> {
                    (0..vals.len()).map(|j| present(l.proto, vals, j)).collect()
                };
                let before = layout(&eff);
                for v in values {
                    let mut other = l.clone();
                    other.values[k] = v.clone();
                    if layout(&effective(&other)) != before {
                        return None;
                    }
                }
            }
            slots.push(Slot {
                layer: i,
                field: k,
                bit,
                bits,
                little_endian: matches!(f.kind, Kind::LeInt(_)),
            });
        }
        let t = Template {
            layers,
            bytes,
            headers,
            body,
            stale: false,
        };
        Some((t, slots))
    }

    /// Writes `v` into the slot (and the layer, for the checksums that read it).
    pub fn set(&mut self, slot: Slot, v: &Value) {
        let at = slot.bit / 8;
        match v {
            Value::Int(x) if slot.little_endian => {
                let n = slot.bits / 8;
                self.bytes[at..at + n].copy_from_slice(&x.to_le_bytes()[..n]);
            }
            Value::Int(x) => put_at(&mut self.bytes, slot.bit, slot.bits, *x),
            Value::Mac(m) => self.bytes[at..at + 6].copy_from_slice(m),
            Value::Ip4(a) => self.bytes[at..at + 4].copy_from_slice(a),
            Value::Ip6(a) => self.bytes[at..at + 16].copy_from_slice(a),
            _ => return,
        }
        self.layers[slot.layer].values[slot.field] = v.clone();
        self.stale = true;
    }

    /// The packet's bytes, checksums up to date.
    pub fn bytes(&mut self) -> &[u8] {
        if self.stale {
            for i in (0..self.headers.len()).rev() {
                let (start, len, pending) = self.headers[i];
                if pending {
                    checksum_into(&self.layers, i, len, &mut self.bytes[start..self.body]);
                }
            }
            self.stale = false;
        }
        &self.bytes
    }
}

/// Writes the low `n` bits of `v` at bit offset `bit`, most significant first.
fn put_at(bytes: &mut [u8], bit: usize, n: usize, v: u64) {
    if bit.is_multiple_of(8) && n.is_multiple_of(8) {
        let at = bit / 8;
        bytes[at..at + n / 8].copy_from_slice(&v.to_be_bytes()[8 - n / 8..]);
        return;
    }
    for b in 0..n {
        let pos = bit + b;
        let mask = 0x80u8 >> (pos % 8);
        if (v >> (n - 1 - b)) & 1 == 1 {
            bytes[pos / 8] |= mask;
        } else {
            bytes[pos / 8] &= !mask;
        }
    }
}
