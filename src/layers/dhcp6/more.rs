//! The options of later RFCs that scapy has classes for (SIP, DNS, NIS, SNTP, BCMCS, relay
//! agent, FQDN, time zones, NTP, boot files, …): addresses as lists, domain names as scapy's
//! `DomainNameListField` (a list) or `DNSStrField` (one name within the option's length),
//! other values as bytes.

use super::sub::NTP_SUBOPTIONS;
use super::{IA_OPTIONS, code, fixed_len, len_of, optlen, optlen_minus};
use crate::layers::Value;
use crate::layers::coded::Coding;
use crate::layers::field::{Def, Field, FlagNames, Kind, SliceFn};

/// IPv6 addresses, as many whole ones as `optlen` holds: scapy's `IP6ListField` leaves the
/// bytes of a partial one to what follows.
const fn addresses(name: &'static str) -> Field {
    Field::new(name, Kind::Ip6List, Def::Empty).sized(whole_addresses)
}

fn whole_addresses(v: &[Value]) -> Result<usize, String> {
    Ok(optlen(v)? / 16 * 16)
}

/// Domain names (RFC 1035 §3.1, uncompressed), as many as `optlen` holds.
const fn domains(name: &'static str) -> Field {
    Field::new(name, Kind::Coded(Coding::Domains), Def::Empty).sized(optlen)
}

/// One domain name within what `optlen` leaves after the fixed fields: scapy's `DNSStrField`.
const fn one_name(name: &'static str, rest: SliceFn) -> Field {
    Field::new(name, Kind::Name, Def::Text("")).sliced(rest)
}

/// Bytes, as many as `optlen` says.
const fn data(name: &'static str) -> Field {
    Field::bytes(name).sized(optlen)
}

/// Two-byte option codes (the Option Request option's form).
const fn codes(name: &'static str, default: &'static [u8]) -> Field {
    Field::new(name, Kind::Coded(Coding::OptCodes), Def::Bytes(default)).sized(optlen)
}

/// Two-byte integers (scapy's `FieldListField` of `ShortField`s).
const fn shorts(name: &'static str) -> Field {
    Field::new(name, Kind::Coded(Coding::Ints(2)), Def::Empty).sized(optlen)
}

option!(
    SIP_DOMAINS,
    "DHCP6OptSIPDomains",
    "DHCP6 Option - SIP Servers Domain Name List",
    4,
    [code(21), len_of("sipdomains", 0), domains("sipdomains"),]
);
option!(
    SIP_SERVERS,
    "DHCP6OptSIPServers",
    "DHCP6 Option - SIP Servers IPv6 Address List",
    4,
    [code(22), len_of("sipservers", 0), addresses("sipservers"),]
);
option!(
    DNS_SERVERS,
    "DHCP6OptDNSServers",
    "DHCP6 Option - DNS Recursive Name Server",
    4,
    [code(23), len_of("dnsservers", 0), addresses("dnsservers"),]
);
option!(
    DNS_DOMAINS,
    "DHCP6OptDNSDomains",
    "DHCP6 Option - Domain Search List option",
    4,
    [code(24), len_of("dnsdomains", 0), domains("dnsdomains"),]
);
option!(
    NIS_SERVERS,
    "DHCP6OptNISServers",
    "DHCP6 Option - NIS Servers",
    4,
    [code(27), len_of("nisservers", 0), addresses("nisservers"),]
);
option!(
    NISP_SERVERS,
    "DHCP6OptNISPServers",
    "DHCP6 Option - NIS+ Servers",
    4,
    [code(28), len_of("nispservers", 0), addresses("nispservers"),]
);
option!(
    NIS_DOMAIN,
    "DHCP6OptNISDomain",
    "DHCP6 Option - NIS Domain Name",
    4,
    [
        code(29),
        len_of("nisdomain", 0),
        one_name("nisdomain", optlen_minus::<0>),
    ]
);
option!(
    NISP_DOMAIN,
    "DHCP6OptNISPDomain",
    "DHCP6 Option - NIS+ Domain Name",
    4,
    [
        code(30),
        len_of("nispdomain", 0),
        one_name("nispdomain", optlen_minus::<0>),
    ]
);
option!(
    SNTP_SERVERS,
    "DHCP6OptSNTPServers",
    "DHCP6 option - SNTP Servers",
    4,
    [code(31), len_of("sntpservers", 0), addresses("sntpservers"),]
);
option!(
    INFO_REFRESH_TIME,
    "DHCP6OptInfoRefreshTime",
    "DHCP6 Option - Information Refresh Time",
    8,
    [code(32), fixed_len(4), Field::int("reftime", 32, 86400),]
);
option!(
    BCMCS_DOMAINS,
    "DHCP6OptBCMCSDomains",
    "DHCP6 Option - BCMCS Domain Name List",
    4,
    [code(33), len_of("bcmcsdomains", 0), domains("bcmcsdomains"),]
);
option!(
    BCMCS_SERVERS,
    "DHCP6OptBCMCSServers",
    "DHCP6 Option - BCMCS Addresses List",
    4,
    [
        code(34),
        len_of("bcmcsservers", 0),
        addresses("bcmcsservers"),
    ]
);
option!(
    REMOTE_ID,
    "DHCP6OptRemoteID",
    "DHCP6 Option - Relay Agent Remote-ID",
    8,
    [
        code(37),
        len_of("remoteid", 4),
        Field::int("enterprisenum", 32, 0),
        Field::bytes("remoteid").sliced(optlen_minus::<4>),
    ]
);
option!(
    SUBSCRIBER_ID,
    "DHCP6OptSubscriberID",
    "DHCP6 Option - Subscriber ID",
    4,
    [code(38), len_of("subscriberid", 0), data("subscriberid"),]
);
option!(
    CLIENT_FQDN,
    "DHCP6OptClientFQDN",
    "DHCP6 Option - Client FQDN",
    5,
    [
        code(39),
        len_of("fqdn", 1),
        Field::int("res", 5, 0),
        Field::flags("flags", 3, FlagNames::Chars("SON"), 0),
        one_name("fqdn", optlen_minus::<1>),
    ]
);
option!(
    PANA_AUTH_AGENT,
    "DHCP6OptPanaAuthAgent",
    "DHCP6 PANA Authentication Agent Option",
    4,
    [code(40), len_of("paaaddr", 0), addresses("paaaddr"),]
);
option!(
    NEW_POSIX_TIMEZONE,
    "DHCP6OptNewPOSIXTimeZone",
    "DHCP6 POSIX Timezone Option",
    4,
    [code(41), len_of("optdata", 0), data("optdata"),]
);
option!(
    NEW_TZDB_TIMEZONE,
    "DHCP6OptNewTZDBTimeZone",
    "DHCP6 TZDB Timezone Option",
    4,
    [code(42), len_of("optdata", 0), data("optdata"),]
);
option!(
    RELAY_AGENT_ERO,
    "DHCP6OptRelayAgentERO",
    "DHCP6 Option - RelayRequest Option",
    4,
    [
        code(43),
        len_of("reqopts", 0),
        codes("reqopts", &[0, 23, 0, 24]),
    ]
);
option!(
    LQ_CLIENT_LINK,
    "DHCP6OptLQClientLink",
    "DHCP6 Client Link Option",
    4,
    [code(48), len_of("linkaddress", 0), addresses("linkaddress"),]
);
option!(
    NTP_SERVER,
    "DHCP6OptNTPServer",
    "DHCP6 NTP Server Option",
    4,
    [
        code(56),
        len_of("ntpserver", 0),
        Field::new("ntpserver", Kind::List(&NTP_SUBOPTIONS), Def::Empty).sized(optlen),
    ]
);
option!(
    BOOT_FILE_URL,
    "DHCP6OptBootFileUrl",
    "DHCP6 Boot File URL Option",
    4,
    [code(59), len_of("optdata", 0), data("optdata"),]
);
option!(
    CLIENT_ARCH_TYPE,
    "DHCP6OptClientArchType",
    "DHCP6 Client System Architecture Type Option",
    4,
    [code(61), len_of("archtypes", 0), shorts("archtypes"),]
);
option!(
    CLIENT_NETWORK_INTER_ID,
    "DHCP6OptClientNetworkInterId",
    "DHCP6 Client Network Interface Identifier Option",
    7,
    [
        code(62),
        fixed_len(3),
        Field::int("iitype", 8, 0),
        Field::int("iimajor", 8, 0),
        Field::int("iiminor", 8, 0),
    ]
);
option!(
    ERP_DOMAIN,
    "DHCP6OptERPDomain",
    "DHCP6 Option - ERP Domain Name List",
    4,
    [code(65), len_of("erpdomain", 0), domains("erpdomain"),]
);
option!(
    RELAY_SUPPLIED_OPT,
    "DHCP6OptRelaySuppliedOpt",
    "DHCP6 Relay-Supplied Options Option",
    4,
    [
        code(66),
        len_of("relaysupplied", 0),
        Field::new("relaysupplied", Kind::List(&IA_OPTIONS), Def::Empty).sized(optlen),
    ]
);
// scapy reads `data` as `optlen` bytes, although `optlen` counts `type` too.
option!(
    VSS,
    "DHCP6OptVSS",
    "DHCP6 Option - Virtual Subnet Selection",
    5,
    [
        code(68),
        len_of("data", 1),
        Field::int("type", 8, 255),
        data("data"),
    ]
);
option!(
    CLIENT_LINK_LAYER_ADDR,
    "DHCP6OptClientLinkLayerAddr",
    "DHCP6 Option - Client Link Layer address",
    12,
    [
        code(79),
        len_of("clladdr", 2),
        Field::int("lltype", 16, 1),
        Field::mac("clladdr", "00:00:00:00:00:00"),
    ]
);
option!(
    CAPTIVE_PORTAL,
    "DHCP6OptCaptivePortal",
    "DHCP6 Option - Captive-Portal",
    4,
    [code(103), len_of("URI", 0), data("URI"),]
);
option!(
    MUD_URL,
    "DHCP6OptMudUrl",
    "DHCP6 Option - MUD URL",
    4,
    [code(112), len_of("mudstring", 0), data("mudstring"),]
);
option!(
    ADDR_REG_ENABLE,
    "DHCP6OptAddrRegEnable",
    "DHCP6 Address Registration Option",
    4,
    [code(148), fixed_len(0),]
);
