#!/usr/bin/env python3
"""Deterministic generator of a realistic mixed Ethernet capture for benchmarking `pkt read`.

Pure Python 3 standard library (struct): no scapy, so a million packets take seconds, not hours.

Classic pcap, microsecond timestamps, linktype 1 (Ethernet). The mix (by packet count, roughly):

  ~52 %  IPv4 TCP flows: SYN / SYN-ACK with options (MSS, SAckOK, Timestamp, NOP, WScale),
         ACK, PSH-ACK with payload (half the flows carry NOP,NOP,Timestamp), FIN-ACK;
         ~15 % of these flows are 802.1Q-tagged
  ~14 %  IPv4 UDP: DNS-like queries/responses on port 53 (8 %), DHCP discover/offer/
         request/ack with options (2 %), NTP client/server (2 %), other ports / sizes (2 %)
   ~6 %  ICMP echo request / reply
  ~15 %  IPv6: TCP flows as above (8 %), UDP incl. DNS (3 %), ICMPv6 echo request/reply (4 %)
   ~8 %  802.1Q-tagged IPv4 UDP (VLAN 10/20/100/200)
   ~5 %  ARP who-has / is-at

Frames are 60..1514 bytes (short frames padded with zeros to 60). IPv4 header checksums and
TCP/UDP/ICMP/ICMPv6 checksums (with pseudo-headers) are correct. Addresses are documentation
ranges only (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32; MACs are locally
administered 02:…). Timestamps strictly increase.

Usage:
  gen-mixed-pcap.py OUT.pcap [--count N | --min-bytes B] [--seed S]
                    [--slice OUT2.pcap --slice-count M] [--big-frames]

--min-bytes keeps generating until the file reaches B bytes (for the ~1 GB RSS capture);
--big-frames shifts the mix toward full-size data segments (fewer packets per GB).
"""

import argparse
import os
import random
import struct
import sys
import time

PCAP_GLOBAL = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
REC = struct.Struct("<IIII")
ETH = struct.Struct("!6s6sH")
VLAN = struct.Struct("!HH")
IP4 = struct.Struct("!BBHHHBBH4s4s")
IP6 = struct.Struct("!IHBB16s16s")
TCPH = struct.Struct("!HHIIBBHHH")
UDPH = struct.Struct("!HHHH")
ICMPH = struct.Struct("!BBHHH")
ARP = struct.Struct("!HHBBH6s4s6s4s")

ZEROS = bytes(64)


def csum(data: bytes) -> int:
    """RFC 1071 Internet checksum of data (odd length padded with a zero byte).

    Uses 2**16 == 1 (mod 0xffff): the one's-complement sum of the 16-bit words is the big
    integer modulo 0xffff, except that a non-zero multiple of 0xffff sums to 0xffff."""
    if len(data) & 1:
        data += b"\0"
    s = int.from_bytes(data, "big") % 0xFFFF
    if s == 0:
        # sum is 0xffff (data is never all zero here: pseudo-headers carry addresses)
        return 0
    return 0xFFFF - s


def ip4_addr(rng, net):
    return net + bytes([rng.randint(1, 254)])


NETS4 = [bytes([192, 0, 2]), bytes([198, 51, 100]), bytes([203, 0, 113])]
NET6 = bytes.fromhex("20010db8")


def ip6_addr(rng):
    # 2001:db8:XXXX::host, a few subnets
    return NET6 + struct.pack("!H", rng.randint(0, 15)) + bytes(8) + struct.pack("!H", rng.randint(1, 0xFFFF))


def mac(rng):
    return bytes([0x02, 0x00, 0x5E]) + rng.randbytes(3)


class Gen:
    def __init__(self, seed, big_frames=False):
        self.rng = random.Random(seed)
        rng = self.rng
        self.big = big_frames
        # A pool of random payload bytes; payloads are slices of it (fast, deterministic).
        self.pool = rng.randbytes(1 << 20)
        # Printable-ish HTTP-like request prefix for small client payloads.
        self.req = (b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
                    b"User-Agent: pkt-bench/1.0\r\nAccept: */*\r\n\r\n")
        self.hosts4 = [ip4_addr(rng, NETS4[i % 3]) for i in range(64)]
        self.hosts6 = [ip6_addr(rng) for _ in range(32)]
        self.macs = [mac(rng) for _ in range(16)]
        self.gw = bytes.fromhex("02005e0000fe")
        self.ip_id = rng.randint(0, 0xFFFF)
        self.flows4 = [self._new_flow(False) for _ in range(256)]
        self.flows6 = [self._new_flow(True) for _ in range(64)]
        self.ts = 1_700_000_000 * 1_000_000 + rng.randint(0, 999_999)
        self.vlans = [10, 20, 100, 200]

    # ---------- helpers ----------
    def payload(self, n):
        if n <= 0:
            return b""
        off = self.rng.randrange(0, len(self.pool) - n)
        return self.pool[off:off + n]

    def data_len(self, maxlen):
        """Spread payload sizes: many small, a chunk of full-size segments, the rest uniform."""
        r = self.rng.random()
        if self.big:
            if r < 0.85:
                return maxlen
            return self.rng.randint(1, maxlen)
        if r < 0.35:
            return self.rng.randint(1, 120)
        if r < 0.70:
            return self.rng.randint(121, maxlen)
        return maxlen

    def next_id(self):
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        return self.ip_id

    def eth(self, src, dst, etype, body, vlan=None):
        if vlan is None:
            f = ETH.pack(dst, src, etype) + body
        else:
            f = ETH.pack(dst, src, 0x8100) + VLAN.pack(vlan, etype) + body
        if len(f) < 60:
            f += ZEROS[: 60 - len(f)]
        return f

    def ip4(self, src, dst, proto, l4, ttl=64):
        total = 20 + len(l4)
        hdr = IP4.pack(0x45, 0, total, self.next_id(), 0x4000, ttl, proto, 0, src, dst)
        c = csum(hdr)
        hdr = hdr[:10] + struct.pack("!H", c) + hdr[12:]
        return hdr + l4

    def ip6(self, src, dst, nh, l4, hlim=64):
        flow = 0x60000000 | (self.rng.getrandbits(20))
        return IP6.pack(flow, len(l4), nh, hlim, src, dst) + l4

    @staticmethod
    def pseudo4(src, dst, proto, n):
        return src + dst + struct.pack("!BBH", 0, proto, n)

    @staticmethod
    def pseudo6(src, dst, nh, n):
        return src + dst + struct.pack("!IxxxB", n, nh)

    def tcp(self, src, dst, v6, sport, dport, seq, ack, flags, win, opts=b"", data=b""):
        off = (20 + len(opts)) // 4
        hdr = TCPH.pack(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, win, 0, 0)
        seg = hdr + opts + data
        ph = self.pseudo6(src, dst, 6, len(seg)) if v6 else self.pseudo4(src, dst, 6, len(seg))
        c = csum(ph + seg)
        return seg[:16] + struct.pack("!H", c) + seg[18:]

    def udp(self, src, dst, v6, sport, dport, data):
        n = 8 + len(data)
        seg = UDPH.pack(sport, dport, n, 0) + data
        ph = self.pseudo6(src, dst, 17, n) if v6 else self.pseudo4(src, dst, 17, n)
        c = csum(ph + seg) or 0xFFFF
        return seg[:6] + struct.pack("!H", c) + seg[8:]

    def icmp(self, typ, ident, seq, data):
        m = ICMPH.pack(typ, 0, 0, ident, seq) + data
        c = csum(m)
        return m[:2] + struct.pack("!H", c) + m[4:]

    def icmp6(self, src, dst, typ, ident, seq, data):
        m = ICMPH.pack(typ, 0, 0, ident, seq) + data
        c = csum(self.pseudo6(src, dst, 58, len(m)) + m)
        return m[:2] + struct.pack("!H", c) + m[4:]

    # ---------- TCP flows ----------
    def _new_flow(self, v6):
        rng = self.rng
        if v6:
            c, s = rng.sample(self.hosts6, 2)
        else:
            c, s = rng.sample(self.hosts4, 2)
        fl = {
            "v6": v6, "c": c, "s": s,
            "cmac": rng.choice(self.macs), "smac": rng.choice(self.macs),
            "cport": rng.randint(32768, 60999),
            "sport": rng.choice((80, 443, 22, 25, 8080, 993, rng.randint(1024, 65535))),
            "cseq": rng.getrandbits(32), "sseq": rng.getrandbits(32),
            "ts": rng.getrandbits(32), "tsr": rng.getrandbits(32),
            "useopts": rng.random() < 0.5,
            "mss": 1460 if not v6 else 1440,
            "wscale": rng.choice((7, 8, 9, 10)),
            "exchanges": rng.randint(1, 12),
            "step": 0,
            "vlan": None if v6 or rng.random() < 0.85 else rng.choice((10, 20, 100, 200)),
            "pending": [],
        }
        if fl["vlan"] is not None:
            fl["mss"] -= 4  # keep tagged frames within 1514 bytes
        return fl

    def syn_opts(self, fl, tsval, tsecr):
        # Linux order: MSS, SAckOK, Timestamp, NOP, WScale  (20 bytes)
        return (struct.pack("!BBH", 2, 4, fl["mss"]) + b"\x04\x02"
                + struct.pack("!BBII", 8, 10, tsval, tsecr) + b"\x01" + struct.pack("!BBB", 3, 3, fl["wscale"]))

    def data_opts(self, fl, from_client):
        if not fl["useopts"]:
            return b""
        fl["ts"] = (fl["ts"] + self.rng.randint(1, 50)) & 0xFFFFFFFF
        a, b = (fl["ts"], fl["tsr"]) if from_client else (fl["tsr"], fl["ts"])
        return b"\x01\x01" + struct.pack("!BBII", 8, 10, a, b)

    def flow_packet(self, fl):
        """Next packet of a TCP flow: handshake, request/response exchanges, FIN/ACK teardown."""
        if fl["pending"]:
            return fl["pending"].pop(0)
        st = fl["step"]
        fl["step"] += 1
        maxdata = fl["mss"] - (12 if fl["useopts"] else 0)
        if st == 0:
            return self._tcp_pkt(fl, True, 0x02, self.syn_opts(fl, fl["ts"], 0), b"", seq_adv=1)
        if st == 1:
            return self._tcp_pkt(fl, False, 0x12, self.syn_opts(fl, fl["tsr"], fl["ts"]), b"", seq_adv=1)
        if st == 2:
            return self._tcp_pkt(fl, True, 0x10, self.data_opts(fl, True), b"")
        ex = st - 3
        if ex < fl["exchanges"]:
            # request from the client, ACKed by the server's response data
            if self.rng.random() < 0.5:
                n = self.rng.randint(20, min(400, maxdata))
                data = (self.req * (n // len(self.req) + 1))[:n]
            else:
                data = self.payload(self.data_len(maxdata))
            p = self._tcp_pkt(fl, True, 0x18, self.data_opts(fl, True), data)
            # queue the server's response: 1..4 segments then a client ACK
            for _ in range(self.rng.randint(1, 4)):
                fl["pending"].append(
                    self._tcp_pkt(fl, False, 0x18 if self.rng.random() < 0.4 else 0x10,
                                  self.data_opts(fl, False), self.payload(self.data_len(maxdata))))
            fl["pending"].append(self._tcp_pkt(fl, True, 0x10, self.data_opts(fl, True), b""))
            return p
        # teardown
        fl["pending"].append(self._tcp_pkt(fl, False, 0x11, self.data_opts(fl, False), b"", seq_adv=1))
        fl["pending"].append(self._tcp_pkt(fl, True, 0x10, self.data_opts(fl, True), b""))
        fl["done"] = True
        return self._tcp_pkt(fl, True, 0x11, self.data_opts(fl, True), b"", seq_adv=1)

    def _tcp_pkt(self, fl, from_client, flags, opts, data, seq_adv=0):
        if from_client:
            src, dst, smac, dmac = fl["c"], fl["s"], fl["cmac"], fl["smac"]
            sp, dp, seq, ack = fl["cport"], fl["sport"], fl["cseq"], fl["sseq"]
        else:
            src, dst, smac, dmac = fl["s"], fl["c"], fl["smac"], fl["cmac"]
            sp, dp, seq, ack = fl["sport"], fl["cport"], fl["sseq"], fl["cseq"]
        if flags == 0x02:
            ack = 0
        win = 64240 if flags & 0x02 else self.rng.randint(200, 3000)
        seg = self.tcp(src, dst, fl["v6"], sp, dp, seq, ack, flags, win, opts, data)
        adv = len(data) + seq_adv
        if from_client:
            fl["cseq"] = (fl["cseq"] + adv) & 0xFFFFFFFF
        else:
            fl["sseq"] = (fl["sseq"] + adv) & 0xFFFFFFFF
        if fl["v6"]:
            return self.eth(smac, dmac, 0x86DD, self.ip6(src, dst, 6, seg))
        return self.eth(smac, dmac, 0x0800, self.ip4(src, dst, 6, seg), fl["vlan"])

    def tcp_flow_packet(self, v6):
        flows = self.flows6 if v6 else self.flows4
        i = self.rng.randrange(len(flows))
        fl = flows[i]
        p = self.flow_packet(fl)
        if fl.get("done") and not fl["pending"]:
            flows[i] = self._new_flow(v6)
        return p

    # ---------- other protocols ----------
    def dns(self, v6):
        rng = self.rng
        hosts = self.hosts6 if v6 else self.hosts4
        c, s = rng.sample(hosts, 2)
        cm, sm = rng.sample(self.macs, 2)
        qid = rng.getrandbits(16)
        labels = [b"www", b"mail", b"api", b"cdn", b"ns1", b"static"]
        name = rng.choice(labels) + b".example" + rng.choice((b".com", b".net", b".org"))
        qname = b"".join(bytes([len(x)]) + x for x in name.split(b".")) + b"\0"
        qtype = rng.choice((1, 1, 28))
        question = qname + struct.pack("!HH", qtype, 1)
        cport = rng.randint(32768, 60999)
        if rng.random() < 0.5:
            msg = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question
            seg = self.udp(c, s, v6, cport, 53, msg)
            src, dst, smac, dmac = c, s, cm, sm
        else:
            nans = rng.randint(1, 6)
            ans = b""
            for _ in range(nans):
                if qtype == 28:
                    rdata = NET6 + bytes(10) + struct.pack("!H", rng.randint(1, 0xFFFF))
                else:
                    rdata = bytes([192, 0, 2, rng.randint(1, 254)])
                ans += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, rng.randint(30, 86400), len(rdata)) + rdata
            msg = struct.pack("!HHHHHH", qid, 0x8180, 1, nans, 0, 0) + question + ans
            seg = self.udp(s, c, v6, 53, cport, msg)
            src, dst, smac, dmac = s, c, sm, cm
        if v6:
            return self.eth(smac, dmac, 0x86DD, self.ip6(src, dst, 17, seg))
        return self.eth(smac, dmac, 0x0800, self.ip4(src, dst, 17, seg))

    def dhcp(self):
        rng = self.rng
        cm, sm = rng.sample(self.macs, 2)
        server, yi = rng.sample(self.hosts4, 2)
        xid = rng.getrandbits(32)
        mtype = rng.choice((1, 2, 3, 5))
        reply = mtype in (2, 5)
        opts = bytes([53, 1, mtype])
        if reply:
            opts += bytes([54, 4]) + server + bytes([51, 4]) + struct.pack("!I", 3600)
            opts += bytes([1, 4, 255, 255, 255, 0, 3, 4]) + server
            opts += bytes([6, 8]) + server + yi + bytes([15, 12]) + b"example.test"
        else:
            opts += bytes([55, 7, 1, 3, 6, 15, 28, 42, 121, 57, 2]) + struct.pack("!H", 1500)
            opts += bytes([61, 7, 1]) + cm + bytes([12, 6]) + b"client"
            if mtype == 3:
                opts += bytes([50, 4]) + yi + bytes([54, 4]) + server
        opts += b"\xff"
        bootp = struct.pack("!BBBBIHH4s4s4s4s", 2 if reply else 1, 1, 6, 0, xid, 0, 0x8000,
                            bytes(4), yi if reply else bytes(4), bytes(4), bytes(4))
        bootp += cm + bytes(10) + bytes(192) + b"\x63\x82\x53\x63" + opts
        if reply:
            seg = self.udp(server, b"\xff" * 4, False, 67, 68, bootp)
            return self.eth(sm, b"\xff" * 6, 0x0800, self.ip4(server, b"\xff" * 4, 17, seg))
        seg = self.udp(bytes(4), b"\xff" * 4, False, 68, 67, bootp)
        return self.eth(cm, b"\xff" * 6, 0x0800, self.ip4(bytes(4), b"\xff" * 4, 17, seg))

    def ntp(self):
        rng = self.rng
        c, s = rng.sample(self.hosts4, 2)
        cm, sm = rng.sample(self.macs, 2)
        ts = lambda: struct.pack("!II", 0xEB000000 + rng.getrandbits(24), rng.getrandbits(32))
        cport = rng.choice((123, rng.randint(32768, 60999)))
        if rng.random() < 0.5:
            msg = bytes([0x23, 0, 6, 0x20]) + bytes(8) + bytes(4) + bytes(24) + ts()
            seg = self.udp(c, s, False, cport, 123, msg)
            return self.eth(cm, sm, 0x0800, self.ip4(c, s, 17, seg))
        msg = bytes([0x24, 2, 6, 0xE9]) + struct.pack("!II", 0x100, 0x200) + s + ts() + ts() + ts() + ts()
        seg = self.udp(s, c, False, 123, cport, msg)
        return self.eth(sm, cm, 0x0800, self.ip4(s, c, 17, seg))

    def udp_random(self, v6, vlan=None):
        rng = self.rng
        hosts = self.hosts6 if v6 else self.hosts4
        c, s = rng.sample(hosts, 2)
        cm, sm = rng.sample(self.macs, 2)
        maxdata = 1452 if v6 else (1472 if vlan is None else 1468)
        data = self.payload(self.data_len(maxdata))
        sp = rng.choice((123, 514, 1194, 4500, 5060, rng.randint(1024, 65535)))
        seg = self.udp(c, s, v6, rng.randint(1024, 65535), sp, data)
        if v6:
            return self.eth(cm, sm, 0x86DD, self.ip6(c, s, 17, seg))
        return self.eth(cm, sm, 0x0800, self.ip4(c, s, 17, seg), vlan)

    def ping(self, v6):
        rng = self.rng
        hosts = self.hosts6 if v6 else self.hosts4
        c, s = rng.sample(hosts, 2)
        cm, sm = rng.sample(self.macs, 2)
        r = rng.random()
        n = 56 if r < 0.6 else rng.randint(0, 1452 if v6 else 1472)
        data = self.payload(n)
        ident, seq = rng.getrandbits(16), rng.getrandbits(16)
        reply = rng.random() < 0.5
        if reply:
            c, s, cm, sm = s, c, sm, cm
        if v6:
            m = self.icmp6(c, s, 129 if reply else 128, ident, seq, data)
            return self.eth(cm, sm, 0x86DD, self.ip6(c, s, 58, m))
        m = self.icmp(0 if reply else 8, ident, seq, data)
        return self.eth(cm, sm, 0x0800, self.ip4(c, s, 1, m, ttl=64 if not reply else 128))

    def arp(self):
        rng = self.rng
        k = rng.randrange(3)
        a, b = rng.sample(self.hosts4[k::3], 2)  # same /24 (hosts4[i] is in NETS4[i % 3])
        am, bm = rng.sample(self.macs, 2)
        if rng.random() < 0.5:
            body = ARP.pack(1, 0x0800, 6, 4, 1, am, a, bytes(6), b)
            return self.eth(am, b"\xff" * 6, 0x0806, body)
        body = ARP.pack(1, 0x0800, 6, 4, 2, bm, b, am, a)
        return self.eth(bm, am, 0x0806, body)

    def ip6_tcp_single(self):
        return self.tcp_flow_packet(True)

    def next_frame(self):
        r = self.rng.random()
        if r < 0.52:
            return self.tcp_flow_packet(False)          # IPv4 TCP (some VLAN-tagged flows)
        if r < 0.60:
            return self.dns(False)                      # IPv4 DNS
        if r < 0.62:
            return self.dhcp()                          # DHCP
        if r < 0.64:
            return self.ntp()                           # NTP
        if r < 0.66:
            return self.udp_random(False)               # IPv4 UDP random
        if r < 0.72:
            return self.ping(False)                     # ICMP echo
        if r < 0.80:
            return self.tcp_flow_packet(True)           # IPv6 TCP
        if r < 0.83:
            return self.dns(True) if self.rng.random() < 0.5 else self.udp_random(True)
        if r < 0.87:
            return self.ping(True)                      # ICMPv6 echo
        if r < 0.95:
            return self.udp_random(False, vlan=self.rng.choice(self.vlans))  # 802.1Q IPv4 UDP
        return self.arp()

    def next_ts(self):
        self.ts += self.rng.randint(1, 400)
        return divmod(self.ts, 1_000_000)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--min-bytes", type=int, default=0,
                    help="ignore --count and generate until the file has at least this many bytes")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--slice", help="also write the first --slice-count packets here")
    ap.add_argument("--slice-count", type=int, default=100_000)
    ap.add_argument("--big-frames", action="store_true", help="mostly full-size data frames")
    a = ap.parse_args()

    g = Gen(a.seed, a.big_frames)
    t0 = time.time()
    tmp = a.out + ".tmp"
    stmp = a.slice + ".tmp" if a.slice else None
    f = open(tmp, "wb", buffering=1 << 22)
    f.write(PCAP_GLOBAL)
    sf = None
    if stmp:
        sf = open(stmp, "wb", buffering=1 << 20)
        sf.write(PCAP_GLOBAL)
    written = len(PCAP_GLOBAL)
    n = 0
    pack = REC.pack
    buf = []
    while True:
        if a.min_bytes:
            if written >= a.min_bytes:
                break
        elif n >= a.count:
            break
        frame = g.next_frame()
        sec, usec = g.next_ts()
        rec = pack(sec, usec, len(frame), len(frame)) + frame
        buf.append(rec)
        written += len(rec)
        n += 1
        if sf is not None and n <= a.slice_count:
            sf.write(rec)
            if n == a.slice_count:
                sf.close()
                os.replace(stmp, a.slice)
                sf = None
        if len(buf) >= 4096:
            f.write(b"".join(buf))
            buf.clear()
    f.write(b"".join(buf))
    f.close()
    if sf is not None:
        sf.close()
        os.replace(stmp, a.slice)
    os.replace(tmp, a.out)
    dt = time.time() - t0
    print(f"wrote {a.out}: {n} packets, {written} bytes in {dt:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
