//! Writing back what was read: savefiles byte for byte, other forms as plain host-order files,
//! other precisions converted, write errors named once.

use super::*;

#[test]
fn savefile_round_trip_is_byte_exact() {
    let (syn, udp) = (hex(TCP_SYN), hex(UDP_HELLO));
    for head in [
        USEC,
        NSEC,
        Head {
            snaplen: 20,
            linktype: 0x3000_0001,
            ..USEC
        },
    ] {
        let recs = [
            rec(T0, 123_456, &syn),
            Rec {
                len: 9000,
                ..rec(T0 + 1, 999_999_999, &udp[..30])
            },
            rec(T0 + 2, 1_000_000, &udp),       // out of range in µs
            rec(u32::MAX, 4_000_000_000, &syn), // out of range in both
            rec(0x8000_0000, 7, &[]),
        ];
        let bytes = pcap_bytes(head, &recs);
        let path = write_file("roundtrip.pcap", &bytes);
        let out = temp("roundtrip-out.pcap");
        write_through(&path, &out);
        assert!(
            std::fs::read(&*out).unwrap() == bytes,
            "magic {:x}",
            head.magic
        );
    }
}

#[test]
fn savefile_of_other_forms_is_a_plain_host_order_file() {
    let syn = hex(TCP_SYN);
    let recs = [
        rec(T0, 5, &syn),
        Rec {
            len: 100,
            ..rec(T0 + 1, 6, &syn[..40])
        },
    ];
    let plain = pcap_bytes(NSEC, &recs);
    // Big-endian, and version 2.2 with the two lengths the other way round.
    let mut swapped_lengths = pcap_bytes(
        Head {
            big: true,
            version: (2, 2),
            ..NSEC
        },
        &recs,
    );
    // Swap each record's caplen and len fields in place.
    let mut at = 24;
    for r in &recs {
        let (c, l) = (at + 8, at + 12);
        let caplen: [u8; 4] = swapped_lengths[c..c + 4].try_into().unwrap();
        swapped_lengths.copy_within(l..l + 4, c);
        swapped_lengths[l..l + 4].copy_from_slice(&caplen);
        at += 16 + r.data.len();
    }
    for (name, bytes) in [
        ("big", pcap_bytes(Head { big: true, ..NSEC }, &recs)),
        ("v2.2", swapped_lengths),
    ] {
        let path = write_file("other.pcap", &bytes);
        let out = temp("other-out.pcap");
        write_through(&path, &out);
        assert!(std::fs::read(&*out).unwrap() == plain, "{name}");
    }
    // Kuznetsov's modified pcap: microseconds, 24-byte record headers.
    let kuz = Head {
        magic: MAGIC_KUZNETSOV,
        ..USEC
    };
    for big in [false, true] {
        let path = write_file("kuznetsov.pcap", &pcap_bytes(Head { big, ..kuz }, &recs));
        let (got, err) = read_path(&path, None);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(got[0], (T0 as i64, 5000, syn.len(), syn.len(), syn.clone()));
        assert_eq!(got[1], (T0 as i64 + 1, 6000, 40, 100, syn[..40].to_vec()));
        let out = temp("kuznetsov-out.pcap");
        write_through(&path, &out);
        let mut want = pcap_bytes(
            Head {
                snaplen: 65535 + 14,
                ..USEC
            },
            &recs,
        );
        want[16..20].copy_from_slice(&(65535u32 + 14).to_ne_bytes());
        assert!(std::fs::read(&*out).unwrap() == want);
    }
}

#[test]
fn write_errors_name_the_path_once() {
    let path = write_file("w.pcap", &pcap_bytes(USEC, &[]));
    let cf = CaptureFile::open(&path, None).unwrap();
    let bad = temp("no-such-dir").0.join("out.pcap");
    let e = cf
        .savefile(bad.to_str().unwrap())
        .err()
        .unwrap()
        .to_string();
    let dir = bad.parent().unwrap().display();
    assert_eq!(
        e,
        format!(
            "{}: No such file or directory (there is no directory {dir})",
            bad.display()
        )
    );
}

/// A writer takes frames of another precision too (`pkt read a.pcap b.pcap -w out`).
#[test]
fn writer_converts_other_precisions() {
    let syn = hex(TCP_SYN);
    let usec = write_file("a.pcap", &pcap_bytes(USEC, &[rec(T0, 123_456, &syn)]));
    let nsec = write_file(
        "b.pcap",
        &pcap_bytes(NSEC, &[rec(T0 + 1, 987_654_321, &syn)]),
    );
    for (first, second, want) in [
        (
            &usec,
            &nsec,
            pcap_bytes(USEC, &[rec(T0, 123_456, &syn), rec(T0 + 1, 987_654, &syn)]),
        ),
        (
            &nsec,
            &usec,
            pcap_bytes(
                NSEC,
                &[rec(T0 + 1, 987_654_321, &syn), rec(T0, 123_456_000, &syn)],
            ),
        ),
    ] {
        let out = temp("mixed.pcap");
        let mut a = CaptureFile::open(first, None).unwrap();
        let mut w = a.savefile(&out).unwrap();
        w.write(&a.next_frame().unwrap().unwrap()).unwrap();
        let mut b = CaptureFile::open(second, None).unwrap();
        w.write(&b.next_frame().unwrap().unwrap()).unwrap();
        w.finish().unwrap();
        assert!(std::fs::read(&*out).unwrap() == want);
    }
}
