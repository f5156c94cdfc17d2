use super::*;

#[test]
fn unknown_linktype_is_one_raw_layer_and_named() {
    let p = dissect(105, &[1, 2, 3], 3);
    assert_eq!(p.layers.len(), 1);
    assert_eq!(p.layers[0].name(), "Raw");
    assert!(p.errors[0].error.contains("IEEE802_11"), "{:?}", p.errors);
}

#[test]
fn empty_frame_has_no_layers_and_no_panic() {
    let p = dissect(1, &[], 0);
    assert!(p.layers.is_empty());
    assert_eq!(
        p.errors[0].error,
        "truncated: Ether header needs 14 bytes, 0 left"
    );
}

#[test]
fn a_cut_inside_bit_fields_loses_no_bits() {
    // Two bytes of an IPv6 header: version and half of tc share byte 0; nothing is kept
    // that would leave half a byte in no layer.
    let p = dissect(101, &[0x6c, 0x65], 2);
    assert_eq!(p.layers.iter().map(|l| l.len).sum::<usize>(), 2);
    let bytes = crate::build::serialize(&p.layers);
    assert_eq!(bytes, [0x6c, 0x65]);
}

#[test]
fn reuse_keeps_memory_bounded() {
    // ICMPv6 echo data is read as bytes: a million of them must not pile up spare buffers.
    let f = crate::test_util::hex(
        "ffffffffffff00000000000086dd 6000000000083a40 00000000000000000000000000000001 \
         00000000000000000000000000000001 8000 0000 0001 0001",
    );
    let mut p = Packet::default();
    for _ in 0..1000 {
        dissect_into(1, &f, f.len(), &mut p);
    }
    assert!(p.spare.len() <= SPARE && p.spare_bytes.len() <= SPARE);
    assert_eq!(p.layers[2].name(), "ICMPv6EchoRequest");
}

#[test]
fn a_malformed_option_keeps_the_rest_of_its_area() {
    // IPv6/HopByHop whose PadN claims 9 bytes where 4 remain, then IP options whose
    // second option claims more than the area holds: every byte is written back.
    // Last: TCP whose dataofs claims 40 bytes of options where the IP length leaves 12,
    // ending in EOL (found by the `write` fuzz target): no zeros may be added after it.
    for f in [
        "6000000000080000 00000000000000000000000000000001 00000000000000000000000000000001 \
         3b00 0109 00000000",
        "4600001c0000000040000000 7f000001 7f000001 0104 0908 aabb",
        "45100034fd2640003e063da6cc093384cc09365044026c6f12123f9bae80100ffe2586112200000101080a\
         ffffff048000d3ab0000 0000ca00",
        // A Jumbo option cut inside its 4-byte field, one byte left of the area.
        "6000000000080000 00000000000000000000000000000001 00000000000000000000000000000001 \
         3b00 00 5800 c204 e9",
    ] {
        let f = crate::test_util::hex(f);
        let p = dissect(101, &f, f.len());
        assert!(!p.errors.is_empty(), "{:?}", p.layers);
        assert_eq!(crate::build::serialize(&p.layers), f, "{:?}", p.layers);
        // And through the NDJSON record, as `pkt read --json | pkt write` does.
        let meta = crate::output::FrameMeta {
            n: 1,
            ts_sec: 0,
            ts_nsec: 0,
            caplen: f.len(),
            len: f.len(),
            linktype: 101,
            iface: None,
        };
        let mut line = String::new();
        crate::output::json::write_record(&meta, &p, &mut line);
        let rec = crate::record::parse(&line).unwrap();
        assert_eq!(crate::build::serialize(&rec.layers), f, "{line}");
    }
}

#[test]
fn both_forms_of_a_zero_checksum_are_right() {
    // IP/ICMP echo-reply id=0 seq=0, no data: the checksum computes to 0xffff; Linux sends
    // 0x0000, which is the same one's-complement zero.
    let reply =
        crate::test_util::hex("4500001c00010000400100000a0000010a000002 0000 0000 00000000");
    let mut f = reply.clone();
    let ck = crate::checksum::with_zeroed(&f[..20], 10, 0);
    f[10..12].copy_from_slice(&ck.to_be_bytes());
    assert!(dissect(101, &f, f.len()).errors.is_empty());
    f[22..24].copy_from_slice(&[0xff, 0xff]);
    assert!(dissect(101, &f, f.len()).errors.is_empty());
    f[22..24].copy_from_slice(&[0x12, 0x34]);
    assert_eq!(dissect(101, &f, f.len()).errors.len(), 1);
}

#[test]
fn bits_across_bytes() {
    assert_eq!(read_bits(&[0b1010_1100, 0b0101_0000], 4, 8), 0b1100_0101);
    assert_eq!(read_bits(&[0x12, 0x34], 0, 16), 0x1234);
}
