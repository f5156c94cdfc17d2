//! Fuzzes the capture-file readers (`pkt::pcapio`): classic pcap in every form and pcapng with
//! any blocks, read from memory as `pkt read` reads a file.
//!
//! Input: the file's bytes. Seeds: `captures/*.pcap*` and the corpus's files.
//!
//! Checked: nothing panics; every frame's `caplen` is its data's length; a file that stops
//! with damage says so after the frames it gave.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkt::pcapio::{CaptureError, CaptureFile};

fuzz_target!(|input: &[u8]| {
    let src = Box::new(std::io::Cursor::new(input.to_vec()));
    let Ok(mut cf) = CaptureFile::from_reader(src, "fuzz", None) else {
        return;
    };
    loop {
        match cf.next_frame() {
            Ok(Some(f)) => assert_eq!(f.caplen, f.data.len()),
            Ok(None) => break,
            Err(CaptureError::Damaged { after, .. }) => {
                assert!(after <= cf.records_read());
                break;
            }
            Err(e) => panic!("not damage: {e}"),
        }
    }
});
