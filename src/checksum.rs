//! The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers.

use crate::layers::{Layer, Value};

/// One's-complement sum of 16-bit big-endian words (odd length padded with a zero byte), added
/// to `acc` and folded to 16 bits. Eight bytes at a time: 2^16 ≡ 1 (mod 2^16 − 1), so summing
/// 32-bit words and folding gives the same result as summing 16-bit words.
pub fn sum(bytes: &[u8], acc: u32) -> u32 {
    let mut s = acc as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let v = u64::from_be_bytes(c.try_into().expect("8 bytes"));
        s += (v >> 32) + (v & 0xffff_ffff);
    }
    let mut words = chunks.remainder().chunks_exact(2);
    for w in &mut words {
        s += u16::from_be_bytes([w[0], w[1]]) as u64;
    }
    if let [last] = words.remainder() {
        s += (*last as u64) << 8;
    }
    while s >> 16 != 0 {
        s = (s & 0xffff) + (s >> 16);
    }
    s as u32
}

/// Folds a sum to 16 bits and complements it.
pub fn finish(mut acc: u32) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// The checksum of `bytes` with the 16-bit checksum field at `at` counted as zero, starting
/// from `seed` (a pseudo-header sum, or 0).
pub fn with_zeroed(bytes: &[u8], at: usize, seed: u32) -> u16 {
    let before = &bytes[..at.min(bytes.len())];
    let after = bytes.get(at + 2..).unwrap_or(&[]);
    // `at` is even for every protocol here, so word alignment is kept across the gap.
    finish(sum(after, sum(before, seed)))
}

/// The IPv4 pseudo-header sum.
pub fn pseudo4(src: &[u8; 4], dst: &[u8; 4], proto: u32, len: usize) -> u32 {
    let acc = sum(src, 0);
    let acc = sum(dst, acc);
    acc + proto + (len as u32 & 0xffff) + (len as u32 >> 16)
}

/// The IPv6 pseudo-header sum.
pub fn pseudo6(src: &[u8; 16], dst: &[u8; 16], next_header: u32, len: usize) -> u32 {
    let acc = sum(src, 0);
    let acc = sum(dst, acc);
    acc + next_header + (len as u32 & 0xffff) + (len as u32 >> 16)
}

/// The pseudo-header sum for a transport layer (`proto` 6, 17 or 58) of `len` bytes, from the
/// nearest IPv4 or IPv6 layer below it (by field values: dissection and building share this).
/// For IPv6, a routing header with segments left makes its last address the destination, and a
/// home address option (Mobile IPv6) the source, as the receiver will see them.
pub fn pseudo_header(below: &[Layer], proto: u8, len: usize) -> Option<u32> {
    use crate::layers::{ip, ipv6};
    let (j, ip) = below.iter().enumerate().rev().find(|(_, l)| {
        [&ip::IP, &ip::IPERROR, &ipv6::IPV6, &ipv6::IPERROR6]
            .iter()
            .any(|p| std::ptr::eq(l.proto, *p))
    })?;
    match (ip.get("src"), ip.get("dst")) {
        (Some(Value::Ip4(s)), Some(Value::Ip4(d))) => Some(pseudo4(s, d, proto as u32, len)),
        (Some(Value::Ip6(s)), Some(Value::Ip6(d))) => {
            let (mut s, mut d) = (*s, *d);
            for l in &below[j + 1..] {
                match (l.proto.name, l.get("addresses"), l.get("options")) {
                    ("IPv6ExtHdrRouting", Some(Value::Ip6List(a)), _)
                        if l.get("segleft").and_then(Value::int) != Some(0) =>
                    {
                        if let Some(last) = a.last() {
                            d = *last;
                        }
                    }
                    ("IPv6ExtHdrDestOpt", _, Some(Value::Options(opts))) => {
                        for o in opts.iter().filter(|o| o.proto.name == "HAO") {
                            if let Some(Value::Ip6(h)) = o.get("hoa") {
                                s = *h;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Some(pseudo6(&s, &d, proto as u32, len))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // The worked example of RFC 1071 §3: the sum is 0xddf2, the checksum its complement.
        let b = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(finish(sum(&b, 0)), !0xddf2);
    }

    #[test]
    fn ipv4_header_checksum() {
        // A real IPv4 header whose checksum is 0xb861.
        let h = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(with_zeroed(&h, 10, 0), 0xb861);
        assert_eq!(finish(sum(&h, 0)), 0);
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(sum(&[0x12], 0), 0x1200);
    }

    /// The word-at-a-time sum agrees with the textbook one on every length and seed.
    #[test]
    fn fast_sum_matches_simple_sum() {
        fn simple(b: &[u8], seed: u32) -> u16 {
            let mut acc = seed as u64;
            for (i, x) in b.iter().enumerate() {
                acc += if i % 2 == 0 {
                    (*x as u64) << 8
                } else {
                    *x as u64
                };
            }
            while acc >> 16 != 0 {
                acc = (acc & 0xffff) + (acc >> 16);
            }
            !(acc as u16)
        }
        let mut x = 0x1234_5678u32;
        let data: Vec<u8> = (0..3000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        for n in (0..64).chain([255, 1499, 1500, 2999]) {
            for seed in [0, 0xffff, 0x1_fffe] {
                assert_eq!(
                    finish(sum(&data[..n], seed)),
                    simple(&data[..n], seed),
                    "n={n} seed={seed}"
                );
            }
        }
        assert_eq!(finish(sum(&[0xff; 3000], 0)), simple(&[0xff; 3000], 0));
    }
}
