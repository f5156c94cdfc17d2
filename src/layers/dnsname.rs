//! DNS names (RFC 1035 §3.1, §4.1.4): the field kind DNS, mDNS, LLMNR and DHCP's domain options
//! share. Reading follows compression pointers, bounded: a pointer must go backwards (to an
//! earlier byte than the one it stands at), at most [`MAX_JUMPS`] are followed, a label is at
//! most 63 bytes and a name at most 255 — anything else ends the name with an error, never a
//! loop. The text is the presentation form scapy's names compare with: labels joined by `.`, a
//! final `.`, `\.` and `\\` for those characters inside a label, `\DDD` for a byte that is not
//! printable; the root is `.`.

/// At most this many compression pointers in one name (a real name needs a handful).
pub const MAX_JUMPS: usize = 64;
/// The longest name on the wire, in bytes (RFC 1035 §2.3.4).
pub const MAX_NAME: usize = 255;
/// The longest label.
pub const MAX_LABEL: usize = 63;

/// A name read from a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadName {
    /// The presentation form of what was read (up to the error, if any).
    pub text: String,
    /// Where the name's own bytes end in the message: after its terminating zero or its first
    /// pointer (what follows it there is the next field).
    pub end: usize,
    /// Why reading stopped early, with the offset of the byte at fault.
    pub error: Option<(usize, String)>,
}

/// Reads the name at `at` of the DNS message `msg` (offsets, pointers included, count from the
/// message's start).
pub fn read(msg: &[u8], at: usize) -> ReadName {
    let mut text = String::new();
    let mut wire_len = 1usize; // the final zero (or root)
    let mut pos = at;
    let mut end: Option<usize> = None;
    let mut jumps = 0;
    // Pointers must go strictly backwards from the lowest position read so far.
    let mut floor = at;
    // Nothing read is the root, as scapy has it.
    let stop = |text: String, end: Option<usize>, pos: usize, why: String| ReadName {
        text: if text.is_empty() { ".".into() } else { text },
        end: end.unwrap_or(pos),
        error: Some((pos, why)),
    };
    loop {
        let Some(&len) = msg.get(pos) else {
            let why = "truncated: the name runs past the end of the message".to_string();
            return stop(text, end.or(Some(msg.len().max(at))), pos, why);
        };
        match len >> 6 {
            0 if len == 0 => {
                if text.is_empty() {
                    text.push('.');
                }
                return ReadName {
                    text,
                    end: end.unwrap_or(pos + 1),
                    error: None,
                };
            }
            0 => {
                let n = len as usize;
                let Some(label) = msg.get(pos + 1..pos + 1 + n) else {
                    // What there is of it, as scapy reads it.
                    push_label(&msg[pos + 1..], &mut text);
                    let why = format!("truncated: a label of {n} bytes runs past the end");
                    return stop(text, end.or(Some(msg.len())), pos, why);
                };
                wire_len += 1 + n;
                if wire_len > MAX_NAME {
                    let why = format!("name longer than {MAX_NAME} bytes");
                    return stop(text, end, pos, why);
                }
                push_label(label, &mut text);
                pos += 1 + n;
            }
            3 => {
                let Some(&low) = msg.get(pos + 1) else {
                    let why = "truncated: a compression pointer is cut".to_string();
                    return stop(text, end.or(Some(msg.len())), pos, why);
                };
                let target = (usize::from(len & 0x3f) << 8) | usize::from(low);
                if end.is_none() {
                    end = Some(pos + 2);
                }
                if target >= floor {
                    let why = format!(
                        "compression pointer to {target} does not point backwards (it stands at {pos})"
                    );
                    return stop(text, end, pos, why);
                }
                jumps += 1;
                if jumps > MAX_JUMPS {
                    let why = format!("more than {MAX_JUMPS} compression pointers");
                    return stop(text, end, pos, why);
                }
                floor = target;
                pos = target;
            }
            _ => {
                // scapy reads a byte with either high bit set as a pointer: two bytes.
                let why = format!("label type 0x{len:02x} is not a length or a pointer");
                return stop(text, end.or(Some((pos + 2).min(msg.len()))), pos, why);
            }
        }
    }
}

/// Appends one label in presentation form, then the dot that ends it.
fn push_label(label: &[u8], out: &mut String) {
    for &c in label {
        match c {
            b'.' | b'\\' => {
                out.push('\\');
                out.push(c as char);
            }
            0x21..=0x7e => out.push(c as char),
            _ => {
                out.push('\\');
                out.push_str(&format!("{c:03}"));
            }
        }
    }
    out.push('.');
}

/// The labels of a name in presentation form (`www.example.com`, with or without the final
/// dot; `.` or `""` is the root). `\.`, `\\` and `\DDD` are read as one byte each.
pub fn labels(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut labels = Vec::new();
    let mut cur = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    if text == "." {
        return Ok(labels);
    }
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let digits = b
                    .get(i + 1..i + 4)
                    .filter(|d| d.iter().all(u8::is_ascii_digit));
                if let Some(d) = digits {
                    let v = (d[0] - b'0') as u32 * 100
                        + (d[1] - b'0') as u32 * 10
                        + (d[2] - b'0') as u32;
                    let v = u8::try_from(v).map_err(|_| format!("\\{} is not a byte", v))?;
                    cur.push(v);
                    i += 4;
                } else if let Some(&c) = b.get(i + 1) {
                    cur.push(c);
                    i += 2;
                } else {
                    return Err("a name cannot end with a lone '\\'".into());
                }
            }
            b'.' => {
                if cur.is_empty() {
                    return Err(format!("empty label in '{text}'"));
                }
                labels.push(std::mem::take(&mut cur));
                i += 1;
            }
            c => {
                cur.push(c);
                i += 1;
            }
        }
    }
    if !cur.is_empty() {
        labels.push(cur);
    }
    for l in &labels {
        if l.len() > MAX_LABEL {
            return Err(format!("label of {} bytes (at most {MAX_LABEL})", l.len()));
        }
    }
    let wire: usize = labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1;
    if wire > MAX_NAME {
        return Err(format!(
            "name of {wire} bytes on the wire (at most {MAX_NAME})"
        ));
    }
    Ok(labels)
}

/// A name's wire form without compression (what scapy builds for a name it is given).
pub fn encode(text: &str, out: &mut Vec<u8>) -> Result<(), String> {
    for l in labels(text)? {
        out.push(l.len() as u8);
        out.extend_from_slice(&l);
    }
    out.push(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message whose name at 12 is `www.example.com.` and at 29 `mail` + pointer to 16.
    fn msg() -> Vec<u8> {
        let mut m = vec![0u8; 12];
        encode("www.example.com.", &mut m).unwrap();
        m.extend_from_slice(&[4, b'm', b'a', b'i', b'l', 0xc0, 16]);
        m
    }

    #[test]
    fn plain_and_compressed_names() {
        let m = msg();
        assert_eq!(
            read(&m, 12),
            ReadName {
                text: "www.example.com.".into(),
                end: 29,
                error: None
            }
        );
        let r = read(&m, 29);
        assert_eq!(r.text, "mail.example.com.");
        assert_eq!(r.end, 36, "the name's own bytes end after its pointer");
        assert_eq!(r.error, None);
    }

    #[test]
    fn the_root_and_escapes() {
        assert_eq!(read(&[0], 0).text, ".");
        let m = [3, b'a', b'.', 0xff, 0];
        let r = read(&m, 0);
        assert_eq!(r.text, "a\\.\\255.");
        let mut back = Vec::new();
        encode(&r.text, &mut back).unwrap();
        assert_eq!(back, m);
        assert_eq!(
            labels("example.com").unwrap(),
            labels("example.com.").unwrap()
        );
        assert!(labels(".").unwrap().is_empty());
    }

    #[test]
    fn loops_and_forward_pointers_end_the_name() {
        // A pointer to itself, and two pointing at each other.
        let own = [0u8, 0, 0xc0, 2];
        let r = read(&own, 2);
        assert!(r.error.unwrap().1.contains("backwards"));
        let pair = [1, b'a', 0xc0, 4, 1, b'b', 0xc0, 0];
        let r = read(&pair, 4);
        assert_eq!(r.text, "b.a.");
        let (at, why) = r.error.unwrap();
        assert_eq!(at, 2, "the second pointer, from 2 to 4, goes forwards");
        assert!(why.contains("backwards"), "{why}");
        assert_eq!(r.end, 8);
    }

    #[test]
    fn every_chain_of_backward_pointers_is_bounded() {
        // 200 pointers each to the one before: more than MAX_JUMPS.
        let mut m = vec![0u8];
        for i in 0..200u16 {
            let target = if i == 0 { 0 } else { 1 + 2 * (i - 1) };
            m.extend_from_slice(&[0xc0 | (target >> 8) as u8, target as u8]);
        }
        let r = read(&m, m.len() - 2);
        assert!(r.error.unwrap().1.contains("more than"));
    }

    #[test]
    fn truncation_and_bad_labels() {
        let r = read(&[5, b'a', b'b'], 0);
        assert!(r.error.as_ref().unwrap().1.contains("truncated"));
        assert_eq!(r.text, "ab.", "what there is of the label");
        assert_eq!(r.end, 3, "a cut name takes the rest of the message");
        let r = read(&[0x41, 0, 7], 0);
        assert!(r.error.unwrap().1.contains("label type 0x41"));
        assert_eq!(
            (r.text.as_str(), r.end),
            (".", 2),
            "two bytes, as scapy reads them"
        );
        let r = read(&[1, b'a'], 0);
        assert!(r.error.unwrap().1.contains("past the end"));
        // 5 labels of 63 bytes: over 255.
        let mut long = Vec::new();
        for _ in 0..5 {
            long.push(63);
            long.extend_from_slice(&[b'x'; 63]);
        }
        long.push(0);
        assert!(read(&long, 0).error.unwrap().1.contains("longer than 255"));
        assert!(labels(&"x".repeat(64)).unwrap_err().contains("64 bytes"));
        assert!(labels("a..b").is_err());
    }

    #[test]
    fn every_cut_and_byte_of_a_message_reads_without_panic() {
        let m = msg();
        for cut in 0..m.len() {
            for at in 0..cut {
                let r = read(&m[..cut], at);
                assert!(r.end <= cut.max(at), "end {} past {cut}", r.end);
            }
        }
        for i in 0..m.len() {
            for b in [0u8, 0x3f, 0x40, 0xc0, 0xff] {
                let mut x = m.clone();
                x[i] = b;
                let _ = read(&x, 12);
                let _ = read(&x, 29);
            }
        }
    }
}
