//! `pkt ls [LAYER]`: like scapy's `ls()` — the layers pkt knows, or one layer's fields with
//! their kind and default.

use crate::cli::LsArgs;
use anyhow::{Result, anyhow};
use pkt::expr::{option_protos, value_proto_by_name};
use pkt::layers::field::Chain;
use pkt::layers::{Def, Field, FlagNames, Kind, OptionSet, all};
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(args: &LsArgs) -> Result<ExitCode> {
    let mut out = String::new();
    match &args.layer {
        // Bare names, one a line (what shell completion offers inside expressions).
        None if args.names => {
            for p in all().iter().chain(option_protos()) {
                let _ = writeln!(out, "{}", p.name);
            }
        }
        None => {
            for p in all().iter().chain(option_protos()) {
                let _ = writeln!(out, "{:<26}: {}", p.name, p.title);
            }
        }
        Some(name) => {
            let p = value_proto_by_name(name)
                .ok_or_else(|| anyhow!("unknown layer '{name}' (pkt ls lists them)"))?;
            let width = p.fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
            for f in p.fields {
                let _ = writeln!(
                    out,
                    "{:<width$} : {:<34} = {}{}",
                    f.name,
                    kind_text(f),
                    default_text(f),
                    if f.cond.is_some() {
                        "  (only for some values of the fields before it)"
                    } else {
                        ""
                    }
                );
            }
            for f in p.fields {
                if let Kind::Tlv(t) = f.kind {
                    write_table(t, &mut out);
                }
            }
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// A TLV field's options: code, scapy's name, the kind of value.
fn write_table(t: &pkt::layers::tlv::TlvTable, out: &mut String) {
    use pkt::layers::tlv::Tv;
    let _ = writeln!(out, "\n{} (code, name, value):", t.what);
    for d in t.defs {
        let v = match d.value {
            Tv::Flag => "no value".to_string(),
            Tv::Text => "text".into(),
            Tv::Bytes => "bytes".into(),
            Tv::Ip4 => "IPv4 addresses".into(),
            Tv::Int(n, None) => format!("integers ({} bits)", n * 8),
            Tv::Int(_, Some(names)) => {
                let n: Vec<&str> = names.iter().map(|(_, n)| *n).collect();
                format!("one of {}", n.join(", "))
            }
            Tv::ByteList => "a list of bytes".into(),
            Tv::Routes => "routes \"192.0.2.0/24:192.0.2.1\"".into(),
        };
        let _ = writeln!(out, "  {:>3}  {:<32} {v}", d.code, d.name);
    }
}

fn kind_text(f: &Field) -> String {
    match f.kind {
        Kind::Int(8) => "byte".into(),
        Kind::Int(16) => "short (16 bits)".into(),
        Kind::Int(32) => "int (32 bits)".into(),
        Kind::Int(n) => format!("bits ({n})"),
        Kind::LeInt(n) => format!("little-endian int ({} bits)", n * 8),
        Kind::SInt(n) => format!("signed int ({n} bits)"),
        Kind::FixedPoint(n, frac) => format!("fixed point ({n} bits, {frac} after the point)"),
        Kind::Packet(spec) => spec.what.to_string(),
        Kind::Packets(spec) => format!("list of {}", spec.what),
        Kind::Flags(n, FlagNames::Chars(c)) => format!("flags ({n} bits: {c})"),
        Kind::Flags(n, FlagNames::Words(w)) => format!("flags ({n} bits: {})", w.join(" ")),
        Kind::Mac => "MAC address".into(),
        Kind::Ip4 => "IPv4 address".into(),
        Kind::Ip6 => "IPv6 address".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Fixed { len, .. } => format!("{len} bytes"),
        Kind::TcpOptions => "TCP options".into(),
        Kind::Tlv(t) => t.what.into(),
        Kind::Options(OptionSet::Ip) => "IP options".into(),
        Kind::Options(OptionSet::Ip6) => "IPv6 options".into(),
        Kind::Ip6List => "IPv6 addresses".into(),
        Kind::Name => "DNS name".into(),
        Kind::List(spec) if spec.chain == Chain::One => format!("packet ({})", spec.what),
        Kind::List(spec) => format!("list of {}", spec.what),
        Kind::Coded(c) => pkt::layers::coded::words(c).into(),
    }
}

fn default_text(f: &Field) -> String {
    match f.default {
        Def::Auto(_) => "None (computed)".into(),
        Def::Int(v) if matches!(f.kind, Kind::Flags(..)) => {
            let mut s = String::new();
            if let Kind::Flags(_, names) = f.kind {
                pkt::layers::field::flag_string(v, names, &mut s);
            }
            format!("{v} ({s:?})")
        }
        Def::Int(v) => v.to_string(),
        Def::Text(t) => format!("{t:?}"),
        Def::Zeros(n) => format!("{n} zero bytes"),
        Def::Bytes(b) => format!(
            "b'{}'",
            b.iter().map(|c| format!("\\x{c:02x}")).collect::<String>()
        ),
        Def::Element => match f.kind {
            Kind::List(spec) if spec.chain == Chain::One => {
                format!("{}()", (spec.element)(&[]).name)
            }
            Kind::List(spec) => format!("[{}()]", (spec.element)(&[]).name),
            _ => "[]".into(),
        },
        Def::Empty => match f.kind {
            Kind::Bytes => "b''".into(),
            Kind::Packet(_) => "None (not on the wire)".into(),
            _ => "[]".into(),
        },
    }
}
