//! Helpers shared by the integration tests: running the `pkt` binary, writing small classic pcap
//! files, and reading captures back independently through libpcap (the `pcap` crate).

#![allow(dead_code)]

pub mod lab;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `pkt` binary built for these tests.
pub const PKT: &str = env!("CARGO_BIN_EXE_pkt");

/// Runs `pkt` with these arguments (stdin closed) and returns its output.
pub fn pkt<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(PKT)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run pkt")
}

/// Runs `pkt` with these arguments and `input` on its standard input.
pub fn pkt_stdin<S: AsRef<std::ffi::OsStr>>(args: &[S], input: &[u8]) -> Output {
    let mut child = Command::new(PKT)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pkt");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Feed stdin from another thread so a large input cannot deadlock against a full stdout pipe.
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for pkt");
    feeder.join().expect("stdin feeder");
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh, empty directory under Cargo's per-target temp dir, unique to this test name and
/// process.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// One record of a classic pcap file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rec {
    pub sec: u32,
    /// Microseconds, or nanoseconds in a nanosecond file.
    pub frac: u32,
    /// The original length on the wire (at least `data.len()`).
    pub len: u32,
    pub data: Vec<u8>,
}

impl Rec {
    pub fn new(sec: u32, frac: u32, data: &[u8]) -> Rec {
        Rec {
            sec,
            frac,
            len: data.len() as u32,
            data: data.to_vec(),
        }
    }
}

pub const LINKTYPE_ETHERNET: u32 = 1;

/// The bytes of a little-endian classic pcap file (microsecond magic unless `nano`).
pub fn pcap_bytes(linktype: u32, nano: bool, recs: &[Rec]) -> Vec<u8> {
    let magic: u32 = if nano { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
    let mut v = Vec::with_capacity(24 + recs.iter().map(|r| 16 + r.data.len()).sum::<usize>());
    v.extend_from_slice(&magic.to_le_bytes());
    v.extend_from_slice(&2u16.to_le_bytes());
    v.extend_from_slice(&4u16.to_le_bytes());
    v.extend_from_slice(&0i32.to_le_bytes()); // thiszone
    v.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    v.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
    v.extend_from_slice(&linktype.to_le_bytes());
    for r in recs {
        v.extend_from_slice(&r.sec.to_le_bytes());
        v.extend_from_slice(&r.frac.to_le_bytes());
        v.extend_from_slice(&(r.data.len() as u32).to_le_bytes());
        v.extend_from_slice(&r.len.to_le_bytes());
        v.extend_from_slice(&r.data);
    }
    v
}

/// Writes a microsecond Ethernet pcap file.
pub fn write_pcap(path: &Path, recs: &[Rec]) {
    std::fs::write(path, pcap_bytes(LINKTYPE_ETHERNET, false, recs)).expect("write pcap");
}

/// Bytes from hex, ignoring white space.
pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

// Frames built with scapy (checksums are scapy's):
//   Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
//     / IP(src='192.0.2.1', dst='192.0.2.2') / TCP(sport=40000, dport=80, flags='S', seq=1000)
pub const TCP_SYN: &str = "020000000002020000000001080045000028000100004006f6cbc0000201c0000202\
                           9c400050000003e800000000500220006b660000";
//   Ether(...) / IP(src='192.0.2.1', dst='192.0.2.3') / UDP(sport=5353, dport=53) / b'hello'
pub const UDP_HELLO: &str = "020000000002020000000001080045000021000100004011f6c6c0000201c0000203\
                             14e90035000d22df68656c6c6f";
//   Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff')
//     / ARP(hwsrc='02:00:00:00:00:01', psrc='192.0.2.1', pdst='192.0.2.9')
pub const ARP_WHO_HAS: &str = "ffffffffffff02000000000108060001080006040001020000000001c0000201\
                               000000000000c0000209";
/// TCP_SYN with the IPv4 header checksum replaced by 0x1234.
pub const TCP_SYN_BAD_IP_CHKSUM: &str = "020000000002020000000001080045000028000100004006\
                                         1234c0000201c00002029c400050000003e800000000500220006b660000";
/// The right IPv4 header checksum of TCP_SYN.
pub const TCP_SYN_IP_CHKSUM: u64 = 0xf6cb;

/// A packet as libpcap reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    pub sec: i64,
    pub frac: i64,
    pub caplen: u32,
    pub len: u32,
    pub data: Vec<u8>,
}

/// Everything libpcap reads from `path` before the end or the first error, and that error.
pub fn libpcap_read(path: &Path, nano: bool) -> Result<(Vec<Read>, Option<String>), String> {
    let precision = if nano {
        pcap::Precision::Nano
    } else {
        pcap::Precision::Micro
    };
    let mut cap =
        pcap::Capture::from_file_with_precision(path, precision).map_err(|e| e.to_string())?;
    let mut v = Vec::new();
    loop {
        match cap.next_packet() {
            Ok(p) => v.push(Read {
                sec: p.header.ts.tv_sec,
                frac: p.header.ts.tv_usec,
                caplen: p.header.caplen,
                len: p.header.len,
                data: p.data.to_vec(),
            }),
            Err(pcap::Error::NoMorePackets) => return Ok((v, None)),
            Err(e) => return Ok((v, Some(e.to_string()))),
        }
    }
}

/// `(caplen, len)` of every packet libpcap reads from `path` before the end or the first error;
/// `None` when libpcap cannot open it at all.
pub fn libpcap_lengths(path: &Path) -> Option<Vec<(u32, u32)>> {
    let mut cap = pcap::Capture::from_file(path).ok()?;
    let mut v = Vec::new();
    while let Ok(p) = cap.next_packet() {
        v.push((p.header.caplen, p.header.len));
    }
    Some(v)
}
