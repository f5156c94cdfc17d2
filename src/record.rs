//! NDJSON in: a record of the contract (what `pkt read --json` prints, perhaps edited with jq)
//! back into layers. Field values are read by their field's kind with the same code that reads
//! expressions (`craft::values_for`), so every field is described once.

use crate::craft::values_for;
use crate::expr::{ValueExpr, value_proto_by_name};
use crate::layers::coded::{self, Coding};
use crate::layers::field::unhex;
use crate::layers::field::{Chain, Name};
use crate::layers::{Field, Kind, Layer, Value};
use crate::output::json::WIRE_SUFFIX;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json};

/// One record, read.
#[derive(Debug)]
pub struct Record {
    pub ts_sec: i64,
    pub ts_nsec: u32,
    pub caplen: usize,
    pub len: usize,
    pub linktype: u32,
    /// The interface the packet was captured on, if the record names one.
    pub iface: Option<String>,
    pub layers: Vec<Layer>,
    /// The problems the record says its packet had: (layer name, byte offset, field).
    pub errors: Vec<(String, usize, Option<String>)>,
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow)]
    time: &'a RawValue,
    caplen: usize,
    len: usize,
    linktype: u32,
    #[serde(default)]
    iface: Option<String>,
    layers: Vec<Map<String, Json>>,
    #[serde(default)]
    errors: Vec<Map<String, Json>>,
}

/// Reads one NDJSON line. The error names the layer and field at fault.
pub fn parse(line: &str) -> Result<Record, String> {
    let raw: Raw = serde_json::from_str(line).map_err(|e| format!("not a packet record: {e}"))?;
    let (ts_sec, ts_nsec) = time_of(raw.time.get())?;
    let mut layers = Vec::with_capacity(raw.layers.len());
    for (i, obj) in raw.layers.iter().enumerate() {
        let lower = layers.last().map(|l: &Layer| l.proto);
        layers.push(layer_of(obj, lower).map_err(|e| format!("layers[{i}]: {e}"))?);
    }
    let errors = raw
        .errors
        .iter()
        .map(|e| {
            (
                e.get("layer")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_string(),
                e.get("offset").and_then(Json::as_u64).unwrap_or(0) as usize,
                e.get("field").and_then(Json::as_str).map(str::to_string),
            )
        })
        .collect();
    Ok(Record {
        ts_sec,
        ts_nsec,
        caplen: raw.caplen,
        len: raw.len,
        linktype: raw.linktype,
        iface: raw.iface,
        layers,
        errors,
    })
}

/// `1700000000.123456` (or with nine decimals) exactly, from the number's text.
fn time_of(text: &str) -> Result<(i64, u32), String> {
    let t = text.trim();
    let exact = t
        .split_once('.')
        .map_or(Some((t, "")), Some)
        .and_then(|(s, f)| {
            let sec = s.parse::<i64>().ok()?;
            if f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let ns = format!("{f:0<9}").parse::<u32>().ok()?;
            Some((sec, ns))
        });
    match exact {
        Some(v) => Ok(v),
        None => {
            // Written some other way (an exponent, say): to the microsecond.
            let f: f64 = t
                .parse()
                .map_err(|_| format!("time: {t} is not a number"))?;
            let us = (f * 1e6).round() as i64;
            Ok((
                us.div_euclid(1_000_000),
                (us.rem_euclid(1_000_000) * 1000) as u32,
            ))
        }
    }
}

/// One layer object → a layer whose fields hold the record's values; fields the record does
/// not have are absent (not on the wire). The layer is of the form its lower layer chooses
/// (DNS over TCP).
pub fn layer_of(
    obj: &Map<String, Json>,
    lower: Option<&'static crate::layers::Proto>,
) -> Result<Layer, String> {
    let name = obj
        .get("layer")
        .and_then(Json::as_str)
        .ok_or("no \"layer\" name")?;
    let proto = value_proto_by_name(name)
        .ok_or_else(|| format!("unknown layer '{name}'"))?
        .form(lower, None);
    let mut layer = Layer {
        proto,
        offset: 0,
        len: 0,
        end: 0,
        values: vec![Value::Absent; proto.fields.len()],
    };
    let mut used: Vec<&str> = Vec::new();
    for (k, f) in proto.fields.iter().enumerate() {
        let Some(json) = obj.get(f.name) else {
            continue;
        };
        if used.contains(&f.name) {
            continue;
        }
        // Of several rows with this name, the one whose condition holds and whose kind reads
        // the value.
        if f.cond.is_some_and(|c| !c(&layer.values[..k])) {
            continue;
        }
        match value_of(&layer, f, json) {
            Ok(v) => {
                layer.values[k] = v;
                used.push(f.name);
            }
            Err(e) if !proto.fields[k + 1..].iter().any(|g| g.name == f.name) => {
                return Err(format!("{name}.{}: {e}", f.name));
            }
            Err(_) => {}
        }
    }
    // Coded fields with their exact bytes beside them (a character-string cut short).
    for (f, v) in proto.fields.iter().zip(layer.values.iter_mut()) {
        let key = format!("{}{WIRE_SUFFIX}", f.name);
        if let (Kind::Coded(_), Value::Bytes(b), Some(w)) = (f.kind, &mut *v, obj.get(&key)) {
            let h = w
                .as_str()
                .ok_or(format!("{name}.{key}: hex bytes expected"))?;
            *b = unhex(h).map_err(|e| format!("{name}.{key}: {e}"))?;
        }
    }
    // Names with their exact bytes beside them (`rrname_wire`, a compression pointer).
    for (f, v) in proto.fields.iter().zip(layer.values.iter_mut()) {
        let Value::Name(n) = v else { continue };
        let key = format!("{}{WIRE_SUFFIX}", f.name);
        match obj.get(&key) {
            Some(Json::String(h)) => {
                n.wire = unhex(h).map_err(|e| format!("{name}.{key}: {e}"))?;
                // The text as dissection gave it (a damaged name's too), to compare with.
                if let Some(Json::String(t)) = obj.get(f.name) {
                    n.text = t.clone();
                }
            }
            Some(_) => return Err(format!("{name}.{key}: hex bytes expected")),
            None if n.wire.is_empty() => {
                return Err(format!("{name}.{}: '{}' is not a DNS name", f.name, n.text));
            }
            None => {}
        }
    }
    let is_wire_key = |k: &str| {
        k.strip_suffix(WIRE_SUFFIX).is_some_and(|base| {
            proto
                .fields
                .iter()
                .any(|f| f.name == base && matches!(f.kind, Kind::Name | Kind::Coded(_)))
        })
    };
    if let Some(extra) = obj.keys().find(|k| {
        *k != "layer" && !proto.fields.iter().any(|f| f.name == k.as_str()) && !is_wire_key(k)
    }) {
        return Err(format!("{name} has no field '{extra}'"));
    }
    Ok(layer)
}

/// A packet held in a field and its payload (`"payload"`, nested as scapy renders it), as
/// the layers of the list, one after the other.
fn chain_of(obj: &Map<String, Json>, out: &mut Vec<Layer>) -> Result<(), String> {
    let mut obj = obj;
    loop {
        let Some(payload) = obj.get("payload") else {
            out.push(layer_of(obj, None)?);
            return Ok(());
        };
        let mut fields = obj.clone();
        fields.remove("payload");
        out.push(layer_of(&fields, None)?);
        obj = payload.as_object().ok_or("a payload is a layer object")?;
    }
}

fn value_of(layer: &Layer, f: &'static Field, json: &Json) -> Result<Value, String> {
    if let (Kind::Name, Json::String(s)) = (f.kind, json) {
        // A text that is no name (what dissection made of damage) is taken with its exact
        // bytes (`FIELD_wire`), checked by the layer.
        let name = crate::layers::field::Name::from_text(s).unwrap_or(Name {
            text: s.clone(),
            wire: Vec::new(),
        });
        return Ok(Value::Name(Box::new(name)));
    }
    if let Kind::Tlv(t) = f.kind {
        return Ok(Value::Bytes(crate::layers::tlv::from_json(t, json)?));
    }
    if let (Kind::Packet(_), Json::Object(obj)) = (f.kind, json) {
        return Ok(Value::Options(vec![layer_of(obj, None)?]));
    }
    if let (Kind::FixedPoint(bits, _), Json::Number(n)) = (f.kind, json) {
        // The number on the wire, as dissection gives it (not the value an expression gives).
        return n
            .as_u64()
            .filter(|&x| x <= crate::build::max_of(bits))
            .map(Value::Int)
            .ok_or_else(|| format!("{n} is not a {bits}-bit integer"));
    }
    if let (Kind::Options(_) | Kind::List(_) | Kind::Packets(_), Json::Array(items)) =
        (f.kind, json)
    {
        let chained = matches!(f.kind, Kind::List(s) if s.chain != Chain::None);
        let mut opts = Vec::with_capacity(items.len());
        for (i, o) in items.iter().enumerate() {
            let obj = o
                .as_object()
                .ok_or_else(|| format!("option {i} is not an object"))?;
            if chained {
                chain_of(obj, &mut opts).map_err(|e| format!("option {i}: {e}"))?;
            } else {
                opts.push(layer_of(obj, None).map_err(|e| format!("option {i}: {e}"))?);
            }
        }
        return Ok(Value::Options(opts));
    }
    // One packet held in a field, with its payload.
    if let (Kind::List(s), Json::Object(obj)) = (f.kind, json)
        && s.chain == Chain::One
    {
        let mut chain = Vec::new();
        chain_of(obj, &mut chain)?;
        return Ok(Value::Options(chain));
    }
    if let Kind::Coded(c) = f.kind {
        return coded_of(layer, f, c, json);
    }
    if let (Kind::Ip6List, Json::String(s)) = (f.kind, json) {
        // What dissection keeps as bytes when it is not a whole number of addresses.
        return Ok(Value::Bytes(unhex(s)?));
    }
    let expr = to_expr(f.kind, json)?;
    let mut vals = values_for(layer, f, &expr, &(0..0)).map_err(|d| d.message)?;
    if vals.len() != 1 {
        return Err("one value, not a set".into());
    }
    Ok(vals.remove(0))
}

/// A coded field's value as `pkt read` gives it: its list or address; hex where its bytes are
/// shown as they are; character-strings in presentation form (`\DDD`), `""` for none.
fn coded_of(layer: &Layer, f: &'static Field, c: Coding, json: &Json) -> Result<Value, String> {
    let expr = match (c, json) {
        (Coding::Text, Json::String(s)) if s.is_empty() => return Ok(Value::Bytes(Vec::new())),
        (Coding::Text, Json::String(s)) => ValueExpr::Bytes(coded::unescape(s)),
        (Coding::Prefix(_) | Coding::Uuid, Json::String(s)) => ValueExpr::Str(s.clone()),
        (_, Json::String(s)) => ValueExpr::Bytes(unhex(s)?),
        (_, Json::Array(items)) => ValueExpr::List(
            items
                .iter()
                .map(|x| match (c, x) {
                    (Coding::Text, Json::String(s)) => Ok(ValueExpr::Bytes(coded::unescape(s))),
                    (_, Json::String(s)) => Ok(ValueExpr::Str(s.clone())),
                    (_, Json::Number(n)) => n
                        .as_u64()
                        .map(|v| ValueExpr::Int(v as i128))
                        .ok_or_else(|| format!("{n} is not a whole number from 0")),
                    (_, other) => Err(format!("unexpected element {other}")),
                })
                .map(|r| r.map(|v| (v, 0..0)))
                .collect::<Result<_, _>>()?,
        ),
        (_, other) => return Err(format!("unexpected value {other}")),
    };
    let mut vals = values_for(layer, f, &expr, &(0..0)).map_err(|d| d.message)?;
    Ok(vals.remove(0))
}

/// The JSON value as the expression value the field's kind reads: bytes come as hex.
fn to_expr(kind: Kind, json: &Json) -> Result<ValueExpr, String> {
    Ok(match (kind, json) {
        (Kind::Bytes | Kind::Fixed { .. } | Kind::Packet(_), Json::String(s)) => {
            ValueExpr::Bytes(unhex(s)?)
        }
        (Kind::TcpOptions, Json::Array(items)) => {
            let mut opts = Vec::with_capacity(items.len());
            for o in items {
                let pair = o
                    .as_array()
                    .filter(|p| p.len() == 2 || p.len() == 3)
                    .ok_or("a TCP option is [name, value]")?;
                let name = match &pair[0] {
                    Json::String(s) => ValueExpr::Str(s.clone()),
                    Json::Number(n) => ValueExpr::Int(n.as_u64().ok_or("option kind")? as i128),
                    _ => return Err("a TCP option is named by a string or a kind number".into()),
                };
                let value = match &pair[1] {
                    Json::Null => ValueExpr::None,
                    Json::String(s) => ValueExpr::Bytes(unhex(s)?),
                    Json::Number(n) => ValueExpr::Int(n.as_u64().ok_or("option value")? as i128),
                    Json::Array(xs) => ValueExpr::List(
                        xs.iter()
                            .map(|x| {
                                x.as_u64()
                                    .map(|v| (ValueExpr::Int(v as i128), 0..0))
                                    .ok_or("option value")
                            })
                            .collect::<Result<_, _>>()?,
                    ),
                    _ => return Err("bad TCP option value".into()),
                };
                let mut tuple = vec![(name, 0..0), (value, 0..0)];
                match pair.get(2) {
                    Some(Json::Number(b)) => tuple.push((
                        ValueExpr::Int(b.as_u64().ok_or("length byte")? as i128),
                        0..0,
                    )),
                    Some(Json::Null) => tuple.push((ValueExpr::None, 0..0)),
                    Some(_) => return Err("a TCP option's length byte is a number or null".into()),
                    None => {}
                }
                opts.push((ValueExpr::Tuple(tuple), 0..0));
            }
            ValueExpr::List(opts)
        }
        (Kind::Ip6List, Json::Array(items)) => ValueExpr::List(
            items
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(|s| (ValueExpr::Str(s.to_string()), 0..0))
                        .ok_or("an IPv6 address string")
                })
                .collect::<Result<_, _>>()?,
        ),
        (Kind::SInt(_), Json::Number(n)) => {
            ValueExpr::Int(n.as_i64().ok_or("a whole number")? as i128)
        }
        (_, Json::Number(n)) => ValueExpr::Int(n.as_u64().ok_or("a whole number from 0")? as i128),
        (_, Json::String(s)) => ValueExpr::Str(s.clone()),
        (_, Json::Null) => ValueExpr::None,
        (_, other) => return Err(format!("unexpected value {other}")),
    })
}
