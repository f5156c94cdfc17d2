//! Fuzzes `pkt::dissect::dissect` and every view of its result.
//!
//! Input layout: `[selector, snap, frame...]`
//! - `selector % 9` picks the link type from `LINKTYPES`;
//! - `snap` picks the wire length: 0 means `frame.len()` (not snapped), anything else means
//!   `frame.len() + snap` (the capture was cut by a snap length);
//! - the rest is the frame, as captured.
//!
//! Checked: nothing panics; the JSON record is valid JSON; the top-level layers cover the frame
//! exactly (contiguous, in order, no gap, no overlap), so the sum of their `len` is `frame.len()`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkt::output::{FrameMeta, hexdump, json, show, summary};

/// Ethernet, Linux SLL, SLL2, BSD null, loop, raw IP, IPv4, IPv6, 802.11 (not decoded).
const LINKTYPES: [u32; 9] = [1, 113, 276, 0, 108, 101, 228, 229, 105];

fuzz_target!(|input: &[u8]| {
    if input.len() < 2 {
        return;
    }
    let linktype = LINKTYPES[input[0] as usize % LINKTYPES.len()];
    let data = &input[2..];
    let wire_len = data.len() + input[1] as usize;

    let pkt = pkt::dissect::dissect(linktype, data, wire_len);

    // Every byte of the frame belongs to exactly one top-level layer.
    let mut layers: Vec<(usize, usize, &str)> =
        pkt.layers.iter().map(|l| (l.offset, l.len, l.name())).collect();
    let total: usize = layers.iter().map(|l| l.1).sum();
    layers.sort_by_key(|l| l.0);
    let mut at = 0usize;
    for &(offset, len, name) in &layers {
        assert_eq!(offset, at, "layer {name} starts at {offset}, expected {at}: {layers:?}");
        at = offset + len;
    }
    assert_eq!(total, data.len(), "layers cover {total} bytes of {}: {layers:?}", data.len());

    let meta = FrameMeta {
        n: 1,
        ts_sec: 1_700_000_000,
        ts_nsec: 123_456_789,
        caplen: data.len(),
        len: wire_len,
        linktype,
        iface: None,
    };
    let mut out = String::new();
    json::write_record(&meta, &pkt, &mut out);
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&out) {
        panic!("invalid JSON ({e}): {out}");
    }

    out.clear();
    show::write(&pkt, &mut out);
    out.clear();
    summary::write(&pkt, &mut out);
    out.clear();
    hexdump::write(data, &mut out);
});
