//! Fields that are bytes on the wire but lists (or addresses) to a reader: scapy's
//! `FieldListField`, `DNSTextField`, `RRlistField` and `ClientSubnetv4`. The value is the bytes
//! exactly as they are on the wire (`Value::Bytes`), so a packet serialises back exactly and
//! lengths, templates and `write` need nothing new; views present them by their [`Coding`], and
//! expressions and NDJSON give them in that form.

use super::field::{Names, name_of};

/// How a [`super::Kind::Coded`] field's bytes read.
#[derive(Clone, Copy, Debug)]
pub enum Coding {
    /// DNS character-strings, each a length byte and its bytes (TXT rdata, SVCB `alpn`).
    Text,
    /// Big-endian integers of this many bytes each (EDNS0 DAU algorithms, SVCB `mandatory`).
    Ints(u8),
    /// IPv4 addresses (SVCB `ipv4hint`).
    Ip4s,
    /// IPv6 addresses (SVCB `ipv6hint`).
    Ip6s,
    /// RFC 4034 §4.1.2 type bit maps (NSEC, NSEC3): windows of bits, one bit a record type.
    /// NDJSON keeps the bytes (as scapy's value); `show` and expressions use the types.
    TypeBitmap(Names),
    /// An address prefix cut to the bytes its prefix length needs (RFC 7871 client subnet):
    /// shown as the whole address (4 or 16 bytes), zeros after the prefix.
    Prefix(u8),
    /// Domain names, each labels and a zero byte, uncompressed (RFC 1035 §3.1; scapy's
    /// `DomainNameListField`: DHCPv6's domain search list), read as scapy reads them: a name
    /// ends at a zero byte or where the bytes do.
    Domains,
    /// DHCPv6 option codes, two bytes each (scapy's `_OptReqListField`, a `StrLenField`): an
    /// odd last byte is left out when read; none reads as `""`, as scapy has it.
    OptCodes,
    /// A UUID, 16 bytes (a field of fixed size) shown as `12345678-1234-5678-9abc-def012345678`
    /// (scapy's `UUIDField`).
    Uuid,
}

/// One element of a coded field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Text(Vec<u8>),
    Int(u64),
    Ip4([u8; 4]),
    Ip6([u8; 16]),
}

/// The elements of `b`, or `None` when the bytes are not a whole number of them (views then
/// show the bytes). A character-string cut short is what there is of it (as scapy reads it).
pub fn items(c: Coding, b: &[u8]) -> Option<Vec<Item>> {
    let chunks = |n: usize| b.len().is_multiple_of(n).then(|| b.chunks_exact(n));
    Some(match c {
        Coding::Text => {
            let mut out = Vec::new();
            let mut rest = b;
            while let Some((&n, tail)) = rest.split_first() {
                let n = (n as usize).min(tail.len());
                out.push(Item::Text(tail[..n].to_vec()));
                rest = &tail[n..];
            }
            out
        }
        Coding::Ints(n) => chunks(n as usize)?
            .map(|x| Item::Int(x.iter().fold(0, |a, &y| (a << 8) | y as u64)))
            .collect(),
        Coding::Ip4s => chunks(4)?
            .map(|x| Item::Ip4(x.try_into().expect("4 bytes")))
            .collect(),
        Coding::Ip6s => chunks(16)?
            .map(|x| Item::Ip6(x.try_into().expect("16 bytes")))
            .collect(),
        Coding::TypeBitmap(_) => bitmap_types(b)?.into_iter().map(Item::Int).collect(),
        Coding::Domains => domains(b),
        Coding::OptCodes => b
            .chunks_exact(2)
            .map(|x| Item::Int(u16::from_be_bytes([x[0], x[1]]) as u64))
            .collect(),
        Coding::Uuid => {
            let u: &[u8; 16] = b.try_into().ok()?;
            vec![Item::Text(uuid_text(u).into_bytes())]
        }
        Coding::Prefix(n) => {
            let n = n as usize;
            if b.len() > n {
                return None;
            }
            let mut a = [0u8; 16];
            a[..b.len()].copy_from_slice(b);
            vec![match n {
                4 => Item::Ip4(a[..4].try_into().expect("4 bytes")),
                _ => Item::Ip6(a),
            }]
        }
    })
}

/// The bytes of these elements. `len`: for a prefix, how many bytes its length field says
/// (`None`: as many as the address needs, trailing zero bytes left out, as scapy builds it).
pub fn encode(c: Coding, items: &[Item], len: Option<usize>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match c {
        Coding::Text => {
            for i in items {
                let Item::Text(t) = i else {
                    return Err("character-strings are text".into());
                };
                // scapy's DNSTextField: an empty string is one zero byte; a long one is cut
                // into strings of 255.
                if t.is_empty() {
                    out.push(0);
                }
                let mut rest = &t[..];
                while !rest.is_empty() {
                    let n = rest.len().min(255);
                    out.push(n as u8);
                    out.extend_from_slice(&rest[..n]);
                    rest = &rest[n..];
                }
            }
        }
        Coding::OptCodes => return encode(Coding::Ints(2), items, None),
        Coding::Ints(n) => {
            let max = if n >= 8 { u64::MAX } else { (1 << (8 * n)) - 1 };
            for i in items {
                match i {
                    Item::Int(x) if *x <= max => {
                        out.extend_from_slice(&x.to_be_bytes()[8 - n as usize..])
                    }
                    _ => return Err(format!("integers from 0 to {max}")),
                }
            }
        }
        Coding::Ip4s | Coding::Ip6s => {
            for i in items {
                match (c, i) {
                    (Coding::Ip4s, Item::Ip4(a)) => out.extend_from_slice(a),
                    (Coding::Ip6s, Item::Ip6(a)) => out.extend_from_slice(a),
                    _ => return Err("addresses of the field's family".into()),
                }
            }
        }
        Coding::TypeBitmap(_) => {
            let mut types = Vec::with_capacity(items.len());
            for i in items {
                match i {
                    Item::Int(t) if *t <= 0xffff => types.push(*t),
                    _ => return Err("record types (0 to 65535)".into()),
                }
            }
            out = bitmap(&types);
        }
        Coding::Domains => {
            for i in items {
                let Item::Text(t) = i else {
                    return Err("domain names are text".into());
                };
                domain(t, &mut out)?;
            }
        }
        Coding::Uuid => match items {
            [Item::Text(t)] => out.extend_from_slice(
                &std::str::from_utf8(t)
                    .ok()
                    .and_then(parse_uuid)
                    .ok_or("a UUID like \"12345678-1234-5678-9abc-def012345678\"")?,
            ),
            _ => return Err("one UUID".into()),
        },
        Coding::Prefix(n) => {
            let a: &[u8] = match (n, items) {
                (4, [Item::Ip4(a)]) => a,
                (16, [Item::Ip6(a)]) => a,
                _ => return Err("one address of the field's family".into()),
            };
            let keep = len.unwrap_or_else(|| a.iter().rposition(|&x| x != 0).map_or(0, |i| i + 1));
            out.extend_from_slice(&a[..keep.min(a.len())]);
        }
    }
    Ok(out)
}

/// Whether [`encode`] gives `b` back from what [`items`] reads of it (else views give the exact
/// bytes beside the elements: a character-string cut short, a prefix shorter than its length).
pub fn exact(c: Coding, b: &[u8], len: Option<usize>) -> bool {
    match (c, items(c, b)) {
        (_, None) => true, // shown as the bytes themselves
        (Coding::Prefix(_), Some(_)) => len.is_none_or(|n| n == b.len()),
        (Coding::Text | Coding::Domains | Coding::OptCodes, Some(i)) => {
            encode(c, &i, None).is_ok_and(|e| e == b)
        }
        _ => true,
    }
}

/// Domain names as scapy's `DomainNameListField` reads them: the bytes decoded as UTF-8 first
/// (a byte that is not UTF-8 as the four characters `\xHH`, Python's `backslashreplace`), then
/// labels of characters up to a zero (or the end), each name its labels joined with dots and a
/// final dot (`example.com.`; `.` for a zero alone).
fn domains(b: &[u8]) -> Vec<Item> {
    let mut text = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        text.push_str(chunk.valid());
        for x in chunk.invalid() {
            text.push_str(&format!("\\x{x:02x}"));
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut x = &chars[..];
    let mut out = Vec::new();
    while !x.is_empty() {
        let mut name = String::new();
        let mut first = true;
        while let Some((&n, tail)) = x.split_first()
            && n != '\0'
        {
            let n = (n as usize).min(tail.len());
            if !first {
                name.push('.');
            }
            first = false;
            name.extend(&tail[..n]);
            x = &tail[n..];
        }
        name.push('.');
        out.push(Item::Text(name.into_bytes()));
        if x.first() == Some(&'\0') {
            x = &x[1..];
        }
    }
    out
}

/// One domain name as scapy's `DomainNameListField` writes it: each dot-separated part as a
/// label (its length in characters, as scapy counts it), a zero byte after the last unless that
/// part was empty (`example.com.` and `example.com` both end in one zero; `.` is two).
fn domain(name: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let name = String::from_utf8_lossy(name);
    let start = out.len();
    for label in name.split('.') {
        let n = label.chars().count();
        if n > 255 {
            return Err("a label of more than 255 characters".into());
        }
        out.push(n as u8);
        out.extend_from_slice(label.as_bytes());
    }
    if out.len() == start || out.last() != Some(&0) {
        out.push(0);
    }
    Ok(())
}

/// A UUID's text: `12345678-1234-5678-9abc-def012345678`.
pub fn uuid_text(u: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        super::field::push_hex_byte(*b, &mut s);
    }
    s
}

/// A UUID from its text, as Python's `uuid.UUID` takes it: 32 hex digits, dashes anywhere,
/// in braces or after `urn:uuid:`.
pub fn parse_uuid(t: &str) -> Option<[u8; 16]> {
    let t = t.strip_prefix("urn:uuid:").unwrap_or(t);
    let t = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(t);
    let digits: String = t.chars().filter(|&c| c != '-').collect();
    if digits.len() != 32 {
        return None;
    }
    super::field::unhex(&digits).ok()?.try_into().ok()
}

/// The record types of a type bit map, or `None` when it is malformed (a window's length is 0,
/// more than 32, or runs past the bytes): scapy's `bitmap2RRlist`.
pub fn bitmap_types(mut b: &[u8]) -> Option<Vec<u64>> {
    let mut types = Vec::new();
    while !b.is_empty() {
        let (&window, &len) = (b.first()?, b.get(1)?);
        let len = len as usize;
        if len == 0 || len > 32 || b.len() < 2 + len {
            return None;
        }
        for (i, &byte) in b[2..2 + len].iter().enumerate() {
            for bit in 0..8 {
                if byte & (0x80 >> bit) != 0 {
                    types.push(window as u64 * 256 + i as u64 * 8 + bit);
                }
            }
        }
        b = &b[2 + len..];
    }
    Some(types)
}

/// The type bit map of these record types: scapy's `RRlist2bitmap` (sorted, without repeats,
/// one window per 256 types that has any, each as long as its highest type needs).
pub fn bitmap(types: &[u64]) -> Vec<u8> {
    let mut t: Vec<u64> = types.iter().copied().filter(|&x| x <= 0xffff).collect();
    t.sort_unstable();
    t.dedup();
    let mut out = Vec::new();
    for w in 0..256u64 {
        let inw: Vec<u64> = t
            .iter()
            .filter(|&&x| x / 256 == w)
            .map(|x| x % 256)
            .collect();
        let Some(&last) = inw.last() else { continue };
        let n = (last / 8 + 1) as usize;
        out.push(w as u8);
        out.push(n as u8);
        let at = out.len();
        out.resize(at + n, 0);
        for x in inw {
            out[at + (x / 8) as usize] |= 0x80 >> (x % 8);
        }
    }
    out
}

/// A character-string in presentation form: printable ASCII as it is (space included), `\\`
/// for a backslash, `\DDD` for any other byte.
pub fn escape(b: &[u8], out: &mut String) {
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\{c:03}")),
        }
    }
}

/// The bytes of a character-string's presentation form ([`escape`]'s inverse; other text is
/// taken as its UTF-8 bytes).
pub fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1..i + 4)) {
            (b'\\', Some(d)) if d.iter().all(u8::is_ascii_digit) => {
                let v = d.iter().fold(0u32, |a, &x| a * 10 + (x - b'0') as u32);
                out.push(v as u8);
                i += 4;
            }
            (b'\\', _) if i + 1 < b.len() => {
                out.push(b[i + 1]);
                i += 2;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A coded field's default or one-string value given as text: an address for a prefix, one
/// character-string for text.
pub fn from_text(c: Coding, t: &str) -> Option<Vec<u8>> {
    let item = match c {
        Coding::Prefix(4) | Coding::Ip4s => {
            Item::Ip4(t.parse::<std::net::Ipv4Addr>().ok()?.octets())
        }
        Coding::Prefix(_) | Coding::Ip6s => {
            Item::Ip6(t.parse::<std::net::Ipv6Addr>().ok()?.octets())
        }
        Coding::Text | Coding::Domains | Coding::Uuid => Item::Text(t.as_bytes().to_vec()),
        _ => return None,
    };
    encode(c, &[item], None).ok()
}

/// What a value of the coding looks like, for messages.
pub fn words(c: Coding) -> &'static str {
    match c {
        Coding::Text => "a string or a list of strings",
        Coding::Ints(_) => "a list of integers",
        Coding::OptCodes => "a list of option codes (integers from 0 to 65535)",
        Coding::Ip4s => "a list of IPv4 address strings",
        Coding::Ip6s => "a list of IPv6 address strings",
        Coding::TypeBitmap(_) => "a list of record types (names or numbers), or bytes",
        Coding::Prefix(4) => "an IPv4 address string",
        Coding::Prefix(_) => "an IPv6 address string",
        Coding::Domains => "a list of domain names",
        Coding::Uuid => "a UUID string like \"12345678-1234-5678-9abc-def012345678\"",
    }
}

/// A type's name for `show` (scapy shows a type bit map as `['A', 'NS', 'RRSIG']`).
pub fn type_name(names: Names, t: u64) -> String {
    name_of(names, t).map_or_else(|| t.to_string(), |n| format!("'{n}'"))
}

/// The type a name or number in an expression stands for.
pub fn type_of(names: Names, n: &str) -> Option<u64> {
    super::field::value_of(names, n).or_else(|| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;

    #[test]
    fn character_strings_as_scapy_builds_and_reads_them() {
        let t = |s: &str| Item::Text(s.as_bytes().to_vec());
        let b = encode(Coding::Text, &[t("a"), t("bc"), t("")], None).unwrap();
        assert_eq!(b, hex("016102626300"), "the empty string is one zero byte");
        assert_eq!(items(Coding::Text, &b).unwrap(), [t("a"), t("bc"), t("")]);
        // 300 bytes: a string of 255 and one of 45.
        let long = encode(Coding::Text, &[Item::Text(vec![b'x'; 300])], None).unwrap();
        assert_eq!((long[0], long[256], long.len()), (255, 45, 302));
        // A string cut short reads as what there is; it is not what encoding gives back.
        let cut = hex("05616263");
        assert_eq!(items(Coding::Text, &cut).unwrap(), [t("abc")]);
        assert!(!exact(Coding::Text, &cut, None));
        assert!(exact(Coding::Text, &b, None));
    }

    #[test]
    fn type_bitmaps_as_scapy_makes_them() {
        // scapy: RRlist2bitmap([1, 2, 46, 47, 16, 257, 32768])
        let b = bitmap(&[1, 2, 46, 47, 16, 257, 32768, 2]);
        assert_eq!(b, hex("0006600080000003010140800180"));
        assert_eq!(bitmap_types(&b).unwrap(), [1, 2, 16, 46, 47, 257, 32768]);
        assert_eq!(bitmap(&[]), Vec::<u8>::new());
        // A window running past the bytes, or of length 0 or 33, is malformed.
        assert_eq!(bitmap_types(&hex("000560")), None);
        assert_eq!(bitmap_types(&hex("0000")), None);
        assert_eq!(
            bitmap_types(&[0, 33].iter().copied().chain([0; 33]).collect::<Vec<_>>()),
            None
        );
        assert_eq!(bitmap_types(&hex("00")), None);
    }

    #[test]
    fn prefixes_keep_the_bytes_their_length_says() {
        let a = Item::Ip4([192, 168, 0, 0]);
        assert_eq!(
            encode(Coding::Prefix(4), std::slice::from_ref(&a), None).unwrap(),
            [192, 168]
        );
        assert_eq!(
            encode(Coding::Prefix(4), std::slice::from_ref(&a), Some(3)).unwrap(),
            [192, 168, 0]
        );
        assert_eq!(
            items(Coding::Prefix(4), &[10, 1]).unwrap(),
            [Item::Ip4([10, 1, 0, 0])]
        );
        assert!(exact(Coding::Prefix(4), &[10, 1], Some(2)));
        assert!(!exact(Coding::Prefix(4), &[10], Some(2)));
        assert_eq!(items(Coding::Prefix(4), &[1, 2, 3, 4, 5]), None);
    }

    #[test]
    fn lists_of_numbers_and_addresses() {
        let b = encode(Coding::Ints(2), &[Item::Int(1), Item::Int(3)], None).unwrap();
        assert_eq!(b, [0, 1, 0, 3]);
        assert_eq!(items(Coding::Ints(2), &b[..3]), None, "not a whole number");
        assert!(encode(Coding::Ints(1), &[Item::Int(256)], None).is_err());
        let v4 = encode(Coding::Ip4s, &[Item::Ip4([192, 0, 2, 1])], None).unwrap();
        assert_eq!(
            items(Coding::Ip4s, &v4).unwrap(),
            [Item::Ip4([192, 0, 2, 1])]
        );
    }

    #[test]
    fn domain_names_as_scapys_domain_name_list_field() {
        let t = |s: &str| Item::Text(s.as_bytes().to_vec());
        // scapy: DHCP6OptDNSDomains(dnsdomains=["example.com.", "b", "."]).dnsdomains bytes.
        let b = encode(Coding::Domains, &[t("example.com."), t("b"), t(".")], None).unwrap();
        assert_eq!(b, hex("076578616d706c6503636f6d000162000000"));
        assert_eq!(
            items(Coding::Domains, &b).unwrap(),
            [t("example.com."), t("b."), t("."), t(".")],
            "'.' is written as two zero bytes, read as two names"
        );
        // A name cut short (no final zero, a label past the end) is what there is of it.
        assert_eq!(
            items(Coding::Domains, &hex("0261620262")).unwrap(),
            [t("ab.b.")]
        );
        assert!(!exact(Coding::Domains, &hex("0261620262"), None));
        assert!(exact(Coding::Domains, &hex("0162000163 00"), None));
        assert!(encode(Coding::Domains, &[t(&"x".repeat(256))], None).is_err());
        // Bytes that are not UTF-8, and control characters, as scapy reads them.
        assert_eq!(
            items(Coding::Domains, &hex("02c0410161")).unwrap(),
            [t("\\x.0A\x01a.")]
        );
    }

    #[test]
    fn option_codes_as_scapys_opt_req_list_field() {
        let b = encode(Coding::OptCodes, &[Item::Int(23), Item::Int(24)], None).unwrap();
        assert_eq!(b, [0, 23, 0, 24]);
        // An odd last byte is left out (scapy: "Rejecting last byte"), and kept as the wire.
        assert_eq!(
            items(Coding::OptCodes, &[0, 23, 0]).unwrap(),
            [Item::Int(23)]
        );
        assert!(!exact(Coding::OptCodes, &[0, 23, 0], None));
        assert!(exact(Coding::OptCodes, &b, None));
        assert!(encode(Coding::OptCodes, &[Item::Int(65536)], None).is_err());
    }

    #[test]
    fn uuids_as_text() {
        let b = hex("123456781234567890abcdef01234567");
        let items = items(Coding::Uuid, &b).unwrap();
        assert_eq!(
            items,
            [Item::Text(b"12345678-1234-5678-90ab-cdef01234567".to_vec())]
        );
        assert_eq!(encode(Coding::Uuid, &items, None).unwrap(), b);
        for t in [
            "{12345678-1234-5678-90AB-CDEF01234567}",
            "urn:uuid:12345678123456789 0abcdef01234567"
                .replace(' ', "")
                .as_str(),
        ] {
            assert_eq!(parse_uuid(t).map(|u| u.to_vec()), Some(b.clone()), "{t}");
        }
        assert_eq!(parse_uuid("1234"), None);
        assert_eq!(super::items(Coding::Uuid, &b[..15]), None, "not 16 bytes");
    }

    #[test]
    fn presentation_escapes_round_trip() {
        let raw = b"a b\\c\x00\xff\"".to_vec();
        let mut s = String::new();
        escape(&raw, &mut s);
        assert_eq!(s, "a b\\\\c\\000\\255\"");
        assert_eq!(unescape(&s), raw);
    }
}
