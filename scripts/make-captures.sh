#!/usr/bin/env bash
# Regenerate the fixtures in captures/ with `pkt craft`, so every fixture says how it was made.
# Each fixture is a list of expressions, one packet each, stamped 1001 µs apart from
# 1700000000. Then the expected NDJSON beside each fixture is rewritten from `pkt read --json`
# (review the diff before committing: tests/oracle.rs checks the same captures against scapy).
#
# Usage: scripts/make-captures.sh          (builds pkt first)
# malformed.pcap (hand-cut bytes) and mixed-ng.pcapng (pcapng) come from scripts/make-captures.py.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cargo build --release --manifest-path "$ROOT/Cargo.toml" >/dev/null 2>&1
PKT="$ROOT/target/release/pkt"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

C='"02:00:00:00:00:01"'; S='"02:00:00:00:00:02"'
A='"192.0.2.1"'; B='"198.51.100.2"'; R='"192.0.2.254"'
A6='"2001:db8::1"'; B6='"2001:db8:1::2"'; R6='"2001:db8::fe"'
E="Ether(src=$C,dst=$S)"; F="Ether(src=$S,dst=$C)"

# fixture NAME EXPR... : one packet per expression, in order.
fixture() {
  local name=$1; shift
  local i=0 parts=()
  for expr in "$@"; do
    local t
    t=$(awk -v i="$i" 'BEGIN { printf "%.6f", 1700000000 + i * 0.001001 }')
    "$PKT" craft "$expr" --time "$t" -w "$TMP/$name.$(printf %03d "$i").pcap"
    parts+=("$TMP/$name.$(printf %03d "$i").pcap")
    i=$((i + 1))
  done
  "$PKT" read "${parts[@]}" -w "$ROOT/captures/$name"
  echo "wrote captures/$name ($i packets)"
}

SYN_OPTS='[("MSS",1460),("SAckOK",b""),("Timestamp",(123456,0)),("NOP",None),("WScale",7)]'
fixture mixed.pcap \
  "$E/IP(src=$A,dst=$B,id=1,flags=\"DF\")/TCP(sport=40000,dport=80,flags=\"S\",seq=1000,options=$SYN_OPTS)" \
  "$F/IP(src=$B,dst=$A,flags=\"DF\")/TCP(sport=80,dport=40000,flags=\"SA\",seq=5000,ack=1001,options=[(\"MSS\",1400),(\"NOP\",None),(\"NOP\",None),(\"SAck\",(1,2,3,4)),(\"EOL\",None)])" \
  "$E/IP(src=$A,dst=$B,flags=\"DF\")/TCP(sport=40000,dport=80,flags=\"PA\",seq=1001,ack=5001)/b\"GET / HTTP/1.1\\r\\n\\r\\n\"" \
  "$E/IP(src=$A,dst=$B)/TCP(sport=40000,dport=80,flags=\"R\",options=[(30,b\"ab\")])" \
  "$E/IP(src=$A,dst=$B)/UDP(sport=5353,dport=9999)/b\"hello\"" \
  "$E/IP(src=$A,dst=$B,ttl=1)/ICMP(type=8,id=7,seq=1)/b\"ping-data\"" \
  "$F/IP(src=$B,dst=$A)/ICMP(type=0,id=7,seq=1)/b\"ping-data\"" \
  "$E/IP(src=$A,dst=$B)/ICMP(type=13,id=3,seq=4,ts_ori=1,ts_rx=2,ts_tx=3)" \
  "$E/IP(src=$A,dst=$B)/ICMP(type=17,id=1,seq=2,addr_mask=\"255.255.255.0\")" \
  "$E/IP(src=$A,dst=$B,options=[IPOption_NOP(),IPOption_Router_Alert()])/UDP(sport=1,dport=2)" \
  "Ether(src=$C,dst=\"ff:ff:ff:ff:ff:ff\")/ARP(hwsrc=$C,psrc=$A,pdst=$R)" \
  "$F/ARP(op=2,hwsrc=$S,psrc=$R,hwdst=$C,pdst=$A)" \
  "$E/Dot1Q(vlan=10,prio=5)/IP(src=$A,dst=$B)/UDP(sport=1000,dport=2000)/b\"x\"" \
  "$E/Dot1AD(vlan=100)/Dot1Q(vlan=10)/IP(src=$A,dst=$B)/ICMP()" \
  "$E/IP(src=$A,dst=$B,frag=100,proto=6)/b\"later-fragment-bytes\"" \
  "$E/IP(src=$A,dst=$B,flags=\"MF\",proto=17)/UDP(sport=7,dport=7)/b\"ffffffffffffffffffffffff\"" \
  "$E/IP(src=$A,dst=$B,proto=47)/b\"\\x00\\x00\\x08\\x00gre\"" \
  "Ether(src=$C,dst=$S,type=0x88b5)/b\"local-experimental\""

UDP_PROBE="IP(src=$A,dst=$B,ttl=1,id=9)/UDP(sport=33000,dport=33434)/b\"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\""
TCP_PROBE="IP(src=$A,dst=$B,ttl=2)/TCP(sport=44000,dport=443,flags=\"S\",seq=77)"
fixture icmp-errors.pcap \
  "$F/IP(src=$R,dst=$A)/ICMP(type=11,code=0)/$UDP_PROBE" \
  "$F/IP(src=$R,dst=$A)/ICMP(type=11,code=0)/IP(src=$A,dst=$B,ttl=2,proto=6,len=40,chksum=0xcc98)/b\"\\xab\\xe0\\x01\\xbb\\x00\\x00\\x00\\x4d\"" \
  "$F/IP(src=$B,dst=$A)/ICMP(type=3,code=3)/$UDP_PROBE" \
  "$F/IP(src=$R,dst=$A)/ICMP(type=3,code=4,nexthopmtu=1400)/$TCP_PROBE" \
  "$F/IP(src=$R,dst=$A)/ICMP(type=5,code=1,gw=\"192.0.2.253\")/$UDP_PROBE" \
  "$F/IP(src=$R,dst=$A)/ICMP(type=12,ptr=20)/$UDP_PROBE" \
  "$F/IP(src=$R,dst=$A)/ICMP(type=11)/IP(src=$A,dst=$B)/ICMP(id=5,seq=6)" \
  "$F/IP(src=$R,dst=$A)/ICMP(type=4)/$UDP_PROBE"

ECHO="IPv6(src=$A6,dst=$B6)/ICMPv6EchoRequest(id=7,seq=1,data=b\"abcdef\")"
fixture ipv6.pcap \
  "$E/$ECHO" \
  "$F/IPv6(src=$B6,dst=$A6)/ICMPv6EchoReply(id=7,seq=1,data=b\"abcdef\")" \
  "$E/IPv6(src=$A6,dst=$B6,tc=0x10,fl=0x12345)/TCP(sport=40000,dport=22,flags=\"S\")" \
  "$E/IPv6(src=$A6,dst=$B6)/UDP(sport=53000,dport=53)/b\"q\"" \
  "$E/IPv6(src=$A6,dst=$B6)/IPv6ExtHdrHopByHop(options=[RouterAlert(),PadN(optdata=b\"\\x00\\x00\")])/IPv6ExtHdrDestOpt(options=[Pad1(),Pad1(),PadN(optdata=b\"\\x00\\x00\")])/UDP(sport=1,dport=2)" \
  "$E/IPv6(src=$A6,dst=$R6)/IPv6ExtHdrRouting(addresses=[$B6],segleft=1)/UDP(sport=3,dport=4)" \
  "$E/IPv6(src=$A6,dst=$B6)/IPv6ExtHdrFragment(id=0x1234,m=1)/UDP(sport=5,dport=6)/b\"zzzzzzzzzzzzzzzz\"" \
  "$E/IPv6(src=$A6,dst=$B6)/IPv6ExtHdrFragment(id=0x1234,offset=3,nh=17)/b\"zzzzzzzzzzzzzzzz\"" \
  "$F/IPv6(src=$R6,dst=$A6)/ICMPv6TimeExceeded()/IPv6(src=$A6,dst=$B6,hlim=1)/UDP(sport=33000,dport=33434)" \
  "$F/IPv6(src=$B6,dst=$A6)/ICMPv6DestUnreach(code=4)/IPv6(src=$A6,dst=$B6)/TCP(sport=40000,dport=81)" \
  "$F/IPv6(src=$R6,dst=$A6)/ICMPv6PacketTooBig(mtu=1280)/$ECHO" \
  "$F/IPv6(src=$R6,dst=$A6)/ICMPv6ParamProblem(code=1,ptr=40)/$ECHO" \
  "Ether(src=$C,dst=\"33:33:ff:00:00:02\")/IPv6(src=\"fe80::1\",dst=\"ff02::1:ff00:2\",hlim=255)/ICMPv6ND_NS(tgt=\"fe80::2\")/ICMPv6NDOptSrcLLAddr(lladdr=$C)" \
  "$F/IPv6(src=\"fe80::2\",dst=\"fe80::1\",hlim=255)/ICMPv6ND_NA(tgt=\"fe80::2\",R=0,S=1,O=1)/ICMPv6NDOptDstLLAddr(lladdr=$S)" \
  "Ether(src=$C,dst=\"33:33:00:00:00:02\")/IPv6(src=\"fe80::1\",dst=\"ff02::2\",hlim=255)/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr=$C)" \
  "Ether(src=$S,dst=\"33:33:00:00:00:01\")/IPv6(src=\"fe80::2\",dst=\"ff02::1\",hlim=255)/ICMPv6ND_RA(chlim=64,M=1,routerlifetime=1800)/ICMPv6NDOptSrcLLAddr(lladdr=$S)/ICMPv6NDOptMTU(mtu=1500)/ICMPv6NDOptPrefixInfo(prefix=\"2001:db8::\",prefixlen=64)" \
  "$F/IPv6(src=\"fe80::2\",dst=\"fe80::1\",hlim=255)/ICMPv6ND_Redirect(tgt=\"fe80::3\",dst=$B6)/ICMPv6NDOptDstLLAddr(lladdr=\"02:00:00:00:00:03\")"

IP4="IP(src=$A,dst=$B)/UDP(sport=1,dport=2)/b\"sll\""
IP6="IPv6(src=$A6,dst=$B6)/ICMPv6EchoRequest()"
fixture sll.pcap \
  "CookedLinux(pkttype=0,lladdrtype=1,lladdrlen=6,src=b\"\\x02\\x00\\x00\\x00\\x00\\x01\\x00\\x00\",proto=0x0800)/$IP4" \
  "CookedLinux(pkttype=4,lladdrtype=1,lladdrlen=6,src=b\"\\x02\\x00\\x00\\x00\\x00\\x02\\x00\\x00\",proto=0x86dd)/$IP6"
fixture sll2.pcap \
  "CookedLinuxV2(proto=0x0800,ifindex=3,lladdrtype=1,pkttype=0,lladdrlen=6,src=b\"\\x02\\x00\\x00\\x00\\x00\\x01\\x00\\x00\")/$IP4" \
  "CookedLinuxV2(proto=0x86dd,ifindex=3,lladdrtype=1,pkttype=4,lladdrlen=6,src=b\"\\x02\\x00\\x00\\x00\\x00\\x02\\x00\\x00\")/$IP6"
fixture null.pcap \
  "Loopback(type=2)/IP(src=\"127.0.0.1\",dst=\"127.0.0.1\")/TCP(sport=5,dport=6)" \
  "Loopback(type=24)/IPv6(src=\"::1\",dst=\"::1\")/UDP(sport=7,dport=8)"
fixture raw.pcap \
  "IP(src=$A,dst=$B)/ICMP()" \
  "IPv6(src=$A6,dst=$B6)/ICMPv6EchoReply()"

for f in "$ROOT"/captures/*.pcap "$ROOT"/captures/*.pcapng; do
  "$PKT" read "$f" --json > "${f%.*}.ndjson"
done
echo "expected NDJSON rewritten; review: git diff captures/"
