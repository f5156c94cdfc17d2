//! The DNSSEC records scapy has classes for (RFC 4034, RFC 5155, RFC 4431): DS, DLV, DNSKEY,
//! RRSIG, NSEC, NSEC3, NSEC3PARAM. Keys, digests and signatures are the rest of the record's
//! data; type bit maps are [`Coding::TypeBitmap`] (bytes in NDJSON as scapy's value, the types
//! in `show` and expressions).

use super::{ALGORITHMS, CLASSES, DIGESTS, TYPES, name};
use crate::layers::coded::Coding;
use crate::layers::field::{Auto, Def, Field, FlagNames, Kind};
use crate::layers::{Proto, val};

const ALGORITHM: Field = Field::int("algorithm", 8, 5).named(ALGORITHMS);
const TYPE_BITMAPS: Field = Field::new(
    "typebitmaps",
    Kind::Coded(Coding::TypeBitmap(TYPES)),
    Def::Empty,
);

/// scapy's DS fields (and DLV's): the key's tag, algorithm, digest type (5 by default, as
/// scapy has it) and the digest.
macro_rules! ds {
    ($static:ident, $name:expr, $title:expr, $type:expr) => {
        typed_rr!(
            $static,
            $name,
            $title,
            $type,
            [
                Field::int("keytag", 16, 0),
                ALGORITHM,
                Field::int("digesttype", 8, 5).named(DIGESTS),
                Field::bytes("digest"),
            ]
        );
    };
}

ds!(DNSRRDS, "DNSRRDS", "DNS DS Resource Record", 43);
ds!(DNSRRDLV, "DNSRRDLV", "DNS DLV Resource Record", 32769);

typed_rr!(
    DNSRRDNSKEY,
    "DNSRRDNSKEY",
    "DNS DNSKEY Resource Record",
    48,
    [
        // S: secure entry point (bit 15 of RFC 4034, scapy's least significant); Z: zone key.
        Field::flags("flags", 16, FlagNames::Chars("S???????Z???????"), 256),
        Field::int("protocol", 8, 3),
        ALGORITHM,
        Field::bytes("publickey"),
    ]
);
typed_rr!(
    DNSRRRSIG,
    "DNSRRRSIG",
    "DNS RRSIG Resource Record",
    46,
    [
        Field::int("typecovered", 16, 1).named(TYPES),
        ALGORITHM,
        Field::int("labels", 8, 0),
        Field::int("originalttl", 32, 0),
        // Seconds since 1970 (scapy's UTCTimeField).
        Field::int("expiration", 32, 0),
        Field::int("inception", 32, 0),
        Field::int("keytag", 16, 0),
        name("signersname", "."),
        Field::bytes("signature"),
    ]
);
typed_rr!(
    DNSRRNSEC,
    "DNSRRNSEC",
    "DNS NSEC Resource Record",
    47,
    [name("nextname", "."), TYPE_BITMAPS]
);

/// A length byte: scapy's default is 0, not computed (`FieldLenField(..., 0, ...)`), so it is
/// set with the bytes it counts or left at 0.
const fn len8(name: &'static str) -> Field {
    Field::int(name, 8, 0)
}

typed_rr!(
    DNSRRNSEC3,
    "DNSRRNSEC3",
    "DNS NSEC3 Resource Record",
    50,
    [
        Field::int("hashalg", 8, 0),
        Field::int("flags", 8, 0).named(&[(1, "Opt-Out")]),
        Field::int("iterations", 16, 0),
        len8("saltlength"),
        Field::bytes("salt").sized(|v| Ok(val(v, 9) as usize)),
        len8("hashlength"),
        Field::bytes("nexthashedownername").sized(|v| Ok(val(v, 11) as usize)),
        TYPE_BITMAPS,
    ]
);
typed_rr!(
    DNSRRNSEC3PARAM,
    "DNSRRNSEC3PARAM",
    "DNS NSEC3PARAM Resource Record",
    51,
    [
        Field::int("hashalg", 8, 0),
        Field::int("flags", 8, 0),
        Field::int("iterations", 16, 0),
        len8("saltlength"),
        Field::bytes("salt").sized(|v| Ok(val(v, 9) as usize)),
    ]
);
