//! Fuzzes the round trip `pkt read --json | pkt write` rests on: a frame is dissected, written
//! as its NDJSON record (`pkt::output::json::write_record`), read back (`pkt::record::parse`) and
//! serialised (`pkt::build::serialize`); the bytes must be the frame's.
//!
//! Input layout, as the `dissect` target's (so `fuzz/seed.py` seeds it): `[selector, snap,
//! frame...]`. `selector % 9` picks the link type from `LINKTYPES`; `snap` is 0 for an uncut
//! frame, else the wire length is `frame.len() + snap`.
//!
//! Checked: nothing panics; the record pkt writes always parses; its layers serialise back to
//! exactly the frame; `build` (what `pkt write` uses after an edit or with `--fix`) does not
//! panic on them and what it makes dissects. As in `pkt write`, `build` is only given records
//! of whole packets (not snapped, no truncation error): the layers of a cut packet lack fields,
//! which `build` need not handle here (`write_json` gives it any record).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkt::output::{FrameMeta, json};

/// Ethernet, Linux SLL, SLL2, BSD null, loop, raw IP, IPv4, IPv6, 802.11 (not decoded: one
/// `Raw` layer).
const LINKTYPES: [u32; 9] = [1, 113, 276, 0, 108, 101, 228, 229, 105];

fuzz_target!(|input: &[u8]| {
    if input.len() < 2 {
        return;
    }
    let linktype = LINKTYPES[input[0] as usize % LINKTYPES.len()];
    let data = &input[2..];
    let wire_len = data.len() + input[1] as usize;

    let pkt = pkt::dissect::dissect(linktype, data, wire_len);
    let meta = FrameMeta {
        n: 1,
        ts_sec: 0,
        ts_nsec: 0,
        caplen: data.len(),
        len: wire_len,
        linktype,
        iface: None,
    };
    let mut line = String::new();
    json::write_record(&meta, &pkt, &mut line);

    let rec = match pkt::record::parse(&line) {
        Ok(r) => r,
        Err(e) => panic!(
            "pkt cannot read its own record: {e}\nlinktype {linktype}, frame {}\n{line}",
            hex(data)
        ),
    };
    assert_eq!(rec.linktype, linktype);
    assert_eq!((rec.caplen, rec.len), (data.len(), wire_len));
    assert_eq!((rec.ts_sec, rec.ts_nsec), (0, 0));

    let bytes = pkt::build::serialize(&rec.layers);
    assert!(
        bytes == data,
        "the record does not serialise back to the frame\nlinktype {linktype}, wire length \
         {wire_len}\nframe:      {}\nserialised: {}\n{line}",
        hex(data),
        hex(&bytes)
    );

    // `pkt write` rebuilds only whole packets: not snapped, no error without a field.
    let truncated = rec.errors.iter().any(|(_, _, field)| field.is_none());
    if rec.len == rec.caplen && !truncated {
        let built = pkt::build::build(&rec.layers);
        let _ = pkt::dissect::dissect(linktype, &built, built.len());
    }
});

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
