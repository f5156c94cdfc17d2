//! Real servers answer what pkt builds: dnsmasq (from Debian's `dnsmasq-base`), started by the
//! test inside the namespace lab and stopped by its PID, answers `pkt sr1` of a DNS query and
//! `pkt sr1` of a DHCPDISCOVER sent at layer 2, and pkt matches each answer to its request by
//! DNS id and question and by DHCP `xid`. Skips, saying why, without root or dnsmasq; CI has
//! both.

mod common;

use common::lab::Lab;
use std::process::Child;

/// A dnsmasq of this test's own, stopped (by PID) when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn dnsmasq_missing() -> bool {
    let found = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"]
        .iter()
        .any(|p| std::path::Path::new(p).exists());
    if !found {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!ci, "CI must install dnsmasq-base (.ci/run)");
        eprintln!("skipped: dnsmasq is not installed (apt-get install dnsmasq-base)");
    }
    !found
}

fn dnsmasq(lab: &Lab, ns: &str, args: &[&str]) -> Server {
    let mut a = vec![
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--no-resolv",
        "--no-hosts",
        "--bind-interfaces",
        "--user=root",
        "--pid-file=",
    ];
    a.extend_from_slice(args);
    Server(lab.spawn(ns, "dnsmasq", &a))
}

fn json(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect()
}

fn layer<'a>(rec: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    rec["layers"]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["layer"] == name))
        .unwrap_or_else(|| panic!("no {name} in {rec}"))
}

#[test]
fn dnsmasq_answers_a_dns_query_matched_by_id_and_question() {
    if dnsmasq_missing() {
        return;
    }
    let Some(lab) = Lab::up("dns", 1) else {
        return;
    };
    let server = lab.get("SERVER_IP4").to_string();
    let listen = format!("--listen-address={server}");
    let _dns = dnsmasq(
        &lab,
        "SERVER_NS",
        &[
            &listen,
            "--port=53",
            "--address=/www.example.test/192.0.2.80",
            "--address=/www.example.test/2001:db8::80",
        ],
    );
    let expr = format!(
        r#"IP(dst="{server}")/UDP(sport=40053,dport=53)/DNS(id=0x5150,rd=1,qd=DNSQR(qname="www.example.test"))"#
    );
    // dnsmasq takes a moment to bind: --retry resends what is not answered yet.
    let out = lab.pkt(
        "CLIENT_NS",
        &["sr1", &expr, "--json", "--timeout", "1", "--retry", "5"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = json(&out);
    assert_eq!(recs.len(), 1, "{recs:?}");
    let dns = layer(&recs[0], "DNS");
    assert_eq!(dns["id"], 0x5150);
    assert_eq!(dns["qr"], 1);
    assert_eq!(dns["an"][0]["rrname"], "www.example.test.");
    assert_eq!(dns["an"][0]["rdata"], "192.0.2.80");
    // The AAAA question gets the AAAA answer.
    let expr = expr.replace(
        r#"qname="www.example.test""#,
        r#"qname="www.example.test",qtype="AAAA""#,
    );
    let out = lab.pkt("CLIENT_NS", &["sr1", &expr, "--json", "--timeout", "2"]);
    let recs = json(&out);
    assert_eq!(
        layer(&recs[0], "DNS")["an"][0]["rdata"],
        "2001:db8::80",
        "{recs:?}"
    );
    // The summary says what tcpdump says: the id and the answers.
    let out = lab.pkt("CLIENT_NS", &["sr1", &expr, "--timeout", "2", "-t"]);
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(line.contains("DNS Ans 0x5150 AAAA 2001:db8::80"), "{line}");
}

#[test]
fn dnsmasq_offers_an_address_to_a_layer_2_discover() {
    if dnsmasq_missing() {
        return;
    }
    let Some(lab) = Lab::up("dhcp", 1) else {
        return;
    };
    // The router's side of the client's link serves DHCP (the client's own /30 address is
    // the only one in the range; --no-ping: it is in use by the client itself).
    let iface = format!("--interface={}", lab.get("ROUTER1_IF"));
    let client = lab.get("CLIENT_IP4").to_string();
    let range = format!("--dhcp-range={client},{client},255.255.255.252,5m");
    let leases = common::temp_dir("dhcp-leases").join("leases");
    let leasefile = format!("--dhcp-leasefile={}", leases.display());
    let _dhcp = dnsmasq(
        &lab,
        "ROUTER1_NS",
        &[
            &iface,
            "--port=0",
            &range,
            "--no-ping",
            &leasefile,
            "--dhcp-authoritative",
        ],
    );
    let mac = lab.get("CLIENT_MAC");
    let expr = format!(
        r#"Ether(src="{mac}",dst="ff:ff:ff:ff:ff:ff")/IP(src="0.0.0.0",dst="255.255.255.255")/UDP(sport=68,dport=67)/BOOTP(chaddr="{mac}",xid=0x1a2b3c4d,flags=0x8000)/DHCP(options=[("message-type","discover"),("param_req_list",[1,3,6]),"end"])"#
    );
    let out = lab.pkt(
        "CLIENT_NS",
        &[
            "sr1",
            "-i",
            lab.get("CLIENT_IF"),
            &expr,
            "--json",
            "--timeout",
            "1",
            "--retry",
            "5",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = json(&out);
    let bootp = layer(&recs[0], "BOOTP");
    assert_eq!(bootp["op"], 2);
    assert_eq!(bootp["xid"], 0x1a2b3c4d);
    assert_eq!(bootp["yiaddr"], client);
    let opts = layer(&recs[0], "DHCP")["options"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        opts.contains(&serde_json::json!(["message-type", 2])),
        "{opts:?}"
    );
    assert!(
        opts.contains(&serde_json::json!(["server_id", lab.get("ROUTER1_IP4")])),
        "{opts:?}"
    );
    assert!(
        opts.contains(&serde_json::json!(["subnet_mask", "255.255.255.252"])),
        "{opts:?}"
    );
    // Another transaction's offer is not this one's answer: a discover with another xid
    // gets its own.
    let other = expr.replace("0x1a2b3c4d", "0x0badcafe");
    let out = lab.pkt(
        "CLIENT_NS",
        &[
            "sr1",
            "-i",
            lab.get("CLIENT_IF"),
            &other,
            "--json",
            "--timeout",
            "2",
        ],
    );
    let recs = json(&out);
    assert_eq!(layer(&recs[0], "BOOTP")["xid"], 0x0badcafe, "{recs:?}");
}
