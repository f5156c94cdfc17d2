//! `Raw` (bytes nothing decodes) and `Padding` (bytes past a length field).

use super::Proto;
use super::field::Field;

pub static FIELDS: [Field; 1] = [Field::bytes("load")];

pub static RAW: Proto = Proto {
    name: "Raw",
    title: "Raw",
    fields: &FIELDS,
    ..Proto::BASE
};

pub static PADDING: Proto = Proto {
    name: "Padding",
    title: "Padding",
    fields: &FIELDS,
    ..Proto::BASE
};
