//! scapy's `hexdump()`: offset, 16 bytes in hex, the printable ones as text.

/// Appends a hexdump of `data` to `out`, one line per 16 bytes.
pub fn write(data: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, chunk) in data.chunks(16).enumerate() {
        out.push_str(&format!("{:04x}  ", i * 16));
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => {
                    out.push(HEX[(b >> 4) as usize] as char);
                    out.push(HEX[(b & 15) as usize] as char);
                    out.push(' ');
                }
                None => out.push_str("   "),
            }
        }
        out.push(' ');
        for &b in chunk {
            out.push(if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            });
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_and_a_half_lines() {
        let mut s = String::new();
        super::write(b"ABCDEFGHIJKLMNOP\x00\x01", &mut s);
        let lines: Vec<_> = s.lines().collect();
        assert_eq!(
            lines[0],
            "0000  41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50  ABCDEFGHIJKLMNOP"
        );
        assert_eq!(lines[1], format!("0010  00 01 {} ..", "   ".repeat(14)));
    }
}
