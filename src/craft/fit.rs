//! Every packet of a set fits: its computed lengths hold in their fields. Checked once per
//! distinct shape of the set rather than once per packet: a field set changes a packet's
//! computed values only when it changes which fields are on the wire (a condition reads it) or
//! leaves a computed field to compute (`ihl=[5,None]`); any other varying field is fixed-width
//! and moves no length.

use super::PacketSet;
use crate::build::{FitError, shape, try_build_into};
use std::collections::HashSet;

/// The first packet of the set (in one packet per shape) whose computed fields do not fit.
pub(super) fn check(set: &PacketSet) -> Result<(), FitError> {
    let first = set.packet(0);
    // Per layer whose shape may vary: one assignment (field set, value index) per shape.
    let mut choices: Vec<Vec<Vec<(usize, usize)>>> = Vec::new();
    for (i, layer) in first.iter().enumerate() {
        let js: Vec<usize> = (0..set.vary.len())
            .filter(|&j| set.vary[j].layer == i)
            .collect();
        let conds = layer.proto.fields.iter().any(|f| f.cond.is_some());
        let unset = js
            .iter()
            .any(|&j| set.vary[j].values.iter().any(|v| v.is_absent()));
        if js.is_empty() || !(conds || unset) {
            continue;
        }
        let mut l = layer.clone();
        let mut seen = HashSet::new();
        let mut reps = Vec::new();
        let mut digits = vec![0usize; js.len()];
        loop {
            for (&j, &d) in js.iter().zip(&digits) {
                l.values[set.vary[j].field] = set.vary[j].values[d].clone();
            }
            if seen.insert(shape(&l)) {
                reps.push(js.iter().copied().zip(digits.iter().copied()).collect());
            }
            if !step(&mut digits, |k| set.vary[js[k]].values.len()) {
                break;
            }
        }
        choices.push(reps);
    }
    let mut packet = first;
    let mut buf = Vec::new();
    let mut pick = vec![0usize; choices.len()];
    loop {
        for (reps, &x) in choices.iter().zip(&pick) {
            for &(j, d) in &reps[x] {
                let v = &set.vary[j];
                packet[v.layer].values[v.field] = v.values[d].clone();
            }
        }
        try_build_into(&packet, &mut buf)?;
        if !step(&mut pick, |k| choices[k].len()) {
            return Ok(());
        }
    }
}

/// Steps a mixed-radix counter (digit `k` counts to `radix(k)`); false once it wraps to zero.
fn step(digits: &mut [usize], radix: impl Fn(usize) -> usize) -> bool {
    for (k, d) in digits.iter_mut().enumerate() {
        *d += 1;
        if *d < radix(k) {
            return true;
        }
        *d = 0;
    }
    false
}
