use super::*;
use crate::test_util::hex;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// scapy: Ether / IP(192.0.2.1 > 192.0.2.2) / TCP(40000 > 80, S).
const TCP_SYN: &str = "020000000002020000000001080045000028000100004006f6cbc0000201c0000202\
                           9c400050000003e800000000500220006b660000";
/// scapy: Ether / IP(192.0.2.1 > 192.0.2.3) / UDP(5353 > 53) / b'hello'.
const UDP_HELLO: &str = "020000000002020000000001080045000021000100004011f6c6c0000201c0000203\
                             14e90035000d22df68656c6c6f";
const T0: u32 = 1_700_000_000;

/// A path in the temp dir, unique to this process and call, removed when dropped.
struct Tmp(PathBuf);

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_dir(&self.0);
    }
}

impl std::ops::Deref for Tmp {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

fn temp(name: &str) -> Tmp {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    Tmp(std::env::temp_dir().join(format!("pkt-pcapio-{}-{n}-{name}", std::process::id())))
}

#[derive(Clone)]
struct Rec {
    sec: u32,
    frac: u32,
    /// Stored as the record's caplen unless `caplen` says otherwise.
    data: Vec<u8>,
    len: u32,
}

fn rec(sec: u32, frac: u32, data: &[u8]) -> Rec {
    Rec {
        sec,
        frac,
        data: data.to_vec(),
        len: data.len() as u32,
    }
}

/// What a pcap file's header says.
#[derive(Clone, Copy)]
struct Head {
    magic: u32,
    big: bool,
    version: (u16, u16),
    snaplen: u32,
    linktype: u32,
}

/// Microseconds, in this host's byte order (as `-w` writes).
const USEC: Head = Head {
    magic: MAGIC_USEC,
    big: cfg!(target_endian = "big"),
    version: (2, 4),
    snaplen: 65535,
    linktype: 1,
};
const NSEC: Head = Head {
    magic: MAGIC_NSEC,
    ..USEC
};

fn pcap_bytes(h: Head, recs: &[Rec]) -> Vec<u8> {
    let u16b = |v: u16| {
        if h.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let u32b = |v: u32| {
        if h.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let mut v = Vec::new();
    v.extend(u32b(h.magic));
    v.extend(u16b(h.version.0));
    v.extend(u16b(h.version.1));
    v.extend(u32b(0));
    v.extend(u32b(0));
    v.extend(u32b(h.snaplen));
    v.extend(u32b(h.linktype));
    for r in recs {
        v.extend(u32b(r.sec));
        v.extend(u32b(r.frac));
        v.extend(u32b(r.data.len() as u32));
        v.extend(u32b(r.len));
        if h.magic == MAGIC_KUZNETSOV {
            v.extend([0xee; 8]);
        }
        v.extend(&r.data);
    }
    v
}

fn write_file(name: &str, bytes: &[u8]) -> Tmp {
    let p = temp(name);
    std::fs::write(&p.0, bytes).unwrap();
    p
}

/// (sec, nsec, caplen, len, data) of every frame, and the error that ended the file if any.
type Got = (i64, u32, usize, usize, Vec<u8>);
fn read_all(cf: &mut CaptureFile) -> (Vec<Got>, Option<CaptureError>) {
    let mut got = Vec::new();
    loop {
        match cf.next_frame() {
            Ok(Some(f)) => {
                assert_eq!(f.caplen, f.data.len());
                got.push((f.ts_sec, f.ts_nsec, f.caplen, f.len, f.data.to_vec()))
            }
            Ok(None) => return (got, None),
            Err(e) => return (got, Some(e)),
        }
    }
}

fn read_path(path: &str, filter: Option<&str>) -> (Vec<Got>, Option<CaptureError>) {
    read_all(&mut CaptureFile::open(path, filter).unwrap())
}

fn open_err(bytes: &[u8]) -> String {
    let path = write_file("bad.pcap", bytes);
    match CaptureFile::open(&path, None) {
        Err(e @ CaptureError::Open { .. }) => e.to_string(),
        Err(e) => panic!("not an open error: {e}"),
        Ok(_) => panic!("opened"),
    }
}

#[test]
fn reads_both_precisions_in_both_byte_orders() {
    let syn = hex(TCP_SYN);
    for nano in [false, true] {
        for big in [false, true] {
            let head = Head {
                big,
                ..if nano { NSEC } else { USEC }
            };
            let frac = if nano { 123_456_789 } else { 123_456 };
            let recs = [
                rec(T0, frac, &syn),
                Rec {
                    len: 1514,
                    ..rec(T0 + 1, 0, &syn[..20])
                },
            ];
            let path = write_file("orders.pcap", &pcap_bytes(head, &recs));
            let mut cf = CaptureFile::open(&path, None).unwrap();
            assert_eq!(cf.linktype, 1);
            let (got, err) = read_all(&mut cf);
            assert!(err.is_none(), "{err:?}");
            let nsec = if nano { 123_456_789 } else { 123_456_000 };
            assert_eq!(
                got[0],
                (T0 as i64, nsec, syn.len(), syn.len(), syn.clone()),
                "nano {nano} big {big}"
            );
            assert_eq!(
                got[1],
                (T0 as i64 + 1, 0, 20, 1514, syn[..20].to_vec()),
                "nano {nano} big {big}"
            );
            assert_eq!(got.len(), 2);
        }
    }
}

#[test]
fn reads_the_same_as_libpcap() {
    let (syn, udp) = (hex(TCP_SYN), hex(UDP_HELLO));
    let recs: Vec<Rec> = (0..50)
        .map(|i| rec(T0 + i, i * 1000, if i % 3 == 0 { &udp } else { &syn }))
        .collect();
    for head in [
        USEC,
        NSEC,
        Head { big: true, ..USEC },
        Head { big: true, ..NSEC },
    ] {
        let path = write_file("libpcap.pcap", &pcap_bytes(head, &recs));
        let ours = read_path(&path, None).0;
        let mut cap = Capture::from_file_with_precision(&*path, Precision::Nano).unwrap();
        let mut theirs = Vec::new();
        while let Ok(p) = cap.next_packet() {
            let h = p.header;
            theirs.push((
                h.ts.tv_sec,
                h.ts.tv_usec as u32,
                h.caplen as usize,
                h.len as usize,
                p.data.to_vec(),
            ));
        }
        assert_eq!(ours, theirs);
    }
}

#[test]
fn record_longer_than_snaplen_is_read_whole() {
    let big: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
    let recs = [rec(T0, 0, &big), rec(T0, 1, &big[..10])];
    let path = write_file(
        "snaplen.pcap",
        &pcap_bytes(
            Head {
                snaplen: 64,
                ..USEC
            },
            &recs,
        ),
    );
    let (got, err) = read_path(&path, None);
    assert!(err.is_none(), "{err:?}");
    assert_eq!((got[0].2, got[0].3), (3000, 3000));
    assert_eq!(got[0].4, big);
    assert_eq!(got[1].4, &big[..10]);
    // (libpcap keeps only the snaplen.)
    let mut cap = Capture::from_file(&*path).unwrap();
    assert_eq!(cap.next_packet().unwrap().data.len(), 64);
}

#[test]
fn records_across_buffer_refills_and_bigger_than_the_buffer() {
    let mut recs: Vec<Rec> = (0..3000u32)
        .map(|i| {
            rec(
                T0 + i,
                0,
                &(0..(i % 1500) as usize + 1)
                    .map(|b| (b as u32 ^ i) as u8)
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let huge: Vec<u8> = (0..(READ_BUF * 5 / 2) as u32)
        .map(|i| (i % 251) as u8)
        .collect();
    recs.insert(1234, rec(T0, 0, &huge));
    let path = write_file("refill.pcap", &pcap_bytes(USEC, &recs));
    let (got, err) = read_path(&path, None);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(got.len(), recs.len());
    for (g, r) in got.iter().zip(&recs) {
        assert_eq!((g.0, &g.4), (r.sec as i64, &r.data));
    }
}

#[test]
fn truncated_record_is_damaged_after_the_complete_records() {
    let syn = hex(TCP_SYN);
    let recs: Vec<Rec> = (0..4).map(|i| rec(T0 + i, 0, &syn)).collect();
    let bytes = pcap_bytes(USEC, &recs);
    let last = 16 + syn.len();
    for (cut, wants) in [
        (bytes.len() - 10, "record 4 needs 54 bytes of data, 44 left"),
        (
            bytes.len() - last + 16,
            "record 4 needs 54 bytes of data, 0 left",
        ),
        (
            bytes.len() - last + 5,
            "record 4 header needs 16 bytes, 5 left",
        ),
    ] {
        let path = write_file("cut.pcap", &bytes[..cut]);
        let (got, err) = read_path(&path, None);
        assert_eq!(got.len(), 3);
        match err {
            Some(e @ CaptureError::Damaged { after: 3, .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(wants) && msg.contains("stopped after packet 3"),
                    "{msg}"
                );
                assert_eq!(msg.lines().count(), 1);
            }
            other => panic!("{other:?}"),
        }
    }
    // Only the complete records count, filtered out or not.
    let path = write_file("cut.pcap", &bytes[..bytes.len() - 1]);
    let (got, err) = read_path(&path, Some("udp"));
    assert!(got.is_empty());
    assert!(
        matches!(err, Some(CaptureError::Damaged { after: 3, .. })),
        "{err:?}"
    );
    // A record claiming an absurd length is damage, found without reading (or allocating) it.
    let mut bytes = pcap_bytes(USEC, &recs[..1]);
    bytes.extend(
        pcap_bytes(
            USEC,
            &[Rec {
                len: 60,
                ..rec(T0, 0, &[])
            }],
        )[24..]
            .iter(),
    );
    let n = bytes.len();
    bytes[n - 8..n - 4].copy_from_slice(&u32::MAX.to_ne_bytes());
    let path = write_file("absurd.pcap", &bytes);
    let (got, err) = read_path(&path, None);
    assert_eq!(got.len(), 1);
    assert!(
        matches!(err, Some(CaptureError::Damaged { after: 1, .. })),
        "{err:?}"
    );
}

#[test]
fn fraction_out_of_range_carries_into_seconds() {
    let d = [0u8; 14];
    let recs = [
        rec(T0, 999_999, &d),
        rec(T0, 1_000_000, &d),
        rec(T0, 4_294_968, &d),
        rec(T0, u32::MAX, &d),
    ];
    let path = write_file("usec.pcap", &pcap_bytes(USEC, &recs));
    let got: Vec<(i64, u32)> = read_path(&path, None)
        .0
        .iter()
        .map(|g| (g.0, g.1))
        .collect();
    let t = T0 as i64;
    assert_eq!(
        got,
        [
            (t, 999_999_000),
            (t + 1, 0),
            (t + 4, 294_968_000),
            (t + 4294, 967_295_000)
        ]
    );

    let recs = [
        rec(T0, 999_999_999, &d),
        rec(T0, 1_000_000_000, &d),
        rec(u32::MAX, u32::MAX, &d),
    ];
    let path = write_file("nsec.pcap", &pcap_bytes(NSEC, &recs));
    let got: Vec<(i64, u32)> = read_path(&path, None)
        .0
        .iter()
        .map(|g| (g.0, g.1))
        .collect();
    assert_eq!(
        got,
        [
            (t, 999_999_999),
            (t + 1, 0),
            (u32::MAX as i64 + 4, 294_967_295)
        ]
    );
}

#[test]
fn seconds_past_2038_stay_positive() {
    let d = [0u8; 14];
    let recs = [rec(0x8000_0000, 0, &d), rec(u32::MAX, 5, &d)];
    for head in [USEC, Head { big: true, ..NSEC }] {
        let path = write_file("y2038.pcap", &pcap_bytes(head, &recs));
        let got = read_path(&path, None).0;
        assert_eq!((got[0].0, got[1].0), (0x8000_0000, 0xffff_ffff));
    }
}

#[test]
fn filter_selects_by_compiled_bpf() {
    let (syn, udp) = (hex(TCP_SYN), hex(UDP_HELLO));
    // The UDP frame is snapped: `greater` must see its wire length.
    let recs = [
        rec(T0, 0, &syn),
        Rec {
            len: 1000,
            ..rec(T0 + 1, 0, &udp)
        },
        rec(T0 + 2, 0, &syn),
    ];
    for head in [USEC, Head { big: true, ..NSEC }] {
        let path = write_file("filter.pcap", &pcap_bytes(head, &recs));
        let secs = |f: &str| {
            read_path(&path, Some(f))
                .0
                .iter()
                .map(|g| g.0 - T0 as i64)
                .collect::<Vec<_>>()
        };
        assert_eq!(secs("udp"), [1]);
        assert_eq!(secs("tcp"), [0, 2]);
        assert_eq!(secs("greater 500"), [1]);
        assert_eq!(secs("udp or tcp[13] & 2 != 0"), [0, 1, 2]);
        assert_eq!(secs("  "), [0, 1, 2]);
        match CaptureFile::open(&path, Some("tcp and")) {
            Err(e @ CaptureError::Filter { .. }) => {
                assert!(e.to_string().starts_with("bad filter 'tcp and': "))
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("a bad filter compiled"),
        }
    }
    // Raw IP files: LINKTYPE 101 is libpcap's DLT_RAW.
    let ip = &syn[14..];
    let path = write_file(
        "raw.pcap",
        &pcap_bytes(
            Head {
                linktype: 101,
                ..USEC
            },
            &[rec(T0, 0, ip)],
        ),
    );
    assert_eq!(CaptureFile::open(&path, None).unwrap().linktype, 101);
    assert_eq!(read_path(&path, Some("tcp port 80")).0.len(), 1);
    assert_eq!(read_path(&path, Some("udp")).0.len(), 0);
}

fn write_through(path: &str, out: &str) {
    let mut cf = CaptureFile::open(path, None).unwrap();
    let mut w = cf.savefile(out).unwrap();
    while let Some(f) = cf.next_frame().unwrap() {
        w.write(&f).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn open_errors_say_what_is_wrong() {
    assert!(open_err(b"").ends_with(": empty file, not a capture"));
    let text = open_err(b"These are some notes, not a packet capture.");
    assert!(
        text.ends_with(": not a pcap or pcapng capture (unknown magic 0x54686573)"),
        "{text}"
    );
    assert!(open_err(b"ab").contains("not a pcap or pcapng capture"));
    let bytes = pcap_bytes(USEC, &[]);
    assert!(open_err(&bytes[..10]).contains("truncated pcap file header (10 of 24 bytes)"));
    assert!(
        open_err(&pcap_bytes(
            Head {
                version: (1, 0),
                ..USEC
            },
            &[]
        ))
        .contains("archaic")
    );
    assert!(
        open_err(&pcap_bytes(
            Head {
                version: (2, 5),
                ..USEC
            },
            &[]
        ))
        .contains("unsupported pcap savefile version 2.5")
    );
    let dir = temp("dir");
    std::fs::create_dir(&*dir).unwrap();
    assert!(matches!(
        CaptureFile::open(&dir, None),
        Err(CaptureError::Open { .. })
    ));
    let missing = temp("missing.pcap");
    let e = CaptureFile::open(&missing, None).err().unwrap().to_string();
    assert!(e.ends_with(": No such file or directory"), "{e}");
    // A header alone is an empty capture.
    let path = write_file("header-only.pcap", &bytes);
    let (got, err) = read_path(&path, None);
    assert!(got.is_empty() && err.is_none());
}

/// Byte-swapped files carry some pseudo-headers in the writer's byte order; they come out
/// as libpcap hands them over.
#[test]
fn swapped_pseudo_headers_read_as_through_libpcap() {
    let seq: Vec<u8> = (1..=100).collect();
    let mut sll = vec![0u8; 14];
    sll.extend([0x00, 0x0c]);
    sll.extend(&seq[..20]);
    let mut usb_iso = seq.clone();
    usb_iso[9] = 0; // isochronous
    usb_iso[60..64].copy_from_slice(&[0, 0, 0, 2]); // two descriptors (big-endian)
    let nflog = [
        2, 0, 0, 5, 0, 8, 0, 1, b'A', b'B', b'C', b'D', 0, 6, 0, 2, b'E', b'F', 0, 0, 0, 3,
    ];
    for (linktype, data) in [
        (113, sll),
        (189, seq.clone()),
        (220, seq.clone()),
        (220, usb_iso),
        (239, nflog.to_vec()),
        (117, seq.clone()),
    ] {
        let recs: Vec<Rec> = (0..data.len())
            .step_by(7)
            .map(|n| rec(T0, 0, &data[..n]))
            .chain([rec(T0, 0, &data)])
            .collect();
        let path = write_file(
            "pseudo.pcap",
            &pcap_bytes(
                Head {
                    big: true,
                    linktype,
                    ..USEC
                },
                &recs,
            ),
        );
        let ours: Vec<Vec<u8>> = read_path(&path, None).0.into_iter().map(|g| g.4).collect();
        let mut cap = Capture::from_file(&*path).unwrap();
        let mut theirs = Vec::new();
        while let Ok(p) = cap.next_packet() {
            theirs.push(p.data.to_vec());
        }
        assert_eq!(ours, theirs, "linktype {linktype}");
    }
}

mod ng;
mod writer;
