//! pkt's builder against scapy's bytes: tests/data/craft-vectors.tsv holds, for each
//! expression, the bytes scapy 2.8 builds for every packet it expands to (made by
//! scripts/craft-vectors.py). Every expression must build to exactly those bytes, and dissect
//! back to the fields that were set.

use pkt::build::build;
use pkt::craft::compile;
use pkt::layers::{Layer, Value};

/// The bytes a record or bytes value stands for: records built (their computed fields filled).
fn wire(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Bytes(b) => Some(b.clone()),
        Value::Options(items) => Some(
            items
                .iter()
                .flat_map(|l| build(std::slice::from_ref(l)))
                .collect(),
        ),
        _ => None,
    }
}

/// Equal field values, allowing for the padding the builder adds: EOL after TCP and IP
/// options, Pad1/PadN in IPv6 option headers. A sub-record given as bytes (or records that
/// dissect as other classes, as scapy reads them) must have the same bytes.
fn same(built: &Value, got: &Value) -> bool {
    same_form(built, got) || wire(built).is_some_and(|b| wire(got) == Some(b))
}

fn same_form(built: &Value, got: &Value) -> bool {
    let is_pad = |l: &&Layer| matches!(l.name(), "IPOption_EOL" | "Pad1" | "PadN");
    match (built, got) {
        (Value::Options(b), Value::Options(g)) => {
            let b: Vec<&Layer> = b.iter().filter(|l| !is_pad(l)).collect();
            let g: Vec<&Layer> = g.iter().filter(|l| !is_pad(l)).collect();
            b.len() == g.len()
                && b.iter().zip(&g).all(|(b, g)| {
                    b.name() == g.name()
                        && b.values
                            .iter()
                            .zip(&g.values)
                            // A row not on the wire (another type's rdata) is absent there.
                            .all(|(x, y)| x.is_absent() || y.is_absent() || same(x, y))
                })
        }
        (Value::TcpOptions(b), Value::TcpOptions(g)) => {
            // An EOL keeps the zero padding after it.
            let norm = |v: &[pkt::layers::TcpOption]| -> Vec<(u8, Vec<u8>)> {
                v.iter()
                    .map(|o| {
                        let d = if o.kind == 0 && o.data().iter().all(|&x| x == 0) {
                            vec![]
                        } else {
                            o.data().to_vec()
                        };
                        (o.kind, d)
                    })
                    .collect()
            };
            let (b, mut g) = (norm(b), norm(g));
            if g.len() > b.len() && g.last().is_some_and(|o| o.0 == 0) {
                g.pop();
            }
            b == g
        }
        _ => built == got,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn every_expression_builds_scapys_bytes() {
    let vectors = include_str!("data/craft-vectors.tsv");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in vectors.lines().filter(|l| !l.trim().is_empty()) {
        let (expr, want) = line.split_once('\t').expect("EXPR<TAB>HEX");
        count += 1;
        let want: Vec<&str> = want.split(',').collect();
        let packets = match compile(expr) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{expr}\n{}", e.render(expr)));
                continue;
            }
        };
        let got: Vec<String> = packets.iter().map(|p| hex(&build(p))).collect();
        if got != want {
            let first = got
                .iter()
                .zip(&want)
                .position(|(g, w)| g != *w)
                .unwrap_or(0);
            failures.push(format!(
                "{expr}\n  packets: pkt {} scapy {}\n  pkt   {}\n  scapy {}",
                got.len(),
                want.len(),
                got.get(first).map_or("-", |s| s),
                want.get(first).unwrap_or(&"-")
            ));
        }
    }
    assert!(count >= 100, "only {count} expressions");
    assert!(
        failures.is_empty(),
        "{} of {count} expressions differ from scapy:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Built then dissected, every packet gives back the fields it was built with.
#[test]
fn built_packets_dissect_to_the_same_fields() {
    let vectors = include_str!("data/craft-vectors.tsv");
    let (mut checked, mut fields) = (0, 0);
    let mut failures = Vec::new();
    for line in vectors.lines().filter(|l| !l.trim().is_empty()) {
        let expr = line.split('\t').next().unwrap();
        for layers in compile(expr).unwrap() {
            let bytes = build(&layers);
            let p = pkt::dissect::dissect_as_new(layers[0].proto, &bytes);
            if !p.errors.is_empty() {
                continue; // deliberately wrong values (ihl=2, chksum=0x1234, …)
            }
            checked += 1;
            for (i, built) in layers.iter().enumerate() {
                let Some(got) = p.layers.get(i).filter(|l| l.name() == built.name()) else {
                    continue; // an IP quoted in ICMP dissects as IPerror
                };
                for (k, v) in built.values.iter().enumerate() {
                    if v.is_absent() || got.values[k].is_absent() {
                        continue;
                    }
                    fields += 1;
                    if !same(v, &got.values[k]) {
                        failures.push(format!(
                            "{expr}: {}.{}: built {v:?}, dissected {:?}",
                            built.name(),
                            built.proto.fields[k].name,
                            got.values[k]
                        ));
                    }
                }
            }
        }
    }
    assert!(
        checked >= 100 && fields > 1000,
        "{checked} packets, {fields} fields"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
