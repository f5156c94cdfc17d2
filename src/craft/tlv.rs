//! A TLV option field's value from an expression: scapy's list of options, each
//! `("name", value, …)` (a list works too), a bare name (`"end"`), a bare code, or bytes.
//! Every mistake gets the caret on the option that has it.

use crate::expr::{Diagnostic, Span, ValueExpr};
use crate::layers::tlv::{self, Arg, Given, TlvTable};

/// The options' bytes.
pub fn options(t: &'static TlvTable, items: &[(ValueExpr, Span)]) -> Result<Vec<u8>, Diagnostic> {
    let mut out = Vec::new();
    for (item, span) in items {
        let g = given(item).ok_or_else(|| {
            Diagnostic::new(
                span.clone(),
                format!(
                    "not one of the {}: an option is (\"name\", value, …), a name or a code",
                    t.what
                ),
            )
            .with_help(help(t))
        })?;
        let one = tlv::encode_all(t, std::slice::from_ref(&g))
            .map_err(|e| Diagnostic::new(span.clone(), strip_index(&e)).with_help(help(t)))?;
        out.extend_from_slice(&one);
    }
    Ok(out)
}

fn help(t: &TlvTable) -> String {
    let names: Vec<&str> = t.defs.iter().take(12).map(|d| d.name).collect();
    format!(
        "{}: e.g. (\"message-type\", \"discover\"), (\"requested_addr\", \"192.0.2.9\"), \
         (\"param_req_list\", [1, 3, 6]), \"end\"; names: {}, … (pkt ls DHCP)",
        t.what,
        names.join(", ")
    )
}

/// `encode_all`'s message without its "DHCP options 1: " prefix (the caret says which).
fn strip_index(e: &str) -> String {
    e.split_once(": ").map_or(e, |(_, m)| m).to_string()
}

fn given(v: &ValueExpr) -> Option<Given> {
    Some(match v {
        ValueExpr::Str(s) => Given::Bare(s.clone()),
        ValueExpr::Int(c) => Given::BareCode(*c),
        ValueExpr::Bytes(b) => Given::Raw(b.clone()),
        ValueExpr::Tuple(parts) | ValueExpr::List(parts) => {
            let ((head, _), rest) = parts.split_first()?;
            let args = rest
                .iter()
                .map(|(x, _)| arg(x))
                .collect::<Option<Vec<_>>>()?;
            match head {
                ValueExpr::Str(n) => Given::Named(n.clone(), args),
                ValueExpr::Int(c) => Given::Code(*c, args),
                _ => return None,
            }
        }
        _ => return None,
    })
}

fn arg(v: &ValueExpr) -> Option<Arg> {
    Some(match v {
        ValueExpr::Int(n) => Arg::Int(*n),
        ValueExpr::Bool(b) => Arg::Int(*b as i128),
        ValueExpr::Str(s) => Arg::Text(s.clone()),
        ValueExpr::Bytes(b) => Arg::Bytes(b.clone()),
        ValueExpr::List(xs) | ValueExpr::Tuple(xs) => {
            Arg::List(xs.iter().map(|(x, _)| arg(x)).collect::<Option<_>>()?)
        }
        _ => return None,
    })
}
