//! The field model: every layer is a table of [`Field`]s (scapy's `fields_desc`), and every
//! view — dissection, `show`, summaries, NDJSON — reads that one table.

/// How a field sits on the wire.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// Big-endian unsigned integer of this many bits (1–64); bit fields need not be byte-aligned.
    Int(u8),
    /// Little-endian unsigned integer of this many bytes (byte-aligned).
    LeInt(u8),
    /// Big-endian two's-complement integer of this many bits (scapy's `SignedByteField`): the
    /// value holds the wire bits, views show it signed.
    SInt(u8),
    /// Big-endian fixed-point number of `bits` bits, `frac` of them after the point (scapy's
    /// `FixedPointField`, NTP's timestamps): the value and JSON hold the integer on the wire
    /// (scapy's internal value); an expression gives the number itself (`delay=0.5`).
    FixedPoint(u8, u8),
    /// A bit field rendered as scapy's flag string; the names go from the least significant bit.
    Flags(u8, FlagNames),
    Mac,
    Ip4,
    Ip6,
    /// Bytes of a fixed length (scapy's `StrFixedLenField`): a shorter value is padded with
    /// zeros when building, a longer one cut; `mac`: a MAC address string is taken too (BOOTP's
    /// `chaddr`).
    Fixed {
        len: u8,
        mac: bool,
    },
    /// Bytes whose length the layer decides (see [`Field::len`]); rendered as hex.
    Bytes,
    /// TCP options, rendered as scapy's `[name, value]` pairs.
    TcpOptions,
    /// A list of option sub-layers (IP options, IPv6 extension-header options), each a [`Layer`].
    Options(OptionSet),
    /// A list of IPv6 addresses (routing header).
    Ip6List,
    /// A DNS name (`layers::dnsname`): labels, compression pointers followed when dissecting
    /// (relative to the message the layer starts), no compression when building.
    Name,
    /// A list of sub-records, each a [`Layer`] (scapy's `PacketListField`): which protocol each
    /// element is and how many there are come from the [`ListSpec`].
    List(&'static ListSpec),
    /// A TLV option family declared as a table (`layers::tlv`): the options' bytes as they are
    /// on the wire, read by the table for every view (scapy's DHCP options).
    Tlv(&'static super::tlv::TlvTable),
    /// Bytes the layer sizes, read as a list or an address ([`super::coded::Coding`]).
    Coded(super::coded::Coding),
    /// One sub-record (scapy's `PacketField`), rendered as one layer object; which protocol and
    /// how many bytes from the [`PacketSpec`]. Absent when the spec finds none.
    Packet(&'static PacketSpec),
    /// Sub-records cut from the field's bytes one by one by the [`PacketSpec`] (scapy's
    /// `PacketListField` with its own `getfield`: sizes from the layer's fields or each
    /// element's bytes, not from the element's table).
    Packets(&'static PacketSpec),
}

/// How a [`Kind::Packet`] or [`Kind::Packets`] field is cut into sub-records. `cut` is given
/// the layer's fields read so far, the elements read so far and the field's bytes from where
/// the next element starts; it names the element's protocol and how many bytes it takes (the
/// element is read from exactly those), or `None` where the list ends. For a single
/// [`Kind::Packet`], the element takes what its table reads of those bytes.
/// Bytes an element's table leaves unread are kept as a `Raw` element after it.
#[derive(Debug)]
pub struct PacketSpec {
    /// What the elements are, for `ls` and messages.
    pub what: &'static str,
    pub cut: CutFn,
    /// Whether a record of this class (by name) may stand in the field (when building).
    pub accepts: fn(&str) -> bool,
}

/// See [`PacketSpec::cut`].
pub type CutFn = fn(&[Value], &[Layer], &[u8]) -> Option<(&'static super::Proto, usize)>;

/// How a [`Kind::List`] field is read: element by element, each of the protocol `element`
/// picks from the bytes where it starts, until `count` elements (a count field of the layer,
/// by name) or the field's bytes are used up. A count larger than the data is not trusted: the
/// list ends with the data, and an error says how many were missing.
#[derive(Debug)]
pub struct ListSpec {
    /// What the elements are, for `ls` and messages (`DNSQR`, `DNSRR records`).
    pub what: &'static str,
    pub element: fn(&[u8]) -> &'static super::Proto,
    pub count: Option<&'static str>,
    /// Whether a record of this class (by name) may stand in the list (when building).
    pub accepts: fn(&str) -> bool,
    /// The bytes an element takes, from its first bytes, when its header says (a DNS record:
    /// its name, ten bytes and `rdlen`): it is read within them. `None`: as far as its fields go.
    pub size: Option<SizeFn>,
    /// Whether an element has the bytes after it as its payload (scapy's packets in a field
    /// keep a payload).
    pub chain: Chain,
}

/// How the elements of a [`Kind::List`] stand to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chain {
    /// Records one after the other (DNS's): none has a payload.
    None,
    /// scapy's `PacketListField` of packets that keep their payload (DHCPv6's IA options): an
    /// element that takes the rest (its `payload_len` is not `Some(0)`) has the elements after
    /// it as its payload, chosen by its `next` (`Raw` when that is `None`); after one that leaves
    /// the rest (an IA address: scapy's `Padding`), the list's `element` picks the next.
    Payload,
    /// scapy's `PacketLenField`: one packet with its payload chain (by each layer's `next`;
    /// `Padding` after a layer that leaves the rest); rendered as one object, not a list.
    One,
}

impl Chain {
    /// Whether element `l` has the elements after it as its payload.
    pub fn takes_rest(self, l: &Layer) -> bool {
        self != Chain::None && (l.proto.payload_len)(l) != Some(0)
    }
}

/// The bytes a list element takes, read from its first bytes.
pub type SizeFn = fn(&[u8]) -> Option<usize>;
impl Kind {
    /// The width in bits of the kinds held as one integer on the wire.
    pub const fn int_bits(self) -> Option<u8> {
        match self {
            Kind::Int(b) | Kind::Flags(b, _) | Kind::SInt(b) | Kind::FixedPoint(b, _) => Some(b),
            _ => None,
        }
    }
}

/// The two's-complement value of the low `bits` bits of `x` (a [`Kind::SInt`] field's value).
pub const fn signed(x: u64, bits: u8) -> i64 {
    let s = 64 - bits as u32;
    ((x << s) as i64) >> s
}

/// Flag names, least significant bit first.
#[derive(Clone, Copy, Debug)]
pub enum FlagNames {
    /// One character a bit (`"FSRPAUECN"` for TCP).
    Chars(&'static str),
    /// One word a bit, joined with `+` (`["MF", "DF", "evil"]` for IP).
    Words(&'static [&'static str]),
}

/// Which option family a [`Kind::Options`] field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionSet {
    Ip,
    Ip6,
}

/// A field's length rule, for the variable-length kinds.
pub type LenFn = fn(&[Value]) -> Result<usize, String>;
/// A length read from the bytes where the field starts (scapy's fields that look at the data:
/// BOOTP's `options` is the magic cookie when one is there, else the rest).
pub type PeekFn = fn(&[u8]) -> usize;
/// A length as scapy's `length_from` gives it to a Python slice (`s[:n]`): a negative `n`
/// leaves that many bytes at the end of what is left (DHCPv6's `optlen - 12` of an option
/// whose `optlen` is too small).
pub type SliceFn = fn(&[Value]) -> i64;
/// A field's presence rule (scapy's `ConditionalField`), reading the fields before it.
pub type CondFn = fn(&[Value]) -> bool;

/// One field of a layer: name, wire kind, default, and the rules that make it conditional or
/// variable-length.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// The default when building.
    pub default: Def,
    /// Present only when this holds (evaluated on the fields read so far).
    pub cond: Option<CondFn>,
    /// Length in bytes, for `Bytes`, `TcpOptions`, `Options` and `Ip6List` fields; `None`: the
    /// rest of the layer.
    pub len: Option<LenFn>,
    /// Names of an integer field's values (scapy's `EnumField`): `show` prints the name, an
    /// expression may give it; JSON keeps the number.
    pub names: Option<Names>,
    /// Length in bytes read from the data (dissection only; building writes the value).
    pub peek: Option<PeekFn>,
    /// Length in bytes as a Python slice takes it (dissection only; in place of `len`).
    pub slice: Option<SliceFn>,
}

/// An enumeration: value and scapy's name for it.
pub type Names = &'static [(u64, &'static str)];

/// The name `names` gives `v`, if any.
pub fn name_of(names: Names, v: u64) -> Option<&'static str> {
    names.iter().find(|(k, _)| *k == v).map(|(_, n)| *n)
}

/// The value `names` gives the name `n`, if any.
pub fn value_of(names: Names, n: &str) -> Option<u64> {
    names.iter().find(|(_, m)| *m == n).map(|(k, _)| *k)
}

/// A field's default value when building.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Def {
    /// Computed when building (scapy's `None`): lengths, checksums, protocol numbers, by this
    /// rule.
    Auto(Auto),
    Int(u64),
    /// A textual default read by the field's kind (`"127.0.0.1"`, `"00:00:00:00:00:00"`).
    Text(&'static str),
    /// Empty bytes or an empty list.
    Empty,
    /// A list of one element of the list's class (scapy's `DNS.qd = [DNSQR()]`).
    Element,
    /// This many zero bytes (scapy's fixed-length string fields, padded when building).
    Zeros(usize),
    /// These bytes (BOOTP's magic cookie, when DHCP is stacked on it).
    Bytes(&'static [u8]),
}

/// How a computed field is filled when building. Each rule is declared in the field table, so
/// the builder never looks fields up by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auto {
    /// The layer's checksum: zero until it is computed over the finished bytes.
    Checksum,
    /// The number that stacks the next layer on this one (the binding table), else this value.
    Next(u64),
    /// The header's length in units of this many bytes (IP `ihl`, TCP `dataofs`).
    HeaderLen(u8),
    /// Header and payload, in bytes (IP `len`, UDP `len`).
    TotalLen,
    /// The payload, in bytes (IPv6 `plen`, 802.3 `len`).
    PayloadLen,
    /// The header in 8-byte units, less the first 8 (IPv6 extension headers' `len`).
    ExtLen,
    /// The size of another field of the layer: `(bytes + add) / unit`, rounded up.
    SizeOf {
        field: &'static str,
        add: u8,
        unit: u8,
    },
    /// The bytes of the layer after this field (a typed DNS record's `rdlen`).
    RestLen,
    /// How many elements a list field of the layer has (DNS `qdcount`: scapy's `count_of`).
    CountOf(&'static str),
    /// The size of another field of the layer in bits (a prefix length).
    BitsOf(&'static str),
    /// For a bytes field: the zeros that bring another field of the layer to a multiple of
    /// `align` bytes (scapy's `PadField`). Dissection reads as many as there are, up to that.
    Align { field: &'static str, align: u8 },
    /// The time of building as an NTP timestamp: seconds since 1900 in 32.32 fixed point
    /// (scapy's `TimeStampField` left `None`).
    NtpNow,
    /// Zero (no rule computes it; scapy leaves it `None`).
    Zero,
}

impl Field {
    pub const fn new(name: &'static str, kind: Kind, default: Def) -> Field {
        Field {
            name,
            kind,
            default,
            cond: None,
            len: None,
            names: None,
            peek: None,
            slice: None,
        }
    }
    pub const fn int(name: &'static str, bits: u8, default: u64) -> Field {
        Field::new(name, Kind::Int(bits), Def::Int(default))
    }
    /// A computed integer field (length, checksum): scapy's `None` default.
    pub const fn auto(name: &'static str, bits: u8, rule: Auto) -> Field {
        Field::new(name, Kind::Int(bits), Def::Auto(rule))
    }
    pub const fn flags(name: &'static str, bits: u8, names: FlagNames, default: u64) -> Field {
        Field::new(name, Kind::Flags(bits, names), Def::Int(default))
    }
    pub const fn mac(name: &'static str, default: &'static str) -> Field {
        Field::new(name, Kind::Mac, Def::Text(default))
    }
    pub const fn ip4(name: &'static str, default: &'static str) -> Field {
        Field::new(name, Kind::Ip4, Def::Text(default))
    }
    pub const fn ip6(name: &'static str, default: &'static str) -> Field {
        Field::new(name, Kind::Ip6, Def::Text(default))
    }
    /// Bytes of the length `len` gives (the rest of the layer when that is `None`).
    pub const fn bytes(name: &'static str) -> Field {
        Field::new(name, Kind::Bytes, Def::Empty)
    }
    pub const fn when(mut self, cond: CondFn) -> Field {
        self.cond = Some(cond);
        self
    }
    pub const fn sized(mut self, len: LenFn) -> Field {
        self.len = Some(len);
        self
    }
    /// Dissection takes the length `slice` gives, as a Python slice does: all but the last `-n`
    /// bytes left when it is negative ([`SliceFn`]).
    pub const fn sliced(mut self, slice: SliceFn) -> Field {
        self.slice = Some(slice);
        self
    }
    /// Dissection takes the length `peek` reads from the bytes where the field starts.
    pub const fn peeked(mut self, peek: PeekFn) -> Field {
        self.peek = Some(peek);
        self
    }
    /// The field's values have these names.
    pub const fn named(mut self, names: Names) -> Field {
        self.names = Some(names);
        self
    }
    /// Width in bits when fixed.
    #[inline]
    pub const fn fixed_bits(&self) -> Option<usize> {
        match self.kind {
            Kind::Int(b) | Kind::Flags(b, _) | Kind::SInt(b) | Kind::FixedPoint(b, _) => {
                Some(b as usize)
            }
            Kind::LeInt(n) => Some(n as usize * 8),
            Kind::Mac => Some(48),
            Kind::Ip4 => Some(32),
            Kind::Ip6 => Some(128),
            Kind::Fixed { len, .. } => Some(len as usize * 8),
            Kind::Coded(super::coded::Coding::Uuid) => Some(128),
            _ => None,
        }
    }
}

/// A field's value. `Absent` marks a field that is not on the wire (a false condition, or a
/// header cut short).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Absent,
    Int(u64),
    Mac([u8; 6]),
    Ip4([u8; 4]),
    Ip6([u8; 16]),
    Bytes(Vec<u8>),
    TcpOptions(Vec<TcpOption>),
    Options(Vec<Layer>),
    Ip6List(Vec<[u8; 16]>),
    /// A DNS name: its presentation text and its bytes as they are on the wire (a compression
    /// pointer included), so it serialises back exactly.
    Name(Box<Name>),
}

/// A DNS name's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub wire: Vec<u8>,
}

impl Name {
    /// Whether the wire form is the plain one (labels and a final zero, no pointer): what
    /// encoding the text gives back.
    pub fn is_plain(&self) -> bool {
        let w = &self.wire;
        let mut i = 0;
        while let Some(&l) = w.get(i) {
            if l == 0 {
                return i + 1 == w.len();
            }
            if l > 63 {
                return false;
            }
            i += 1 + l as usize;
        }
        false
    }

    /// A name given as text: its wire form without compression.
    pub fn from_text(text: &str) -> Result<Name, String> {
        let mut wire = Vec::with_capacity(text.len() + 2);
        super::dnsname::encode(text, &mut wire)?;
        let mut text = text.to_string();
        if !text.ends_with('.') {
            text.push('.');
        }
        Ok(Name { text, wire })
    }
}

impl Value {
    pub fn int(&self) -> Option<u64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }
}

/// One TCP option as it was on the wire: its kind and the bytes after the length byte, held
/// inline (the options area is at most 40 bytes) so that reading options allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TcpOption {
    pub kind: u8,
    len: u8,
    bytes: [u8; TcpOption::MAX_DATA],
    /// The length byte as it was on the wire when it disagrees with the data (a malformed or
    /// cut option): [`LenByte::Derived`] for a well-formed option.
    pub len_byte: LenByte,
}

/// A TCP option's length byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LenByte {
    /// Two plus the data length, as it should be.
    Derived,
    /// This value, which does not match the data.
    Wire(u8),
    /// None: the option was cut after its kind byte.
    Missing,
}

impl TcpOption {
    /// The most data bytes an option holds: 40 bytes of options less the kind byte (an EOL
    /// keeps the bytes after it).
    pub const MAX_DATA: usize = 39;

    /// An option of this kind with this data (cut to [`TcpOption::MAX_DATA`] bytes).
    pub fn new(kind: u8, data: &[u8]) -> TcpOption {
        let n = data.len().min(Self::MAX_DATA);
        let mut bytes = [0; Self::MAX_DATA];
        bytes[..n].copy_from_slice(&data[..n]);
        TcpOption {
            kind,
            len: n as u8,
            bytes,
            len_byte: LenByte::Derived,
        }
    }

    /// The same option with its wire length byte (kept only when it disagrees with the data).
    pub fn with_len_byte(mut self, len_byte: LenByte) -> TcpOption {
        self.len_byte = match len_byte {
            LenByte::Wire(b) if b as usize == self.len as usize + 2 => LenByte::Derived,
            other => other,
        };
        self
    }

    pub fn data(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

impl std::fmt::Debug for TcpOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TcpOption({}, {:02x?})", self.kind, self.data())
    }
}

/// One dissected (or built) layer: which protocol, where it sits in the frame, and one value per
/// field of the protocol's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    pub proto: &'static super::Proto,
    /// Byte offset of the layer in the frame.
    pub offset: usize,
    /// Bytes of header this layer covers (its fields), not its payload.
    pub len: usize,
    /// End (exclusive) of the bytes this layer and its payload cover, padding excluded.
    pub end: usize,
    pub values: Vec<Value>,
}

impl Layer {
    pub fn name(&self) -> &'static str {
        self.proto.name
    }
    /// The value of the field called `name`; of several rows with that name (one per
    /// condition), the one present.
    pub fn get(&self, name: &str) -> Option<&Value> {
        let mut first = None;
        for (f, v) in self.proto.fields.iter().zip(&self.values) {
            if f.name == name {
                if !v.is_absent() {
                    return Some(v);
                }
                first = first.or(Some(v));
            }
        }
        first
    }
    /// The integer value of the field called `name`.
    pub fn int(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(Value::int)
    }
    /// Fields that are on the wire, with their values.
    pub fn present(&self) -> impl Iterator<Item = (&'static Field, &Value)> {
        self.proto
            .fields
            .iter()
            .zip(&self.values)
            .filter(|(_, v)| !v.is_absent())
    }
}

/// Renders a flag field as scapy does: `"SA"`, `"DF"`, `"MF+DF"`, `""`. A set bit without a
/// name (scapy writes `?`) is written as its value, `"INFO_FLAG_CONFIG+0x200"`, so the text
/// still says every bit (never needed for TCP's 9 or IP's 3 bits, all named).
pub fn flag_string(v: u64, names: FlagNames, out: &mut String) {
    match names {
        FlagNames::Chars(s) => {
            for (i, c) in s.chars().enumerate() {
                if v & (1 << i) != 0 {
                    out.push(c);
                }
            }
        }
        FlagNames::Words(w) => {
            let mut first = true;
            for i in 0..64 {
                if v & (1 << i) != 0 {
                    if !first {
                        out.push('+');
                    }
                    match w.get(i) {
                        Some(n) => out.push_str(n),
                        None => {
                            out.push_str("0x");
                            let h = format!("{:x}", 1u64 << i);
                            out.push_str(&h);
                        }
                    }
                    first = false;
                }
            }
        }
    }
}

/// The bytes of a hex string (either case); an odd length or a non-hex character is refused.
pub fn unhex(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(format!("'{s}' is not hex (odd length)"));
    }
    let digit = |c: u8| (c as char).to_digit(16);
    b.chunks_exact(2)
        .map(|p| match (digit(p[0]), digit(p[1])) {
            (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
            _ => Err(format!("'{s}' is not hex")),
        })
        .collect()
}

/// Whether [`flag_string`] of `v` reads back to `v`: every set bit has a name, and no other bit
/// the same one (BOOTP's flags name fifteen bits `?`).
pub fn flags_invertible(v: u64, names: FlagNames) -> bool {
    let (n, unique): (usize, &dyn Fn(usize) -> bool) = match names {
        FlagNames::Chars(s) => (s.len(), &|i| {
            let c = s.as_bytes()[i];
            s.bytes().filter(|&d| d == c).count() == 1
        }),
        FlagNames::Words(w) => (w.len(), &|i| w.iter().filter(|&&x| x == w[i]).count() == 1),
    };
    (0..64).all(|i| v & (1 << i) == 0 || (i < n && unique(i)))
}

/// Formats a MAC address in lower-case colon form.
pub fn fmt_mac(m: &[u8], out: &mut String) {
    for (i, b) in m.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        push_hex_byte(*b, out);
    }
}

/// Formats an IPv4 address dotted.
pub fn fmt_ip4(a: &[u8; 4], out: &mut String) {
    for (i, b) in a.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_int(*b as u64, out);
    }
}

/// Appends a decimal integer (the hot path of every view: no `fmt` machinery).
pub fn push_int(v: u64, out: &mut String) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// Formats an IPv6 address in RFC 5952 form: lower-case, no leading zeros, the longest run of
/// two or more zero groups (the first of equal runs) as `::`. IPv4-mapped addresses are written
/// in hex too (`::ffff:c000:201`), as Python's `ipaddress` writes them.
pub fn fmt_ip6(a: &[u8; 16], out: &mut String) {
    let g: [u16; 8] = std::array::from_fn(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]));
    let (mut best, mut best_len, mut run, mut run_len) = (8, 0, 0, 0);
    for (i, &w) in g.iter().enumerate() {
        if w == 0 {
            if run_len == 0 {
                run = i;
            }
            run_len += 1;
            if run_len > best_len {
                (best, best_len) = (run, run_len);
            }
        } else {
            run_len = 0;
        }
    }
    if best_len < 2 {
        best = 8;
    }
    let mut i = 0;
    while i < 8 {
        if i == best {
            out.push_str("::");
            i += best_len;
            continue;
        }
        if i > 0 && i != best + best_len {
            out.push(':');
        }
        push_hex_u16(g[i], out);
        i += 1;
    }
}

fn push_hex_u16(w: u16, out: &mut String) {
    let mut started = false;
    for shift in [12, 8, 4, 0] {
        let d = (w >> shift) & 15;
        if d != 0 || started || shift == 0 {
            out.push(HEX[d as usize] as char);
            started = true;
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Two lower-case hex digits for every byte value.
static HEX_PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [HEX[i >> 4], HEX[i & 15]];
        i += 1;
    }
    t
};

pub fn push_hex_byte(b: u8, out: &mut String) {
    out.push(HEX[(b >> 4) as usize] as char);
    out.push(HEX[(b & 15) as usize] as char);
}

/// Lower-case hex of a byte string (payloads make this the hottest loop of `--json`).
pub fn fmt_hex(bytes: &[u8], out: &mut String) {
    // SAFETY: only ASCII hex digits are appended, so the string stays valid UTF-8.
    let v = unsafe { out.as_mut_vec() };
    let start = v.len();
    v.resize(start + bytes.len() * 2, 0);
    let dst = &mut v[start..];
    let mut chunks = bytes.chunks_exact(16);
    let mut at = 0;
    for c in &mut chunks {
        hex16(
            c.try_into().expect("16 bytes"),
            (&mut dst[at..at + 32]).try_into().expect("32 bytes"),
        );
        at += 32;
    }
    for (pair, b) in dst[at..].chunks_exact_mut(2).zip(chunks.remainder()) {
        pair.copy_from_slice(&HEX_PAIRS[*b as usize]);
    }
}

/// 16 bytes to 32 hex digits at once.
#[cfg(target_arch = "x86_64")]
fn hex16(src: &[u8; 16], dst: &mut [u8; 32]) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of the x86_64 baseline; loads and stores are unaligned and within
    // the two arrays.
    unsafe {
        let v = _mm_loadu_si128(src.as_ptr() as *const __m128i);
        let mask = _mm_set1_epi8(0x0f);
        let hi = _mm_and_si128(_mm_srli_epi16(v, 4), mask);
        let lo = _mm_and_si128(v, mask);
        let digits = |x: __m128i| {
            let letter = _mm_and_si128(
                _mm_cmpgt_epi8(x, _mm_set1_epi8(9)),
                _mm_set1_epi8(b'a' as i8 - b'0' as i8 - 10),
            );
            _mm_add_epi8(_mm_add_epi8(x, _mm_set1_epi8(b'0' as i8)), letter)
        };
        _mm_storeu_si128(
            dst.as_mut_ptr() as *mut __m128i,
            digits(_mm_unpacklo_epi8(hi, lo)),
        );
        _mm_storeu_si128(
            dst.as_mut_ptr().add(16) as *mut __m128i,
            digits(_mm_unpackhi_epi8(hi, lo)),
        );
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn hex16(src: &[u8; 16], dst: &mut [u8; 32]) {
    for (pair, b) in dst.chunks_exact_mut(2).zip(src) {
        pair.copy_from_slice(&HEX_PAIRS[*b as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_text_is_rfc5952() {
        let cases = [
            "::",
            "::1",
            "2001:db8::1",
            "2001:db8:0:1:1:1:1:1",
            "2001:0:0:1::1",
            "fe80::fc:ff:fe00:1",
            "1::",
            "2001:db8::1:0:0:1",
            "ff02::1:ff00:2",
            "1:2:3:4:5:6:7:8",
            "::ffff:c000:201",
        ];
        for c in cases {
            let a: std::net::Ipv6Addr = c.parse().unwrap();
            let mut s = String::new();
            fmt_ip6(&a.octets(), &mut s);
            assert_eq!(s, c);
        }
    }

    #[test]
    fn signed_values_and_unnamed_flag_bits() {
        assert_eq!(signed(0xe9, 8), -23);
        assert_eq!(signed(0x7f, 8), 127);
        assert_eq!(signed(0x80, 8), -128);
        assert_eq!(signed(u64::MAX, 64), -1);
        assert_eq!(Kind::SInt(8).int_bits(), Some(8));
        assert_eq!(Kind::FixedPoint(64, 32).int_bits(), Some(64));
        assert_eq!(Kind::Bytes.int_bits(), None);
        let mut s = String::new();
        flag_string(0b1010, FlagNames::Words(&["A", "B"]), &mut s);
        assert_eq!(s, "B+0x8", "an unnamed bit is written as its value");
        s.clear();
        flag_string(0, FlagNames::Words(&["A"]), &mut s);
        assert_eq!(s, "");
    }

    #[test]
    fn hex_of_every_length_and_byte() {
        let all: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
        for n in [0, 1, 15, 16, 17, 31, 32, 33, 200, 512] {
            let mut s = String::from("x");
            fmt_hex(&all[..n], &mut s);
            let want: String = all[..n].iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(s, format!("x{want}"), "length {n}");
        }
    }
}
