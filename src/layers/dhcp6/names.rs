//! scapy's DHCPv6 enumerations (`dhcp6types`, `dhcp6opts`, `dhcp6statuscodes`, `duidtypes`,
//! `duidhwtypes`, the authentication option's): `show` prints these names, an expression may
//! give them; NDJSON keeps the numbers.

use crate::layers::field::Names;

/// scapy's `dhcp6types` (RFC 8415 §7.3, RFC 9686).
pub const MSG_TYPES: Names = &[
    (1, "SOLICIT"),
    (2, "ADVERTISE"),
    (3, "REQUEST"),
    (4, "CONFIRM"),
    (5, "RENEW"),
    (6, "REBIND"),
    (7, "REPLY"),
    (8, "RELEASE"),
    (9, "DECLINE"),
    (10, "RECONFIGURE"),
    (11, "INFORMATION-REQUEST"),
    (12, "RELAY-FORW"),
    (13, "RELAY-REPL"),
    (36, "ADDR-REG-INFORM"),
    (37, "ADDR-REG-REPLY"),
];

/// tcpdump's words for the message types (`print-dhcp6.c`), for the summary line.
pub const TCPDUMP_TYPES: Names = &[
    (1, "solicit"),
    (2, "advertise"),
    (3, "request"),
    (4, "confirm"),
    (5, "renew"),
    (6, "rebind"),
    (7, "reply"),
    (8, "release"),
    (9, "decline"),
    (10, "reconfigure"),
    (11, "inf-req"),
    (12, "relay-fwd"),
    (13, "relay-reply"),
    (14, "leasequery"),
    (15, "leasequery-reply"),
];

/// scapy's `dhcp6opts`: the option codes' names.
pub const OPTIONS: Names = &[
    (1, "CLIENTID"),
    (2, "SERVERID"),
    (3, "IA_NA"),
    (4, "IA_TA"),
    (5, "IAADDR"),
    (6, "ORO"),
    (7, "PREFERENCE"),
    (8, "ELAPSED_TIME"),
    (9, "RELAY_MSG"),
    (11, "AUTH"),
    (12, "UNICAST"),
    (13, "STATUS_CODE"),
    (14, "RAPID_COMMIT"),
    (15, "USER_CLASS"),
    (16, "VENDOR_CLASS"),
    (17, "VENDOR_OPTS"),
    (18, "INTERFACE_ID"),
    (19, "RECONF_MSG"),
    (20, "RECONF_ACCEPT"),
    (21, "SIP Servers Domain Name List"),
    (22, "SIP Servers IPv6 Address List"),
    (23, "DNS Recursive Name Server Option"),
    (24, "Domain Search List option"),
    (25, "OPTION_IA_PD"),
    (26, "OPTION_IAPREFIX"),
    (27, "OPTION_NIS_SERVERS"),
    (28, "OPTION_NISP_SERVERS"),
    (29, "OPTION_NIS_DOMAIN_NAME"),
    (30, "OPTION_NISP_DOMAIN_NAME"),
    (31, "OPTION_SNTP_SERVERS"),
    (32, "OPTION_INFORMATION_REFRESH_TIME"),
    (33, "OPTION_BCMCS_SERVER_D"),
    (34, "OPTION_BCMCS_SERVER_A"),
    (36, "OPTION_GEOCONF_CIVIC"),
    (37, "OPTION_REMOTE_ID"),
    (38, "OPTION_SUBSCRIBER_ID"),
    (39, "OPTION_CLIENT_FQDN"),
    (40, "OPTION_PANA_AGENT"),
    (41, "OPTION_NEW_POSIX_TIMEZONE"),
    (42, "OPTION_NEW_TZDB_TIMEZONE"),
    (48, "OPTION_LQ_CLIENT_LINK"),
    (56, "OPTION_NTP_SERVER"),
    (59, "OPT_BOOTFILE_URL"),
    (60, "OPT_BOOTFILE_PARAM"),
    (61, "OPTION_CLIENT_ARCH_TYPE"),
    (62, "OPTION_NII"),
    (65, "OPTION_ERP_LOCAL_DOMAIN_NAME"),
    (66, "OPTION_RELAY_SUPPLIED_OPTIONS"),
    (68, "OPTION_VSS"),
    (79, "OPTION_CLIENT_LINKLAYER_ADDR"),
    (103, "OPTION_CAPTIVE_PORTAL"),
    (112, "OPTION_MUD_URL"),
    (148, "OPTION_ADDR_REG_ENABLE"),
];

/// scapy's `dhcp6statuscodes` (RFC 8415 §21.13, RFC 3633).
pub const STATUS_CODES: Names = &[
    (0, "Success"),
    (1, "UnspecFail"),
    (2, "NoAddrsAvail"),
    (3, "NoBinding"),
    (4, "NotOnLink"),
    (5, "UseMulticast"),
    (6, "NoPrefixAvail"),
];

/// scapy's `duidtypes`.
pub const DUID_TYPES: Names = &[
    (1, "Link-layer address plus time"),
    (2, "Vendor-assigned unique ID based on Enterprise Number"),
    (3, "Link-layer Address"),
    (4, "UUID"),
];

/// scapy's `duidhwtypes` (IANA's ARP hardware types).
pub const HW_TYPES: Names = &[
    (0, "NET/ROM pseudo"),
    (1, "Ethernet (10Mb)"),
    (2, "Experimental Ethernet (3Mb)"),
    (3, "Amateur Radio AX.25"),
    (4, "Proteon ProNET Token Ring"),
    (5, "Chaos"),
    (6, "IEEE 802 Networks"),
    (7, "ARCNET"),
    (8, "Hyperchannel"),
    (9, "Lanstar"),
    (10, "Autonet Short Address"),
    (11, "LocalTalk"),
    (12, "LocalNet (IBM PCNet or SYTEK LocalNET)"),
    (13, "Ultra link"),
    (14, "SMDS"),
    (15, "Frame Relay"),
    (16, "Asynchronous Transmission Mode (ATM)"),
    (17, "HDLC"),
    (18, "Fibre Channel"),
    (19, "Asynchronous Transmission Mode (ATM)"),
    (20, "Serial Line"),
    (21, "Asynchronous Transmission Mode (ATM)"),
    (22, "MIL-STD-188-220"),
    (23, "Metricom"),
    (24, "IEEE 1394.1995"),
    (25, "MAPOS"),
    (26, "Twinaxial"),
    (27, "EUI-64"),
    (28, "HIPARP"),
    (29, "IP and ARP over ISO 7816-3"),
    (30, "ARPSec"),
    (31, "IPsec tunnel"),
    (32, "InfiniBand (TM)"),
    (33, "TIA-102 Project 25 Common Air Interface (CAI)"),
];

/// The authentication option's protocols, algorithms and replay detection methods (IANA's
/// auth namespaces, as scapy names them).
pub const AUTH_PROTOS: Names = &[
    (0, "configuration token"),
    (1, "delayed authentication"),
    (2, "delayed authentication (obsolete)"),
    (3, "reconfigure key"),
];
pub const AUTH_ALGS: Names = &[(0, "configuration token"), (1, "HMAC-MD5")];
pub const AUTH_RDMS: Names = &[(0, "use of a monotonically increasing value")];

/// Lifetimes (IA address, IA prefix).
pub const LIFETIMES: Names = &[(0xffff_ffff, "infinity")];

/// The Reconfigure Message option's message types.
pub const RECONF_TYPES: Names = &[(5, "Renew Message"), (11, "Information Request")];
