//! The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers.

/// One's-complement sum of 16-bit big-endian words (odd length padded with a zero byte).
pub fn sum(bytes: &[u8], mut acc: u32) -> u32 {
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        acc = acc.wrapping_add(u16::from_be_bytes([c[0], c[1]]) as u32);
        if acc > 0xffff_0000 {
            acc = (acc & 0xffff) + (acc >> 16);
        }
    }
    if let [last] = chunks.remainder() {
        acc = acc.wrapping_add((*last as u32) << 8);
    }
    acc
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
}
