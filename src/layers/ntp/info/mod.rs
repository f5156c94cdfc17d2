//! The data items of ntpd's private (mode 7) messages (`ntp_request.h`), as scapy's
//! `NTPInfo*` and `NTPConf*` classes, and which request code reads which.

use super::{MODES, fixed_len, sbyte, short_fixed, timestamp};
use crate::layers::coded::Coding;
use crate::layers::field::{Auto, Def, Field, FlagNames, Kind};
use crate::layers::{Proto, raw};

/// scapy's `_sys_info_flags`.
const SYS_FLAGS: FlagNames = FlagNames::Words(&[
    "INFO_FLAG_BCLIENT",
    "INFO_FLAG_AUTHENTICATE",
    "INFO_FLAG_NTP",
    "INFO_FLAG_KERNEL",
    "INFO_FLAG_CAL",
    "INFO_FLAG_PPS_SYNC",
    "INFO_FLAG_MONITOR",
    "INFO_FLAG_FILEGEN",
]);

/// scapy's `_conf_peer_flags`.
const CONF_FLAGS: FlagNames = FlagNames::Words(&[
    "CONF_FLAG_AUTHENABLE",
    "CONF_FLAG_PREFER",
    "CONF_FLAG_BURST",
    "CONF_FLAG_IBURST",
    "CONF_FLAG_NOSELECT",
    "CONF_FLAG_SKEY",
]);

/// scapy's `_restrict_flags`.
const RESTRICT_FLAGS: FlagNames = FlagNames::Words(&[
    "RES_IGNORE",
    "RES_DONTSERVE",
    "RES_DONTTRUST",
    "RES_VERSION",
    "RES_NOPEER",
    "RES_LIMITED",
    "RES_NOQUERY",
    "RES_NOMODIFY",
    "RES_NOTRAP",
    "RES_LPTRAP",
    "RES_KOD",
    "RES_MSSNTP",
    "RES_FLAKE",
    "RES_NOMRULIST",
]);

const fn int(name: &'static str) -> Field {
    Field::int(name, 32, 0)
}
const fn short(name: &'static str) -> Field {
    Field::int(name, 16, 0)
}
const fn byte(name: &'static str) -> Field {
    Field::int(name, 8, 0)
}
const fn ip4(name: &'static str) -> Field {
    Field::ip4(name, "0.0.0.0")
}
const fn ip6(name: &'static str) -> Field {
    Field::ip6(name, "::")
}
/// A fixed-length string (scapy's `StrFixedLenField`), zeros by default.
const fn chars(name: &'static str, n: u8) -> Field {
    Field::new(
        name,
        Kind::Fixed { len: n, mac: false },
        Def::Zeros(n as usize),
    )
}
/// `n` integers of `width` bytes (scapy's `FieldListField` with a fixed count).
const fn ints(name: &'static str, width: u8, n: usize) -> Field {
    Field::new(
        name,
        Kind::Coded(Coding::Ints(width)),
        Def::Zeros(n * width as usize),
    )
    .sized(match width {
        1 => |_| Ok(8),
        4 => |_| Ok(32),
        _ => |_| Ok(64),
    })
}
/// The 12 bytes that pad an IPv4 address to 16 (scapy's `PadField(IPField(…), 16)`).
const fn pad16(name: &'static str, of: &'static str) -> Field {
    Field::new(
        name,
        Kind::Bytes,
        Def::Auto(Auto::Align {
            field: of,
            align: 16,
        }),
    )
}

/// A record: its fields, and as its least length the bytes of its fixed-width ones.
macro_rules! record {
    ($static:ident, $name:expr, $title:expr, [$($field:expr),* $(,)?]) => {
        pub static $static: Proto = Proto {
            name: $name,
            title: $title,
            fields: &[$($field),*],
            min_len: fixed_len(&[$($field),*]),
            ..Proto::BASE
        };
    };
}

mod peer;
pub use peer::{PEER, PEER_LIST, PEER_STATS, PEER_SUMMARY};

record!(
    LOOP,
    "NTPInfoLoop",
    "info_loop",
    [
        timestamp("last_offset"),
        timestamp("drift_comp"),
        int("compliance"),
        int("watchdog_timer"),
    ]
);

record!(
    SYS,
    "NTPInfoSys",
    "info_sys",
    [
        ip4("peer"),
        byte("peer_mode"),
        byte("leap"),
        byte("stratum"),
        sbyte("precision", 0),
        short_fixed("rootdelay"),
        short_fixed("rootdispersion"),
        ip4("refid"),
        timestamp("reftime"),
        int("poll"),
        Field::flags("flags", 8, SYS_FLAGS, 0),
        byte("unused1"),
        byte("unused2"),
        byte("unused3"),
        short_fixed("bdelay"),
        short_fixed("frequency"),
        timestamp("authdelay"),
        short_fixed("stability"),
        int("v6_flag"),
        int("unused4"),
        ip6("peer6"),
    ]
);

record!(
    SYS_STATS,
    "NTPInfoSysStats",
    "info_sys_stats",
    [
        int("timeup"),
        int("timereset"),
        int("denied"),
        int("oldversionpkt"),
        int("newversionpkt"),
        int("unknownversion"),
        int("badlength"),
        int("processed"),
        int("badauth"),
        int("received"),
        int("limitrejected"),
    ]
);

record!(
    MEM_STATS,
    "NTPInfoMemStats",
    "info_mem_stats",
    [
        int("timereset"),
        short("totalpeermem"),
        short("freepeermem"),
        int("findpeer_calls"),
        int("allocations"),
        int("demobilizations"),
        Field::new("hashcount", Kind::Coded(Coding::Ints(1)), Def::Zeros(128)).sized(|_| Ok(128)),
    ]
);

record!(
    IO_STATS,
    "NTPInfoIOStats",
    "info_io_stats",
    [
        int("timereset"),
        short("totalrecvbufs"),
        short("freerecvbufs"),
        short("fullrecvbufs"),
        short("lowwater"),
        int("dropped"),
        int("ignored"),
        int("received"),
        int("sent"),
        int("notsent"),
        int("interrupts"),
        int("int_received"),
    ]
);

record!(
    TIMER_STATS,
    "NTPInfoTimerStats",
    "info_timer_stats",
    [
        int("timereset"),
        int("alarms"),
        int("overflows"),
        int("xmtcalls"),
    ]
);

record!(
    CONF_PEER,
    "NTPConfPeer",
    "conf_peer",
    [
        ip4("peeraddr"),
        byte("hmode"),
        byte("version"),
        byte("minpoll"),
        byte("maxpoll"),
        Field::flags("flags", 8, CONF_FLAGS, 0),
        byte("ttl"),
        short("unused1"),
        int("keyid"),
        chars("keystr", 128),
        int("v6_flag"),
        int("unused2"),
        ip6("peeraddr6"),
    ]
);

record!(
    CONF_UNPEER,
    "NTPConfUnpeer",
    "conf_unpeer",
    [ip4("peeraddr"), int("v6_flag"), ip6("peeraddr6"),]
);

record!(
    CONF_RESTRICT,
    "NTPConfRestrict",
    "conf_restrict",
    [
        ip4("addr"),
        ip4("mask"),
        Field::flags("flags", 16, RESTRICT_FLAGS, 0),
        short("m_flags"),
        int("v6_flag"),
        ip6("addr6"),
        ip6("mask6"),
    ]
);

record!(
    KERNEL,
    "NTPInfoKernel",
    "info_kernel",
    [
        int("offset"),
        int("freq"),
        int("maxerror"),
        int("esterror"),
        short("status"),
        short("shift"),
        int("constant"),
        int("precision"),
        int("tolerance"),
        int("ppsfreq"),
        int("jitter"),
        int("stabil"),
        int("jitcnt"),
        int("calcnt"),
        int("errcnt"),
        int("stbcnt"),
    ]
);

/// What follows the addresses in both forms of `info_if_stats`.
macro_rules! if_stats_rest {
    () => {
        [
            int("v6_flag"),
            chars("ifname", 32),
            int("flags"),
            int("last_ttl"),
            int("num_mcast"),
            int("received"),
            int("sent"),
            int("notsent"),
            int("uptime"),
            int("scopeid"),
            int("ifindex"),
            int("ifnum"),
            int("peercnt"),
            short("family"),
            byte("ignore_packets"),
            byte("action"),
            int("_filler0"),
        ]
    };
}

const IF_REST: [Field; 17] = if_stats_rest!();

record!(
    IF_STATS_V4,
    "NTPInfoIfStatsIPv4",
    "info_if_stats",
    [
        ip4("unaddr"),
        pad16("unaddr_pad", "unaddr"),
        ip4("unbcast"),
        pad16("unbcast_pad", "unbcast"),
        ip4("unmask"),
        pad16("unmask_pad", "unmask"),
        IF_REST[0],
        IF_REST[1],
        IF_REST[2],
        IF_REST[3],
        IF_REST[4],
        IF_REST[5],
        IF_REST[6],
        IF_REST[7],
        IF_REST[8],
        IF_REST[9],
        IF_REST[10],
        IF_REST[11],
        IF_REST[12],
        IF_REST[13],
        IF_REST[14],
        IF_REST[15],
        IF_REST[16],
    ]
);

record!(
    IF_STATS_V6,
    "NTPInfoIfStatsIPv6",
    "info_if_stats",
    [
        ip6("unaddr"),
        ip6("unbcast"),
        ip6("unmask"),
        IF_REST[0],
        IF_REST[1],
        IF_REST[2],
        IF_REST[3],
        IF_REST[4],
        IF_REST[5],
        IF_REST[6],
        IF_REST[7],
        IF_REST[8],
        IF_REST[9],
        IF_REST[10],
        IF_REST[11],
        IF_REST[12],
        IF_REST[13],
        IF_REST[14],
        IF_REST[15],
        IF_REST[16],
    ]
);

record!(
    MONITOR1,
    "NTPInfoMonitor1",
    "InfoMonitor1",
    [
        int("lasttime"),
        int("firsttime"),
        int("lastdrop"),
        int("count"),
        ip4("addr"),
        ip4("daddr"),
        int("flags"),
        short("port"),
        byte("mode"),
        byte("version"),
        int("v6_flag"),
        int("unused1"),
        ip6("addr6"),
        ip6("daddr6"),
    ]
);

record!(
    AUTH,
    "NTPInfoAuth",
    "info_auth",
    [
        int("timereset"),
        int("numkeys"),
        int("numfreekeys"),
        int("keylookups"),
        int("keynotfound"),
        int("encryptions"),
        int("decryptions"),
        int("expired"),
        int("keyuncached"),
    ]
);

record!(
    CONF_TRAP,
    "NTPConfTrap",
    "conf_trap",
    [
        ip4("local_address"),
        ip4("trap_address"),
        short("trap_port"),
        short("unused"),
        int("v6_flag"),
        ip6("local_address6"),
        ip6("trap_address6"),
    ]
);

record!(
    CONTROL,
    "NTPInfoControl",
    "info_control",
    [
        int("ctltimereset"),
        int("numctlreq"),
        int("numctlbadpkts"),
        int("numctlresponses"),
        int("numctlfrags"),
        int("numctlerrors"),
        int("numctltooshort"),
        int("numctlinputresp"),
        int("numctlinputfrag"),
        int("numctlinputerr"),
        int("numctlbadoffset"),
        int("numctlbadversion"),
        int("numctldatatooshort"),
        int("numctlbadop"),
        int("numasyncmsgs"),
    ]
);

record!(
    REQ_PACKET,
    "NTPPrivateReqPacket",
    "request data",
    [Field::bytes("req_data")]
);

/// Every record class, for `layers::all()`.
pub static RECORDS: [&Proto; 21] = [
    &PEER_LIST,
    &PEER_SUMMARY,
    &PEER,
    &PEER_STATS,
    &LOOP,
    &SYS,
    &SYS_STATS,
    &MEM_STATS,
    &IO_STATS,
    &TIMER_STATS,
    &CONF_PEER,
    &CONF_UNPEER,
    &CONF_RESTRICT,
    &KERNEL,
    &IF_STATS_V4,
    &IF_STATS_V6,
    &MONITOR1,
    &AUTH,
    &CONF_TRAP,
    &CONTROL,
    &REQ_PACKET,
];

/// Whether a record of this class may be a private message's item.
pub fn is_record(name: &str) -> bool {
    name == "Raw" || RECORDS.iter().any(|p| p.name == name)
}

/// A request item's class (scapy's `NTPPrivateReqPacketListField.m2i`).
pub fn request_class(code: u64) -> &'static Proto {
    match code {
        2 | 3 => &PEER_LIST,
        10 => &CONF_PEER,
        11 | 22 => &CONF_UNPEER,
        17 | 18 => &CONF_RESTRICT,
        30 | 31 => &CONF_TRAP,
        _ => &REQ_PACKET,
    }
}

/// A response item's class (scapy's `_private_data_objects`; interface statistics by their
/// `v6_flag`); `Raw` for a code scapy does not decode.
pub fn response_class(code: u64, item: &[u8]) -> &'static Proto {
    match code {
        0 => &PEER_LIST,
        1 => &PEER_SUMMARY,
        2 => &PEER,
        3 => &PEER_STATS,
        4 => &SYS,
        5 => &SYS_STATS,
        6 => &IO_STATS,
        7 => &MEM_STATS,
        8 => &LOOP,
        9 => &TIMER_STATS,
        10 => &CONF_PEER,
        11 => &CONF_UNPEER,
        28 => &AUTH,
        30 => &CONF_TRAP,
        34 => &CONTROL,
        38 => &KERNEL,
        42 => &MONITOR1,
        44 | 45 if item.get(48..52).is_some_and(|f| f != [0; 4]) => &IF_STATS_V6,
        44 | 45 => &IF_STATS_V4,
        _ => &raw::RAW,
    }
}
