//! TLV option families declared as tables (scapy's `DHCPOptions`): for each one-byte code, its
//! name and the kind of its value. A [`Kind::Tlv`](super::Kind::Tlv) field holds the options'
//! bytes as they are on the wire (a `Value::Bytes`), so a capture serialises back exactly and
//! dissection copies one slice; the views read the options from those bytes with [`items`],
//! as scapy renders them: `[["message-type", 1], ["router", "192.0.2.1"], "end"]`.
//!
//! Reading follows scapy's `DHCPOptionsField.m2i`: `pad` and `end` are one byte; a length past
//! the data, or a value its kind cannot read (an address option of 5 bytes), ends the options:
//! the bytes from there on are one [`Item::Rest`], kept, and reported.

use super::field::{Names, fmt_hex, fmt_ip4, name_of, push_int, unhex};

/// One option family.
#[derive(Debug)]
pub struct TlvTable {
    /// What the options are, for `ls` and messages (`DHCP options`).
    pub what: &'static str,
    pub defs: &'static [TlvDef],
}

/// One code of a family.
#[derive(Clone, Copy, Debug)]
pub struct TlvDef {
    pub code: u8,
    pub name: &'static str,
    pub value: Tv,
}

/// The kind of an option's value.
#[derive(Clone, Copy, Debug)]
pub enum Tv {
    /// One byte, no length (`pad`, `end`).
    Flag,
    /// Bytes that are text (a host or domain name): a JSON string, non-printable bytes as
    /// `\DDD`.
    Text,
    /// Bytes, as hex.
    Bytes,
    /// One or more IPv4 addresses.
    Ip4,
    /// One or more big-endian integers of this many bytes, with names if any.
    Int(u8, Option<Names>),
    /// A list of bytes as numbers (scapy's `FieldListField` of bytes: `param_req_list`).
    ByteList,
    /// RFC 3442 classless static routes, `"192.0.2.0/24:198.51.100.1"` each.
    Routes,
}

/// One option as read from the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// A one-byte option (`pad`, `end`).
    Flag(u8),
    /// Code and value.
    Opt(u8, &'a [u8]),
    /// Bytes from here to the end that are not options (with why).
    Rest(&'a [u8], &'static str),
}

impl TlvTable {
    pub fn by_code(&self, code: u8) -> Option<&'static TlvDef> {
        self.defs.iter().find(|d| d.code == code)
    }
    pub fn by_name(&self, name: &str) -> Option<&'static TlvDef> {
        self.defs.iter().find(|d| d.name == name)
    }
}

/// The options in `b`, in order; the offset of each is where the previous ended.
pub fn items<'a>(t: &'static TlvTable, b: &'a [u8]) -> impl Iterator<Item = (usize, Item<'a>)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = &b[at..];
        let &code = rest.first()?;
        let start = at;
        let def = t.by_code(code);
        if def.is_some_and(|d| matches!(d.value, Tv::Flag)) {
            at += 1;
            return Some((start, Item::Flag(code)));
        }
        let item = match rest.get(1) {
            None => Item::Rest(rest, "an option without its length byte"),
            Some(&n) if rest.len() < 2 + n as usize => Item::Rest(rest, "length past the data"),
            Some(&n) => {
                let data = &rest[2..2 + n as usize];
                match def.map(|d| fits(d.value, data)) {
                    Some(Err(why)) => Item::Rest(rest, why),
                    _ => Item::Opt(code, data),
                }
            }
        };
        at = match item {
            Item::Opt(_, d) => at + 2 + d.len(),
            _ => b.len(),
        };
        Some((start, item))
    })
}

/// Whether a value of this kind reads `data` (scapy stops the options where it does not).
fn fits(v: Tv, data: &[u8]) -> Result<(), &'static str> {
    let whole = |n: usize| {
        if data.is_empty() || !data.len().is_multiple_of(n) {
            Err("a value its option cannot read")
        } else {
            Ok(())
        }
    };
    match v {
        Tv::Ip4 => whole(4),
        Tv::Int(n, _) => whole(n as usize),
        Tv::Routes => routes(data).map(|_| ()),
        Tv::Flag | Tv::Text | Tv::Bytes | Tv::ByteList => Ok(()),
    }
}

/// One RFC 3442 route: destination, prefix width, router.
type Route = ([u8; 4], u8, [u8; 4]);

/// RFC 3442 routes: width, the significant bytes of the destination, the router.
fn routes(mut d: &[u8]) -> Result<Vec<Route>, &'static str> {
    let mut out = Vec::new();
    while let Some(&w) = d.first() {
        let octets = (w as usize).div_ceil(8);
        if w > 32 || d.len() < 1 + octets + 4 {
            return Err("a route its option cannot read");
        }
        let mut dst = [0; 4];
        dst[..octets].copy_from_slice(&d[1..1 + octets]);
        let r = d[1 + octets..5 + octets].try_into().expect("4 bytes");
        out.push((dst, w, r));
        d = &d[5 + octets..];
    }
    Ok(out)
}

/// The first place the options stop being options, and why (for the dissection's errors).
pub fn check(t: &'static TlvTable, b: &[u8]) -> Option<(usize, &'static str)> {
    items(t, b).find_map(|(at, i)| match i {
        Item::Rest(_, why) => Some((at, why)),
        _ => None,
    })
}

/// The NDJSON form: scapy's list of `[name, value…]`, `"end"`, `[code, "hex"]` for a code the
/// table does not name, and the hex of bytes that are not options.
pub fn write_json(t: &'static TlvTable, b: &[u8], out: &mut String) {
    out.push('[');
    for (k, (_, item)) in items(t, b).enumerate() {
        if k > 0 {
            out.push(',');
        }
        match item {
            Item::Flag(code) => {
                out.push('"');
                out.push_str(t.by_code(code).map_or("?", |d| d.name));
                out.push('"');
            }
            Item::Rest(bytes, _) => hex_str(bytes, out),
            Item::Opt(code, data) => {
                out.push('[');
                match t.by_code(code) {
                    None => {
                        push_int(code as u64, out);
                        out.push(',');
                        hex_str(data, out);
                    }
                    Some(d) => {
                        out.push('"');
                        out.push_str(d.name);
                        out.push('"');
                        values(d.value, data, out, true);
                    }
                }
                out.push(']');
            }
        }
    }
    out.push(']');
}

/// scapy's `show` form: `[message-type=discover requested_addr=192.0.2.9 end]`.
pub fn write_show(t: &'static TlvTable, b: &[u8], out: &mut String) {
    out.push('[');
    for (k, (_, item)) in items(t, b).enumerate() {
        if k > 0 {
            out.push(' ');
        }
        match item {
            Item::Flag(code) => out.push_str(t.by_code(code).map_or("?", |d| d.name)),
            Item::Rest(bytes, _) => show_bytes(bytes, out),
            Item::Opt(code, data) => match t.by_code(code) {
                None => {
                    push_int(code as u64, out);
                    out.push('=');
                    show_bytes(data, out);
                }
                Some(d) => {
                    out.push_str(d.name);
                    out.push('=');
                    let mut s = String::new();
                    values(d.value, data, &mut s, false);
                    out.push_str(s.strip_prefix(',').unwrap_or(&s));
                }
            },
        }
    }
    out.push(']');
}

/// The values of one option, each after a comma: JSON (`json`) or `show`'s text.
fn values(v: Tv, data: &[u8], out: &mut String, json: bool) {
    let q = |out: &mut String| {
        if json {
            out.push('"');
        }
    };
    match v {
        Tv::Flag => {}
        Tv::Text => {
            out.push(',');
            if json {
                out.push_str(&serde_json::to_string(&escape_text(data)).unwrap_or_default());
            } else {
                show_bytes(data, out);
            }
        }
        Tv::Bytes => {
            out.push(',');
            if json {
                hex_str(data, out);
            } else {
                show_bytes(data, out);
            }
        }
        Tv::Ip4 => {
            for a in data.chunks_exact(4) {
                out.push(',');
                q(out);
                fmt_ip4(a.try_into().expect("4 bytes"), out);
                q(out);
            }
        }
        Tv::Int(n, names) => {
            for c in data.chunks_exact(n as usize) {
                out.push(',');
                let x = c.iter().fold(0u64, |a, &b| (a << 8) | b as u64);
                match names.and_then(|t| name_of(t, x)) {
                    Some(name) if !json => out.push_str(name),
                    _ => push_int(x, out),
                }
            }
        }
        Tv::ByteList => {
            out.push_str(",[");
            for (i, b) in data.iter().enumerate() {
                if i > 0 {
                    out.push_str(if json { "," } else { ", " });
                }
                push_int(*b as u64, out);
            }
            out.push(']');
        }
        Tv::Routes => {
            out.push_str(",[");
            for (i, (d, w, r)) in routes(data).unwrap_or_default().iter().enumerate() {
                if i > 0 {
                    out.push_str(if json { "," } else { ", " });
                }
                q(out);
                fmt_ip4(d, out);
                out.push('/');
                push_int(*w as u64, out);
                out.push(':');
                fmt_ip4(r, out);
                q(out);
            }
            out.push(']');
        }
    }
}

fn hex_str(b: &[u8], out: &mut String) {
    out.push('"');
    fmt_hex(b, out);
    out.push('"');
}

/// Python's bytes repr, as `show` prints bytes: `b'Home'`.
fn show_bytes(b: &[u8], out: &mut String) {
    out.push_str("b'");
    for &c in b {
        if (0x20..0x7f).contains(&c) && c != b'\'' && c != b'\\' {
            out.push(c as char);
        } else {
            out.push_str("\\x");
            super::field::push_hex_byte(c, out);
        }
    }
    out.push('\'');
}

/// Text bytes as a string: printable ASCII as it is, a backslash as `\\`, anything else as
/// `\DDD` (the presentation escapes of RFC 1035, which [`unescape_text`] reads back).
pub fn escape_text(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            0x20..0x7f => s.push(c as char),
            _ => {
                s.push('\\');
                s.push_str(&format!("{c:03}"));
            }
        }
    }
    s
}

/// The bytes [`escape_text`] wrote (other text as its UTF-8).
pub fn unescape_text(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let d = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(u8::is_ascii_digit));
        match (d, b.get(i + 1)) {
            (Some(d), _) => {
                let v = d.iter().fold(0u32, |a, x| a * 10 + (x - b'0') as u32);
                out.push(u8::try_from(v).map_err(|_| format!("\\{v} is not a byte"))?);
                i += 4;
            }
            (None, Some(&c)) => {
                out.push(c);
                i += 2;
            }
            (None, None) => return Err("a lone backslash at the end".into()),
        }
    }
    Ok(out)
}

/// One value given for an option, before it is encoded by the option's kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Int(i128),
    /// Text: an address, a route, a name of a value, or a text option's bytes.
    Text(String),
    Bytes(Vec<u8>),
    /// A list (`param_req_list`'s numbers, routes).
    List(Vec<Arg>),
}

/// The bytes of an option's value from the values given (scapy's `i2m`: each value by the
/// option's field, one after the other).
pub fn encode(d: &TlvDef, args: &[Arg], out: &mut Vec<u8>) -> Result<(), String> {
    for a in args {
        match (d.value, a) {
            (Tv::Flag, _) => return Err(format!("{} takes no value", d.name)),
            (Tv::Text | Tv::Bytes, Arg::Text(s)) => out.extend_from_slice(s.as_bytes()),
            (Tv::Text | Tv::Bytes, Arg::Bytes(b)) => out.extend_from_slice(b),
            (Tv::Ip4, Arg::Text(s)) => out.extend_from_slice(
                &s.parse::<std::net::Ipv4Addr>()
                    .map_err(|_| format!("{} takes IPv4 addresses, not {s:?}", d.name))?
                    .octets(),
            ),
            (Tv::Int(n, names), _) => {
                let v = match a {
                    Arg::Int(v) => *v,
                    Arg::Text(s) => names
                        .and_then(|t| super::field::value_of(t, s))
                        .map(i128::from)
                        .ok_or_else(|| int_names_error(d, n, names, s))?,
                    _ => return Err(int_names_error(d, n, names, "bytes")),
                };
                let max = (1i128 << (8 * n as u32)) - 1;
                if !(0..=max).contains(&v) {
                    return Err(format!(
                        "{} takes integers from 0 to {max}, not {v}",
                        d.name
                    ));
                }
                out.extend_from_slice(&(v as u64).to_be_bytes()[8 - n as usize..]);
            }
            (Tv::ByteList, Arg::List(xs)) => {
                for x in xs {
                    encode(
                        &TlvDef {
                            value: Tv::Int(1, None),
                            ..*d
                        },
                        std::slice::from_ref(x),
                        out,
                    )?;
                }
            }
            (Tv::ByteList, Arg::Int(_)) => encode(
                &TlvDef {
                    value: Tv::Int(1, None),
                    ..*d
                },
                std::slice::from_ref(a),
                out,
            )?,
            (Tv::Routes, Arg::List(xs)) => encode(d, xs, out)?,
            (Tv::Routes, Arg::Text(s)) => route(s, out).map_err(|e| format!("{}: {e}", d.name))?,
            (_, a) => return Err(format!("{} does not take {}", d.name, arg_what(a))),
        }
    }
    Ok(())
}

fn int_names_error(d: &TlvDef, n: u8, names: Option<Names>, got: &str) -> String {
    let max = (1u128 << (8 * n as u32)) - 1;
    match names {
        Some(t) => {
            let list: Vec<&str> = t.iter().map(|(_, n)| *n).collect();
            format!(
                "{} takes an integer from 0 to {max} or one of {}, not {got:?}",
                d.name,
                list.join(", ")
            )
        }
        None => format!("{} takes integers from 0 to {max}, not {got:?}", d.name),
    }
}

fn arg_what(a: &Arg) -> &'static str {
    match a {
        Arg::Int(_) => "an integer",
        Arg::Text(_) => "a string",
        Arg::Bytes(_) => "bytes",
        Arg::List(_) => "a list",
    }
}

/// `"192.0.2.0/24:198.51.100.1"` as RFC 3442's bytes.
fn route(s: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let bad = || format!("a route is \"192.0.2.0/24:198.51.100.1\", not {s:?}");
    let (net, router) = s.split_once(':').ok_or_else(bad)?;
    let (dst, w) = net.split_once('/').ok_or_else(bad)?;
    let w: u8 = w.parse().ok().filter(|w| *w <= 32).ok_or_else(bad)?;
    let dst: std::net::Ipv4Addr = dst.parse().map_err(|_| bad())?;
    let r: std::net::Ipv4Addr = router.parse().map_err(|_| bad())?;
    out.push(w);
    out.extend_from_slice(&dst.octets()[..(w as usize).div_ceil(8)]);
    out.extend_from_slice(&r.octets());
    Ok(())
}

/// One option as given in an expression or in JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Given {
    /// `("router", "192.0.2.1")`: a name of the table and its values.
    Named(String, Vec<Arg>),
    /// `(82, b"\x01\x02")`: a code and its bytes.
    Code(i128, Vec<Arg>),
    /// `"end"`: a one-byte option by name.
    Bare(String),
    /// `12`: a code with an empty value (scapy writes the code and a zero length).
    BareCode(i128),
    /// Bytes written as they are (what dissection kept of options that are not).
    Raw(Vec<u8>),
}

/// The options' bytes (scapy's `DHCPOptionsField.i2m`), each option's length computed.
pub fn encode_all(t: &'static TlvTable, given: &[Given]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for (k, g) in given.iter().enumerate() {
        encode_item(t, g, &mut out).map_err(|e| format!("{} {}: {e}", t.what, k + 1))?;
    }
    Ok(out)
}

fn encode_item(t: &'static TlvTable, g: &Given, out: &mut Vec<u8>) -> Result<(), String> {
    let code = |c: i128| u8::try_from(c).map_err(|_| format!("option code {c} is not 0 to 255"));
    let mut value = |code: u8, f: &dyn Fn(&mut Vec<u8>) -> Result<(), String>| {
        let start = out.len();
        out.extend_from_slice(&[code, 0]);
        f(out)?;
        let n = out.len() - start - 2;
        out[start + 1] = u8::try_from(n)
            .map_err(|_| format!("a value of {n} bytes is more than an option holds (255)"))?;
        Ok(())
    };
    match g {
        Given::Named(name, args) => {
            let d = t.by_name(name).ok_or_else(|| unknown(t, name))?;
            if matches!(d.value, Tv::Flag) {
                if !args.is_empty() {
                    return Err(format!("{name} takes no value"));
                }
                out.push(d.code);
                return Ok(());
            }
            value(d.code, &|o| encode(d, args, o))
        }
        Given::Code(c, args) => {
            let c = code(*c)?;
            value(c, &|o| {
                for a in args {
                    match a {
                        Arg::Bytes(b) => o.extend_from_slice(b),
                        Arg::Text(s) => o.extend_from_slice(s.as_bytes()),
                        _ => return Err(format!("option {c} takes bytes, not {}", arg_what(a))),
                    }
                }
                Ok(())
            })
        }
        Given::Bare(name) => match t.by_name(name) {
            Some(d) if matches!(d.value, Tv::Flag) => {
                out.push(d.code);
                Ok(())
            }
            Some(_) => Err(format!("{name} needs a value: (\"{name}\", …)")),
            None => Err(unknown(t, name)),
        },
        Given::BareCode(c) => {
            out.extend_from_slice(&[code(*c)?, 0]);
            Ok(())
        }
        Given::Raw(b) => {
            out.extend_from_slice(b);
            Ok(())
        }
    }
}

fn unknown(t: &TlvTable, name: &str) -> String {
    let near: Vec<&str> = t
        .defs
        .iter()
        .map(|d| d.name)
        .filter(|n| n.contains(name) || name.contains(n) || n[..1] == name[..name.len().min(1)])
        .take(8)
        .collect();
    format!(
        "unknown option '{name}'{}",
        if near.is_empty() {
            String::new()
        } else {
            format!(" (options with names like it: {})", near.join(", "))
        }
    )
}

/// The options of their NDJSON form (what [`write_json`] wrote).
pub fn from_json(t: &'static TlvTable, j: &serde_json::Value) -> Result<Vec<u8>, String> {
    use serde_json::Value as J;
    let items = j.as_array().ok_or("options are a list")?;
    let mut given = Vec::with_capacity(items.len());
    for it in items {
        given.push(match it {
            J::String(s) if t.by_name(s).is_some() => Given::Bare(s.clone()),
            J::String(s) => Given::Raw(unhex(s)?),
            J::Number(n) => Given::BareCode(n.as_u64().ok_or("an option code")? as i128),
            J::Array(parts) => {
                let Some((head, vals)) = parts.split_first() else {
                    return Err("an option is [name, value…]".into());
                };
                match head {
                    J::Number(n) => Given::Code(
                        n.as_u64().ok_or("an option code")? as i128,
                        vals.iter()
                            .map(|v| {
                                let s = v.as_str().ok_or("bytes as hex")?;
                                Ok(Arg::Bytes(unhex(s)?))
                            })
                            .collect::<Result<_, String>>()?,
                    ),
                    J::String(name) => {
                        let d = t.by_name(name).ok_or_else(|| unknown(t, name))?;
                        let args = vals
                            .iter()
                            .map(|v| json_arg(d.value, v))
                            .collect::<Result<_, _>>()?;
                        Given::Named(name.clone(), args)
                    }
                    _ => return Err("an option is named by a string or a code".into()),
                }
            }
            _ => return Err("an option is a name, [name, value…] or hex".into()),
        });
    }
    encode_all(t, &given)
}

fn json_arg(v: Tv, j: &serde_json::Value) -> Result<Arg, String> {
    use serde_json::Value as J;
    Ok(match (v, j) {
        (Tv::Text, J::String(s)) => Arg::Bytes(unescape_text(s)?),
        (Tv::Bytes, J::String(s)) => Arg::Bytes(unhex(s)?),
        (_, J::String(s)) => Arg::Text(s.clone()),
        (_, J::Number(n)) => Arg::Int(n.as_u64().ok_or("an integer")? as i128),
        (_, J::Array(xs)) => Arg::List(
            xs.iter()
                .map(|x| json_arg(v, x))
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(format!("not a value: {j}")),
    })
}

#[cfg(test)]
#[path = "tlv/tests.rs"]
mod tests;
