//! Fuzzes the expression language: `pkt::expr::parse` / `check_names`, the whole `pkt craft`
//! pipeline (`pkt::craft::compile`, `pkt::build::build`) and the dissection of what it builds.
//!
//! Input: the expression as text (invalid UTF-8 is replaced with U+FFFD, which also exercises
//! multi-byte characters); inputs over `MAX_LEN` bytes are skipped.
//!
//! Checked:
//! - nothing panics (ASan is on; overflow checks and debug assertions too);
//! - every diagnostic's span lies within the source, on `char` boundaries, and renders
//!   (plain and styled);
//! - every span of a parsed expression lies within the source, on `char` boundaries;
//! - every built packet dissects (as `pkt craft` shows it: from the packet's first layer), and
//!   the dissected layers serialise back to the built bytes (`build::serialize`'s promise: "a
//!   dissected packet serialises back to its bytes").
//!
//! Field sets (`dport=[22,80]`, `ttl=(1,30)`, `dst="10.0.0.0/8"`) may make up to 2^20 packets,
//! which takes seconds and a lot of memory; `packet_bound` bounds the count from the syntax tree
//! and only expressions of at most `MAX_PACKETS` packets are compiled (the others still go
//! through `parse` and `check_names`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkt::expr::{self, Diagnostic, Expr, LayerExpr, Span, ValueExpr};
use pkt::layers::Kind;

const MAX_LEN: usize = 512;
const MAX_PACKETS: u128 = 64;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_LEN {
        return;
    }
    let src = String::from_utf8_lossy(data);
    let src: &str = &src;

    let e = match expr::parse(src) {
        Ok(e) => e,
        Err(d) => {
            check_diagnostic(&d, src);
            return;
        }
    };
    check_expr_spans(&e, src);
    if let Err(d) = expr::check_names(&e) {
        check_diagnostic(&d, src);
        return;
    }
    if packet_bound(&e) > MAX_PACKETS {
        return;
    }

    let packets = match pkt::craft::compile(src) {
        Ok(p) => p,
        Err(d) => {
            check_diagnostic(&d, src);
            return;
        }
    };
    assert!(
        packets.len() as u128 <= MAX_PACKETS,
        "{} packets, bound said at most {MAX_PACKETS}",
        packets.len()
    );
    for layers in &packets {
        assert!(!layers.is_empty(), "a packet without layers");
        let bytes = pkt::build::build(layers);
        let pkt = pkt::dissect::dissect_as_new(layers[0].proto, &bytes);
        let again = pkt::build::serialize(&pkt.layers);
        assert!(
            again == bytes,
            "dissected layers do not serialise back to the built packet\n\
             expression: {src}\nbuilt:      {}\nserialised: {}\nlayers: {:?}",
            hex(&bytes),
            hex(&again),
            pkt.layers.iter().map(|l| l.name()).collect::<Vec<_>>(),
        );
    }
});

fn check_diagnostic(d: &Diagnostic, src: &str) {
    check_span(&d.span, src, &d.message);
    let _ = d.render(src);
    let _ = d.render_styled(src);
}

fn check_span(span: &Span, src: &str, what: &str) {
    assert!(
        span.start <= span.end && span.end <= src.len(),
        "span {span:?} of {what:?} is outside the source ({} bytes): {src:?}",
        src.len()
    );
    assert!(
        src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
        "span {span:?} of {what:?} is not on char boundaries: {src:?}"
    );
}

fn check_expr_spans(e: &Expr, src: &str) {
    for l in &e.layers {
        check_layer_spans(l, src);
    }
}

fn check_layer_spans(l: &LayerExpr, src: &str) {
    check_span(&l.span, src, &l.name);
    check_span(&l.name_span, src, &l.name);
    if let Some((v, s)) = &l.raw {
        check_span(s, src, "raw load");
        check_value_spans(v, src);
    }
    for a in &l.args {
        check_span(&a.name_span, src, &a.name);
        check_span(&a.value_span, src, &a.name);
        check_value_spans(&a.value, src);
    }
}

fn check_value_spans(v: &ValueExpr, src: &str) {
    match v {
        ValueExpr::List(items) | ValueExpr::Tuple(items) => {
            for (item, s) in items {
                check_span(s, src, "element");
                check_value_spans(item, src);
            }
        }
        ValueExpr::Layer(l) => check_layer_spans(l, src),
        _ => {}
    }
}

/// An upper bound on the number of packets the expression makes: the product, over every
/// argument of a field that can take a set of values, of how many values it can take (nested
/// layers, such as IP options, included). Generous, saturating.
fn packet_bound(e: &Expr) -> u128 {
    e.layers
        .iter()
        .map(layer_bound)
        .fold(1u128, u128::saturating_mul)
}

fn layer_bound(l: &LayerExpr) -> u128 {
    let proto = expr::value_proto_by_name(&l.name);
    let mut n: u128 = 1;
    for a in &l.args {
        // Only scalar kinds make sets; for the others a list is one value (but may hold layers).
        let set_kind = proto.is_none_or(|p| {
            p.fields.iter().any(|f| {
                f.name == a.name
                    && matches!(
                        f.kind,
                        Kind::Int(_)
                            | Kind::LeInt(_)
                            | Kind::Flags(..)
                            | Kind::Mac
                            | Kind::Ip4
                            | Kind::Ip6
                    )
            })
        });
        let b = if set_kind { value_bound(&a.value) } else { 1 };
        n = n.saturating_mul(b).saturating_mul(nested_bound(&a.value));
    }
    n
}

/// The packets made by the layers nested in a value (each must make one, else it is an error,
/// but they are all made first).
fn nested_bound(v: &ValueExpr) -> u128 {
    match v {
        ValueExpr::Layer(l) => layer_bound(l),
        ValueExpr::List(items) | ValueExpr::Tuple(items) => items
            .iter()
            .map(|(x, _)| nested_bound(x))
            .fold(1u128, u128::saturating_mul),
        _ => 1,
    }
}

fn as_int(v: &ValueExpr) -> Option<i128> {
    match v {
        ValueExpr::Int(n) => Some(*n),
        ValueExpr::Bool(b) => Some(*b as i128),
        _ => None,
    }
}

fn value_bound(v: &ValueExpr) -> u128 {
    match v {
        ValueExpr::List(items) => items
            .iter()
            .map(|(x, _)| value_bound(x))
            .fold(0u128, u128::saturating_add)
            .max(1),
        ValueExpr::Tuple(items) => match items.as_slice() {
            [(lo, _), (hi, _)] => match (as_int(lo), as_int(hi)) {
                (Some(lo), Some(hi)) if hi >= lo => (hi - lo).unsigned_abs().saturating_add(1),
                _ => 1,
            },
            _ => 1,
        },
        // A network "ADDR/PREFIX"; as the field's kind may be IPv4 or IPv6, the larger.
        ValueExpr::Str(s) => match s.split_once('/') {
            Some((addr, bits)) => {
                let total: u32 = if addr.contains(':') { 128 } else { 32 };
                // As `craft` reads the prefix; one that does not read is an error, no packets.
                match bits.parse::<u32>() {
                    Ok(b) if b <= total => 1u128.checked_shl(total - b).unwrap_or(u128::MAX),
                    _ => 1,
                }
            }
            None => 1,
        },
        _ => 1,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
