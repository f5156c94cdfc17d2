use super::super::{Matcher, answers, hash_key};
use crate::engine::testutil::{THEM, US, ip4, layers, names};
use crate::layers::Layer;

fn check(reply: &[Layer], request: &[Layer], want: bool) {
    assert_eq!(
        answers(reply, request),
        want,
        "{:?} answers {:?}",
        names(reply),
        names(request)
    );
    if want {
        assert_eq!(hash_key(reply), hash_key(request), "keys differ");
    }
}

fn dns(src: &str, dst: &str, sport: u16, dport: u16, dns: &str) -> Vec<Layer> {
    layers(&format!(
        "{}/UDP(sport={sport},dport={dport})/DNS({dns})",
        ip4(src, dst)
    ))
}

#[test]
fn dns_by_id_and_question() {
    let q = r#"id=0x1234,qd=DNSQR(qname="www.example.test")"#;
    let req = dns(US, THEM, 40000, 53, q);
    let ans = |extra: &str| dns(THEM, US, 53, 40000, &format!("qr=1,{extra}"));
    check(&ans(q), &req, true);
    // The name's case does not matter; the id, the type, the direction do.
    check(
        &ans(r#"id=0x1234,qd=DNSQR(qname="WWW.Example.test")"#),
        &req,
        true,
    );
    check(
        &ans(r#"id=0x1235,qd=DNSQR(qname="www.example.test")"#),
        &req,
        false,
    );
    check(
        &ans(r#"id=0x1234,qd=DNSQR(qname="other.example.test")"#),
        &req,
        false,
    );
    check(
        &ans(r#"id=0x1234,qd=DNSQR(qname="www.example.test",qtype="AAAA")"#),
        &req,
        false,
    );
    // A response without its question (scapy matches by id alone) still answers.
    check(&ans("id=0x1234,qd=[]"), &req, true);
    // A query answers nothing; a response from another port does not either.
    check(&dns(THEM, US, 53, 40000, q), &req, false);
    check(
        &dns(THEM, US, 5353, 40000, &format!("qr=1,{q}")),
        &req,
        false,
    );
    // Raw from port 53 is no answer to a DNS query.
    let raw = layers(&format!(
        "{}/UDP(sport=53,dport=40000)/\"x\"",
        ip4(THEM, US)
    ));
    check(&raw, &req, false);
}

#[test]
fn dhcp_by_xid_from_any_address_to_broadcast() {
    let disc = layers(
        r#"Ether(src="02:00:00:00:00:01",dst="ff:ff:ff:ff:ff:ff")/IP(src="0.0.0.0",dst="255.255.255.255")/UDP(sport=68,dport=67)/BOOTP(chaddr="02:00:00:00:00:01",xid=0x1a2b3c4d)/DHCP(options=[("message-type","discover"),"end"])"#,
    );
    let offer = |xid: u32, op: u8, dst: &str| {
        layers(&format!(
            r#"Ether()/IP(src="192.0.2.1",dst="{dst}")/UDP(sport=67,dport=68)/BOOTP(op={op},xid={xid},yiaddr="192.0.2.9")/DHCP(options=[("message-type","offer"),"end"])"#
        ))
    };
    check(&offer(0x1a2b3c4d, 2, "192.0.2.9"), &disc, true);
    check(&offer(0x1a2b3c4d, 2, "255.255.255.255"), &disc, true);
    check(&offer(0x1a2b3c4e, 2, "192.0.2.9"), &disc, false);
    check(&offer(0x1a2b3c4d, 1, "192.0.2.9"), &disc, false);
    let mut m = Matcher::new();
    m.add(7, disc.clone());
    assert_eq!(
        m.matches(&offer(0x1a2b3c4d, 2, "192.0.2.9"))
            .collect::<Vec<_>>(),
        [7]
    );
}

#[test]
fn udp_without_applications_is_matched_by_ports_as_before() {
    let req = layers(&format!(
        "{}/UDP(sport=40000,dport=7)/\"ping\"",
        ip4(US, THEM)
    ));
    let rep = layers(&format!("{}/UDP(sport=7,dport=40000)", ip4(THEM, US)));
    check(&rep, &req, true);
}
