//! LLMNR (RFC 4795) as scapy's `scapy/layers/llmnr.py`: DNS's message with its own flags (`c`,
//! `tc`, `t`, a 4-bit `z`), on UDP 5355. scapy's class is chosen by the QR bit:
//! `LLMNRQuery` or `LLMNRResponse` (the same fields; a response's `qr` defaults to 1). Neither
//! has a default question.

use super::{ADDITIONAL, ANSWERS, AUTHORITY, QUESTIONS, RCODES, summary};
use crate::layers::Proto;
use crate::layers::field::{Auto, Def, Field, Kind};

macro_rules! llmnr_fields {
    ($qr:expr) => {
        [
            Field::int("id", 16, 0),
            Field::int("qr", 1, $qr),
            Field::int("opcode", 4, 0).named(&[(0, "QUERY")]),
            Field::int("c", 1, 0),
            Field::int("tc", 1, 0),
            Field::int("t", 1, 0),
            Field::int("z", 4, 0),
            Field::int("rcode", 4, 0).named(RCODES),
            Field::auto("qdcount", 16, Auto::CountOf("qd")),
            Field::auto("ancount", 16, Auto::CountOf("an")),
            Field::auto("nscount", 16, Auto::CountOf("ns")),
            Field::auto("arcount", 16, Auto::CountOf("ar")),
            Field::new("qd", Kind::List(&QUESTIONS), Def::Empty),
            Field::new("an", Kind::List(&ANSWERS), Def::Empty),
            Field::new("ns", Kind::List(&AUTHORITY), Def::Empty),
            Field::new("ar", Kind::List(&ADDITIONAL), Def::Empty),
        ]
    };
}

pub static LLMNR_QUERY: Proto = Proto {
    name: "LLMNRQuery",
    title: "Link Local Multicast Node Resolution - Query",
    fields: &llmnr_fields!(0),
    min_len: 12,
    summary: Some(summary),
    dispatch: Some(by_qr),
    ..Proto::BASE
};

pub static LLMNR_RESPONSE: Proto = Proto {
    name: "LLMNRResponse",
    title: "Link Local Multicast Node Resolution - Response",
    fields: &llmnr_fields!(1),
    min_len: 12,
    summary: Some(summary),
    dispatch: Some(by_qr),
    ..Proto::BASE
};

/// scapy's `_LLMNR.dispatch_hook`: a response when the QR bit is set; building keeps the class
/// the expression names.
fn by_qr(this: &'static Proto, _: Option<&'static Proto>, bytes: Option<&[u8]>) -> &'static Proto {
    match bytes.and_then(|b| b.get(2)) {
        Some(b) if b & 0x80 != 0 => &LLMNR_RESPONSE,
        Some(_) => &LLMNR_QUERY,
        None => this,
    }
}
