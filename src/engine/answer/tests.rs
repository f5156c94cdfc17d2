use super::*;
use crate::engine::testutil::{
    ROUTER, ROUTER6, THEM, THEM6, US, US6, frame, icmp_error, ip4, ip6, layers, names, read,
};

/// Both directions of the key agree, and `answers` says `want`.
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

#[test]
fn icmp_echo_by_id_and_seq() {
    let req = layers(&format!("{}/ICMP(id=7,seq=1)", ip4(US, THEM)));
    let rep = layers(&format!("{}/ICMP(type=0,id=7,seq=1)", ip4(THEM, US)));
    check(&rep, &req, true);
    let other_seq = layers(&format!("{}/ICMP(type=0,id=7,seq=2)", ip4(THEM, US)));
    check(&other_seq, &req, false);
    assert_ne!(hash_key(&other_seq), hash_key(&req));
    let other_id = layers(&format!("{}/ICMP(type=0,id=8,seq=1)", ip4(THEM, US)));
    check(&other_id, &req, false);
    // from someone else, to someone else, or the request itself: no
    check(
        &layers(&format!("{}/ICMP(type=0,id=7,seq=1)", ip4(ROUTER, US))),
        &req,
        false,
    );
    check(
        &layers(&format!("{}/ICMP(type=0,id=7,seq=1)", ip4(THEM, ROUTER))),
        &req,
        false,
    );
    check(&req, &req, false);
    // the request does not answer the reply either
    check(&req, &rep, false);
}

#[test]
fn icmp_timestamp_and_address_mask_pairs() {
    let req = layers(&format!("{}/ICMP(type=13,id=1,seq=2)", ip4(US, THEM)));
    let rep = layers(&format!("{}/ICMP(type=14,id=1,seq=2)", ip4(THEM, US)));
    check(&rep, &req, true);
    let req = layers(&format!("{}/ICMP(type=17,id=1,seq=2)", ip4(US, THEM)));
    let rep = layers(&format!("{}/ICMP(type=18,id=1,seq=2)", ip4(THEM, US)));
    check(&rep, &req, true);
    // an echo reply does not answer an address-mask request
    let rep = layers(&format!("{}/ICMP(type=0,id=1,seq=2)", ip4(THEM, US)));
    check(&rep, &req, false);
}

#[test]
fn tcp_syn_answered_by_syn_ack_and_rst_ack() {
    let req = layers(&format!(
        "{}/TCP(sport=40000,dport=80,seq=1000,flags=\"S\")",
        ip4(US, THEM)
    ));
    let synack = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=5,ack=1001,flags=\"SA\")",
        ip4(THEM, US)
    ));
    check(&synack, &req, true);
    let rst = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=0,ack=1001,flags=\"RA\")",
        ip4(THEM, US)
    ));
    check(&rst, &req, true);
    // a bare RST without ACK answers too (scapy)
    let bare = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=0,ack=0,flags=\"R\")",
        ip4(THEM, US)
    ));
    check(&bare, &req, true);
    // wrong ack, wrong ports, a SYN without ACK: no
    let far = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=5,ack=9999,flags=\"SA\")",
        ip4(THEM, US)
    ));
    check(&far, &req, false);
    let ports = layers(&format!(
        "{}/TCP(sport=81,dport=40000,seq=5,ack=1001,flags=\"SA\")",
        ip4(THEM, US)
    ));
    check(&ports, &req, false);
    let syn = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=5,ack=1001,flags=\"S\")",
        ip4(THEM, US)
    ));
    check(&syn, &req, false);
    // a request with RST gets no answer
    let rst_req = layers(&format!(
        "{}/TCP(sport=40000,dport=80,seq=1000,flags=\"R\")",
        ip4(US, THEM)
    ));
    check(&rst, &rst_req, false);
}

#[test]
fn tcp_data_acknowledged_by_payload_length_and_across_the_wrap() {
    let req = layers(&format!(
        "{}/TCP(sport=40000,dport=80,seq=4294967290,ack=77,flags=\"PA\")/\"0123456789\"",
        ip4(US, THEM)
    ));
    // seq + 10 wraps to 4
    let ack = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=77,ack=4,flags=\"A\")",
        ip4(THEM, US)
    ));
    check(&ack, &req, true);
    // the reply's seq must be near the request's ack
    let off = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=500,ack=4,flags=\"A\")",
        ip4(THEM, US)
    ));
    check(&off, &req, false);
    // acknowledging more than was sent: no
    let more = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=77,ack=40,flags=\"A\")",
        ip4(THEM, US)
    ));
    check(&more, &req, false);
    // a SYN-ACK does not answer a data segment
    let synack = layers(&format!(
        "{}/TCP(sport=80,dport=40000,seq=77,ack=4,flags=\"SA\")",
        ip4(THEM, US)
    ));
    check(&synack, &req, false);
}

#[test]
fn udp_by_ports_swapped() {
    let req = layers(&format!("{}/UDP(sport=5000,dport=7)/\"q\"", ip4(US, THEM)));
    let rep = layers(&format!("{}/UDP(sport=7,dport=5000)/\"a\"", ip4(THEM, US)));
    check(&rep, &req, true);
    let rep = layers(&format!("{}/UDP(sport=8,dport=5000)", ip4(THEM, US)));
    check(&rep, &req, false);
    // UDP does not answer TCP with the same ports
    let tcp = layers(&format!(
        "{}/TCP(sport=7,dport=5000,flags=\"RA\",ack=1)",
        ip4(THEM, US)
    ));
    check(&tcp, &req, false);
}

#[test]
fn icmp_errors_match_by_the_quoted_datagram() {
    let udp = frame(&format!("{}/UDP(sport=5000,dport=33434)", ip4(US, THEM)));
    let req = read("IP", &udp);
    // port unreachable from the target, quoting 28 bytes (IP header + 8)
    let unreach = icmp_error(&format!("{}/ICMP(type=3,code=3)", ip4(THEM, US)), &udp, 28);
    let rep = read("IP", &unreach);
    assert_eq!(names(&rep), ["IP", "ICMP", "IPerror", "UDPerror"]);
    check(&rep, &req, true);
    // time exceeded from a router on the way
    let ttl = icmp_error(&format!("{}/ICMP(type=11)", ip4(ROUTER, US)), &udp, 28);
    check(&read("IP", &ttl), &req, true);
    // an error for another port, another target, or sent to someone else: no
    let other = frame(&format!("{}/UDP(sport=5000,dport=33435)", ip4(US, THEM)));
    let e = icmp_error(&format!("{}/ICMP(type=11)", ip4(ROUTER, US)), &other, 28);
    check(&read("IP", &e), &req, false);
    let other = frame(&format!("{}/UDP(sport=5000,dport=33434)", ip4(US, ROUTER)));
    let e = icmp_error(&format!("{}/ICMP(type=11)", ip4(ROUTER, US)), &other, 28);
    check(&read("IP", &e), &req, false);
    let e = icmp_error(&format!("{}/ICMP(type=11)", ip4(ROUTER, THEM)), &udp, 28);
    check(&read("IP", &e), &req, false);
    // an error quoting only the IP header does not say which probe it was
    let e = icmp_error(&format!("{}/ICMP(type=11)", ip4(ROUTER, US)), &udp, 20);
    check(&read("IP", &e), &req, false);
}

#[test]
fn icmp_errors_quoting_tcp_and_icmp() {
    let syn = frame(&format!(
        "{}/TCP(sport=40000,dport=443,seq=7,flags=\"S\")",
        ip4(US, THEM)
    ));
    let req = read("IP", &syn);
    let e = icmp_error(&format!("{}/ICMP(type=11)", ip4(ROUTER, US)), &syn, 28);
    let rep = read("IP", &e);
    assert_eq!(names(&rep), ["IP", "ICMP", "IPerror", "TCPerror"]);
    check(&rep, &req, true);
    let echo = frame(&format!("{}/ICMP(id=9,seq=3)", ip4(US, THEM)));
    let req = read("IP", &echo);
    let e = icmp_error(&format!("{}/ICMP(type=11)", ip4(ROUTER, US)), &echo, 28);
    let rep = read("IP", &e);
    assert_eq!(names(&rep), ["IP", "ICMP", "IPerror", "ICMPerror"]);
    check(&rep, &req, true);
    let echo4 = frame(&format!("{}/ICMP(id=9,seq=4)", ip4(US, THEM)));
    check(&rep, &read("IP", &echo4), false);
}

#[test]
fn protocol_probe_answered_by_protocol_unreachable() {
    let probe = frame(&format!("IP(src=\"{US}\",dst=\"{THEM}\",proto=47)/\"xyz\""));
    let req = read("IP", &probe);
    let e = icmp_error(
        &format!("{}/ICMP(type=3,code=2)", ip4(THEM, US)),
        &probe,
        28,
    );
    check(&read("IP", &e), &req, true);
}

#[test]
fn arp_is_at_answers_who_has() {
    let req = layers("Ether()/ARP(op=1,psrc=\"192.0.2.1\",pdst=\"192.0.2.2\")");
    let rep = layers(
        "Ether()/ARP(op=2,hwsrc=\"02:00:00:00:00:02\",psrc=\"192.0.2.2\",pdst=\"192.0.2.1\")",
    );
    check(&rep, &req, true);
    let wrong = layers("Ether()/ARP(op=2,psrc=\"192.0.2.3\",pdst=\"192.0.2.1\")");
    check(&wrong, &req, false);
    assert_ne!(hash_key(&wrong), hash_key(&req));
    check(&req, &req, false);
    // a request sent without Ethernet framing still matches
    check(&rep, &layers("ARP(op=1,pdst=\"192.0.2.2\")"), true);
}

#[test]
fn ether_framed_reply_matches_ip_request() {
    let req = layers(&format!("{}/ICMP(id=7,seq=1)", ip4(US, THEM)));
    let rep = layers(&format!(
        "Ether()/Dot1Q(vlan=5)/{}/ICMP(type=0,id=7,seq=1)",
        ip4(THEM, US)
    ));
    check(&rep, &req, true);
    let sll = layers(&format!(
        // (`src` given: built by default it would be empty, not 8 bytes)
        "CookedLinuxV2(src=\"ABCDEFGH\")/{}/ICMP(type=0,id=7,seq=1)",
        ip4(THEM, US)
    ));
    check(&sll, &req, true);
    // and an Ether-framed request against an Ether-framed reply
    let req = layers(&format!("Ether()/{}/ICMP(id=7,seq=1)", ip4(US, THEM)));
    check(&rep, &req, true);
}

#[test]
fn icmpv6_echo_by_id_seq_and_data() {
    let req = layers(&format!(
        "{}/ICMPv6EchoRequest(id=1,seq=2,data=\"ab\")",
        ip6(US6, THEM6)
    ));
    let rep = layers(&format!(
        "{}/ICMPv6EchoReply(id=1,seq=2,data=\"ab\")",
        ip6(THEM6, US6)
    ));
    check(&rep, &req, true);
    let seq = layers(&format!(
        "{}/ICMPv6EchoReply(id=1,seq=3,data=\"ab\")",
        ip6(THEM6, US6)
    ));
    check(&seq, &req, false);
    let data = layers(&format!(
        "{}/ICMPv6EchoReply(id=1,seq=2,data=\"ac\")",
        ip6(THEM6, US6)
    ));
    check(&data, &req, false);
    let from = layers(&format!(
        "{}/ICMPv6EchoReply(id=1,seq=2,data=\"ab\")",
        ip6(ROUTER6, US6)
    ));
    check(&from, &req, false);
}

#[test]
fn icmpv6_errors_match_by_the_quoted_packet() {
    let udp = frame(&format!("{}/UDP(sport=5000,dport=33434)", ip6(US6, THEM6)));
    let req = read("IPv6", &udp);
    for ty in [
        "ICMPv6TimeExceeded",
        "ICMPv6DestUnreach(code=4)",
        "ICMPv6PacketTooBig",
    ] {
        let ty = if ty.contains('(') {
            ty.to_string()
        } else {
            format!("{ty}()")
        };
        let e = icmp_error(&format!("{}/{ty}", ip6(ROUTER6, US6)), &udp, udp.len());
        let rep = read("IPv6", &e);
        assert_eq!(names(&rep)[2..], ["IPerror6", "UDPerror"], "{ty}");
        check(&rep, &req, true);
    }
    let echo = frame(&format!(
        "{}/ICMPv6EchoRequest(id=4,seq=5)",
        ip6(US6, THEM6)
    ));
    let req = read("IPv6", &echo);
    let e = icmp_error(
        &format!("{}/ICMPv6TimeExceeded()", ip6(ROUTER6, US6)),
        &echo,
        echo.len(),
    );
    let rep = read("IPv6", &e);
    check(&rep, &req, true);
    let echo6 = frame(&format!(
        "{}/ICMPv6EchoRequest(id=4,seq=6)",
        ip6(US6, THEM6)
    ));
    check(&rep, &read("IPv6", &echo6), false);
    let tcp = frame(&format!(
        "{}/TCP(sport=1,dport=2,flags=\"S\")",
        ip6(US6, THEM6)
    ));
    let e = icmp_error(
        &format!("{}/ICMPv6ParamProblem()", ip6(ROUTER6, US6)),
        &tcp,
        tcp.len(),
    );
    check(&read("IPv6", &e), &read("IPv6", &tcp), true);
}

#[test]
fn neighbour_solicitation_to_the_solicited_node_group() {
    let ns = layers(&format!(
        "Ether()/{}/ICMPv6ND_NS(tgt=\"{THEM6}\")",
        ip6(US6, "ff02::1:ff00:2")
    ));
    let na = layers(&format!(
        "Ether()/{}/ICMPv6ND_NA(tgt=\"{THEM6}\",S=1)",
        ip6(THEM6, US6)
    ));
    check(&na, &ns, true);
    let other = layers(&format!(
        "Ether()/{}/ICMPv6ND_NA(tgt=\"2001:db8::3\")",
        ip6("2001:db8::3", US6)
    ));
    check(&other, &ns, false);
    // an unsolicited advertisement to all nodes answers no solicitation sent to a group
    let unsolicited = layers(&format!(
        "Ether()/{}/ICMPv6ND_NA(tgt=\"{THEM6}\")",
        ip6(THEM6, "ff02::1")
    ));
    check(&unsolicited, &ns, false);
}

#[test]
fn router_advertisement_answers_solicitation() {
    let rs = layers(&format!("{}/ICMPv6ND_RS()", ip6(US6, "ff02::2")));
    let ra = layers(&format!("{}/ICMPv6ND_RA()", ip6("fe80::1", US6)));
    check(&ra, &rs, true);
    // to all nodes, for a solicitation to all routers
    let ra = layers(&format!("{}/ICMPv6ND_RA()", ip6("fe80::1", "ff02::1")));
    check(&ra, &rs, true);
}

#[test]
fn multicast_echo_answered_from_unicast_through_the_matcher() {
    let req = layers(&format!(
        "{}/ICMPv6EchoRequest(id=1,seq=1)",
        ip6(US6, "ff02::1")
    ));
    let rep = layers(&format!("{}/ICMPv6EchoReply(id=1,seq=1)", ip6(THEM6, US6)));
    assert!(answers(&rep, &req));
    let mut m = Matcher::new();
    m.add(3, req);
    assert_eq!(m.matches(&rep).collect::<Vec<_>>(), [3]);
}

#[test]
fn ipv6_extension_headers_are_skipped() {
    let req = layers(&format!(
        "{}/IPv6ExtHdrHopByHop()/ICMPv6EchoRequest(id=1,seq=1)",
        ip6(US6, THEM6)
    ));
    let rep = layers(&format!("{}/ICMPv6EchoReply(id=1,seq=1)", ip6(THEM6, US6)));
    check(&rep, &req, true);
}

#[test]
fn matcher_finds_candidates_by_key() {
    let mut m = Matcher::new();
    for seq in 0..100 {
        m.add(
            seq,
            layers(&format!("{}/ICMP(id=7,seq={seq})", ip4(US, THEM))),
        );
    }
    let rep = layers(&format!("{}/ICMP(type=0,id=7,seq=42)", ip4(THEM, US)));
    assert_eq!(m.matches(&rep).collect::<Vec<_>>(), [42]);
    assert_eq!(m.comparisons(), 1);
    let none = layers(&format!("{}/ICMP(type=0,id=7,seq=420)", ip4(THEM, US)));
    assert_eq!(m.matches(&none).count(), 0);
    assert_eq!(m.len(), 100);
}
