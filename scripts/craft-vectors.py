#!/usr/bin/env python3
"""Regenerate tests/data/craft-vectors.tsv: scapy's bytes for pkt's expression test suite.

Usage: python3 scripts/craft-vectors.py   (needs `pip install scapy`)

Each line: EXPRESSION <TAB> HEX[,HEX...] — the bytes scapy builds for every packet the
expression expands to (field sets in scapy's order). tests/craft.rs builds the same
expressions with pkt and compares. Addresses are given explicitly where scapy would pick them
from this machine's routing table, so the file is the same on every machine.
"""

import logging
import os

logging.getLogger("scapy").setLevel(logging.CRITICAL)
from scapy.all import *  # noqa: E402,F401,F403
from scapy.layers.inet6 import *  # noqa: E402,F401,F403

E = 'Ether(src="02:00:00:00:00:01",dst="02:00:00:00:00:02")'
I4 = 'IP(src="192.0.2.1",dst="198.51.100.2"'
I6 = 'IPv6(src="2001:db8::1",dst="2001:db8:1::2"'

EXPRESSIONS = [
    # Ethernet and friends
    E,
    E + '/"payload"',
    'Ether(src="02:00:00:00:00:01",dst="ff:ff:ff:ff:ff:ff",type=0x88b5)/b"\\x01\\x02"',
    E + '/Dot1Q(vlan=10)/' + I4 + ')',
    E + '/Dot1Q(vlan=10,prio=5,dei=1)/' + I4 + ')/UDP()',
    E + '/Dot1AD(vlan=100)/Dot1Q(vlan=10)/' + I4 + ')/ICMP()',
    E + '/Dot1Q(vlan=7,type=0x1234)/b"x"',
    # ARP
    'Ether(src="02:00:00:00:00:01",dst="ff:ff:ff:ff:ff:ff")/ARP(hwsrc="02:00:00:00:00:01",psrc="192.0.2.1",pdst="192.0.2.254")',
    'Ether(src="02:00:00:00:00:02",dst="02:00:00:00:00:01")/ARP(op=2,hwsrc="02:00:00:00:00:02",psrc="192.0.2.254",hwdst="02:00:00:00:00:01",pdst="192.0.2.1")',
    'ARP(hwsrc="02:00:00:00:00:01",psrc="192.0.2.1",pdst="192.0.2.2",op=1)',
    'ARP(hwsrc="02:00:00:00:00:01",psrc="192.0.2.1",pdst="192.0.2.2",hwlen=6,plen=4)',
    # IPv4
    I4 + ')',
    'IP()',
    'IP(ttl=1)',
    I4 + ',ttl=3,id=77,tos=0x10)',
    I4 + ',flags="DF")',
    I4 + ',flags="MF",frag=100)',
    I4 + ',flags="MF+DF")',
    I4 + ',flags=2)',
    I4 + ',proto=47)/b"gre"',
    I4 + ',chksum=0)',
    I4 + ',len=9999)',
    I4 + ',ihl=6)/b"abcd"',
    I4 + ',ihl=2)',
    I4 + ',chksum=0x1234,len=20,ttl=0)',
    I4 + ',options=[IPOption_NOP()])',
    I4 + ',options=[IPOption_NOP(),IPOption_NOP(),IPOption_NOP(),IPOption_NOP()])/UDP()',
    I4 + ',options=[IPOption_Router_Alert()])/UDP()',
    I4 + ',options=[IPOption_NOP(),IPOption_Router_Alert()])/TCP()',
    I4 + ',ttl=(1,3))/UDP(dport=33434)',
    'IP(src="192.0.2.1",dst="198.51.100.0/30")/ICMP()',
    'IP(src="192.0.2.1",dst=["198.51.100.2","198.51.100.3"])/TCP(dport=[22,80,443],flags="S")',
    # TCP
    I4 + ')/TCP()',
    I4 + ')/TCP(sport=40000,dport=80,flags="S",seq=1000)',
    I4 + ')/TCP(flags="SA",seq=5000,ack=1001)',
    I4 + ')/TCP(flags="PA",seq=1,ack=2)/"GET / HTTP/1.1\\r\\n\\r\\n"',
    I4 + ')/TCP(flags="R")',
    I4 + ')/TCP(flags="FA")',
    I4 + ')/TCP(flags="")',
    I4 + ')/TCP(flags=0x12)',
    I4 + ')/TCP(flags="SEC")',
    I4 + ')/TCP(flags="UA",urgptr=5)',
    I4 + ')/TCP(window=0)',
    I4 + ')/TCP(dataofs=8)',
    I4 + ')/TCP(chksum=0)',
    I4 + ')/TCP(chksum=0xdead)/b"x"',
    I4 + ')/TCP(reserved=7)',
    I4 + ')/TCP(options=[("MSS",1460)])',
    I4 + ')/TCP(options=[("MSS",1460),("SAckOK",b""),("Timestamp",(123456,0)),("NOP",None),("WScale",7)])',
    I4 + ')/TCP(options=[("NOP",None),("NOP",None),("SAck",(1,2,3,4))])',
    I4 + ')/TCP(options=[("MSS",1400),("EOL",None)])',
    I4 + ')/TCP(options=[("WScale",14)])',
    I4 + ')/TCP(options=[(30,b"ab")])',
    I4 + ')/TCP(options=[("Timestamp",(1,2))])',
    I4 + ')/TCP(dport=(20,23),flags="S")',
    # UDP
    I4 + ')/UDP()',
    I4 + ')/UDP(sport=5353,dport=9999)/"hello"',
    I4 + ')/UDP(chksum=0)/"no checksum"',
    I4 + ')/UDP(len=9)/"abc"',
    I4 + ')/UDP(len=100)',
    I4 + ')/UDP(dport=[53,123])/b"q"',
    'IP()/UDP()',
    # ICMP
    I4 + ')/ICMP()',
    I4 + ')/ICMP(id=7,seq=1)/"ping-data"',
    I4 + ')/ICMP(type=0,id=7,seq=1)/"ping-data"',
    I4 + ')/ICMP(type=13,id=3,seq=4,ts_ori=1,ts_rx=2,ts_tx=3)',
    I4 + ')/ICMP(type=17,id=1,seq=2,addr_mask="255.255.255.0")',
    I4 + ')/ICMP(type=3,code=3)/IP(src="198.51.100.2",dst="192.0.2.1")/UDP(sport=33000,dport=33434)',
    I4 + ')/ICMP(type=3,code=4,nexthopmtu=1400)/IP(src="198.51.100.2",dst="192.0.2.1")/TCP()',
    I4 + ')/ICMP(type=11)/IP(src="198.51.100.2",dst="192.0.2.1",ttl=1)/UDP()',
    I4 + ')/ICMP(type=5,code=1,gw="192.0.2.253")/IP(src="198.51.100.2",dst="192.0.2.1")/ICMP()',
    I4 + ')/ICMP(type=12,ptr=20)/IP(src="198.51.100.2",dst="192.0.2.1")/UDP()',
    I4 + ')/ICMP(type=4)/IP(src="198.51.100.2",dst="192.0.2.1")',
    I4 + ')/ICMP(chksum=0x1234)',
    I4 + ')/ICMP(seq=(1,3))',
    I4 + ')/ICMP(type=11)/IPerror(src="198.51.100.2",dst="192.0.2.1")/UDPerror(sport=1,dport=2)',
    I4 + ')/ICMP(type=3)/IPerror(src="198.51.100.2",dst="192.0.2.1")/TCPerror(sport=1,dport=2)',
    I4 + ')/ICMP(type=11)/IPerror(src="198.51.100.2",dst="192.0.2.1")/ICMPerror(id=5,seq=6)',
    # IP in IP
    I4 + ')/IP(src="10.0.0.1",dst="10.0.0.2")/UDP()',
    I4 + ')/' + I6 + ')/UDP()',
    # IPv6
    I6 + ')',
    'IPv6()',
    I6 + ',hlim=1,tc=0x10,fl=0x12345)',
    I6 + ')/TCP(dport=22,flags="S")',
    I6 + ')/UDP(dport=53)/"q"',
    I6 + ')/UDP(chksum=0)',
    I6 + ',plen=100)/UDP()',
    I6 + ',nh=17)',
    I6 + ')/ICMPv6EchoRequest()',
    I6 + ')/ICMPv6EchoRequest(id=7,seq=1,data=b"abcdef")',
    I6 + ')/ICMPv6EchoReply(id=7,seq=1,data=b"abcdef")',
    I6 + ')/ICMPv6EchoRequest(cksum=0x1234)',
    I6 + ')/ICMPv6EchoRequest(seq=[1,2,3])',
    I6 + ')/ICMPv6DestUnreach(code=4)/IPv6(src="2001:db8:1::2",dst="2001:db8::1")/TCP()',
    I6 + ')/ICMPv6PacketTooBig(mtu=1280)/IPv6(src="2001:db8:1::2",dst="2001:db8::1")/ICMPv6EchoRequest()',
    I6 + ')/ICMPv6TimeExceeded()/IPv6(src="2001:db8:1::2",dst="2001:db8::1",hlim=1)/UDP()',
    I6 + ')/ICMPv6ParamProblem(code=1,ptr=40)/IPv6(src="2001:db8:1::2",dst="2001:db8::1")',
    I6 + ')/ICMPv6TimeExceeded()/IPerror6(src="2001:db8:1::2",dst="2001:db8::1")/UDPerror()',
    'IPv6(src="fe80::1",dst="ff02::1:ff00:2",hlim=255)/ICMPv6ND_NS(tgt="fe80::2")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")',
    'IPv6(src="fe80::2",dst="fe80::1",hlim=255)/ICMPv6ND_NA(tgt="fe80::2",R=0,S=1,O=1)/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02")',
    'IPv6(src="fe80::1",dst="ff02::2",hlim=255)/ICMPv6ND_RS()/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")',
    'IPv6(src="fe80::2",dst="ff02::1",hlim=255)/ICMPv6ND_RA(chlim=64,M=1,routerlifetime=1800)/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:02")/ICMPv6NDOptMTU(mtu=1500)/ICMPv6NDOptPrefixInfo(prefix="2001:db8::",prefixlen=64)',
    'IPv6(src="fe80::2",dst="fe80::1",hlim=255)/ICMPv6ND_Redirect(tgt="fe80::3",dst="2001:db8:1::2")/ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:03")',
    # IPv6 extension headers
    I6 + ')/IPv6ExtHdrHopByHop()/UDP()',
    I6 + ')/IPv6ExtHdrHopByHop(options=[RouterAlert()])/UDP()',
    I6 + ')/IPv6ExtHdrHopByHop(options=[RouterAlert(),PadN(optdata=b"\\x00\\x00")])/UDP()',
    I6 + ')/IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=70000)])/UDP()',
    I6 + ')/IPv6ExtHdrDestOpt()/UDP()',
    I6 + ')/IPv6ExtHdrDestOpt(options=[Pad1(),Pad1(),PadN(optdata=b"\\x00\\x00")])/UDP()',
    I6 + ')/IPv6ExtHdrDestOpt(options=[HAO(hoa="2001:db8::99")])/UDP()',
    'IPv6(src="2001:db8::1",dst="2001:db8::fe")/IPv6ExtHdrRouting(addresses=["2001:db8:1::2"])/UDP()',
    'IPv6(src="2001:db8::1",dst="2001:db8::fe")/IPv6ExtHdrRouting(addresses=["2001:db8:1::2","2001:db8:2::2"],segleft=1)/TCP()',
    I6 + ')/IPv6ExtHdrFragment(id=0x1234,m=1)/UDP()/"zzzzzzzzzzzzzzzz"',
    I6 + ')/IPv6ExtHdrFragment(id=0x1234,offset=3,nh=17)/b"zzzzzzzzzzzzzzzz"',
    I6 + ')/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()/IPv6ExtHdrFragment()/ICMPv6EchoRequest()',
    # full stacks
    E + '/' + I4 + ')/TCP(dport=80,flags="S")',
    E + '/' + I4 + ')/UDP(dport=53)/"payload"',
    E + '/' + I4 + ')/ICMP(id=1,seq=1)',
    E + '/' + I6 + ')/ICMPv6EchoRequest(id=1,seq=1)',
    E + '/' + I6 + ')/TCP(options=[("MSS",1220)])',
    E + '/' + I4 + ')/TCP(dport=80)/"x"/Padding(load=b"\\x00\\x00\\x00\\x00")',
    E + '/Raw(load=b"just bytes")',
    # link headers
    'CookedLinux(pkttype=0,lladdrtype=1,lladdrlen=6,src=b"\\x02\\x00\\x00\\x00\\x00\\x01\\x00\\x00")/' + I4 + ')/UDP()',
    'CookedLinuxV2(ifindex=3,lladdrtype=1,lladdrlen=6,src=b"\\x02\\x00\\x00\\x00\\x00\\x01\\x00\\x00")/' + I6 + ')/ICMPv6EchoRequest()',
    # Fixed-length byte fields left at their default are zero-padded (StrFixedLenField)
    'CookedLinux()/' + I4 + ')',
    'CookedLinuxV2()/' + I6 + ')/UDP()',
    'IPv6(src="fe80::2",dst="fe80::1",hlim=255)/ICMPv6ND_Redirect(tgt="fe80::3",dst="2001:db8:1::2")/ICMPv6NDOptRedirectedHdr()',
    # DNS (names, counts and lengths computed; every record class pkt builds)
    I4 + ')/UDP(sport=40000)/DNS(rd=1,qd=DNSQR(qname="example.com"))',
    I4 + ')/UDP()/DNS(id=0x1234,rd=1,qd=DNSQR(qname="www.example.test",qtype="AAAA",qclass="IN"))',
    I6 + ')/UDP(sport=53,dport=40000)/DNS(id=7,qr=1,aa=1,qd=DNSQR(qname="a.example"),an=[DNSRR(rrname="a.example",ttl=300,rdata="192.0.2.1"),DNSRR(rrname="a.example",type="AAAA",rdata="2001:db8::1")])',
    I4 + ')/UDP(sport=53,dport=40000)/DNS(qr=1,rcode=3,qd=DNSQR(qname="nx.example"),ns=[DNSRRSOA(rrname="example",mname="ns.example",rname="hostmaster.example",serial=2026120701,refresh=3600,retry=600,expire=86400,minimum=60)])',
    I4 + ')/UDP(sport=53,dport=40000)/DNS(qr=1,qd=DNSQR(qname="example",qtype="MX"),an=[DNSRRMX(rrname="example",preference=10,exchange="mx.example")])',
    I4 + ')/UDP(sport=53,dport=40000)/DNS(qr=1,qd=DNSQR(qname="_sip._udp.example",qtype="SRV"),an=[DNSRRSRV(rrname="_sip._udp.example",priority=1,weight=5,port=5060,target="sip.example")])',
    I4 + ')/UDP(sport=53,dport=40000)/DNS(qr=1,qd=DNSQR(qname="w.example"),an=[DNSRR(rrname="w.example",type="CNAME",rdata="x.example"),DNSRR(rrname="x.example",type="PTR",rdata="y.example"),DNSRR(rrname="x.example",type="NS",rdata="ns1.example")])',
    I4 + ')/UDP(sport=40000)/DNS(rd=1,qd=DNSQR(qname="example.test"),ar=[DNSRROPT(rdata=[EDNS0COOKIE(client_cookie=b"\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08"),EDNS0PADDING(padding=b"\\x00\\x00\\x00\\x00"),EDNS0TLV(optcode=3,optdata=b"nsid")])])',
    I4 + ')/UDP(sport=5353,dport=5353)/DNS(qd=DNSQR(qname="_http._tcp.local",qtype="PTR",unicastresponse=1))',
    # ND without its hop limit or destination: the ND layer gives them (scapy's overload_fields)
    'IPv6(src="fe80::1")/ICMPv6ND_NS(tgt="fe80::2")/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")',
    'IPv6(src="fe80::1")/ICMPv6ND_RS()',
    'IPv6(src="fe80::2")/ICMPv6ND_RA()',
    'IPv6(src="fe80::2",dst="fe80::1")/ICMPv6ND_NA(tgt="fe80::2")',
    'IPv6(src="fe80::2",hlim=64)/ICMPv6ND_Redirect(tgt="fe80::3",dst="2001:db8:1::2")',
    # MLD without its hop limit: 1, and the query and done's groups (scapy's overload_fields)
    'IPv6(src="fe80::1")/ICMPv6MLQuery()',
    'IPv6(src="fe80::1")/ICMPv6MLQuery(mladdr="ff02::1:3",mrd=1000)',
    'IPv6(src="fe80::1",dst="ff02::1:3")/ICMPv6MLReport(mladdr="ff02::1:3")',
    'IPv6(src="fe80::1")/ICMPv6MLDone(mladdr="ff02::1:3")',
    'Loopback(type=2)/IP()/TCP()',
]

# DHCP: the four messages of a lease, as a scapy user writes them (ports, magic cookie and
# option lengths left to compute)
DHCP_VECTORS = [
    'Ether(src="02:00:00:00:00:01",dst="ff:ff:ff:ff:ff:ff")/IP(src="0.0.0.0",dst="255.255.255.255")/UDP(sport=68,dport=67)/BOOTP(chaddr="02:00:00:00:00:01",xid=0x1a2b3c4d,flags=0x8000)/DHCP(options=[("message-type","discover"),("param_req_list",[1,3,6,15,119,121]),("max_dhcp_size",1500),("client_id",b"\\x01\\x02\\x00\\x00\\x00\\x00\\x01"),("hostname","client.example"),"end"])',
    'IP(src="192.0.2.1",dst="192.0.2.9")/UDP()/BOOTP(op=2,xid=0x1a2b3c4d,yiaddr="192.0.2.9",siaddr="192.0.2.1",chaddr="02:00:00:00:00:01")/DHCP(options=[("message-type","offer"),("server_id","192.0.2.1"),("lease_time",3600),("renewal_time",1800),("rebinding_time",3150),("subnet_mask","255.255.255.0"),("router","192.0.2.1"),("name_server","192.0.2.53","198.51.100.53"),("domain","example.test"),("classless_static_routes",["198.51.100.0/24:192.0.2.254","0.0.0.0/0:192.0.2.1"]),"end"])',
    'IP(src="0.0.0.0",dst="255.255.255.255")/UDP(sport=68,dport=67)/BOOTP(chaddr="02:00:00:00:00:01",xid=0x1a2b3c4d)/DHCP(options=[("message-type","request"),("requested_addr","192.0.2.9"),("server_id","192.0.2.1"),(81,b"\\x00\\x00\\x00client"),"end","pad","pad"])',
    'IP(src="192.0.2.1",dst="192.0.2.9")/UDP(sport=67,dport=68)/BOOTP(op=2,xid=0x1a2b3c4d,ciaddr="192.0.2.9",yiaddr="192.0.2.9",chaddr=b"\\x02\\x00\\x00\\x00\\x00\\x01",sname="server.example",file="boot.img")/DHCP(options=[("message-type","ack"),("lease_time",3600),("vendor_class_id","pkt"),"end"])',
    'IP()/UDP()/BOOTP(op=2,giaddr="198.51.100.1",hops=1)/DHCP(options=[("message-type",6),("error_message","address in use"),"end"])',
    'BOOTP(op=1,xid=7)',
]

# DNS over TCP, LLMNR, TXT, DNSSEC and the other typed records, every EDNS0 option, defaults
def bx(h, n=1):
    """A bytes literal of the bytes `h` (hex) repeated `n` times (expressions have no `*`)."""
    return 'b"' + "".join("\\x%02x" % c for c in bytes.fromhex(h) * n) + '"'

DNS_MORE_VECTORS = [
    'DNS()',
    'IP()/UDP()/DNS()',
    'IP()/TCP()/DNS()',
    'IP()/TCP(dport=53)/DNS(qd=DNSQR(qname="x.example"))',
    I4 + ')/TCP(sport=40000,dport=53,flags="PA",seq=1,ack=1)/DNS(id=0x77,qd=DNSQR(qname="www.example.test",qtype="AAAA"))',
    I4 + ')/TCP(sport=53,dport=40000,flags="PA",seq=1,ack=1)/DNS(id=0x77,qr=1,qd=DNSQR(qname="www.example.test"),an=[DNSRR(rrname="www.example.test",rdata="192.0.2.80"),DNSRR(rrname="www.example.test",type="TXT",rdata=["v=spf1 -all"])])',
    I6 + ')/TCP(sport=40001,dport=53,flags="PA")/DNS(id=9,qd=DNSQR(qname="example.test",qtype="AXFR"),length=30)',
    I4 + ')/UDP()/LLMNRQuery(id=0x1234,qd=DNSQR(qname="host"))',
    'IP(src="192.0.2.2",dst="192.0.2.1")/UDP()/LLMNRResponse(id=0x1234,qd=DNSQR(qname="host"),an=DNSRR(rrname="host",rdata="192.0.2.2"))',
    I6 + ')/UDP(sport=50000)/LLMNRQuery(id=7,c=1,t=1,qd=DNSQR(qname="h6",qtype="AAAA"))',
    'LLMNRQuery()',
    'LLMNRResponse(tc=1,z=3,rcode=3)',
    I4 + ')/UDP(sport=53,dport=40000)/DNS(qr=1,qd=[],an=[DNSRR(rrname="t.example",type="TXT",rdata=["a","b"]),DNSRR(rrname="t.example",type="TXT",rdata="text"),DNSRR(rrname="t.example",type="TXT"),DNSRR(type="TXT",rdata=""),DNSRR(type="TXT",rdata=b"\\x00\\xffbin"),DNSRR(type="TXT",rdata="' + 'x' * 300 + '")])',
    'DNSRR(type="TXT", rdata=["a","b"])',
    'DNSRR(type="TXT", rdata="text")',
    'DNSRR(type="SPF", rdata=b"\\x0bv=spf1 -all")',
    'DNSRR(type="CNAME", rdata="192.0.2.1")',
    'DNSRR(rdata="192.0.2.1", type="A")',
    'DNSRR(rrname="d.example", type="DNAME", rdata="e.example")',
    'DNSRR(type=3, rdata="md.example")',
    'DNSRR(type="URI", rdata=b"\\x00\\x01\\x00\\x02https://x.example/")',
    'DNSRRHINFO(rrname="h.example",cpu="x86",os="Linux")',
    'DNSRRHINFO()',
    'DNSRRNAPTR(rrname="n.example",order=100,preference=10,flags="U",services="E2U+sip",regexp="!^.*$!sip:info@example.com!",replacement=".")',
    'DNSRRTSIG(rrname="key.example",algo_name="hmac-sha256",time_signed=1700000000,fudge=300,mac_data=' + bx("77", 32) + ',original_id=0x1234)',
    'DNSRRTSIG()',
    'DNSRRSOA(rrname="example",rclass=255)',
    'DNSRRDS(rrname="example",keytag=12345,algorithm=8,digesttype=2,digest=' + bx("01", 32) + ')',
    'DNSRRDS()',
    'DNSRRDLV(rrname="example",keytag=1,digest=' + bx("aa", 20) + ')',
    'DNSRRDLV()',
    'DNSRRDNSKEY(rrname="example",flags=257,algorithm=13,publickey=' + bx("0102", 32) + ')',
    'DNSRRDNSKEY(flags="SZ")',
    'DNSRRRSIG(rrname="example",typecovered="A",algorithm=8,labels=2,originalttl=3600,expiration=1700003600,inception=1700000000,keytag=4321,signersname="example",signature=' + bx("55", 64) + ')',
    'DNSRRRSIG()',
    'DNSRRNSEC(rrname="a.example",nextname="b.example",typebitmaps=[1,2,46,47,16,257,32768])',
    'DNSRRNSEC(rrname="a.example",nextname="b.example",typebitmaps=b"\\x00\\x01\\x40")',
    'DNSRRNSEC()',
    'DNSRRNSEC3(rrname="x.example",hashalg=1,flags=1,iterations=10,saltlength=4,salt=b"\\xab\\xcd\\xef\\x01",hashlength=20,nexthashedownername=' + bx("11", 20) + ',typebitmaps=[1,2,6,46,48,51])',
    'DNSRRNSEC3(salt=b"ab")',
    'DNSRRNSEC3PARAM(rrname="example",hashalg=1,iterations=5,saltlength=2,salt=b"\\xaa\\xbb")',
    'DNSRRNSEC3PARAM()',
    'DNSRRSVCB(rrname="_dns.example",svc_priority=1,target_name="dns.example",svc_params=[SvcParam(key="mandatory",value=[1,3]),SvcParam(key="alpn",value=["dot","h2"]),SvcParam(key="no-default-alpn"),SvcParam(key="port",value=853),SvcParam(key="ipv4hint",value=["192.0.2.1","192.0.2.2"]),SvcParam(key="ech",value=b"\\x01\\x02"),SvcParam(key="ipv6hint",value=["2001:db8::1"]),SvcParam(key="dohpath",value=b"/dns-query{?dns}")])',
    'DNSRRHTTPS(rrname="example",target_name="alias.example")',
    'SvcParam()',
    'SvcParam(value=853, key=3)',
    I4 + ')/UDP(sport=53,dport=40000)/DNS(id=2,qr=1,ad=1,qd=DNSQR(qname="example",qtype="DNSKEY"),an=[DNSRRDNSKEY(rrname="example",ttl=3600,flags=257,algorithm=8,publickey=b"\\x03\\x01\\x00\\x01"),DNSRRRSIG(rrname="example",ttl=3600,typecovered="DNSKEY",algorithm=8,labels=1,originalttl=3600,expiration=1700003600,inception=1700000000,keytag=20326,signersname="example",signature=' + bx("99", 32) + ')],ns=[DNSRRNSEC(rrname="example",nextname="a.example",typebitmaps=[2,6,46,47,48])],ar=[DNSRROPT(z=0x8000)])',
    'DNSRROPT(rdata=[EDNS0TLV(optcode=3,optdata=b"nsid")])',
    'DNSRROPT(rdata=[EDNS0OWN(s=1,primary_mac="02:00:00:00:00:09")])',
    'DNSRROPT(rdata=[EDNS0OWN(optlen=14,s=2,primary_mac="02:00:00:00:00:09",wakeup_mac="02:00:00:00:00:0a")])',
    'DNSRROPT(rdata=[EDNS0OWN(optlen=18,primary_mac="02:00:00:00:00:09",wakeup_mac="02:00:00:00:00:0a",password=b"pass")])',
    'DNSRROPT(rdata=[EDNS0DAU(alg_code=[8,10,13,15]),EDNS0DHU(alg_code=[1,2,4]),EDNS0N3U(alg_code=[1])])',
    'DNSRROPT(rdata=[EDNS0DAU()])',
    'DNSRROPT(rdata=[EDNS0ClientSubnet(source_plen=24,address="192.0.2.0")])',
    'DNSRROPT(rdata=[EDNS0ClientSubnet()])',
    'DNSRROPT(rdata=[EDNS0ClientSubnet(family=2)])',
    'DNSRROPT(rdata=[EDNS0ClientSubnet(family=2,source_plen=56,address="2001:db8:aa:bb00::")])',
    'DNSRROPT(rdata=[EDNS0ClientSubnet(address="10.1.0.0",scope_plen=16)])',
    'DNSRROPT(rdata=[EDNS0COOKIE(client_cookie=' + bx("01", 8) + ',server_cookie=' + bx("02", 16) + ')])',
    'DNSRROPT(rdata=[EDNS0PADDING(padding=' + bx("00", 7) + ')])',
    'DNSRROPT(rdata=[EDNS0ExtendedDNSError(info_code=18,extra_text="blocked by policy"),EDNS0ExtendedDNSError(info_code="DNSSEC Bogus")])',
    I4 + ')/UDP(sport=40000)/DNS(id=3,qd=DNSQR(qname="e.example"),ar=[DNSRROPT(rdata=[EDNS0ClientSubnet(source_plen=24,address="198.51.100.0"),EDNS0COOKIE(client_cookie=b"\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08"),EDNS0ExtendedDNSError(info_code=15),EDNS0PADDING(padding=' + bx("00", 12) + ')])])',
    I4 + ')/UDP(sport=5353,dport=5353)/DNS(qr=1,aa=1,qd=[],an=[DNSRR(rrname="_http._tcp.local",type="PTR",rdata="web._http._tcp.local"),DNSRRSRV(rrname="web._http._tcp.local",cacheflush=1,port=80,target="web.local"),DNSRR(rrname="web._http._tcp.local",type="TXT",rdata=["path=/"],cacheflush=1),DNSRRNSEC(rrname="web.local",nextname="web.local",typebitmaps=[1,28],cacheflush=1)])',
]
EXPRESSIONS += DNS_MORE_VECTORS

# DHCPv6: each message with scapy's ports, option lengths computed, options inside options,
# a relayed message (a packet with its payload as a value), the DUIDs.
I6C = 'IPv6(src="fe80::1",dst="ff02::1:2")'
I6S = 'IPv6(src="fe80::2",dst="fe80::1")'
LLT = 'DUID_LLT(timeval=0x1a2b3c4d,lladdr="02:00:00:00:00:01")'
LL = 'DUID_LL(lladdr="02:00:00:00:00:02")'
IAADDR = 'DHCP6OptIAAddress(addr="2001:db8::100",preflft=7200,validlft=10800)'
DHCP6_VECTORS = [
    E + '/' + I6C + '/UDP()/DHCP6_Solicit(trid=0x1a2b3c)/DHCP6OptClientId(duid=' + LLT + ')/DHCP6OptElapsedTime()/DHCP6OptIA_NA(iaid=1)/DHCP6OptOptReq()',
    E + '/' + I6S + '/UDP()/DHCP6_Advertise(trid=0x1a2b3c)/DHCP6OptServerId(duid=' + LL + ')/DHCP6OptClientId(duid=' + LLT + ')/DHCP6OptIA_NA(iaid=1,T1=3600,T2=5400,ianaopts=[' + IAADDR + '])/DHCP6OptPref(prefval=255)/DHCP6OptDNSServers(dnsservers=["2001:db8::53","2001:db8::54"])/DHCP6OptDNSDomains(dnsdomains=["example.com.","example.org"])',
    E + '/' + I6C + '/UDP()/DHCP6_Request(trid=0x1a2b3d)/DHCP6OptClientId(duid=' + LLT + ')/DHCP6OptServerId(duid=' + LL + ')/DHCP6OptElapsedTime(elapsedtime=100)/DHCP6OptIA_NA(iaid=1,ianaopts=[' + IAADDR + '])/DHCP6OptOptReq(reqopts=[23,24,56])/DHCP6OptReconfAccept()',
    E + '/' + I6S + '/UDP()/DHCP6_Reply(trid=0x1a2b3d)/DHCP6OptServerId(duid=' + LL + ')/DHCP6OptClientId(duid=' + LLT + ')/DHCP6OptIA_NA(iaid=1,T1=3600,T2=5400,ianaopts=[' + IAADDR + ',DHCP6OptStatusCode(statuscode=0,statusmsg=b"All good")])/DHCP6OptRapidCommit()/DHCP6OptDNSServers(dnsservers=["2001:db8::53"])',
    E + '/IPv6(src="2001:db8::1",dst="2001:db8::2")/UDP()/DHCP6_RelayForward(hopcount=1,linkaddr="2001:db8::1",peeraddr="fe80::1")/DHCP6OptRelayMsg(message=DHCP6_Solicit(trid=0x123456)/DHCP6OptClientId(duid=' + LL + ')/DHCP6OptIA_NA(iaid=9)/DHCP6OptOptReq())/DHCP6OptIfaceId(ifaceid=b"ge-0/0/1")/DHCP6OptRemoteID(enterprisenum=9,remoteid=b"r1")',
    E + '/IPv6(src="2001:db8::2",dst="2001:db8::1")/UDP()/DHCP6_RelayReply(linkaddr="2001:db8::1",peeraddr="fe80::1")/DHCP6OptIfaceId(ifaceid=b"ge-0/0/1")/DHCP6OptRelayMsg(message=DHCP6_Advertise(trid=0x123456)/DHCP6OptServerId(duid=' + LL + ')/DHCP6OptIA_NA(iaid=9,ianaopts=[' + IAADDR + ']))',
    I6 + ')/UDP()/DHCP6_RelayForward(hopcount=2)/DHCP6OptRelayMsg(message=DHCP6_RelayForward(hopcount=1)/DHCP6OptRelayMsg(message=DHCP6_InfoRequest(trid=5)/DHCP6OptOptReq()))',
    # scapy's ports for every message class, and every message's defaults
    I6 + ')/UDP()/DHCP6_Solicit()',
    I6 + ')/UDP()/DHCP6_Advertise()',
    I6 + ')/UDP()/DHCP6_Request()',
    I6 + ')/UDP()/DHCP6_Confirm()',
    I6 + ')/UDP()/DHCP6_Renew()',
    I6 + ')/UDP()/DHCP6_Rebind()',
    I6 + ')/UDP()/DHCP6_Reply()',
    I6 + ')/UDP()/DHCP6_Release()',
    I6 + ')/UDP()/DHCP6_Decline()',
    I6 + ')/UDP()/DHCP6_Reconf()',
    I6 + ')/UDP()/DHCP6_InfoRequest()',
    I6 + ')/UDP()/DHCP6_RelayForward()',
    I6 + ')/UDP()/DHCP6_RelayReply()',
    I6 + ')/UDP()/DHCP6_AddrRegInform()',
    I6 + ')/UDP()/DHCP6_AddrRegReply()',
    I6 + ')/UDP()/DHCP6()',
    I6 + ')/UDP(sport=40000)/DHCP6_Solicit(trid=7)',
    I4 + ')/UDP()/DHCP6_InfoRequest(trid=7)/DHCP6OptOptReq(reqopts=[31])',
    'DHCP6_Solicit(trid=[1,2])',
    'DHCP6(msgtype="REQUEST",trid=0xffffff)',
    # every option's defaults
    'DHCP6OptUnknown()', 'DHCP6OptClientId()', 'DHCP6OptServerId()', 'DHCP6OptIA_NA()', 'DHCP6OptIA_TA()',
    'DHCP6OptIAAddress()', 'DHCP6OptOptReq()', 'DHCP6OptPref()', 'DHCP6OptElapsedTime()',
    'DHCP6OptRelayMsg(message=DHCP6_Confirm())',
    'DHCP6OptAuth()', 'DHCP6OptServerUnicast()', 'DHCP6OptStatusCode()', 'DHCP6OptRapidCommit()',
    'DHCP6OptUserClass()', 'DHCP6OptVendorClass()', 'DHCP6OptVendorSpecificInfo()', 'DHCP6OptIfaceId()',
    'DHCP6OptReconfMsg()', 'DHCP6OptReconfAccept()', 'DHCP6OptSIPDomains()', 'DHCP6OptSIPServers()',
    'DHCP6OptDNSServers()', 'DHCP6OptDNSDomains()', 'DHCP6OptIA_PD()', 'DHCP6OptIAPrefix()',
    'DHCP6OptNISServers()', 'DHCP6OptNISPServers()', 'DHCP6OptNISDomain()', 'DHCP6OptNISPDomain()',
    'DHCP6OptSNTPServers()', 'DHCP6OptInfoRefreshTime()', 'DHCP6OptBCMCSDomains()', 'DHCP6OptBCMCSServers()',
    'DHCP6OptRemoteID()', 'DHCP6OptSubscriberID()', 'DHCP6OptClientFQDN()', 'DHCP6OptPanaAuthAgent()',
    'DHCP6OptNewPOSIXTimeZone()', 'DHCP6OptNewTZDBTimeZone()', 'DHCP6OptRelayAgentERO()',
    'DHCP6OptLQClientLink()', 'DHCP6OptNTPServer()', 'DHCP6OptBootFileUrl()', 'DHCP6OptClientArchType()',
    'DHCP6OptClientNetworkInterId()', 'DHCP6OptERPDomain()', 'DHCP6OptRelaySuppliedOpt()', 'DHCP6OptVSS()',
    'DHCP6OptClientLinkLayerAddr()', 'DHCP6OptCaptivePortal()', 'DHCP6OptMudUrl()', 'DHCP6OptAddrRegEnable()',
    'DUID_LLT()', 'DUID_EN()', 'DUID_LL()', 'DUID_UUID()',
    'USER_CLASS_DATA()', 'VENDOR_CLASS_DATA()', 'VENDOR_SPECIFIC_OPTION()',
    'DHCP6NTPSubOptSrvAddr()', 'DHCP6NTPSubOptMCAddr()', 'DHCP6NTPSubOptSrvFQDN()',
    # options with values
    'DHCP6OptClientId(duid=DUID_EN(enterprisenum=9,id=b"\\x01\\x02\\x03\\x04"))',
    'DHCP6OptServerId(duid=DUID_UUID(uuid="12345678-1234-5678-9abc-def012345678"))',
    'DHCP6OptClientId(duid=DUID_LLT(hwtype=6,timeval=1)/Raw(load=b"\\x01\\x02"))',
    'DHCP6OptIA_TA(iaid=4,iataopts=[' + IAADDR + '])',
    'DHCP6OptIA_PD(iaid=5,T1=6,T2=7,iapdopt=[DHCP6OptIAPrefix(prefix="2001:db8:1::",plen=56,preflft=10,validlft=20,iaprefopts=[DHCP6OptStatusCode(statuscode="NoPrefixAvail")])])',
    'DHCP6OptIA_NA(iaid=2,ianaopts=[DHCP6OptStatusCode(statusmsg=b"x")/' + IAADDR + ',DHCP6OptStatusCode(statuscode=2)])',
    'DHCP6OptIAAddress(addr="2001:db8::9",preflft=0xffffffff,validlft="infinity",iaaddropts=[DHCP6OptStatusCode()])',
    'DHCP6OptAuth(proto=3,alg=1,rdm=0,replay=b"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01",authinfo=b"\\x01kkkkkkkkkkkkkkkk")',
    'DHCP6OptServerUnicast(srvaddr="2001:db8::53")',
    'DHCP6OptUserClass(userclassdata=[USER_CLASS_DATA(data=b"abc"),USER_CLASS_DATA(data=b"de")])',
    'DHCP6OptVendorClass(enterprisenum=311,vcdata=[VENDOR_CLASS_DATA(data=b"MSFT 5.0")])',
    'DHCP6OptVendorSpecificInfo(enterprisenum=4491,vso=[VENDOR_SPECIFIC_OPTION(optcode=1,optdata=b"xy"),VENDOR_SPECIFIC_OPTION(optcode=2)])',
    'DHCP6OptReconfMsg(msgtype=5)',
    'DHCP6OptSIPDomains(sipdomains=["sip.example.com."])',
    'DHCP6OptSIPServers(sipservers=["2001:db8::5060","2001:db8::5061"])',
    'DHCP6OptNISDomain(nisdomain="nis.example")',
    'DHCP6OptSNTPServers(sntpservers=["2001:db8::123"])',
    'DHCP6OptInfoRefreshTime(reftime=600)',
    'DHCP6OptBCMCSDomains(bcmcsdomains=["b.example.","c.example."])',
    'DHCP6OptSubscriberID(subscriberid=b"sub")',
    'DHCP6OptClientFQDN(flags="S",fqdn="host.example.com.")',
    'DHCP6OptClientFQDN(flags="SON",res=1,fqdn="h")',
    'DHCP6OptRelayAgentERO(reqopts=[18,37])',
    'DHCP6OptNTPServer(ntpserver=[DHCP6NTPSubOptSrvAddr(addr="2001:db8::123"),DHCP6NTPSubOptMCAddr(addr="ff05::101"),DHCP6NTPSubOptSrvFQDN(fqdn="ntp.example.com.")])',
    'DHCP6OptBootFileUrl(optdata=b"tftp://[2001:db8::69]/boot")',
    'DHCP6OptClientArchType(archtypes=[7,9])',
    'DHCP6OptClientNetworkInterId(iitype=1,iimajor=2,iiminor=3)',
    'DHCP6OptRelaySuppliedOpt(relaysupplied=[DHCP6OptERPDomain(erpdomain=["x.example."])])',
    'DHCP6OptVSS(type=1,data=b"vpn")',
    'DHCP6OptClientLinkLayerAddr(clladdr="02:00:00:00:00:09")',
    'DHCP6OptMudUrl(mudstring=b"https://mud.example/x")',
    'DHCP6OptUnknown(optcode=200,data=b"\\xde\\xad")',
    'DHCP6OptElapsedTime(optlen=4,elapsedtime=5)',
    'DHCP6OptIfaceId(optlen=10,ifaceid=b"abc")',
    'DHCP6OptStatusCode(optcode=99,statuscode="UseMulticast")',
]
EXPRESSIONS += DHCP6_VECTORS
# NTP: the header (client request, server replies with real timestamps, stratum 1 with a
# reference id), its MAC and RFC 7822 extensions, control (mode 6) and private (mode 7)
# messages. The timestamps scapy would take from the clock (orig, sent) are given.
T = 'orig=3913056000.5,sent=3913056000.75'
NTP_VECTORS = [
    I4 + ')/UDP(sport=40000)/NTP(orig=0,sent=3913056000.5)',
    I4 + ')/UDP()/NTP(' + T + ')',
    'NTPHeader(orig=0,sent=0)',
    'NTP(version=3,mode="symmetric active",poll=4,' + T + ')',
    I4 + ')/UDP(sport=123,dport=40000)/NTP(mode=4,stratum=2,poll=6,precision=-23,delay=0.0213,dispersion=0.0364,id="192.0.2.123",ref=3913055990.25,orig=3913056000.5,recv=3913056000.50123,sent=3913056000.5013)',
    I4 + ')/UDP(sport=123,dport=40000)/NTP(leap=3,mode=4,stratum=1,precision=-20,ref_id=b"GPS\\x00",ref=3913055999,' + T + ',recv=3913056000.6)',
    'NTP(mode=4,stratum=0,ref_id="RATE",' + T + ')',
    'NTP(mode=4,stratum=1,ref_id="PPS",' + T + ')',
    'NTP(mode=5,stratum=3,id="198.51.100.1",poll=-6,precision=-128,' + T + ')',
    I4 + ')/UDP()/NTP(' + T + ')/NTPAuthenticator(key_id=8,dgst=b"\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11\\x11")',
    I6 + ')/UDP()/NTP(mode=4,' + T + ')/NTPAuthenticator(key_id=1,dgst=b"\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22")',
    I4 + ')/UDP()/NTPHeader(' + T + ')/NTPExtensions(extensions=[NTPExtension(type=0x104,len=36,value=b"\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab\\xab"),NTPExtension(type=0x204,len=16,value=b"abcdefghijk")],mac=NTPAuthenticator(key_id=5,dgst=b"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"))',
    'NTPExtensions()',
    'NTPExtension(type=9,len=4)',
    # control (mode 6)
    I6 + ')/UDP(sport=40000)/NTPControl(op_code=2,sequence=68)',
    I6 + ')/UDP(sport=123,dport=40000)/NTPControl(response=1,op_code=2,sequence=68,status=NTPSystemStatusPacket(clock_source=6,system_event_counter=1,system_event_code=8),data=b"version=\\"ntpd 4.2.8p10\\", leap=0")',
    'NTPControl(response=1,op_code=1,sequence=69,data=[NTPPeerStatusDataPacket(association_id=48829,peer_status=NTPPeerStatusPacket(configured=1,reachability=1,peer_sel=6,peer_event_counter=1,peer_event_code=10)),NTPPeerStatusDataPacket(association_id=48828)])',
    'NTPControl(response=1,op_code=2,association_id=48825,more=1,status=NTPPeerStatusPacket(configured=1,peer_event_counter=1,peer_event_code=1),data=b"srcadr=192.0.2.4")',
    'NTPControl(response=1,err=1,op_code=2,status=NTPErrorStatusPacket(error_code=5))',
    'NTPControl(response=1,op_code=4,status=NTPClockStatusPacket(clock_status=1,code=2),data=b"abcd")',
    'NTPControl(op_code=6,status=7)',
    'NTPControl(op_code=2,data=b"x",authenticator=NTPAuthenticator(key_id=3,dgst=b"\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01"))',
    'NTPControl()',
    # private (mode 7)
    I4 + ')/UDP(sport=1023)/NTPPrivate(implementation=3,request_code="REQ_AUTHINFO")',
    I4 + ')/UDP(sport=123,dport=1023)/NTPPrivate(response=1,implementation=3,request_code=28,nb_items=1,data_item_size=36,data=[NTPInfoAuth(timereset=5267562,numkeys=10,numfreekeys=14,keynotfound=10342)])',
    'NTPPrivate(response=1,implementation=3,request_code=8,nb_items=1,data_item_size=24,data=[NTPInfoLoop(last_offset=1530635,drift_comp=3,compliance=30,watchdog_timer=422)])',
    'NTPPrivate(response=1,implementation=3,request_code=1,nb_items=2,data_item_size=72,data=[NTPInfoPeerSummary(dstaddr="127.0.0.1",srcaddr="127.127.1.0",srcport=123,stratum=10,hpoll=6,ppoll=10,reach=255,flags="INFO_FLAG_CONFIG+INFO_FLAG_REFCLOCK",hmode=3,dispersion=2015),NTPInfoPeerSummary(dstaddr="192.0.2.18",srcaddr="192.0.2.103",stratum=1,hmode=3,delay=0.0183,offset=0.0242)])',
    'NTPPrivate(response=1,implementation=3,request_code=4,nb_items=1,data_item_size=76,data=[NTPInfoSys(peer="192.0.2.1",peer_mode=3,stratum=2,precision=-20,refid="192.0.2.1",flags="INFO_FLAG_NTP+INFO_FLAG_KERNEL")])',
    'NTPPrivate(response=1,request_code=38,nb_items=1,data_item_size=60,data=[NTPInfoKernel(offset=320,freq=4294418071,status=1,shift=2)])',
    'NTPPrivate(implementation=3,request_code=10,nb_items=1,data_item_size=168,req_data=[NTPConfPeer(peeraddr="192.0.2.9",hmode=3,version=4,minpoll=6,maxpoll=10,flags="CONF_FLAG_IBURST")])',
    'NTPPrivate(auth=1,implementation=3,request_code=2,nb_items=1,data_item_size=32,req_data=[NTPInfoPeerList(addr="192.0.2.9",port=123,hmode=3)],authenticator=NTPPrivatePktTail(tstamp=3913056000,key_id=1,dgst=b"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"))',
    'NTPPrivate()',
]
EXPRESSIONS += NTP_VECTORS


def expand(expr):
    p = eval(expr)  # noqa: S307 - the expressions above, nothing else
    return [bytes(x).hex() for x in p]


def main():
    out = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "data",
                       "craft-vectors.tsv")
    with open(out, "w") as f:
        for e in EXPRESSIONS + DHCP_VECTORS:
            f.write("%s\t%s\n" % (e, ",".join(expand(e))))
    print("wrote", out, len(EXPRESSIONS + DHCP_VECTORS), "expressions")


if __name__ == "__main__":
    main()
