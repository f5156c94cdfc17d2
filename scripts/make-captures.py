#!/usr/bin/env python3
"""Make the fixtures of captures/ that `pkt craft` cannot: malformed.pcap (bytes cut and
corrupted by hand) and mixed-ng.pcapng (pcapng). The others come from scripts/make-captures.sh
(pkt craft); the scapy versions of them below are kept to check that both agree:
`python3 scripts/make-captures.py --all` rewrites them all with scapy, and
`git diff --stat captures/*.ndjson` then shows no change.

Usage: python3 scripts/make-captures.py [--all]   (needs `pip install scapy`)

Then `scripts/make-captures.py --expected` rewrites each fixture's expected NDJSON
(captures/NAME.ndjson) from `pkt read NAME.pcap --json` — review the diff before committing:
the oracle test (tests/oracle.rs) checks those same captures against scapy's own dissection.
"""

import logging
import os
import subprocess
import sys

logging.getLogger("scapy").setLevel(logging.CRITICAL)
from scapy.all import (  # noqa: E402
    ARP, CookedLinux, CookedLinuxV2, Dot1AD, Dot1Q, Ether, ICMP, IP, IPOption_NOP,
    IPOption_Router_Alert, IPerror, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, Jumbo, Loopback, PadN, Pad1, RouterAlert, TCP, UDP,
    UDPerror, TCPerror, ICMPerror, raw, wrpcap, wrpcapng,
)
from scapy.layers.inet6 import (  # noqa: E402
    ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
    ICMPv6ND_RA, ICMPv6ND_Redirect, ICMPv6ND_RS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU,
    ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig, ICMPv6ParamProblem,
    ICMPv6TimeExceeded, IPerror6, ICMPv6NDOptRedirectedHdr,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "captures")
T0 = 1700000000.0

C = "02:00:00:00:00:01"   # client MAC
S = "02:00:00:00:00:02"   # server MAC
A, B, R = "192.0.2.1", "198.51.100.2", "192.0.2.254"
A6, B6, R6 = "2001:db8::1", "2001:db8:1::2", "2001:db8::fe"


def eth(**kw):
    return Ether(src=C, dst=S, **kw)


def stamp(pkts):
    out = []
    for i, p in enumerate(pkts):
        p = p.__class__(raw(p)) if not isinstance(p, bytes) else p
        p.time = T0 + i * 0.001001
        out.append(p)
    return out


def mixed():
    syn_opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (123456, 0)), ("NOP", None),
                ("WScale", 7)]
    return [
        eth() / IP(src=A, dst=B, id=1, flags="DF") / TCP(sport=40000, dport=80, flags="S",
                                                          seq=1000, options=syn_opts),
        Ether(src=S, dst=C) / IP(src=B, dst=A, flags="DF") / TCP(
            sport=80, dport=40000, flags="SA", seq=5000, ack=1001,
            options=[("MSS", 1400), ("NOP", None), ("NOP", None), ("SAck", (1, 2, 3, 4)),
                     ("EOL", None)]),
        eth() / IP(src=A, dst=B, flags="DF") / TCP(sport=40000, dport=80, flags="PA", seq=1001,
                                                   ack=5001) / b"GET / HTTP/1.1\r\n\r\n",
        eth() / IP(src=A, dst=B) / TCP(sport=40000, dport=80, flags="R", options=[(30, b"ab")]),
        eth() / IP(src=A, dst=B) / UDP(sport=5353, dport=9999) / b"hello",
        eth() / IP(src=A, dst=B, ttl=1) / ICMP(type=8, id=7, seq=1) / b"ping-data",
        Ether(src=S, dst=C) / IP(src=B, dst=A) / ICMP(type=0, id=7, seq=1) / b"ping-data",
        eth() / IP(src=A, dst=B) / ICMP(type=13, id=3, seq=4, ts_ori=1, ts_rx=2, ts_tx=3),
        eth() / IP(src=A, dst=B) / ICMP(type=17, id=1, seq=2, addr_mask="255.255.255.0"),
        eth() / IP(src=A, dst=B, options=[IPOption_NOP(), IPOption_Router_Alert()]) / UDP(
            sport=1, dport=2),
        Ether(src=C, dst="ff:ff:ff:ff:ff:ff") / ARP(hwsrc=C, psrc=A, pdst=R),
        Ether(src=S, dst=C) / ARP(op=2, hwsrc=S, psrc=R, hwdst=C, pdst=A),
        eth() / Dot1Q(vlan=10, prio=5) / IP(src=A, dst=B) / UDP(sport=1000, dport=2000) / b"x",
        eth() / Dot1AD(vlan=100) / Dot1Q(vlan=10) / IP(src=A, dst=B) / ICMP(),
        eth() / IP(src=A, dst=B, frag=100, proto=6) / b"later-fragment-bytes",
        eth() / IP(src=A, dst=B, flags="MF", proto=17) / UDP(sport=7, dport=7) / (b"f" * 24),
        eth() / IP(src=A, dst=B, proto=47) / b"\x00\x00\x08\x00gre",
        eth(type=0x88b5) / b"local-experimental",
    ]


def icmp_errors():
    probe_udp = IP(src=A, dst=B, ttl=1, id=9) / UDP(sport=33000, dport=33434) / (b"\x00" * 8)
    probe_tcp = IP(src=A, dst=B, ttl=2) / TCP(sport=44000, dport=443, flags="S", seq=77)
    return [
        Ether(src=S, dst=C) / IP(src=R, dst=A) / ICMP(type=11, code=0) / probe_udp,
        Ether(src=S, dst=C) / IP(src=R, dst=A) / ICMP(type=11, code=0) / raw(probe_tcp)[:28],
        Ether(src=S, dst=C) / IP(src=B, dst=A) / ICMP(type=3, code=3) / probe_udp,
        Ether(src=S, dst=C) / IP(src=R, dst=A) / ICMP(type=3, code=4, nexthopmtu=1400) / probe_tcp,
        Ether(src=S, dst=C) / IP(src=R, dst=A) / ICMP(type=5, code=1, gw="192.0.2.253") / probe_udp,
        Ether(src=S, dst=C) / IP(src=R, dst=A) / ICMP(type=12, ptr=20) / probe_udp,
        Ether(src=S, dst=C) / IP(src=R, dst=A) / ICMP(type=11) / IP(src=A, dst=B) / ICMP(id=5, seq=6),
        Ether(src=S, dst=C) / IP(src=R, dst=A) / ICMP(type=4) / probe_udp,
    ]


def ipv6():
    echo = IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=7, seq=1, data=b"abcdef")
    return [
        eth() / echo,
        Ether(src=S, dst=C) / IPv6(src=B6, dst=A6) / ICMPv6EchoReply(id=7, seq=1, data=b"abcdef"),
        eth() / IPv6(src=A6, dst=B6, tc=0x10, fl=0x12345) / TCP(sport=40000, dport=22, flags="S"),
        eth() / IPv6(src=A6, dst=B6) / UDP(sport=53000, dport=53) / b"q",
        eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop(options=[RouterAlert(), PadN(optdata=b"\x00\x00")])
        / IPv6ExtHdrDestOpt(options=[Pad1(), Pad1(), PadN(optdata=b"\x00\x00")]) / UDP(sport=1, dport=2),
        eth() / IPv6(src=A6, dst=R6) / IPv6ExtHdrRouting(addresses=[B6], segleft=1) / UDP(sport=3, dport=4),
        eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x1234, m=1) / UDP(sport=5, dport=6) / (b"z" * 16),
        eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x1234, offset=3, nh=17) / (b"z" * 16),
        Ether(src=S, dst=C) / IPv6(src=R6, dst=A6) / ICMPv6TimeExceeded() / IPv6(src=A6, dst=B6, hlim=1)
        / UDP(sport=33000, dport=33434),
        Ether(src=S, dst=C) / IPv6(src=B6, dst=A6) / ICMPv6DestUnreach(code=4) / IPv6(src=A6, dst=B6)
        / TCP(sport=40000, dport=81),
        Ether(src=S, dst=C) / IPv6(src=R6, dst=A6) / ICMPv6PacketTooBig(mtu=1280) / echo,
        Ether(src=S, dst=C) / IPv6(src=R6, dst=A6) / ICMPv6ParamProblem(code=1, ptr=40) / echo,
        Ether(src=C, dst="33:33:ff:00:00:02") / IPv6(src="fe80::1", dst="ff02::1:ff00:2", hlim=255)
        / ICMPv6ND_NS(tgt="fe80::2") / ICMPv6NDOptSrcLLAddr(lladdr=C),
        Ether(src=S, dst=C) / IPv6(src="fe80::2", dst="fe80::1", hlim=255)
        / ICMPv6ND_NA(tgt="fe80::2", R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=S),
        Ether(src=C, dst="33:33:00:00:00:02") / IPv6(src="fe80::1", dst="ff02::2", hlim=255)
        / ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=C),
        Ether(src=S, dst="33:33:00:00:00:01") / IPv6(src="fe80::2", dst="ff02::1", hlim=255)
        / ICMPv6ND_RA(chlim=64, M=1, routerlifetime=1800) / ICMPv6NDOptSrcLLAddr(lladdr=S)
        / ICMPv6NDOptMTU(mtu=1500) / ICMPv6NDOptPrefixInfo(prefix="2001:db8::", prefixlen=64),
        Ether(src=S, dst=C) / IPv6(src="fe80::2", dst="fe80::1", hlim=255)
        / ICMPv6ND_Redirect(tgt="fe80::3", dst=B6) / ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:03"),
    ]


def malformed():
    good = eth() / IP(src=A, dst=B) / TCP(sport=1, dport=2) / b"payload"
    g = raw(good)
    bad_ip_sum = bytearray(g); bad_ip_sum[24] ^= 0xff
    bad_tcp_sum = bytearray(g); bad_tcp_sum[50] ^= 0xff
    ihl3 = bytearray(raw(eth() / IP(src=A, dst=B, proto=253) / b"abcd")); ihl3[14] = 0x43
    dataofs3 = bytearray(g); dataofs3[46] = 0x30
    return [
        bytes(bad_ip_sum),
        bytes(bad_tcp_sum),
        g[:14 + 20 + 12],                      # TCP header cut at 12 bytes (IP len says more)
        g[:14 + 10],                           # IP header cut
        g[:8],                                 # Ethernet header cut
        bytes(ihl3),
        bytes(dataofs3),
        raw(eth() / IP(src=A, dst=B, len=1000) / UDP(sport=1, dport=2)),  # IP len > frame
        raw(eth() / IP(src=A, dst=B) / UDP(sport=1, dport=2, len=9) / b"abc"),  # UDP len < payload
        raw(eth() / IP(src=A, dst=B) / UDP(sport=1, dport=2, chksum=0) / b"no-checksum"),
        raw(eth() / IP(src=A, dst=B) / ICMP(chksum=0x1234)),
        raw(eth() / IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(cksum=0x1234)),
        raw(eth() / IP(src=A, dst=B) / TCP(sport=1, dport=2, options=[("MSS", 1460)]))[:-2],
        b"",
    ]


def cooked():
    ip4 = IP(src=A, dst=B) / UDP(sport=1, dport=2) / b"sll"
    ip6 = IPv6(src=A6, dst=B6) / ICMPv6EchoRequest()
    sll = [CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00\x01\x00\x00",
                       proto=0x0800) / ip4,
           CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00\x02\x00\x00",
                       proto=0x86dd) / ip6]
    sll2 = [CookedLinuxV2(proto=0x0800, ifindex=3, lladdrtype=1, pkttype=0, lladdrlen=6,
                          src=b"\x02\x00\x00\x00\x00\x01\x00\x00") / ip4,
            CookedLinuxV2(proto=0x86dd, ifindex=3, lladdrtype=1, pkttype=4, lladdrlen=6,
                          src=b"\x02\x00\x00\x00\x00\x02\x00\x00") / ip6]
    null = [Loopback(type=2) / IP(src="127.0.0.1", dst="127.0.0.1") / TCP(sport=5, dport=6),
            Loopback(type=24) / IPv6(src="::1", dst="::1") / UDP(sport=7, dport=8)]
    rawip = [IP(src=A, dst=B) / ICMP(), IPv6(src=A6, dst=B6) / ICMPv6EchoReply()]
    return sll, sll2, null, rawip


def write(name, pkts, linktype=None):
    path = os.path.join(OUT, name)
    if all(isinstance(p, bytes) for p in pkts):
        # Bytes exactly as given (scapy would rebuild a dissected packet): a plain pcap.
        import struct
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype or 1))
            for i, p in enumerate(pkts):
                f.write(struct.pack("<IIII", int(T0) + i, i * 1001, len(p), len(p)) + p)
    elif name.endswith(".pcapng"):
        wrpcapng(path, stamp(pkts))
    else:
        wrpcap(path, stamp(pkts), linktype=linktype)
    print("wrote", path, len(pkts), "packets")


def expected():
    pkt = os.path.join(ROOT, "target", "release", "pkt")
    for name in sorted(os.listdir(OUT)):
        if name.endswith((".pcap", ".pcapng")):
            out = subprocess.run([pkt, "read", os.path.join(OUT, name), "--json"],
                                 capture_output=True, check=True).stdout
            with open(os.path.join(OUT, name.rsplit(".", 1)[0] + ".ndjson"), "wb") as f:
                f.write(out)
            print("expected", name)


def main():
    if "--expected" in sys.argv:
        return expected()
    os.makedirs(OUT, exist_ok=True)
    write("malformed.pcap", malformed())
    write("mixed-ng.pcapng", mixed()[:6])
    if "--all" in sys.argv:
        write("mixed.pcap", mixed())
        write("icmp-errors.pcap", icmp_errors())
        write("ipv6.pcap", ipv6())
        sll, sll2, null, rawip = cooked()
        write("sll.pcap", sll, linktype=113)
        write("sll2.pcap", sll2, linktype=276)
        write("null.pcap", null, linktype=0)
        write("raw.pcap", rawip, linktype=101)


if __name__ == "__main__":
    main()
