//! NTP against scapy's bytes: every class read as scapy reads it, built as scapy builds it.

use super::*;
use crate::build::{build, new_layer, serialize};
use crate::dissect::dissect_as_new;
use crate::layers::{field, udp};
use crate::test_util::hex;

/// scapy: `NTP(mode=4, stratum=2, poll=6, precision=-23, delay=0.0213, dispersion=0.0364,
/// id="192.0.2.123", ref=3913055990.25, orig=3913056000.5, recv=3913056000.50123,
/// sent=3913056000.5013)`.
const SERVER: &str = "240206e90000057300000951c000027be93c7ef640000000e93c7f0080000000e93c7f0080509800e93c7f0080553000";
/// scapy: `NTP(leap=3, mode=4, stratum=1, precision=-20, ref_id=b"GPS\0", ref=3913055999,
/// orig=0, sent=3913056000.75)`.
const STRATUM1: &str = "e4010aec000000000000000047505300e93c7eff0000000000000000000000000000000000000000e93c7f00c0000000";
/// scapy: `NTP(orig=0, sent=3913056000.5)/NTPAuthenticator(key_id=8, dgst=bytes(range(20)))`.
const AUTH: &str = "23020a0000000000000000007f000001000000000000000000000000000000000000000000000000e93c7f008000000000000008000102030405060708090a0b0c0d0e0f10111213";
/// A client request, an extension field of 36 bytes, one whose length (8) is short (`Raw`),
/// 12 bytes left (`Raw`), and the MAC (key 5).
const EXT: &str = "23020a0000000000000000007f000001000000000000000000000000000000000000000000000000000000000000000001040024000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f000900086162636401010101010101010101010100000005eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
/// scapy: a READSTAT response listing three associations.
const READSTAT: &str = "16810045061500000000000cbebd9614bebc9614bebb9614";
/// scapy: a READVAR response about association 48825 (more to come), peer status.
const READVAR: &str = "16a200478011beb9000000187372636164723d3139322e302e322e342c206c6561703d33";
/// scapy: `NTPControl(op_code=2, data=b"x")` and a MAC (key 3): `x` padded to 32 bits.
const CONTROL_MAC: &str =
    "160200000000000000000001780000000000000301010101010101010101010101010101";
/// scapy: an ntpdc REQ_AUTHINFO response, one `NTPInfoAuth` item.
const PRIVATE_RESPONSE: &str =
    "9700031c000100240050606a0000000a0000000e000000000000286600000000000000000000000000000000";
/// An authenticated REQ_PEER_INFO request: one `NTPInfoPeerList`, 12 bytes of padding, the
/// 28-byte tail.
const PRIVATE_REQUEST: &str = "1780030200010020c0000209007b0300000000000000000000000000000000000000000000000000000000000000000000000000e93c7f00000000000000000107070707070707070707070707070707";

/// Dissected as the class the mode says (as a port row finds it; a first layer is the class
/// asked for).
fn read(b: &[u8]) -> crate::dissect::Packet {
    dissect_as_new(ntp_class(b), b)
}

fn items(l: &Layer, field: &str) -> Vec<&'static str> {
    match l.get(field) {
        Some(Value::Options(v)) => v.iter().map(|l| l.name()).collect(),
        other => panic!("{field}: {other:?}"),
    }
}

fn one<'a>(l: &'a Layer, field: &str) -> &'a Layer {
    match l.get(field) {
        Some(Value::Options(v)) if v.len() == 1 => &v[0],
        other => panic!("{field}: {other:?}"),
    }
}

fn json(l: &Layer) -> serde_json::Value {
    let mut s = String::new();
    crate::output::json::write_layer(l, &mut s);
    serde_json::from_str(&s).expect(&s)
}

fn line(layers: &[Layer], i: usize) -> String {
    let mut s = String::new();
    summary(layers, i, &mut s);
    s
}

/// A UDP datagram between these ports carrying `payload`, dissected from UDP.
fn over_udp(sport: u16, dport: u16, payload: &[u8]) -> crate::dissect::Packet {
    let mut b = Vec::new();
    b.extend_from_slice(&sport.to_be_bytes());
    b.extend_from_slice(&dport.to_be_bytes());
    b.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(payload);
    dissect_as_new(&udp::UDP, &b)
}

#[test]
fn a_server_reply_reads_as_scapy_renders_it() {
    let b = hex(SERVER);
    let p = read(&b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let l = &p.layers[0];
    assert_eq!(l.name(), "NTPHeader", "mode 4 dispatches to the header");
    let j = json(l);
    assert_eq!(j["mode"], 4);
    assert_eq!(j["poll"], 6);
    assert_eq!(j["precision"], -23, "a signed byte");
    // The fixed-point values are scapy's internal integers.
    assert_eq!(j["delay"], 0x0573);
    assert_eq!(j["dispersion"], 0x0951);
    assert_eq!(j["id"], "192.0.2.123");
    assert!(j.get("ref_id").is_none(), "stratum 2 has an address");
    assert_eq!(j["ref"], 0xe93c7ef640000000u64);
    assert_eq!(j["recv"], 0xe93c7f0080509800u64);
    assert_eq!(line(&p.layers, 0), "NTPv4, Server, length 48, stratum 2");
    assert_eq!(serialize(&p.layers), b);
}

#[test]
fn a_primary_server_has_a_reference_id_not_an_address() {
    let p = read(&hex(STRATUM1));
    let j = json(&p.layers[0]);
    assert_eq!(j["ref_id"], "47505300");
    assert!(j.get("id").is_none());
    assert_eq!(j["leap"], 3);
    assert_eq!(j["precision"], -20);
    assert_eq!(j["orig"], 0);
}

#[test]
fn after_the_header_a_mac_alone_or_extension_fields_and_a_mac() {
    let p = read(&hex(AUTH));
    let names: Vec<_> = p.layers.iter().map(|l| l.name()).collect();
    assert_eq!(names, ["NTPHeader", "NTPAuthenticator"]);
    assert_eq!(p.layers[1].int("key_id"), Some(8));
    assert_eq!(line(&p.layers, 0), "NTPv4, Client, length 72");

    let b = hex(EXT);
    let p = read(&b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let ext = &p.layers[1];
    assert_eq!(ext.name(), "NTPExtensions");
    assert_eq!(items(ext, "extensions"), ["NTPExtension", "Raw", "Raw"]);
    let j = json(ext);
    let first = &j["extensions"][0];
    assert_eq!(first["type"], 0x104);
    assert_eq!(first["len"], 36);
    // scapy's `PacketField("value", "", Packet)`: a bare Packet with the bytes as Raw.
    assert_eq!(first["value"]["layer"], "Packet");
    assert_eq!(first["value"]["payload"]["layer"], "Raw");
    assert_eq!(
        first["value"]["payload"]["load"],
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    );
    assert_eq!(j["extensions"][1]["load"], "0009000861626364");
    assert_eq!(j["extensions"][2]["load"], "010101010101010101010101");
    assert_eq!(j["mac"]["key_id"], 5);
    assert_eq!(j["mac"]["dgst"], "ee".repeat(16));
    assert_eq!(serialize(&p.layers), b);

    // 1 to 20 bytes that are no MAC are Raw; 21 are extensions.
    let mut short = hex(SERVER);
    short.extend_from_slice(&[1; 19]);
    let p = read(&short);
    assert_eq!(p.layers[1].name(), "Raw");
    short.extend_from_slice(&[1; 2]);
    assert_eq!(read(&short).layers[1].name(), "NTPExtensions");
}

#[test]
fn port_123_reads_the_class_the_mode_says() {
    let header = hex(SERVER);
    let p = over_udp(40000, 123, &header);
    assert_eq!(p.layers[1].name(), "NTPHeader");
    let p = over_udp(123, 40000, &hex(READSTAT));
    assert_eq!(p.layers[1].name(), "NTPControl");
    let p = over_udp(123, 123, &hex(PRIVATE_RESPONSE));
    assert_eq!(p.layers[1].name(), "NTPPrivate");
    // Too short for the class the mode names: Raw, as any payload on a port too short for it.
    for (payload, why) in [
        (&header[..7], "fewer than 8 bytes"),
        (&header[..47], "a header needs 48"),
        (&hex(READSTAT)[..11], "a control message needs 12"),
    ] {
        let p = over_udp(40000, 123, payload);
        assert_eq!(p.layers[1].name(), "Raw", "{why}");
        assert!(p.errors.is_empty(), "{why}: {:?}", p.errors);
    }
    // Another port is not NTP.
    assert_eq!(over_udp(40000, 124, &header).layers[1].name(), "Raw");
}

#[test]
fn control_messages_read_their_status_and_data_as_scapy_does() {
    let b = hex(READSTAT);
    let p = read(&b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let c = &p.layers[0];
    assert_eq!(one(c, "status").name(), "NTPSystemStatusPacket");
    let j = json(c);
    assert_eq!(j["status"]["clock_source"], 6);
    assert_eq!(j["count"], 12);
    assert_eq!(j["data"].as_array().unwrap().len(), 3);
    assert_eq!(j["data"][0]["association_id"], 48829);
    assert_eq!(j["data"][0]["peer_status"]["layer"], "NTPPeerStatusPacket");
    assert_eq!(j["data"][0]["peer_status"]["peer_sel"], 6);
    assert_eq!(line(&p.layers, 0), "NTPv2, Control Message, length 24");
    assert_eq!(serialize(&p.layers), b);

    let b = hex(READVAR);
    let p = read(&b);
    let j = json(&p.layers[0]);
    assert_eq!(
        j["status"]["layer"], "NTPPeerStatusPacket",
        "an association"
    );
    assert_eq!(j["data"], hex_of(b"srcadr=192.0.2.4, leap=3"));
    assert!(
        j.get("authenticator").is_none(),
        "nothing is left (scapy's MayEnd)"
    );

    let b = hex(CONTROL_MAC);
    let p = read(&b);
    let j = json(&p.layers[0]);
    assert_eq!(j["status"], 0, "a request's status is a number");
    assert_eq!(j["data"], "78");
    assert_eq!(j["data_pad"], "000000");
    assert_eq!(j["authenticator"]["key_id"], 3);
    assert_eq!(serialize(&p.layers), b);

    // The error bit makes it an error status; READCLOCK a clock status.
    let mut e = hex(READVAR);
    e[1] |= 0x40;
    assert_eq!(
        one(&read(&e).layers[0], "status").name(),
        "NTPErrorStatusPacket"
    );
    e[1] = 0x84;
    assert_eq!(
        one(&read(&e).layers[0], "status").name(),
        "NTPClockStatusPacket"
    );
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn private_messages_read_their_items_by_request_code() {
    let b = hex(PRIVATE_RESPONSE);
    let p = read(&b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let l = &p.layers[0];
    assert_eq!(items(l, "data"), ["NTPInfoAuth"]);
    let j = json(l);
    assert_eq!(j["request_code"], 28);
    assert_eq!(j["data"][0]["timereset"], 5267562);
    assert_eq!(j["data"][0]["keynotfound"], 10342);
    assert!(j.get("req_data").is_none());
    assert_eq!(line(&p.layers, 0), "NTPv2, Reserved, length 44");

    let b = hex(PRIVATE_REQUEST);
    let p = read(&b);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let l = &p.layers[0];
    assert_eq!(items(l, "req_data"), ["NTPInfoPeerList", "Raw"]);
    let j = json(l);
    assert_eq!(j["req_data"][0]["addr"], "192.0.2.9");
    assert_eq!(j["req_data"][1]["load"], "00".repeat(12));
    assert_eq!(j["authenticator"]["tstamp"], 0xe93c7f0000000000u64);
    assert_eq!(j["authenticator"]["dgst"], "07".repeat(16));
    assert_eq!(serialize(&p.layers), b);
}

#[test]
fn a_short_tail_is_cut_as_pythons_negative_slice_cuts_it() {
    // 20 bytes after the item: `rest[:20 - 28]` is the first 12, the tail the last 8.
    let mut b = hex(PRIVATE_REQUEST)[..40].to_vec();
    b.extend_from_slice(&[9; 20]);
    let p = read(&b);
    let j = json(&p.layers[0]);
    assert_eq!(j["req_data"][1]["load"], "09".repeat(12));
    // 10 bytes: no padding (an empty Raw, as scapy's `Raw(b"")`), all 10 for the tail.
    let mut b = hex(PRIVATE_REQUEST)[..40].to_vec();
    b.extend_from_slice(&[9; 10]);
    let j = json(&read(&b).layers[0]);
    assert_eq!(j["req_data"][1], serde_json::json!({"layer": "Raw"}));
    assert_eq!(j["authenticator"]["layer"], "NTPPrivatePktTail");
}

#[test]
fn building_gives_scapys_defaults() {
    // scapy's NTP(): version 4, client, stratum 2, poll 10, 127.0.0.1, the time now in orig
    // and sent.
    let b = build(&[new_layer(NTP.form(None, None))]);
    assert_eq!(b.len(), 48);
    assert_eq!(
        &b[..24],
        &hex("23020a0000000000000000007f0000010000000000000000")[..]
    );
    assert_eq!(&b[32..40], &[0; 8], "recv is 0");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2_208_988_800;
    for at in [24, 40] {
        let secs = u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as u64;
        assert!(
            now - secs <= 2,
            "a timestamp of now at {at}: {secs} vs {now}"
        );
    }
    assert_eq!(
        build(&[new_layer(&NTP_CONTROL)]),
        hex("160000000000000000000000")
    );
    assert_eq!(build(&[new_layer(&NTP_PRIVATE)]), hex("1700000000000000"));
}

#[test]
fn expressions_take_numbers_for_fixed_point_fields_and_json_the_wire_integers() {
    let layers = &crate::craft::compile(
        "NTP(mode=4,precision=-23,delay=0.0213,dispersion=0.0364,id=\"192.0.2.123\",\
         ref=3913055990.25,orig=3913056000.5,recv=3913056000.50123,sent=3913056000.5013,poll=6)",
    )
    .unwrap()[0];
    assert_eq!(layers[0].name(), "NTPHeader", "NTP() is an NTPHeader");
    assert_eq!(build(layers), hex(SERVER));
    let d = crate::craft::compile("NTP(precision=-129)").unwrap_err();
    assert!(d.message.contains("-128 to 127"), "{}", d.message);
    let d = crate::craft::compile("NTP(delay=-0.5)").unwrap_err();
    assert!(d.message.contains("a number from 0"), "{}", d.message);
    let d = crate::craft::compile("NTP(delay=65536)").unwrap_err();
    assert!(d.message.contains("below 65536"), "{}", d.message);
    // The NDJSON record gives the wire integers back exactly.
    let p = read(&hex(SERVER));
    let mut s = String::new();
    crate::output::json::write_layer(&p.layers[0], &mut s);
    let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&s).unwrap();
    let back = crate::record::layer_of(&obj, None).unwrap();
    assert_eq!(serialize(&[back]), hex(SERVER));
}

#[test]
fn flags_without_a_name_keep_their_bits() {
    let p = read(&hex(PRIVATE_RESPONSE));
    assert!(p.errors.is_empty());
    let mut s = String::new();
    field::flag_string(
        0x0241,
        match info::RECORDS[3].fields[3].kind {
            Kind::Flags(_, n) => n,
            _ => unreachable!(),
        },
        &mut s,
    );
    assert_eq!(s, "INFO_FLAG_CONFIG+INFO_FLAG_SEL_CANDIDATE+0x200");
}

#[test]
fn every_cut_and_changed_byte_reads_without_panic_and_keeps_every_byte() {
    for sample in [
        SERVER,
        STRATUM1,
        AUTH,
        EXT,
        READSTAT,
        READVAR,
        CONTROL_MAC,
        PRIVATE_RESPONSE,
        PRIVATE_REQUEST,
    ] {
        let b = hex(sample);
        for cut in 0..=b.len() {
            let p = over_udp(40000, 123, &b[..cut]);
            let total: usize = p.layers.iter().map(|l| l.len).sum();
            assert_eq!(
                total,
                cut + 8,
                "{sample} cut at {cut}: every byte in a layer"
            );
            let mut whole = serialize(&p.layers);
            whole.drain(..8);
            assert_eq!(whole, &b[..cut], "{sample} cut at {cut}");
        }
        for i in 0..b.len() {
            for x in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut m = b.clone();
                m[i] = x;
                let p = over_udp(40000, 123, &m);
                let mut whole = serialize(&p.layers);
                whole.drain(..8);
                assert_eq!(whole, m, "{sample}: byte {i} = {x:#x}");
            }
        }
    }
}
