//! `pkt ifaces`: the interfaces of this namespace (unprivileged: lo at least), and exactly the
//! lab client's interfaces with their MAC, addresses, state and MTU inside its namespace.

mod common;

use common::lab::Lab;
use common::{PKT, pkt, stderr, stdout};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

const KEYS: [&str; 8] = [
    "name",
    "index",
    "mac",
    "addresses",
    "state",
    "up",
    "mtu",
    "type",
];

/// The array `pkt ifaces --json` printed, checked for shape: one line, an array of objects
/// with exactly KEYS in that order, sorted by index.
fn ifaces_json(o: &Output) -> Vec<Value> {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    assert!(stderr(o).is_empty(), "{}", stderr(o));
    let text = stdout(o);
    assert_eq!(text.lines().count(), 1, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let list = v.as_array().expect("a JSON array").clone();
    assert!(!list.is_empty());
    // Key order, read off the text: every object's keys are KEYS in order.
    for obj in text.trim().trim_start_matches('[').split("},{") {
        let pos: Vec<usize> = KEYS
            .iter()
            .map(|k| {
                obj.find(&format!("\"{k}\":"))
                    .unwrap_or_else(|| panic!("no {k} in {obj}"))
            })
            .collect();
        assert!(pos.is_sorted(), "keys out of order: {obj}");
    }
    for i in &list {
        let keys: Vec<&str> = i.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys.len(), KEYS.len(), "{i}");
        assert!(i["name"].is_string() && i["state"].is_string() && i["up"].is_boolean());
        assert!(i["addresses"].as_array().unwrap().iter().all(|a| {
            let (ip, len) = a.as_str().unwrap().split_once('/').expect("addr/prefix");
            ip.parse::<std::net::IpAddr>().is_ok() && len.parse::<u8>().is_ok()
        }));
    }
    let idx: Vec<u64> = list.iter().map(|i| i["index"].as_u64().unwrap()).collect();
    assert!(idx.is_sorted(), "not sorted by index: {idx:?}");
    list
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list:?}"))
}

fn addresses(i: &Value) -> Vec<&str> {
    i["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

#[test]
fn lists_loopback_unprivileged() {
    let o = pkt(&["ifaces", "--json"]);
    let list = ifaces_json(&o);
    let lo = named(&list, "lo");
    let index: u64 = std::fs::read_to_string("/sys/class/net/lo/ifindex")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    assert_eq!(lo["index"], index);
    assert_eq!(lo["type"], "loopback");
    assert_eq!(lo["mac"], "00:00:00:00:00:00");
    assert!(lo["mtu"].as_u64().unwrap() > 0);
    if lo["up"] == true {
        // The kernel gives lo 127.0.0.1/8 when it comes up (a fresh `unshare -n` has lo down).
        assert!(addresses(lo).contains(&"127.0.0.1/8"), "{lo}");
    } else {
        assert_eq!(lo["state"], "down");
    }

    let o = pkt(&["ifaces"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("index") && text.contains("addresses"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.contains(" lo ")), "{text}");
    for i in &list {
        assert!(text.contains(i["name"].as_str().unwrap()), "{text}");
    }
}

#[test]
fn closed_stdout_is_a_quiet_success() {
    for args in [&["ifaces"][..], &["ifaces", "--json"]] {
        let (r, w) = std::io::pipe().expect("pipe");
        drop(r);
        let o = Command::new(PKT)
            .args(args)
            .stdin(Stdio::null())
            .stdout(w)
            .stderr(Stdio::piped())
            .output()
            .expect("run pkt");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn lists_the_lab_client_namespace() {
    let Some(lab) = Lab::up("ifaces", 1) else {
        return;
    };
    let ifname = lab.get("CLIENT_IF");
    let sys = |attr: &str| -> String {
        let o = lab.exec(
            "CLIENT_NS",
            "cat",
            &[format!("/sys/class/net/{ifname}/{attr}").as_str()],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).trim().to_string()
    };
    let prefix = |net: &str| net.split_once('/').unwrap().1.to_string();
    let ip4 = format!(
        "{}/{}",
        lab.get("CLIENT_IP4"),
        prefix(lab.get("CLIENT_NET4"))
    );
    let ip6 = format!(
        "{}/{}",
        lab.get("CLIENT_IP6"),
        prefix(lab.get("CLIENT_NET6"))
    );
    assert!(ip4.ends_with("/30") && ip6.ends_with("/64"), "{ip4} {ip6}");

    let check_client = |list: &[Value]| {
        let names: Vec<&str> = list.iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["lo", ifname], "{list:?}");
        let lo = named(list, "lo");
        assert_eq!(lo["index"], 1);
        assert_eq!(lo["up"], true);
        assert_eq!(lo["type"], "loopback");
        assert_eq!(addresses(lo), ["127.0.0.1/8", "::1/128"]);
        let c = named(list, ifname);
        assert_eq!(c["mac"], lab.get("CLIENT_MAC"));
        assert_eq!(c["index"].to_string(), sys("ifindex"));
        assert_eq!(c["mtu"].to_string(), sys("mtu"));
        assert_eq!(c["type"], "ether");
        assert_eq!(c["state"], "up");
        assert_eq!(c["up"], true);
        let a = addresses(c);
        assert!(a.contains(&ip4.as_str()), "{a:?}");
        assert!(a.contains(&ip6.as_str()), "{a:?}");
        // IPv4 first, then IPv6 (global and link-local); nothing else.
        assert_eq!(a[0], ip4, "{a:?}");
        assert!(
            a[1..]
                .iter()
                .all(|x| *x == ip6 || (x.starts_with("fe80:") && x.ends_with("/64"))),
            "{a:?}"
        );
    };

    let list = ifaces_json(&lab.pkt("CLIENT_NS", &["ifaces", "--json"]));
    check_client(&list);
    assert_eq!(named(&list, "lo")["state"], "unknown");

    // The table shows the same.
    let o = lab.pkt("CLIENT_NS", &["ifaces"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let wants: [&str; 6] = [
        ifname,
        lab.get("CLIENT_MAC"),
        &ip4,
        &ip6,
        "127.0.0.1/8",
        "loopback",
    ];
    for want in wants {
        assert!(text.contains(want), "no {want} in\n{text}");
    }

    // Entered with nsenter, /sys still shows the host's interfaces: the same answers anyway
    // (from getifaddrs and ioctls), not the host's.
    let netns = format!("--net=/run/netns/{}", lab.get("CLIENT_NS"));
    let o = Command::new("nsenter")
        .args([netns.as_str(), PKT, "ifaces", "--json"])
        .stdin(Stdio::null())
        .output();
    match o {
        Ok(o) => check_client(&ifaces_json(&o)),
        Err(e) => eprintln!("nsenter part skipped: {e}"),
    }

    // Administratively down: "down", up false, and the table says so.
    let o = lab.exec("CLIENT_NS", "ip", &["link", "set", ifname, "down"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list = ifaces_json(&lab.pkt("CLIENT_NS", &["ifaces", "--json"]));
    let c = named(&list, ifname);
    assert_eq!(c["up"], false, "{c}");
    assert_eq!(c["state"], "down", "{c}");
    let text = stdout(&lab.pkt("CLIENT_NS", &["ifaces"]));
    assert!(text.contains("down (admin)"), "{text}");
}
