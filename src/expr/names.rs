//! Layer and field names in expressions: checked against the layer tables, with the closest
//! names suggested for a misspelt one.

use super::*;

/// The option classes, which are protocols but not layers of [`layers::all`]: they appear only
/// as values (`IP(options=[IPOption_NOP()])`, `IPv6ExtHdrHopByHop(options=[PadN()])`).
pub fn option_protos() -> &'static [&'static Proto] {
    static OPTIONS: &[&Proto] = &[
        &ip::OPT_EOL,
        &ip::OPT_NOP,
        &ip::OPT_ROUTER_ALERT,
        &ip::OPT_GENERIC,
        &ipv6::PAD1,
        &ipv6::PADN,
        &ipv6::ROUTER_ALERT,
        &ipv6::JUMBO,
        &ipv6::HAO,
        &ipv6::UNKNOWN_OPT,
    ];
    OPTIONS
}

/// The protocol a name stands for in value position: a layer or an option class.
pub fn value_proto_by_name(name: &str) -> Option<&'static Proto> {
    layers::by_name(name).or_else(|| option_protos().iter().copied().find(|p| p.name == name))
}

/// Checks every layer name (top-level and nested values) against [`layers::by_name`] (plus
/// [`option_protos`] in value position) and every argument name against that protocol's
/// fields. The first problem in source order is returned.
pub fn check_names(expr: &Expr) -> Result<(), Diagnostic> {
    let mut lower = None;
    for l in &expr.layers {
        lower = check_layer(l, true, lower)?;
    }
    Ok(())
}

/// Checks a layer (of the form its lower layer chooses, for a top-level one); returns its
/// protocol.
fn check_layer(
    l: &LayerExpr,
    top: bool,
    lower: Option<&'static Proto>,
) -> Result<Option<&'static Proto>, Diagnostic> {
    if l.raw.is_some() {
        return Ok(layers::by_name("Raw"));
    }
    let proto = if top {
        layers::by_name(&l.name).map(|p| p.form(lower, None))
    } else {
        value_proto_by_name(&l.name)
    };
    let Some(proto) = proto else {
        return Err(unknown_layer(l, top));
    };
    for a in &l.args {
        if !proto.fields.iter().any(|f| f.name == a.name) {
            return Err(unknown_field(proto, a));
        }
        check_value(&a.value)?;
    }
    Ok(Some(proto))
}

fn check_value(v: &ValueExpr) -> Result<(), Diagnostic> {
    match v {
        ValueExpr::Layer(l) => check_layer(l, false, None).map(|_| ()),
        ValueExpr::Stack(layers) => layers
            .iter()
            .try_for_each(|l| check_layer(l, false, None).map(|_| ())),
        ValueExpr::List(items) | ValueExpr::Tuple(items) => {
            items.iter().try_for_each(|(v, _)| check_value(v))
        }
        _ => Ok(()),
    }
}

fn unknown_layer(l: &LayerExpr, top: bool) -> Diagnostic {
    let span = l.name_span.clone();
    if top && let Some(opt) = option_protos().iter().find(|p| p.name == l.name) {
        let host = if opt.name.starts_with("IPOption") {
            "IP"
        } else {
            "IPv6ExtHdrHopByHop"
        };
        return Diagnostic::new(span, format!("{} is an option, not a layer", l.name))
            .with_help(format!("use it as a value: {host}(options=[{}()])", l.name));
    }
    let mut names: Vec<&str> = layers::all().iter().map(|p| p.name).collect();
    if !top {
        names.extend(option_protos().iter().map(|p| p.name));
    }
    let mut help = String::new();
    let close = closest(&l.name, &names);
    if !close.is_empty() {
        help.push_str(&format!("did you mean {}? ", close.join(", ")));
    }
    if !top && l.args.is_empty() && l.span == l.name_span {
        help.push_str(&format!(
            "a string value needs quotes: \"{}\"; ",
            l.name.escape_default()
        ));
    }
    help.push_str("layers: ");
    help.push_str(&names.join(", "));
    Diagnostic::new(span, format!("unknown layer '{}'", l.name)).with_help(help)
}

fn unknown_field(proto: &Proto, a: &Arg) -> Diagnostic {
    let mut fields: Vec<&str> = Vec::new();
    for f in proto.fields {
        if !fields.contains(&f.name) {
            fields.push(f.name);
        }
    }
    let mut help = String::new();
    let close = closest(&a.name, &fields);
    if !close.is_empty() {
        help.push_str(&format!("did you mean {}? ", close.join(", ")));
    }
    if fields.is_empty() {
        help.push_str(&format!("{} has no fields", proto.name));
    } else {
        help.push_str(&format!("fields of {}: {}", proto.name, fields.join(", ")));
    }
    Diagnostic::new(
        a.name_span.clone(),
        format!("{} has no field '{}'", proto.name, a.name),
    )
    .with_help(help)
}

/// The candidates close to `name`, closest first (at most five): by edit distance ignoring
/// case, or sharing a prefix with it.
fn closest<'a>(name: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let lname: Vec<char> = name.to_lowercase().chars().collect();
    let limit = (lname.len() / 3).max(1);
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .iter()
        .filter_map(|&c| {
            let lc: Vec<char> = c.to_lowercase().chars().collect();
            let d = edit_distance(&lname, &lc);
            let common = lname.iter().zip(&lc).take_while(|(a, b)| a == b).count();
            // One name a prefix of the other (`ICMPv6EchoReq`, `Ethernet`): as good as one edit.
            // (A short name that merely starts the query, like `ICMP` for `ICMPv6EchoReq`, is not.)
            let prefix = common >= 2
                && (common == lname.len() || (common == lc.len() && 2 * lc.len() >= lname.len()));
            let d = if prefix { d.min(1) } else { d };
            (d <= limit || (common >= 2 && d <= 2)).then_some((d, common, c))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
    scored.dedup_by(|a, b| a.2 == b.2);
    scored.into_iter().take(5).map(|(_, _, c)| c).collect()
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours (`TPC` is one edit from `TCP`).
pub(super) fn edit_distance(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (i, row) in d.chunks_mut(w).enumerate() {
        if let Some(first) = row.first_mut() {
            *first = i;
        }
    }
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}
