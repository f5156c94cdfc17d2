//! pcapng, read by pkt: interfaces of several link types and time-stamp resolutions, sections
//! in either byte order, the blocks that hold no packet, what `Writer::create_ng` writes, and
//! damage.

use super::*;

/// A pcapng file built block by block, in one byte order.
struct Ng {
    big: bool,
    b: Vec<u8>,
}

impl Ng {
    /// A file that opens with a section header in this byte order.
    fn new(big: bool) -> Ng {
        let mut n = Ng { big, b: Vec::new() };
        n.section(big);
        n
    }

    fn u16(&self, v: u16) -> [u8; 2] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    fn u32(&self, v: u32) -> [u8; 4] {
        if self.big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    fn block(&mut self, kind: u32, body: &[u8]) -> &mut Ng {
        let len = (12 + body.len().div_ceil(4) * 4) as u32;
        let (k, l) = (self.u32(kind), self.u32(len));
        self.b.extend(k);
        self.b.extend(l);
        self.b.extend(body);
        self.b.resize(self.b.len() + (4 - body.len() % 4) % 4, 0);
        self.b.extend(l);
        self
    }

    /// A new section, in this byte order from here on.
    fn section(&mut self, big: bool) -> &mut Ng {
        self.big = big;
        let mut body = self.u32(0x1A2B_3C4D).to_vec();
        body.extend(self.u16(1));
        body.extend(self.u16(0));
        body.extend([0xff; 8]);
        self.block(0x0A0D_0D0A, &body)
    }

    /// An interface: link type, snaplen and options (code, value).
    fn iface(&mut self, linktype: u16, snaplen: u32, opts: &[(u16, Vec<u8>)]) -> &mut Ng {
        let mut body = self.u16(linktype).to_vec();
        body.extend(self.u16(0));
        body.extend(self.u32(snaplen));
        for (code, v) in opts {
            body.extend(self.u16(*code));
            body.extend(self.u16(v.len() as u16));
            body.extend(v);
            body.resize(body.len().div_ceil(4) * 4, 0);
        }
        if !opts.is_empty() {
            body.extend([0; 4]);
        }
        self.block(1, &body)
    }

    /// An enhanced packet block: interface, time stamp in its units, data, wire length.
    fn epb(&mut self, iface: u32, ts: u64, data: &[u8], len: usize) -> &mut Ng {
        let mut body = self.u32(iface).to_vec();
        body.extend(self.u32((ts >> 32) as u32));
        body.extend(self.u32(ts as u32));
        body.extend(self.u32(data.len() as u32));
        body.extend(self.u32(len as u32));
        body.extend(data);
        self.block(6, &body)
    }

    /// The obsolete packet block.
    fn opb(&mut self, iface: u16, ts: u64, data: &[u8]) -> &mut Ng {
        let mut body = self.u16(iface).to_vec();
        body.extend(self.u16(0));
        body.extend(self.u32((ts >> 32) as u32));
        body.extend(self.u32(ts as u32));
        body.extend(self.u32(data.len() as u32));
        body.extend(self.u32(data.len() as u32));
        body.extend(data);
        self.block(2, &body)
    }

    /// A simple packet block: the wire length, and the data kept.
    fn spb(&mut self, len: usize, data: &[u8]) -> &mut Ng {
        let mut body = self.u32(len as u32).to_vec();
        body.extend(data);
        self.block(3, &body)
    }
}

/// (linktype, sec, nsec, len, data) of every frame, and the error that ended the file if any.
type Framed = (u32, i64, u32, usize, Vec<u8>);
fn frames(path: &str, filter: Option<&str>) -> (Vec<Framed>, Option<CaptureError>) {
    let mut cf = CaptureFile::open(path, filter).unwrap();
    let mut got = Vec::new();
    loop {
        match cf.next_frame() {
            Ok(Some(f)) => {
                assert_eq!(f.caplen, f.data.len());
                got.push((f.linktype, f.ts_sec, f.ts_nsec, f.len, f.data.to_vec()));
            }
            Ok(None) => return (got, None),
            Err(e) => return (got, Some(e)),
        }
    }
}

/// The damage message a file ends with, after how many packets.
fn damage(bytes: &[u8]) -> (usize, String) {
    let path = write_file("bad.pcapng", bytes);
    let (got, err) = frames(&path, None);
    match err {
        Some(e @ CaptureError::Damaged { .. }) => (got.len(), e.to_string()),
        other => panic!("not damaged: {other:?}"),
    }
}

#[test]
fn interfaces_of_several_link_types_and_resolutions() {
    let syn = hex(TCP_SYN);
    let udp = hex(UDP_HELLO);
    let raw_syn = syn[14..].to_vec();
    let t = u64::from(T0);
    let mut ng = Ng::new(false);
    ng.block(4, &[0, 0, 0, 0]) // a name resolution block, empty
        .iface(1, 65535, &[(2, b"eth0".to_vec())])
        .iface(101, 0, &[(9, vec![9]), (14, 100u64.to_le_bytes().to_vec())])
        .iface(1, 262_144, &[(9, vec![0x80 | 20])])
        .epb(0, t * 1_000_000 + 250_000, &syn, 1514)
        .block(5, &[0; 12]) // interface statistics
        .epb(1, t * 1_000_000_000 + 123_456_789, &raw_syn, raw_syn.len())
        .block(0x0000_0BAD, &[1, 2, 3, 4, 5]) // custom
        .epb(2, (t << 20) + (1 << 19), &udp, udp.len())
        .opb(0, t * 1_000_000 + 1, &udp);
    let path = write_file("multi.pcapng", &ng.b);
    let cf = CaptureFile::open(&path, None).unwrap();
    assert_eq!(cf.linktype, 1, "the first interface's");
    let (got, err) = frames(&path, None);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        got,
        [
            (1, T0 as i64, 250_000_000, 1514, syn.clone()),
            (
                101,
                T0 as i64 + 100,
                123_456_789,
                raw_syn.len(),
                raw_syn.clone()
            ),
            (1, T0 as i64, 500_000_000, udp.len(), udp.clone()),
            (1, T0 as i64, 1000, udp.len(), udp.clone()),
        ]
    );
    // One filter, compiled for each link type: "tcp" finds the SYN over Ethernet and raw IP.
    let tcp: Vec<u32> = frames(&path, Some("tcp")).0.iter().map(|f| f.0).collect();
    assert_eq!(tcp, [1, 101]);
    assert_eq!(frames(&path, Some("udp port 53")).0.len(), 2);
    assert_eq!(frames(&path, Some("ip src 192.0.2.1")).0.len(), 4);
}

#[test]
fn sections_in_both_byte_orders_each_with_their_own_interfaces() {
    let syn = hex(TCP_SYN);
    let raw_syn = syn[14..].to_vec();
    let t = u64::from(T0);
    let mut ng = Ng::new(true);
    ng.iface(1, 0, &[]).epb(0, t * 1_000_000, &syn, syn.len());
    // The second section's interface 0 is raw IP with a snaplen of 30: its simple packet
    // block keeps 30 bytes of the 40 and has no time stamp.
    ng.section(false)
        .iface(101, 30, &[])
        .spb(raw_syn.len(), &raw_syn[..30])
        .epb(0, t * 1_000_000 + 7, &raw_syn, raw_syn.len());
    let path = write_file("sections.pcapng", &ng.b);
    let (got, err) = frames(&path, None);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        got,
        [
            (1, T0 as i64, 0, syn.len(), syn.clone()),
            (101, 0, 0, raw_syn.len(), raw_syn[..30].to_vec()),
            (101, T0 as i64, 7000, raw_syn.len(), raw_syn.clone()),
        ]
    );
}

/// pcapng: a section, an Ethernet interface and one enhanced packet; filtered, and written
/// back as a nanosecond pcap.
#[test]
fn pcapng_reads_filters_and_writes_back() {
    let syn = hex(TCP_SYN);
    let mut b = Vec::new();
    let block = |b: &mut Vec<u8>, kind: u32, body: &[u8]| {
        let len = 12 + body.len().div_ceil(4) * 4;
        b.extend(kind.to_le_bytes());
        b.extend((len as u32).to_le_bytes());
        b.extend(body);
        b.resize(b.len() + (4 - body.len() % 4) % 4, 0);
        b.extend((len as u32).to_le_bytes());
    };
    block(
        &mut b,
        0x0a0d_0d0a,
        &[
            0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ],
    );
    block(&mut b, 1, &[1, 0, 0, 0, 0, 0, 0, 0]);
    let us = T0 as u64 * 1_000_000 + 250_000;
    let mut epb = Vec::new();
    epb.extend(0u32.to_le_bytes());
    epb.extend(((us >> 32) as u32).to_le_bytes());
    epb.extend((us as u32).to_le_bytes());
    epb.extend((syn.len() as u32).to_le_bytes());
    epb.extend(1514u32.to_le_bytes());
    epb.extend(&syn);
    block(&mut b, 6, &epb);
    let path = write_file("ng.pcapng", &b);
    let mut cf = CaptureFile::open(&path, None).unwrap();
    assert_eq!(cf.linktype, 1);
    let (got, err) = read_all(&mut cf);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        got,
        [(T0 as i64, 250_000_000, syn.len(), 1514, syn.clone())]
    );
    assert_eq!(read_path(&path, Some("udp")).0.len(), 0);
    assert_eq!(read_path(&path, Some("tcp")).0.len(), 1);
    // -w writes a nanosecond pcap of it.
    let out = temp("ng-out.pcap");
    write_through(&path, &out);
    let recs = [Rec {
        len: 1514,
        ..rec(T0, 250_000_000, &syn)
    }];
    let mut want = pcap_bytes(NSEC, &recs);
    want[16..20].copy_from_slice(&262_144u32.to_ne_bytes());
    assert!(std::fs::read(&*out).unwrap() == want);
}

/// What `pkt write --pcapng` makes of records of several link types reads back as they were
/// (libpcap refuses such a file).
#[test]
fn what_the_pcapng_writer_writes_reads_back() {
    let syn = hex(TCP_SYN);
    let raw = syn[14..].to_vec();
    let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
    sll.extend(&raw);
    let path = temp("w.pcapng");
    let mut w = Writer::create_ng(&path, 1).unwrap();
    let want = [
        (1, T0 as i64, 1u32, 1514usize, syn.clone()),
        (101, T0 as i64 + 1, 999_999_999, raw.len(), raw.clone()),
        (113, T0 as i64 + 2, 5, sll.len(), sll.clone()),
        (1, T0 as i64 + 3, 0, syn.len(), syn.clone()),
    ];
    for (lt, sec, ns, len, data) in &want {
        w.write_packet_as(*lt, *sec, *ns, data, *len).unwrap();
    }
    w.finish().unwrap();
    let mut cap = Capture::from_file(&*path).unwrap();
    let refused = loop {
        match cap.next_packet() {
            Ok(_) => {}
            Err(pcap::Error::NoMorePackets) => break false,
            Err(_) => break true,
        }
    };
    assert!(refused, "libpcap reads it after all");
    let (got, err) = frames(&path, None);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(got, want);
}

#[test]
fn damage_is_reported_after_the_packets_before_it() {
    let syn = hex(TCP_SYN);
    let mut ng = Ng::new(false);
    ng.iface(1, 0, &[]).epb(0, 0, &syn, syn.len());
    let good = ng.b.clone();
    let with = |f: &dyn Fn(&mut Ng)| {
        let mut n = Ng {
            big: false,
            b: good.clone(),
        };
        f(&mut n);
        n.b
    };

    // Cut inside the second packet's block.
    let mut cut = with(&|n| {
        n.epb(0, 0, &syn, syn.len());
    });
    cut.truncate(cut.len() - 5);
    let (n, e) = damage(&cut);
    assert_eq!(n, 1);
    assert!(
        e.contains("stopped after packet 1") && e.contains("truncated"),
        "{e}"
    );

    // Trailing length unlike the leading one.
    let mut bad = with(&|n| {
        n.epb(0, 0, &syn, syn.len());
    });
    let end = bad.len();
    bad[end - 4] ^= 4;
    let (n, e) = damage(&bad);
    assert_eq!(n, 1);
    assert!(e.contains("ends with a length of"), "{e}");

    // A length that is no multiple of 4.
    let mut odd = with(&|n| {
        n.block(5, &[0; 4]);
    });
    let at = good.len() + 4;
    odd[at] += 1;
    assert!(damage(&odd).1.contains("not a multiple of 4"));

    // A packet of an interface the section does not have.
    let (n, e) = damage(&with(&|n| {
        n.epb(3, 0, &syn, syn.len());
    }));
    assert_eq!(n, 1);
    assert!(
        e.contains("names interface 3, but the section has 1 interface "),
        "{e}"
    );

    // A packet claiming more data than its block holds.
    let mut long = with(&|n| {
        n.epb(0, 0, &syn, syn.len());
    });
    let caplen_at = good.len() + 8 + 12;
    long[caplen_at..caplen_at + 4].copy_from_slice(&500u32.to_le_bytes());
    assert!(damage(&long).1.contains("claims 500 bytes of data"));

    // A packet before any interface, or a section in no byte order, cannot be opened.
    let mut early = Ng::new(false);
    early.epb(0, 0, &syn, syn.len());
    let e = open_err(&early.b);
    assert!(e.contains("comes before any interface block"), "{e}");
    let mut bom = good.clone();
    bom[8..12].copy_from_slice(&[1, 2, 3, 4]);
    assert!(open_err(&bom).contains("bad byte-order magic"));
}

/// A big-endian section's pseudo-headers come out as libpcap hands them over (one interface,
/// so libpcap reads the file too).
#[test]
fn swapped_pseudo_headers_read_as_through_libpcap() {
    let mut sll = vec![0u8; 14];
    sll.extend([0x00, 0x0c]);
    sll.extend(1..=20u8);
    let mut ng = Ng::new(cfg!(target_endian = "little"));
    ng.iface(113, 0, &[]).epb(0, 0, &sll, sll.len());
    let path = write_file("sll.pcapng", &ng.b);
    let ours = frames(&path, None).0.remove(0).4;
    let mut cap = Capture::from_file(&*path).unwrap();
    let theirs = cap.next_packet().unwrap().data.to_vec();
    assert_eq!(ours, theirs);
    assert_ne!(ours, sll, "the protocol field was swapped");
}

/// Every cut of a file of several interfaces, and every byte of it changed (three ways): each
/// reads without a panic, as far as it can, every frame's data its caplen long, and stops at
/// the end or with damage after the frames it gave.
#[test]
fn every_cut_and_every_changed_byte_reads_without_panic() {
    let syn = hex(TCP_SYN);
    let udp = hex(UDP_HELLO);
    let mut ng = Ng::new(false);
    ng.iface(1, 65535, &[(9, vec![0x80 | 20])])
        .iface(101, 0, &[(14, 7u64.to_le_bytes().to_vec())])
        .epb(0, 1 << 40, &syn, 1514)
        .spb(udp.len(), &udp)
        .epb(1, 5, &syn[14..], 40)
        .opb(0, 9, &udp);
    ng.section(true)
        .iface(113, 40, &[])
        .epb(0, 3, &udp, udp.len());
    let whole = ng.b;
    let read = |bytes: Vec<u8>| -> Result<(u64, bool), String> {
        let src = Box::new(std::io::Cursor::new(bytes));
        let mut cf = match CaptureFile::from_reader(src, "mutant", None) {
            Ok(cf) => cf,
            Err(CaptureError::Open { .. }) => return Ok((0, false)),
            Err(e) => return Err(format!("open: {e}")),
        };
        let mut n = 0;
        loop {
            match cf.next_frame() {
                Ok(Some(f)) if f.caplen == f.data.len() => n += 1,
                Ok(Some(f)) => return Err(format!("caplen {} of {}", f.caplen, f.data.len())),
                Ok(None) => return Ok((n, true)),
                Err(CaptureError::Damaged { after, .. }) if after == n => return Ok((n, false)),
                Err(e) => return Err(format!("after {n} frames: {e}")),
            }
        }
    };
    assert_eq!(read(whole.clone()), Ok((5, true)));
    for cut in 0..whole.len() {
        let r = read(whole[..cut].to_vec());
        assert!(r.is_ok(), "cut at {cut}: {r:?}");
    }
    for at in 0..whole.len() {
        for v in [0x00, 0xff, whole[at] ^ 0x04] {
            let mut m = whole.clone();
            m[at] = v;
            let r = read(m);
            assert!(r.is_ok(), "byte {at} = {v:#x}: {r:?}");
        }
    }
}

/// Interface names: an IDB's if_name (NULs at its end or not) is each of its packets' `iface`;
/// the writer gives each link type and name an interface block, and reads back the same.
#[test]
fn interface_names_are_read_and_written() {
    let syn = hex(TCP_SYN);
    let mut ng = Ng::new(false);
    ng.iface(1, 0, &[(2, b"eth0".to_vec())])
        .iface(1, 0, &[(2, b"lo\0\0".to_vec())])
        .iface(1, 0, &[])
        .epb(1, 0, &syn, syn.len())
        .epb(0, 0, &syn, syn.len())
        .epb(2, 0, &syn, syn.len());
    let path = write_file("names.pcapng", &ng.b);
    let names = |path: &str| -> Vec<(u32, Option<&'static str>)> {
        let mut cf = CaptureFile::open(path, None).unwrap();
        let mut v = Vec::new();
        while let Some(f) = cf.next_frame().unwrap() {
            v.push((f.linktype, f.iface));
        }
        v
    };
    assert_eq!(
        names(&path),
        [(1, Some("lo")), (1, Some("eth0")), (1, None)]
    );

    let out = temp("named.pcapng");
    let mut w = Writer::create_ng(&out, 1).unwrap();
    let raw = &syn[14..];
    for (lt, name, data) in [
        (1, Some("eth0"), &syn[..]),
        (1, Some("eth1"), &syn[..]),
        (101, Some("eth0"), raw),
        (1, Some("eth0"), &syn[..]),
        (1, None, &syn[..]),
    ] {
        w.write_packet_on(lt, name, T0 as i64, 0, data, data.len())
            .unwrap();
    }
    w.finish().unwrap();
    assert_eq!(
        names(&out),
        [
            (1, Some("eth0")),
            (1, Some("eth1")),
            (101, Some("eth0")),
            (1, Some("eth0")),
            (1, None)
        ]
    );
    // Four interface blocks: (1, eth0), (1, eth1), (101, eth0), (1, unnamed).
    let bytes = std::fs::read(&*out).unwrap();
    let mut at = 0;
    let mut idbs = 0;
    while at + 8 <= bytes.len() {
        let kind = u32::from_ne_bytes(bytes[at..at + 4].try_into().unwrap());
        let len = u32::from_ne_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        idbs += usize::from(kind == 1);
        at += len;
    }
    assert_eq!(idbs, 4);
}
