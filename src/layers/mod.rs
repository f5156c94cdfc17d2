//! One module per protocol. Each declares its fields once (a [`Proto`] table) plus the few rules
//! that a table cannot say: where its payload ends, what comes next, its summary.
//! Nothing in here does I/O.

pub mod arp;
pub mod bind;
pub mod coded;
pub mod dhcp;
pub mod dhcp6;
pub mod dns;
pub mod dnsname;
pub mod dot1q;
pub mod ether;
pub mod field;
pub mod icmp;
pub mod icmpv6;
pub mod ip;
pub mod ipv6;
pub mod link;
pub mod ntp;
pub mod raw;
pub mod tcp;
pub mod tlv;
pub mod udp;

pub use field::{Auto, Def, Field, FlagNames, Kind, Layer, LenByte, OptionSet, TcpOption, Value};

/// What a layer decides about the bytes after its header.
pub type NextFn = fn(&Layer, &[u8]) -> Option<&'static Proto>;
/// How many of the bytes after the header are payload (the rest is `Padding`); `None`: all.
pub type PayloadLenFn = fn(&Layer) -> Option<usize>;
/// Appends the layer's part of the summary line, given every layer of the packet and its index.
pub type SummaryFn = fn(&[Layer], usize, &mut String);
/// scapy's `dispatch_hook`: the form of a protocol that the layer below (`lower`) and, when
/// dissecting, the protocol's own bytes choose (DNS over TCP has a length prefix; LLMNR is a
/// query or a response by its QR bit). Building has no bytes yet: `None`. `this` is the
/// protocol asked for.
pub type DispatchFn =
    fn(this: &'static Proto, lower: Option<&'static Proto>, bytes: Option<&[u8]>) -> &'static Proto;

/// A protocol: scapy's class name, its field table and its rules.
pub struct Proto {
    /// scapy's class name (`IP`, `TCPerror`, `ICMPv6ND_NS`): the `layer` of the NDJSON contract.
    pub name: &'static str,
    /// scapy's long name, shown by `--show` (`Ethernet`, `IP`, `TCP in ICMP`).
    pub title: &'static str,
    pub fields: &'static [Field],
    /// Bytes a complete header needs; fewer is reported as truncated.
    pub min_len: usize,
    /// A quoted packet (inside an ICMP error) may be cut anywhere: missing fields are normal there.
    pub quoted: bool,
    pub payload_len: PayloadLenFn,
    /// What follows; `None` means `Raw` (when bytes remain).
    pub next: NextFn,
    pub summary: Option<SummaryFn>,
    /// The layer's checksum, verified by dissection and (later) filled by building.
    pub checksum: Option<Checksum>,
    /// Which form of the protocol stands where it stands ([`Proto::form`]); `None`: this one.
    pub dispatch: Option<DispatchFn>,
    /// Where the message that DNS names point into starts, in bytes from the layer's start
    /// (2 for DNS over TCP, after its length prefix).
    pub names_from: usize,
}

/// Where a layer's checksum field is and what it covers.
#[derive(Clone, Copy, Debug)]
pub struct Checksum {
    pub field: &'static str,
    /// Byte offset of the field in the header.
    pub at: usize,
    pub scope: Scope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The header only (IPv4).
    Header,
    /// Header and payload (ICMP).
    Message,
    /// Header and payload plus the IP/IPv6 pseudo-header with this protocol number.
    Pseudo(u8),
}

impl Proto {
    /// The rules every protocol starts from; a protocol's static overrides what differs.
    pub const BASE: Proto = Proto {
        name: "",
        title: "",
        fields: &[],
        min_len: 0,
        quoted: false,
        payload_len: all_payload,
        next: next_raw,
        summary: None,
        checksum: None,
        dispatch: None,
        names_from: 0,
    };

    /// The form of this protocol over `lower`, for these bytes (when dissecting): what
    /// [`Proto::dispatch`] chooses, or the protocol itself.
    pub fn form(
        &'static self,
        lower: Option<&'static Proto>,
        bytes: Option<&[u8]>,
    ) -> &'static Proto {
        self.dispatch.map_or(self, |d| d(self, lower, bytes))
    }
}

impl PartialEq for Proto {
    fn eq(&self, other: &Proto) -> bool {
        std::ptr::eq(self, other)
    }
}
impl Eq for Proto {}

impl std::fmt::Debug for Proto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The default payload rule: everything after the header is payload.
pub fn all_payload(_: &Layer) -> Option<usize> {
    None
}

/// The default next-layer rule: the binding table.
pub fn next_by_binding(l: &Layer, payload: &[u8]) -> Option<&'static Proto> {
    bind::lookup_payload(l, payload)
}

/// No further layer: what follows is `Raw`.
pub fn next_raw(_: &Layer, _: &[u8]) -> Option<&'static Proto> {
    None
}

/// Every protocol pkt knows, for `ls` and for looking layers up by name.
pub fn all() -> &'static [&'static Proto] {
    static ALL: &[&Proto] = &[
        &ether::ETHER,
        &ether::DOT3,
        &dot1q::DOT1Q,
        &dot1q::DOT1AD,
        &arp::ARP,
        &ip::IP,
        &ip::IPERROR,
        &ipv6::IPV6,
        &ipv6::IPERROR6,
        &ipv6::HOP_BY_HOP,
        &ipv6::ROUTING,
        &ipv6::FRAGMENT,
        &ipv6::DEST_OPT,
        &tcp::TCP,
        &tcp::TCPERROR,
        &udp::UDP,
        &udp::UDPERROR,
        &icmp::ICMP,
        &icmp::ICMPERROR,
        &icmpv6::ECHO_REQUEST,
        &icmpv6::ECHO_REPLY,
        &icmpv6::DEST_UNREACH,
        &icmpv6::PACKET_TOO_BIG,
        &icmpv6::TIME_EXCEEDED,
        &icmpv6::PARAM_PROBLEM,
        &icmpv6::ML_QUERY,
        &icmpv6::ML_REPORT,
        &icmpv6::ML_DONE,
        &icmpv6::ND_RS,
        &icmpv6::ND_RA,
        &icmpv6::ND_NS,
        &icmpv6::ND_NA,
        &icmpv6::ND_REDIRECT,
        &icmpv6::UNKNOWN,
        &icmpv6::OPT_SRC_LLADDR,
        &icmpv6::OPT_DST_LLADDR,
        &icmpv6::OPT_PREFIX_INFO,
        &icmpv6::OPT_REDIRECTED_HDR,
        &icmpv6::OPT_MTU,
        &icmpv6::OPT_UNKNOWN,
        &dns::DNS,
        &dns::DNSQR,
        &dns::DNSRR,
        &dns::DNSRRMX,
        &dns::DNSRRSOA,
        &dns::DNSRRSRV,
        &dns::DNSRROPT,
        &dns::EDNS0TLV,
        &dns::EDNS0COOKIE,
        &dns::EDNS0PADDING,
        &dhcp::BOOTP,
        &dhcp::DHCP,
        &dns::DNSRRHINFO,
        &dns::DNSRRNAPTR,
        &dns::DNSRRTSIG,
        &dns::DNSRRDS,
        &dns::DNSRRDLV,
        &dns::DNSRRDNSKEY,
        &dns::DNSRRRSIG,
        &dns::DNSRRNSEC,
        &dns::DNSRRNSEC3,
        &dns::DNSRRNSEC3PARAM,
        &dns::DNSRRSVCB,
        &dns::DNSRRHTTPS,
        &dns::SVC_PARAM,
        &dns::EDNS0OWN,
        &dns::EDNS0DAU,
        &dns::EDNS0DHU,
        &dns::EDNS0N3U,
        &dns::EDNS0CLIENTSUBNET,
        &dns::EDNS0EXTENDEDDNSERROR,
        &dns::LLMNR_QUERY,
        &dns::LLMNR_RESPONSE,
        &link::COOKED_LINUX,
        &link::COOKED_LINUX_V2,
        &link::LOOPBACK,
        &link::LOOPBACK_BE,
        &raw::RAW,
        &raw::PADDING,
        &dhcp6::DHCP6,
        &dhcp6::SOLICIT,
        &dhcp6::ADVERTISE,
        &dhcp6::REQUEST,
        &dhcp6::CONFIRM,
        &dhcp6::RENEW,
        &dhcp6::REBIND,
        &dhcp6::REPLY,
        &dhcp6::RELEASE,
        &dhcp6::DECLINE,
        &dhcp6::RECONF,
        &dhcp6::INFO_REQUEST,
        &dhcp6::RELAY_FORWARD,
        &dhcp6::RELAY_REPLY,
        &dhcp6::ADDR_REG_INFORM,
        &dhcp6::ADDR_REG_REPLY,
        &dhcp6::CLIENT_ID,
        &dhcp6::SERVER_ID,
        &dhcp6::IA_NA,
        &dhcp6::IA_TA,
        &dhcp6::IA_ADDRESS,
        &dhcp6::OPT_REQ,
        &dhcp6::PREF,
        &dhcp6::ELAPSED_TIME,
        &dhcp6::RELAY_MSG,
        &dhcp6::AUTH,
        &dhcp6::SERVER_UNICAST,
        &dhcp6::STATUS_CODE,
        &dhcp6::RAPID_COMMIT,
        &dhcp6::USER_CLASS,
        &dhcp6::VENDOR_CLASS,
        &dhcp6::VENDOR_SPECIFIC_INFO,
        &dhcp6::IFACE_ID,
        &dhcp6::RECONF_MSG,
        &dhcp6::RECONF_ACCEPT,
        &dhcp6::SIP_DOMAINS,
        &dhcp6::SIP_SERVERS,
        &dhcp6::DNS_SERVERS,
        &dhcp6::DNS_DOMAINS,
        &dhcp6::IA_PD,
        &dhcp6::IA_PREFIX,
        &dhcp6::NIS_SERVERS,
        &dhcp6::NISP_SERVERS,
        &dhcp6::NIS_DOMAIN,
        &dhcp6::NISP_DOMAIN,
        &dhcp6::SNTP_SERVERS,
        &dhcp6::INFO_REFRESH_TIME,
        &dhcp6::BCMCS_DOMAINS,
        &dhcp6::BCMCS_SERVERS,
        &dhcp6::REMOTE_ID,
        &dhcp6::SUBSCRIBER_ID,
        &dhcp6::CLIENT_FQDN,
        &dhcp6::PANA_AUTH_AGENT,
        &dhcp6::NEW_POSIX_TIMEZONE,
        &dhcp6::NEW_TZDB_TIMEZONE,
        &dhcp6::RELAY_AGENT_ERO,
        &dhcp6::LQ_CLIENT_LINK,
        &dhcp6::NTP_SERVER,
        &dhcp6::BOOT_FILE_URL,
        &dhcp6::CLIENT_ARCH_TYPE,
        &dhcp6::CLIENT_NETWORK_INTER_ID,
        &dhcp6::ERP_DOMAIN,
        &dhcp6::RELAY_SUPPLIED_OPT,
        &dhcp6::VSS,
        &dhcp6::CLIENT_LINK_LAYER_ADDR,
        &dhcp6::CAPTIVE_PORTAL,
        &dhcp6::MUD_URL,
        &dhcp6::ADDR_REG_ENABLE,
        &dhcp6::UNKNOWN,
        &dhcp6::DUID_LLT,
        &dhcp6::DUID_EN,
        &dhcp6::DUID_LL,
        &dhcp6::DUID_UUID,
        &dhcp6::USER_CLASS_DATA,
        &dhcp6::VENDOR_CLASS_DATA,
        &dhcp6::VENDOR_SPECIFIC_OPTION,
        &dhcp6::NTP_SRV_ADDR,
        &dhcp6::NTP_MC_ADDR,
        &dhcp6::NTP_SRV_FQDN,
        &ntp::NTP,
        &ntp::NTP_HEADER,
        &ntp::NTP_AUTHENTICATOR,
        &ntp::NTP_EXTENSIONS,
        &ntp::NTP_EXTENSION,
        &ntp::PACKET,
        &ntp::NTP_CONTROL,
        &ntp::control::SYSTEM_STATUS,
        &ntp::control::PEER_STATUS,
        &ntp::control::CLOCK_STATUS,
        &ntp::control::ERROR_STATUS,
        &ntp::control::PEER_STATUS_DATA,
        &ntp::NTP_PRIVATE,
        &ntp::private::PKT_TAIL,
        ntp::info::RECORDS[0],
        ntp::info::RECORDS[1],
        ntp::info::RECORDS[2],
        ntp::info::RECORDS[3],
        ntp::info::RECORDS[4],
        ntp::info::RECORDS[5],
        ntp::info::RECORDS[6],
        ntp::info::RECORDS[7],
        ntp::info::RECORDS[8],
        ntp::info::RECORDS[9],
        ntp::info::RECORDS[10],
        ntp::info::RECORDS[11],
        ntp::info::RECORDS[12],
        ntp::info::RECORDS[13],
        ntp::info::RECORDS[14],
        ntp::info::RECORDS[15],
        ntp::info::RECORDS[16],
        ntp::info::RECORDS[17],
        ntp::info::RECORDS[18],
        ntp::info::RECORDS[19],
        ntp::info::RECORDS[20],
    ];
    ALL
}

/// Looks a protocol up by its scapy class name.
pub fn by_name(name: &str) -> Option<&'static Proto> {
    all().iter().copied().find(|p| p.name == name)
}

/// Reads an integer field of the values read so far (for conditions and length rules).
pub fn val(v: &[Value], i: usize) -> u64 {
    v.get(i).and_then(Value::int).unwrap_or(0)
}

/// The nearest IPv4 or IPv6 layer below layer `i` (for summaries that show addresses).
pub fn ip_below(layers: &[Layer], i: usize) -> Option<&Layer> {
    layers[..i]
        .iter()
        .rev()
        .find(|l| matches!(l.proto.name, "IP" | "IPv6" | "IPerror" | "IPerror6"))
}

/// Writes an address value (IPv4, IPv6 or MAC) as text.
pub fn fmt_addr(v: Option<&Value>, out: &mut String) {
    match v {
        Some(Value::Ip4(a)) => field::fmt_ip4(a, out),
        Some(Value::Ip6(a)) => field::fmt_ip6(a, out),
        Some(Value::Mac(m)) => field::fmt_mac(m, out),
        _ => out.push('?'),
    }
}

/// Writes `src > dst` from the nearest IP or IPv6 layer below layer `i`.
pub fn fmt_hosts(layers: &[Layer], i: usize, out: &mut String) {
    let ip = ip_below(layers, i);
    fmt_addr(ip.and_then(|ip| ip.get("src")), out);
    out.push_str(" > ");
    fmt_addr(ip.and_then(|ip| ip.get("dst")), out);
}

/// Writes `src:sport > dst:dport` for a transport layer above an IP layer.
pub fn fmt_endpoints(layers: &[Layer], i: usize, out: &mut String) {
    let l = &layers[i];
    let ip = ip_below(layers, i);
    fmt_addr(ip.and_then(|ip| ip.get("src")), out);
    out.push(':');
    field::push_int(val(&l.values, 0), out);
    out.push_str(" > ");
    fmt_addr(ip.and_then(|ip| ip.get("dst")), out);
    out.push(':');
    field::push_int(val(&l.values, 1), out);
}
