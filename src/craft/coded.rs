//! Expression values of coded fields ([`crate::layers::coded`]): `rdata=["a", "b"]` for TXT,
//! `alg_code=[8, 13]`, `typebitmaps=["A", "RRSIG"]` (or numbers), `address="192.0.2.0"`; a byte
//! string is taken as the field's bytes (one character-string, for text), as scapy takes it.

use crate::expr::{Diagnostic, Span, ValueExpr};
use crate::layers::coded::{self, Coding, Item};
use crate::layers::{Field, Layer, Value};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The value (one) an expression gives a coded field of `base`.
pub(super) fn value(
    base: &Layer,
    f: &Field,
    c: Coding,
    v: &ValueExpr,
    span: &Span,
) -> Result<Vec<Value>, Diagnostic> {
    let what = format!("{}.{}", base.proto.name, f.name);
    let bad = |s: &Span| Diagnostic::new(s.clone(), format!("{what} expects {}", coded::words(c)));
    let item = |x: &ValueExpr, s: &Span| -> Result<Item, Diagnostic> {
        Ok(match (c, x) {
            (Coding::Text | Coding::Domains | Coding::Uuid, ValueExpr::Str(t)) => {
                Item::Text(t.as_bytes().to_vec())
            }
            (Coding::Text | Coding::Domains, ValueExpr::Bytes(b)) => Item::Text(b.clone()),
            (Coding::Ints(_) | Coding::OptCodes | Coding::TypeBitmap(_), ValueExpr::Int(n)) => {
                Item::Int(u64::try_from(*n).map_err(|_| bad(s))?)
            }
            (Coding::TypeBitmap(names), ValueExpr::Str(t)) => {
                Item::Int(coded::type_of(names, t).ok_or_else(|| bad(s))?)
            }
            (Coding::Ip4s | Coding::Prefix(4), ValueExpr::Str(t)) => {
                Item::Ip4(t.parse::<Ipv4Addr>().map_err(|_| bad(s))?.octets())
            }
            (Coding::Ip6s | Coding::Prefix(_), ValueExpr::Str(t)) => {
                Item::Ip6(t.parse::<Ipv6Addr>().map_err(|_| bad(s))?.octets())
            }
            _ => return Err(bad(s)),
        })
    };
    let items = match v {
        // Bytes are the field's own bytes, except for text, where they are one string.
        ValueExpr::Bytes(b) if matches!(c, Coding::Uuid) && b.len() != 16 => {
            return Err(Diagnostic::new(
                span.clone(),
                format!("{what}: a UUID is 16 bytes"),
            ));
        }
        ValueExpr::Bytes(b) if !matches!(c, Coding::Text) => {
            return Ok(vec![Value::Bytes(b.clone())]);
        }
        ValueExpr::Str(b) if matches!(c, Coding::TypeBitmap(_)) => {
            return Ok(vec![Value::Bytes(b.as_bytes().to_vec())]);
        }
        ValueExpr::List(xs) if !matches!(c, Coding::Prefix(_) | Coding::Uuid) => xs
            .iter()
            .map(|(x, s)| item(x, s))
            .collect::<Result<Vec<_>, _>>()?,
        one => vec![item(one, span)?],
    };
    // A prefix is as long as the layer's length rule says, once its length field is given.
    let len = f.len.and_then(|rule| rule(&base.values).ok());
    coded::encode(c, &items, len)
        .map(|b| vec![Value::Bytes(b)])
        .map_err(|e| Diagnostic::new(span.clone(), format!("{what}: {e}")))
}
