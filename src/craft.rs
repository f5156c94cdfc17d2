//! Expression → packets: each layer of the parsed expression becomes a [`Layer`] with its
//! defaults, the arguments set its fields (read by the field's kind), and field sets — a list,
//! an inclusive `(min, max)` range, a network — expand into the cross product in scapy's order.

use crate::build::{FitError, Template, build_into, max_of, new_layer, parse_mac};
use crate::expr::{self, Diagnostic, LayerExpr, Span, ValueExpr};
use crate::layers::field::Chain;
use crate::layers::{Field, FlagNames, Kind, Layer, LenByte, OptionSet, TcpOption, Value, tcp};
use std::net::{Ipv4Addr, Ipv6Addr};

/// At most this many packets from one expression (a /8 would be 16 million).
pub const MAX_PACKETS: usize = 1 << 20;

/// Every packet the expression describes, each as its layers.
pub fn compile(src: &str) -> Result<Vec<Vec<Layer>>, Diagnostic> {
    let set = compile_set(src)?;
    Ok((0..set.len()).map(|i| set.packet(i)).collect())
}

/// The packets an expression describes, without making each one: a base packet and the fields
/// that vary. Packet `i` reads `i` as a mixed-radix number whose first digit is `vary[0]`:
/// scapy's order, where the innermost layer varies fastest and, within a layer, the first
/// field given.
pub struct PacketSet {
    pub base: Vec<Layer>,
    pub vary: Vec<Vary>,
    len: usize,
}

/// A field that takes several values across a packet set.
pub struct Vary {
    pub layer: usize,
    pub field: usize,
    pub values: Vec<Value>,
}

impl PacketSet {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Packet `i`'s layers.
    pub fn packet(&self, mut i: usize) -> Vec<Layer> {
        let mut layers = self.base.clone();
        for v in &self.vary {
            layers[v.layer].values[v.field] = v.values[i % v.values.len()].clone();
            i /= v.values.len();
        }
        layers
    }
    /// Builds every packet of the set, `rounds` times over, handing each one's bytes to `f`.
    /// When every varying field can be rewritten in place, one built packet is patched (the
    /// fields, then its checksums) instead of building each from scratch.
    pub fn build_each<E>(
        &self,
        rounds: u64,
        mut f: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut digits = vec![0usize; self.vary.len()];
        // Steps the odometer; returns how many digits changed (the low ones).
        let step = |digits: &mut [usize]| {
            for (j, d) in digits.iter_mut().enumerate() {
                *d += 1;
                if *d < self.vary[j].values.len() {
                    return j + 1;
                }
                *d = 0;
            }
            digits.len()
        };
        let fields: Vec<(usize, usize, &[Value])> = self
            .vary
            .iter()
            .map(|v| (v.layer, v.field, &v.values[..]))
            .collect();
        if let Some((mut t, slots)) = Template::new(self.packet(0), &fields) {
            for _ in 0..rounds {
                for _ in 0..self.len {
                    f(t.bytes())?;
                    let changed = step(&mut digits);
                    for j in 0..changed {
                        t.set(slots[j], &self.vary[j].values[digits[j]]);
                    }
                }
            }
            return Ok(());
        }
        let mut layers = self.packet(0);
        let mut buf = Vec::new();
        for _ in 0..rounds {
            for _ in 0..self.len {
                build_into(&layers, &mut buf);
                f(&buf)?;
                step(&mut digits);
                for (v, &d) in self.vary.iter().zip(&digits) {
                    layers[v.layer].values[v.field] = v.values[d].clone();
                }
            }
        }
        Ok(())
    }
}

/// A field (its row in the layer's table) and the values it takes.
type FieldSet = (usize, Vec<Value>);

/// The packet set an expression describes. Every packet of it fits: a computed length that
/// does not fit its field (`IP()/Raw(load=<70,000 bytes>)`) is refused here, the caret on its
/// layer ([`FitError`]).
pub fn compile_set(src: &str) -> Result<PacketSet, Diagnostic> {
    let e = expr::parse(src)?;
    expr::check_names(&e)?;
    let mut base = Vec::new();
    let mut per_layer = Vec::new();
    let mut total: usize = 1;
    for (i, le) in e.layers.iter().enumerate() {
        let lower = base.last().map(|l: &Layer| l.proto);
        let (layer, sets) = layer_sets(le, lower, &mut total)?;
        base.push(layer);
        per_layer.push(sets.into_iter().map(move |(field, values)| Vary {
            layer: i,
            field,
            values,
        }));
    }
    overload(&e.layers, &mut base);
    // Inner layers vary fastest.
    let vary = per_layer.into_iter().rev().flatten().collect();
    let set = PacketSet {
        base,
        vary,
        len: total,
    };
    fit::check(&set).map_err(|m| fit_diagnostic(&e.layers, &m))?;
    Ok(set)
}

/// The defaults an upper layer gives the layer below it, where the expression leaves that field
/// unset (scapy's `overload_fields`, from the binding table: Neighbor Discovery's IPv6 hop
/// limit 255 and all-nodes destination).
fn overload(exprs: &[LayerExpr], base: &mut [Layer]) {
    for i in 1..base.len() {
        let (lower, upper) = (base[i - 1].proto, base[i].proto);
        for &(field, def) in crate::layers::bind::overloads(lower, upper) {
            if exprs[i - 1].args.iter().any(|a| a.name == field) {
                continue;
            }
            if let Some(k) = lower.fields.iter().position(|f| f.name == field) {
                let f = Field {
                    default: def,
                    ..lower.fields[k]
                };
                base[i - 1].values[k] = crate::build::default_value(&f);
            }
        }
    }
}

/// A computed field that does not fit, as the expression's error: the caret on its layer.
pub fn fit_diagnostic(layers: &[LayerExpr], m: &FitError) -> Diagnostic {
    let span = layers.get(m.layer).map_or(0..0, |l| l.span.clone());
    Diagnostic::new(span, m.to_string()).with_help(m.help())
}

/// Counts a field set into the packets of the expression so far, refusing more than
/// [`MAX_PACKETS`], the caret on the field that takes it over.
fn count_in(total: &mut usize, n: usize, what: &str, span: Span) -> Result<(), Diagnostic> {
    let product = *total as u128 * n as u128;
    if product > MAX_PACKETS as u128 {
        return Err(Diagnostic::new(
            span,
            format!(
                "this expression would make {product} packets, more than the limit of {MAX_PACKETS} \
                 per expression: {what}'s {n} values take it from {total} to {product}"
            ),
        ));
    }
    *total = product as usize;
    Ok(())
}

/// A field set of `count` packets (`count` written out), more than an expression makes.
fn set_too_big(span: &Span, what: &str, given: &str, count: &str) -> Diagnostic {
    Diagnostic::new(
        span.clone(),
        format!(
            "{what}={given} would make {count} packets, more than the limit of {MAX_PACKETS} \
             per expression"
        ),
    )
}

/// The layers one layer expression stands for (an option's layer takes one value per field).
fn layer_combos(le: &LayerExpr) -> Result<Vec<Layer>, Diagnostic> {
    let (base, sets) = layer_sets(le, None, &mut 1)?;
    if sets.is_empty() {
        return Ok(vec![base]);
    }
    let set = PacketSet {
        len: sets.iter().map(|(_, v)| v.len()).product(),
        base: vec![base],
        vary: sets
            .into_iter()
            .map(|(field, values)| Vary {
                layer: 0,
                field,
                values,
            })
            .collect(),
    };
    Ok((0..set.len()).map(|i| set.packet(i).remove(0)).collect())
}

/// One layer expression: the layer with its single-valued fields set, and the fields that take
/// several values (in the order given; scapy varies the first fastest). A field is given at most
/// once (the name check refuses a second). The sets' sizes multiply into `total`. The layer is
/// of the form its lower layer chooses (DNS over TCP: [`crate::layers::Proto::form`]).
fn layer_sets(
    le: &LayerExpr,
    lower: Option<&'static crate::layers::Proto>,
    total: &mut usize,
) -> Result<(Layer, Vec<FieldSet>), Diagnostic> {
    let proto = expr::value_proto_by_name(&le.name)
        .ok_or_else(|| {
            Diagnostic::new(le.name_span.clone(), format!("unknown layer '{}'", le.name))
        })?
        .form(lower, None);
    let mut base = new_layer(proto);
    if let Some((v, span)) = &le.raw {
        base.values[0] = Value::Bytes(bytes_of(v, span, "Raw.load")?);
        return Ok((base, Vec::new()));
    }
    let sets = rows::set_args(&mut base, &le.args, total)?;
    Ok((base, sets))
}

/// The values an argument gives a field (several for a field set); the NDJSON reader uses it
/// too, so a field's kind is read the same way from an expression and from a record.
pub fn values_for(
    base: &Layer,
    f: &'static Field,
    v: &ValueExpr,
    span: &Span,
) -> Result<Vec<Value>, Diagnostic> {
    let what = format!("{}.{}", base.proto.name, f.name);
    match (v, f.kind) {
        (ValueExpr::None, _) => Ok(vec![crate::build::default_value(f)]),
        (_, Kind::Coded(c)) => coded::value(base, f, c, v, span),
        // A list of scalars is a field set; for list-valued kinds it is the value itself.
        (ValueExpr::List(items), Kind::Int(_) | Kind::LeInt(_) | Kind::Flags(..) | Kind::SInt(_) | Kind::FixedPoint(..) | Kind::Mac | Kind::Ip4 | Kind::Ip6) => {
            let mut out = Vec::new();
            for (item, s) in items {
                out.extend(values_for(base, f, item, s)?);
            }
            if out.is_empty() {
                return Err(Diagnostic::new(span.clone(), format!("{what}: an empty list makes no packet")));
            }
            Ok(out)
        }
        (ValueExpr::Tuple(items), Kind::Int(bits) | Kind::Flags(bits, _)) if items.len() == 2 => {
            let lo = int_in(&items[0].0, &items[0].1, bits, &what)?;
            let hi = int_in(&items[1].0, &items[1].1, bits, &what)?;
            if hi < lo {
                return Err(Diagnostic::new(span.clone(), format!("{what}: the range ({lo}, {hi}) is empty")));
            }
            if hi - lo >= MAX_PACKETS as u64 {
                let count = (u128::from(hi - lo) + 1).to_string();
                return Err(set_too_big(span, &what, &format!("({lo}, {hi})"), &count));
            }
            Ok((lo..=hi).map(Value::Int).collect())
        }
        // An enumerated field by its name (scapy's `qtype="AAAA"`).
        (ValueExpr::Str(s), Kind::Int(_))
            if let Some(v) = f.names.and_then(|n| crate::layers::field::value_of(n, s)) =>
        {
            Ok(vec![Value::Int(v)])
        }
        (_, Kind::Int(bits)) => Ok(vec![Value::Int(int_in(v, span, bits, &what)?)]),
        (_, Kind::SInt(bits)) => Ok(vec![Value::Int(sint_in(v, span, bits, &what)?)]),
        (_, Kind::FixedPoint(bits, frac)) => Ok(vec![Value::Int(fixed_in(v, span, bits, frac, &what)?)]),
        // A sub-record: a layer of a class the field takes, or its bytes as they are.
        (ValueExpr::Layer(_), Kind::Packet(spec)) => {
            let one = [(v.clone(), span.clone())];
            records_of(&one, spec.what, spec.accepts, false, &what)
        }
        (ValueExpr::Bytes(_) | ValueExpr::Str(_), Kind::Packet(_)) => Ok(vec![Value::Bytes(bytes_of(v, span, &what)?)]),
        (ValueExpr::Layer(_), Kind::Packets(spec)) => {
            let one = [(v.clone(), span.clone())];
            records_of(&one, spec.what, spec.accepts, false, &what)
        }
        (ValueExpr::List(items), Kind::Packets(spec)) => records_of(items, spec.what, spec.accepts, false, &what),
        (_, Kind::LeInt(bytes)) => Ok(vec![Value::Int(int_in(v, span, bytes * 8, &what)?)]),
        (ValueExpr::Str(s), Kind::Flags(bits, names)) => Ok(vec![Value::Int(flags_from(s, names, bits).ok_or_else(
            || Diagnostic::new(span.clone(), format!("{what}: '{s}' is not a flag string")).with_help(flag_help(names)),
        )?)]),
        (_, Kind::Flags(bits, names)) => int_in(v, span, bits, &what)
            .map(|x| vec![Value::Int(x)])
            .map_err(|d| d.with_help(flag_help(names))),
        (ValueExpr::Str(s), Kind::Name) => crate::layers::field::Name::from_text(s)
            .map(|n| vec![Value::Name(Box::new(n))])
            .map_err(|e| Diagnostic::new(span.clone(), format!("{what}: {e}"))),
        (ValueExpr::Bytes(b), Kind::Name) => std::str::from_utf8(b)
            .map_err(|_| format!("{what}: a name as bytes must be text"))
            .and_then(|s| crate::layers::field::Name::from_text(s).map_err(|e| format!("{what}: {e}")))
            .map(|n| vec![Value::Name(Box::new(n))])
            .map_err(|e| Diagnostic::new(span.clone(), e)),
        // Records: one, or a list of them, each a layer of a class the list takes.
        (ValueExpr::Layer(_) | ValueExpr::Stack(_), Kind::List(spec)) => {
            let one = [(v.clone(), span.clone())];
            records_of(&one, spec.what, spec.accepts, spec.chain != Chain::None, &what)
        }
        (ValueExpr::List(items), Kind::List(spec)) => records_of(items, spec.what, spec.accepts, spec.chain != Chain::None, &what),
        (ValueExpr::Str(s), Kind::Mac) => parse_mac(s)
            .map(|m| vec![Value::Mac(m)])
            .ok_or_else(|| Diagnostic::new(span.clone(), format!("{what} expects a MAC address like \"02:00:00:00:00:01\""))),
        (ValueExpr::Str(s), Kind::Ip4) => ip4_set(s).map_err(|e| match e {
            Some(bits) => set_too_big(span, &what, &format!("{s:?}"), &pow2(bits))
                .with_help(format!("a network makes a packet per address: at most a /{} for IPv4", 32 - MAX_PACKETS.ilog2())),
            None => Diagnostic::new(span.clone(), format!("{what} expects an IPv4 address or network like \"192.0.2.1\" or \"192.0.2.0/30\"")),
        }),
        (ValueExpr::Str(s), Kind::Ip6) => ip6_set(s).map_err(|e| match e {
            Some(bits) => set_too_big(span, &what, &format!("{s:?}"), &pow2(bits))
                .with_help(format!("a network makes a packet per address: at most a /{} for IPv6", 128 - MAX_PACKETS.ilog2())),
            None => Diagnostic::new(span.clone(), format!("{what} expects an IPv6 address or network like \"2001:db8::1\"")),
        }),
        (_, Kind::Bytes) => Ok(vec![Value::Bytes(bytes_of(v, span, &what)?)]),
        (_, Kind::Fixed { len, mac }) => {
            let mut b = match v {
                ValueExpr::Str(s) if mac && parse_mac(s).is_some() => {
                    parse_mac(s).expect("a MAC").to_vec()
                }
                _ => bytes_of(v, span, &what)?,
            };
            if b.len() > len as usize {
                return Err(Diagnostic::new(
                    span.clone(),
                    format!("{what} holds {len} bytes, this value has {}", b.len()),
                ));
            }
            // scapy's StrFixedLenField: padded with zeros.
            b.resize(len as usize, 0);
            Ok(vec![Value::Bytes(b)])
        }
        (ValueExpr::List(items), Kind::Tlv(t)) => Ok(vec![Value::Bytes(tlv::options(t, items)?)]),
        (ValueExpr::List(items), Kind::TcpOptions) => {
            let mut opts = Vec::new();
            for (item, s) in items {
                opts.push(tcp_option(item, s)?);
            }
            Ok(vec![Value::TcpOptions(opts)])
        }
        (ValueExpr::List(items), Kind::Options(set)) => {
            let mut opts = Vec::new();
            for (item, s) in items {
                let ValueExpr::Layer(le) = item else {
                    return Err(option_error(set, s));
                };
                let mut combos = layer_combos(le)?;
                if combos.len() != 1 || !option_fits(set, combos[0].proto.name) {
                    return Err(option_error(set, s));
                }
                opts.push(combos.remove(0));
            }
            Ok(vec![Value::Options(opts)])
        }
        (ValueExpr::List(items), Kind::Ip6List) => {
            let mut addrs = Vec::new();
            for (item, s) in items {
                match item {
                    ValueExpr::Str(t) => addrs.push(
                        t.parse::<Ipv6Addr>()
                            .map_err(|_| Diagnostic::new(s.clone(), format!("{what} expects IPv6 addresses")))?
                            .octets(),
                    ),
                    _ => return Err(Diagnostic::new(s.clone(), format!("{what} expects IPv6 addresses"))),
                }
            }
            Ok(vec![Value::Ip6List(addrs)])
        }
        _ => Err(Diagnostic::new(span.clone(), format!("{what} expects {}", kind_words(f.kind)))),
    }
}

/// The records of a list field, each compiled from its layer expression.
fn records_of(
    items: &[(ValueExpr, Span)],
    takes: &str,
    accepts: fn(&str) -> bool,
    chained: bool,
    what: &str,
) -> Result<Vec<Value>, Diagnostic> {
    let mut records = Vec::with_capacity(items.len());
    for (item, s) in items {
        let wrong = || {
            Diagnostic::new(s.clone(), format!("{what} takes {takes} records")).with_help(format!(
                "e.g. {what}=[{}(…)]",
                takes.split(' ').next().unwrap_or("")
            ))
        };
        // A stack is a record and its payload, one after the other in the list (a list whose
        // elements keep their payload: `Chain`).
        let stack = match item {
            ValueExpr::Layer(le) => std::slice::from_ref(le.as_ref()),
            ValueExpr::Stack(layers) if chained => layers.as_slice(),
            _ => return Err(wrong()),
        };
        for le in stack {
            let mut combos = layer_combos(le)?;
            if combos.len() != 1 || !accepts(combos[0].proto.name) {
                return Err(wrong());
            }
            records.push(combos.remove(0));
        }
    }
    Ok(vec![Value::Options(records)])
}

fn option_fits(set: OptionSet, name: &str) -> bool {
    let ip = name.starts_with("IPOption");
    match set {
        OptionSet::Ip => ip,
        OptionSet::Ip6 => !ip,
    }
}

fn option_error(set: OptionSet, span: &Span) -> Diagnostic {
    let (msg, help) = match set {
        OptionSet::Ip => (
            "IP options are a list of IPOption classes",
            "e.g. options=[IPOption_NOP(), IPOption_Router_Alert()]",
        ),
        OptionSet::Ip6 => (
            "IPv6 options are a list of option classes",
            "e.g. options=[RouterAlert(), PadN(optdata=b\"\\x00\\x00\")]",
        ),
    };
    Diagnostic::new(span.clone(), msg).with_help(help)
}

/// What a value of this kind looks like, for error messages.
pub fn kind_words(kind: Kind) -> String {
    match kind {
        Kind::Int(bits) => format!(
            "an integer from 0 to {}, a list or a (min, max) range",
            max_of(bits)
        ),
        Kind::LeInt(n) => format!("an integer from 0 to {}", max_of(n * 8)),
        Kind::SInt(bits) => format!(
            "an integer from -{} to {}",
            1u64 << (bits - 1),
            max_of(bits - 1)
        ),
        Kind::FixedPoint(bits, frac) => format!(
            "a number from 0 to below {} (an integer or a decimal like 1.5)",
            1u128 << (bits - frac)
        ),
        Kind::Packet(spec) => format!("a {} record, or its bytes", spec.what),
        Kind::Packets(spec) => format!("a {} record or a list of them", spec.what),
        Kind::Flags(..) => "a flag string or an integer".into(),
        Kind::Mac => "a MAC address string".into(),
        Kind::Ip4 => "an IPv4 address string".into(),
        Kind::Ip6 => "an IPv6 address string".into(),
        Kind::Bytes => "a string or a byte string".into(),
        Kind::Fixed { len, mac: false } => {
            format!("a string or a byte string (of {len} bytes at most)")
        }
        Kind::Fixed { len, mac: true } => {
            format!("a MAC address string or a byte string (of {len} bytes at most)")
        }
        Kind::TcpOptions => {
            "a list of (name, value) pairs, e.g. [(\"MSS\", 1460), (\"SAckOK\", b\"\")]".into()
        }
        Kind::Options(_) => "a list of option classes".into(),
        Kind::Ip6List => "a list of IPv6 address strings".into(),
        Kind::Name => "a DNS name string, e.g. \"www.example.com\"".into(),
        Kind::List(_) => "a record or a list of records".into(),
        Kind::Tlv(t) => format!(
            "a list of {}: (name, value, …) tuples or names, e.g. [(\"message-type\", \"discover\"), \"end\"]",
            t.what
        ),
        Kind::Coded(c) => crate::layers::coded::words(c).into(),
    }
}

/// 2^bits, written out.
fn pow2(bits: u32) -> String {
    match 1u128.checked_shl(bits) {
        Some(n) if bits < 128 => n.to_string(),
        _ => format!("2^{bits}"),
    }
}

fn int_in(v: &ValueExpr, span: &Span, bits: u8, what: &str) -> Result<u64, Diagnostic> {
    let n = match v {
        ValueExpr::Int(n) => *n,
        ValueExpr::Bool(b) => *b as i128,
        _ => {
            return Err(Diagnostic::new(
                span.clone(),
                format!("{what} expects an integer from 0 to {}", max_of(bits)),
            ));
        }
    };
    if n < 0 || n as u128 > max_of(bits) as u128 {
        return Err(Diagnostic::new(
            span.clone(),
            format!(
                "{what}={n} does not fit in {bits} bits (0 to {})",
                max_of(bits)
            ),
        ));
    }
    Ok(n as u64)
}

/// A signed integer for a [`Kind::SInt`] field, as its two's-complement bits.
fn sint_in(v: &ValueExpr, span: &Span, bits: u8, what: &str) -> Result<u64, Diagnostic> {
    let lo = -(1i128 << (bits - 1));
    let hi = (1i128 << (bits - 1)) - 1;
    let range = || format!("{what} expects an integer from {lo} to {hi}");
    let n = match v {
        ValueExpr::Int(n) => *n,
        ValueExpr::Bool(b) => *b as i128,
        _ => return Err(Diagnostic::new(span.clone(), range())),
    };
    if !(lo..=hi).contains(&n) {
        return Err(Diagnostic::new(
            span.clone(),
            format!("{what}={n} does not fit in {bits} signed bits ({lo} to {hi})"),
        ));
    }
    Ok((n as i64 as u64) & max_of(bits))
}

/// A number for a [`Kind::FixedPoint`] field, as scapy's `FixedPointField` takes it: the whole part
/// shifted by `frac` bits, the fraction's `frac` bits truncated (`int((v - int(v)) * 2**frac)`,
/// in double precision, as Python computes it).
fn fixed_in(v: &ValueExpr, span: &Span, bits: u8, frac: u8, what: &str) -> Result<u64, Diagnostic> {
    let whole_bits = bits - frac;
    let bad = || {
        Diagnostic::new(
            span.clone(),
            format!(
                "{what} expects a number from 0 to below {} (an integer or a decimal like 1.5)",
                1u128 << whole_bits
            ),
        )
    };
    let (ival, fract) = match v {
        ValueExpr::Int(n) if *n >= 0 => (*n as u128, 0u128),
        ValueExpr::Decimal(t) => {
            let x: f64 = t.parse().map_err(|_| bad())?;
            if !(x >= 0.0 && x.is_finite()) {
                return Err(bad());
            }
            let i = x.trunc();
            (i as u128, ((x - i) * (2f64).powi(i32::from(frac))) as u128)
        }
        _ => return Err(bad()),
    };
    if ival >> whole_bits != 0 {
        return Err(bad());
    }
    Ok(((ival << frac) | fract) as u64)
}

fn flags_from(s: &str, names: FlagNames, bits: u8) -> Option<u64> {
    let mut v = 0u64;
    match names {
        FlagNames::Chars(chars) => {
            for c in s.chars() {
                v |= 1 << chars.find(c)?;
            }
        }
        FlagNames::Words(words) => {
            for w in s.split(['+', '|', ' ', ',']).filter(|w| !w.is_empty()) {
                // A bit without a name is written as its value.
                v |= match w.strip_prefix("0x") {
                    Some(h) => u64::from_str_radix(h, 16).ok()?,
                    None => 1 << words.iter().position(|n| *n == w)?,
                };
            }
        }
    }
    (v <= max_of(bits)).then_some(v)
}

fn flag_help(names: FlagNames) -> String {
    match names {
        FlagNames::Chars(c) => format!("flags are letters of {c}, e.g. \"SA\""),
        FlagNames::Words(w) => format!(
            "flags are {} joined by '+', e.g. \"{}\"",
            w.join(", "),
            w[w.len().min(2) - 1]
        ),
    }
}

fn bytes_of(v: &ValueExpr, span: &Span, what: &str) -> Result<Vec<u8>, Diagnostic> {
    match v {
        ValueExpr::Str(s) => Ok(s.as_bytes().to_vec()),
        ValueExpr::Bytes(b) => Ok(b.clone()),
        _ => Err(Diagnostic::new(
            span.clone(),
            format!("{what} expects a string or a byte string"),
        )),
    }
}

/// An address, or every address of a network (`192.0.2.0/30`: four packets, as scapy's `Net`).
/// `Err(Some(bits))`: a network of 2^bits addresses, more packets than an expression makes;
/// `Err(None)`: not an address or network.
fn ip4_set(s: &str) -> Result<Vec<Value>, Option<u32>> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, p.parse::<u32>().ok().filter(|p| *p <= 32).ok_or(None)?),
        None => (s, 32),
    };
    let a = u32::from(addr.parse::<Ipv4Addr>().map_err(|_| None)?);
    let size = 1u64 << (32 - prefix);
    if size as usize > MAX_PACKETS {
        return Err(Some(32 - prefix));
    }
    let first = if prefix == 0 {
        0
    } else {
        a & (u32::MAX << (32 - prefix))
    };
    Ok((0..size)
        .map(|i| Value::Ip4(((first as u64 + i) as u32).to_be_bytes()))
        .collect())
}

/// As [`ip4_set`], for IPv6.
fn ip6_set(s: &str) -> Result<Vec<Value>, Option<u32>> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, p.parse::<u32>().ok().filter(|p| *p <= 128).ok_or(None)?),
        None => (s, 128),
    };
    let a = u128::from(addr.parse::<Ipv6Addr>().map_err(|_| None)?);
    if 1u128 << (128 - prefix).min(127) > MAX_PACKETS as u128 {
        return Err(Some(128 - prefix));
    }
    let size = 1u128 << (128 - prefix);
    let first = if prefix == 0 {
        0
    } else {
        a & (u128::MAX << (128 - prefix))
    };
    Ok((0..size)
        .map(|i| Value::Ip6((first + i).to_be_bytes()))
        .collect())
}

/// One TCP option from scapy's `(name, value)` form.
fn tcp_option(v: &ValueExpr, span: &Span) -> Result<TcpOption, Diagnostic> {
    let bad = |msg: &str| {
        Diagnostic::new(span.clone(), msg.to_string())
            .with_help("TCP options: (\"MSS\", 1460), (\"WScale\", 7), (\"SAckOK\", b\"\"), (\"Timestamp\", (tsval, tsecr)), (\"SAck\", (l, r, …)), (\"NOP\", None), (\"EOL\", None), (kind, b\"bytes\")")
    };
    let ValueExpr::Tuple(items) = v else {
        return Err(bad("a TCP option is a (name, value) pair"));
    };
    let (name, val, len_byte) = match items.as_slice() {
        [(n, _), (v, _)] => (n, v, LenByte::Derived),
        [(n, _), (v, _), (ValueExpr::Int(b), _)] if (0..=255).contains(b) => {
            (n, v, LenByte::Wire(*b as u8))
        }
        [(n, _), (v, _), (ValueExpr::None, _)] => (n, v, LenByte::Missing),
        _ => return Err(bad("a TCP option is a (name, value) pair")),
    };
    let kind = match name {
        ValueExpr::Str(n) => (0..=255u8)
            .find(|k| tcp::option_name(*k) == Some(n.as_str()))
            .ok_or_else(|| bad(&format!("unknown TCP option '{n}'")))?,
        ValueExpr::Int(k) if (0..=255).contains(k) => *k as u8,
        _ => return Err(bad("a TCP option is named by a string or a kind number")),
    };
    let ints = |v: &ValueExpr| -> Option<Vec<u64>> {
        match v {
            ValueExpr::Int(n) => Some(vec![u64::try_from(*n).ok()?]),
            ValueExpr::Tuple(xs) | ValueExpr::List(xs) => xs
                .iter()
                .map(|(x, _)| match x {
                    ValueExpr::Int(n) => u64::try_from(*n).ok(),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    };
    let be = |xs: &[u64], width: usize| -> Vec<u8> {
        xs.iter()
            .flat_map(|x| x.to_be_bytes()[8 - width..].to_vec())
            .collect()
    };
    // An EOL given its bytes (even none) marks where the area ends: no zeros are implied after
    // it (see `build::serialize`).
    let len_byte = match (kind, val) {
        (0, ValueExpr::Bytes(_) | ValueExpr::Str(_)) => LenByte::Missing,
        _ => len_byte,
    };
    let data = match (kind, val) {
        (_, ValueExpr::Bytes(b)) => b.clone(),
        (_, ValueExpr::Str(s)) => s.as_bytes().to_vec(),
        (0 | 1, ValueExpr::None) | (4, ValueExpr::None) => Vec::new(),
        (2 | 28, v) => be(
            &ints(v)
                .filter(|x| x.len() == 1)
                .ok_or_else(|| bad("this option takes one integer"))?,
            2,
        ),
        (3, v) => be(
            &ints(v)
                .filter(|x| x.len() == 1)
                .ok_or_else(|| bad("WScale takes one integer"))?,
            1,
        ),
        (5, v) => be(
            &ints(v).ok_or_else(|| bad("SAck takes a tuple of integers"))?,
            4,
        ),
        (8, v) => be(
            &ints(v)
                .filter(|x| x.len() == 2)
                .ok_or_else(|| bad("Timestamp takes (tsval, tsecr)"))?,
            4,
        ),
        _ => return Err(bad("this option's value is given as a byte string")),
    };
    if data.len() > if kind == 0 { 39 } else { 38 } {
        return Err(bad("a TCP option carries at most 38 bytes"));
    }
    Ok(TcpOption::new(kind, &data).with_len_byte(len_byte))
}

mod coded;
mod fit;
mod rows;
#[cfg(test)]
mod tests;
mod tlv;
