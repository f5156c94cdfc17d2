//! `pkt ls [LAYER]`: like scapy's `ls()` — the layers pkt knows, or one layer's fields with
//! their kind and default.

use crate::cli::LsArgs;
use anyhow::{Result, anyhow};
use pkt::expr::{option_protos, value_proto_by_name};
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
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn kind_text(f: &Field) -> String {
    match f.kind {
        Kind::Int(8) => "byte".into(),
        Kind::Int(16) => "short (16 bits)".into(),
        Kind::Int(32) => "int (32 bits)".into(),
        Kind::Int(n) => format!("bits ({n})"),
        Kind::LeInt(n) => format!("little-endian int ({} bits)", n * 8),
        Kind::Flags(n, FlagNames::Chars(c)) => format!("flags ({n} bits: {c})"),
        Kind::Flags(n, FlagNames::Words(w)) => format!("flags ({n} bits: {})", w.join(" ")),
        Kind::Mac => "MAC address".into(),
        Kind::Ip4 => "IPv4 address".into(),
        Kind::Ip6 => "IPv6 address".into(),
        Kind::Bytes => "bytes".into(),
        Kind::TcpOptions => "TCP options".into(),
        Kind::Options(OptionSet::Ip) => "IP options".into(),
        Kind::Options(OptionSet::Ip6) => "IPv6 options".into(),
        Kind::Ip6List => "IPv6 addresses".into(),
        Kind::Name => "DNS name".into(),
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
        Def::Element => match f.kind {
            Kind::List(spec) => format!("[{}()]", (spec.element)(&[]).name),
            _ => "[]".into(),
        },
        Def::Empty => match f.kind {
            Kind::Bytes => "b''".into(),
            _ => "[]".into(),
        },
    }
}
