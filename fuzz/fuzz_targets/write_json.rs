//! Fuzzes the NDJSON reader of `pkt write` with arbitrary text: `pkt::record::parse`, then, for
//! a record it accepts, what `pkt write` does with it (`pkt::build::serialize`,
//! `pkt::build::build`, `pkt::dissect::dissect` under the record's link type).
//!
//! Input: one NDJSON line (invalid UTF-8 is skipped: `pkt write` refuses it before parsing).
//!
//! Checked: nothing panics; and the frame property of the `write` target on the bytes the record
//! serialises to: dissected, written as a record, read back and serialised, they come back
//! unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkt::output::{FrameMeta, json};

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rec) = pkt::record::parse(line) else {
        return;
    };

    let bytes = pkt::build::serialize(&rec.layers);
    let built = pkt::build::build(&rec.layers);
    let _ = pkt::dissect::dissect(rec.linktype, &built, built.len());

    // The serialised bytes are a frame like any other: they must survive the round trip.
    let linktype = rec.linktype;
    let pkt = pkt::dissect::dissect(linktype, &bytes, bytes.len());
    let meta = FrameMeta {
        n: 1,
        ts_sec: 0,
        ts_nsec: 0,
        caplen: bytes.len(),
        len: bytes.len(),
        linktype,
        iface: None,
    };
    let mut out = String::new();
    json::write_record(&meta, &pkt, &mut out);
    let again = match pkt::record::parse(&out) {
        Ok(r) => r,
        Err(e) => panic!(
            "pkt cannot read its own record: {e}\nlinktype {linktype}, frame {}\n{out}",
            hex(&bytes)
        ),
    };
    let round = pkt::build::serialize(&again.layers);
    assert!(
        round == bytes,
        "the record does not serialise back to the frame\nlinktype {linktype}\nframe:      {}\n\
         serialised: {}\ninput record: {line}\nrecord of the frame: {out}",
        hex(&bytes),
        hex(&round)
    );
});

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
