//! Which row of a layer's table an argument sets: a field with several rows (one per condition,
//! DNSRR's `rdata` by type) takes the row the fields before it choose, read once every other
//! argument is set, so `DNSRR(rdata="192.0.2.1", type="CNAME")` is a name, as in scapy.

use super::{FieldSet, count_in, values_for};
use crate::expr::{Arg, Diagnostic};
use crate::layers::{Layer, Value};

/// Sets the single-valued arguments on `base`; returns the fields that take several values (in
/// the order given), their sizes counted into `total`.
pub(super) fn set_args(
    base: &mut Layer,
    args: &[Arg],
    total: &mut usize,
) -> Result<Vec<FieldSet>, Diagnostic> {
    // A field with several rows (one per condition: DNSRR's rdata by type) is read once every
    // other field is set, by the row its condition picks.
    let rows = |a: &Arg| {
        base.proto
            .fields
            .iter()
            .filter(|f| f.name == a.name)
            .count()
    };
    let mut given: Vec<Option<(usize, Vec<Value>)>> = vec![None; args.len()];
    for later in [false, true] {
        for (i, arg) in args.iter().enumerate() {
            if (rows(arg) > 1) == later {
                let (k, alts) = field_values(base, arg)?;
                if let [one] = alts.as_slice() {
                    base.values[k] = one.clone();
                }
                given[i] = Some((k, alts));
            }
        }
    }
    let mut sets: Vec<FieldSet> = Vec::new();
    for (arg, (k, alts)) in args.iter().zip(given.into_iter().flatten()) {
        let what = format!("{}.{}", base.proto.name, arg.name);
        let span = arg.name_span.start..arg.value_span.end;
        count_in(total, alts.len(), &what, span)?;
        if alts.len() > 1 {
            sets.push((k, alts));
        }
    }
    Ok(sets)
}

/// The field an argument sets (its row in the table) and the values it takes.
fn field_values(base: &Layer, arg: &Arg) -> Result<(usize, Vec<Value>), Diagnostic> {
    let rows: Vec<usize> = base
        .proto
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name == arg.name)
        .map(|(k, _)| k)
        .collect();
    // Of several rows, the one whose condition holds (the form the fields before it choose);
    // when none does, the first that reads the value.
    let holds = |&&k: &&usize| {
        let f = &base.proto.fields[k];
        rows.len() > 1 && f.cond.is_some_and(|c| c(&base.values[..k]))
    };
    let chosen: Vec<usize> = match rows.iter().find(holds) {
        Some(&k) => vec![k],
        None => rows.clone(),
    };
    let mut first_err = None;
    for &k in &chosen {
        match values_for(base, &base.proto.fields[k], &arg.value, &arg.value_span) {
            Ok(v) => return Ok((k, v)),
            Err(e) if chosen.len() == 1 && rows.len() > 1 => {
                let help = format!(
                    "{}.{} takes the form the fields before it choose (DNSRR's rdata: by type)",
                    base.proto.name, arg.name
                );
                first_err.get_or_insert(e.with_help(help));
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or_else(|| {
        Diagnostic::new(
            arg.name_span.clone(),
            format!("{} has no field '{}'", base.proto.name, arg.name),
        )
    }))
}
