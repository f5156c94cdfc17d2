//! Computed fields that cannot hold what they compute. A length, count or header length left
//! unset (`Def::Auto`) is filled by its rule when building; when the number the rule yields is
//! more than the field's width holds (`IP.len` of a 70,000-byte payload), or a header length is
//! not a whole number of the field's units, the packet cannot be built as scapy would (scapy
//! refuses it with a struct error). The check is made where the value is computed, for every
//! field table alike: one comparison per computed field. A value that was set is written as set.

use crate::layers::{Auto, Def, Field, Layer};

/// A computed field whose value does not fit it: which layer, which field, what it came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FitError {
    /// The layer's index in the stack (outermost first).
    pub layer: usize,
    /// The layer's name (`IP`).
    pub proto: &'static str,
    /// The option sub-layer (`IPOption_LSRR`, `PadN`) the field belongs to, if it is an option's.
    pub option: Option<&'static str>,
    /// The field's name (`len`).
    pub field: &'static str,
    /// The rule that computed it.
    pub rule: Auto,
    /// The value the rule yields (before any truncation to the field's width).
    pub value: u64,
    /// The field's width in bits.
    pub bits: u8,
    /// The header's length in bytes (what `HeaderLen` and `ExtLen` count).
    pub header_len: usize,
}

impl FitError {
    /// The most the field holds.
    pub fn max(&self) -> u64 {
        max_of(self.bits)
    }

    /// `IP.len`, or `IPv6ExtHdrHopByHop.options[PadN].optlen` for an option's field.
    pub fn field_path(&self) -> String {
        match self.option {
            Some(o) => format!("{}.options[{o}].{}", self.proto, self.field),
            None => format!("{}.{}", self.proto, self.field),
        }
    }

    /// Whether the header length is not a whole number of the field's units.
    fn not_a_multiple(&self) -> Option<u8> {
        match self.rule {
            Auto::HeaderLen(unit) if !self.header_len.is_multiple_of(usize::from(unit)) => {
                Some(unit)
            }
            _ => None,
        }
    }

    /// What to do about it.
    pub fn help(&self) -> String {
        let f = self.field;
        match (self.proto, f, self.option) {
            ("IP", "len", None) => {
                "an IP packet holds at most 65535 bytes: fragment it, or give an explicit len= \
                 to build a deliberately wrong packet"
                    .into()
            }
            ("IP", "ihl", None) => {
                "IP options take at most 40 bytes: use fewer options, or give an explicit ihl= \
                 to build a deliberately wrong packet"
                    .into()
            }
            ("TCP", "dataofs", None) => {
                "TCP options take at most 40 bytes: use fewer options, or give an explicit \
                 dataofs= to build a deliberately wrong packet"
                    .into()
            }
            (_, _, Some(o)) => format!("set {f}= explicitly in {o}() to build it anyway"),
            _ => format!("set {f}= explicitly to build it anyway"),
        }
    }
}

impl std::fmt::Display for FitError {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = self.field_path();
        if let Some(unit) = self.not_a_multiple() {
            return write!(
                out,
                "{what} cannot be computed: the header is {} bytes, not a multiple of {unit}",
                self.header_len
            );
        }
        let counts = match self.rule {
            Auto::TotalLen => "bytes of header and payload".to_string(),
            Auto::PayloadLen => "bytes of payload".to_string(),
            Auto::HeaderLen(unit) => {
                format!("{unit}-byte words: a {}-byte header", self.header_len)
            }
            Auto::ExtLen => format!(
                "8-byte units after the first: a {}-byte header",
                self.header_len
            ),
            Auto::SizeOf { field, unit: 1, .. } => format!("bytes, from {field}"),
            Auto::SizeOf { field, unit, .. } => format!("{unit}-byte units, from {field}"),
            Auto::RestLen => "bytes after it in the layer".to_string(),
            Auto::CountOf(field) => format!("records in {field}"),
            Auto::BitsOf(field) => format!("bits, from {field}"),
            Auto::Checksum | Auto::Next(_) | Auto::Zero | Auto::Align { .. } | Auto::NtpNow => {
                "its rule's value".to_string()
            }
        };
        write!(
            out,
            "{what} would be {} ({counts}), more than its {} bits hold ({})",
            self.value,
            self.bits,
            self.max()
        )
    }
}

impl std::error::Error for FitError {}

/// The most an unsigned field of `bits` bits holds.
#[inline]
pub const fn max_of(bits: u8) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Whether a computed value fits its field (and, for a header length, the header is a whole
/// number of units): the one comparison made per computed field when building.
#[inline]
pub(super) fn fits(rule: Auto, value: u64, bits: u8, header_len: usize) -> bool {
    value <= max_of(bits)
        && match rule {
            Auto::HeaderLen(unit) => header_len.is_multiple_of(usize::from(unit)),
            _ => true,
        }
}

/// The error for field `f` of a layer named `proto` (an option's, when `option`).
#[cold]
pub(super) fn misfit(
    proto: &'static str,
    option: bool,
    f: &Field,
    rule: Auto,
    value: u64,
    bits: u8,
    header_len: usize,
) -> FitError {
    FitError {
        layer: 0,
        proto: if option { "" } else { proto },
        option: option.then_some(proto),
        field: f.name,
        rule,
        value,
        bits,
        header_len,
    }
}

/// What decides a layer's computed values besides the sizes of the other layers: which fields
/// are on the wire and which computed ones are left to compute. Two packets of a set whose
/// layers have the same shapes (and the same variable-length values) compute the same lengths,
/// so checking one of them checks both.
pub fn shape(l: &Layer) -> Vec<bool> {
    let values = super::effective(l);
    let mut key = Vec::with_capacity(2 * l.proto.fields.len());
    for (k, f) in l.proto.fields.iter().enumerate() {
        let on = super::present(l.proto, &values, k);
        key.push(on);
        key.push(on && l.values[k].is_absent() && matches!(f.default, Def::Auto(_)));
    }
    key
}

#[cfg(test)]
mod tests;
