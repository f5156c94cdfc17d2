//! `pkt ifaces`: the network interfaces of this network namespace, like `ip -br addr` or
//! `tcpdump -D` but with index, MAC, every address with its prefix length, state, MTU and link
//! type, as a table or one JSON array. Needs no privileges.
//!
//! The list, indexes, flags, hardware addresses, link types and addresses come from
//! `getifaddrs` (netlink, so always this namespace). The operational state and the MTU come
//! from `/sys/class/net/<name>/`, but only when that entry is the same interface: sysfs shows
//! the namespace it was mounted in, which `nsenter --net` or `unshare -n` do not change. When it
//! is not, the MTU comes from `SIOCGIFMTU` and the state is derived from the flags. A link
//! without a hardware address (tun) has no link-level entry in `getifaddrs`: its type comes from
//! `SIOCGIFHWADDR`.

use crate::cli::IfacesArgs;
use anyhow::{Context, Result};
use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use serde::Serialize;
use std::ffi::CStr;
use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::ExitCode;

/// One interface, as printed; the JSON keys are these fields, in this order.
#[derive(Serialize, Debug)]
struct Iface {
    name: String,
    index: Option<u32>,
    /// The hardware address as `/sys/class/net/X/address` spells it (`00:00:00:00:00:00` for
    /// lo, as `ip link`), None when the link has none (a tun device, say).
    mac: Option<String>,
    /// `addr/prefix`, IPv4 then IPv6, in the kernel's order.
    addresses: Vec<String>,
    /// The kernel's operstate word: up, down, unknown (lo), dormant, lowerlayerdown, …
    state: String,
    /// Administratively up (IFF_UP).
    up: bool,
    mtu: Option<u32>,
    /// The link type as `ip link` names it after `link/` (ether, loopback, none, …), or the
    /// ARPHRD number when it has no name here.
    #[serde(rename = "type")]
    link_type: Option<String>,
}

/// What `getifaddrs` says about one interface.
#[derive(Default)]
struct Link {
    name: String,
    flags: u32,
    index: Option<u32>,
    hatype: Option<u16>,
    hwaddr: Option<Vec<u8>>,
    addresses: Vec<String>,
}

pub fn run(args: &IfacesArgs) -> Result<ExitCode> {
    let ifaces = list()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer(&mut out, &ifaces).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", table(&ifaces))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn table(ifaces: &[Iface]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY);
    t.set_header(["index", "name", "state", "mtu", "type", "mac", "addresses"]);
    let or_dash = |s: Option<String>| s.unwrap_or_else(|| "-".into());
    for i in ifaces {
        let state = match (i.up, i.state.as_str()) {
            (true, s) => s.to_string(),
            (false, "down") => "down (admin)".into(),
            (false, s) => format!("{s} (admin down)"),
        };
        t.add_row([
            or_dash(i.index.map(|n| n.to_string())),
            i.name.clone(),
            state,
            or_dash(i.mtu.map(|n| n.to_string())),
            or_dash(i.link_type.clone()),
            or_dash(i.mac.clone()),
            i.addresses.join("\n"),
        ]);
    }
    t
}

/// Every interface of this namespace, by index (those without one last, by name).
fn list() -> Result<Vec<Iface>> {
    let mut v: Vec<Iface> = links()?.into_iter().map(complete).collect();
    v.sort_by(|a, b| {
        (a.index.is_none(), a.index, &a.name).cmp(&(b.index.is_none(), b.index, &b.name))
    });
    Ok(v)
}

/// Adds what only sysfs (or an ioctl) knows to what `getifaddrs` said.
fn complete(l: Link) -> Iface {
    let index = l.index.or_else(|| {
        let name = std::ffi::CString::new(l.name.as_str()).ok()?;
        let n = unsafe { libc::if_nametoindex(name.as_ptr()) };
        (n != 0).then_some(n)
    });
    let up = l.flags & libc::IFF_UP as u32 != 0;
    let mac = l.hwaddr.as_deref().map(colon_hex);
    let sys = |attr: &str| sysfs(&l.name, attr);
    // The sysfs entry is this interface if it agrees on everything getifaddrs told us.
    let same = index.is_some()
        && sys("ifindex").and_then(|s| s.parse().ok()) == index
        && l.hatype
            .is_none_or(|t| sys("type").and_then(|s| s.parse().ok()) == Some(t))
        && sys("address").filter(|s| !s.is_empty()) == mac
        && sys("flags")
            .and_then(|s| u32::from_str_radix(s.trim_start_matches("0x"), 16).ok())
            .is_some_and(|f| f & libc::IFF_UP as u32 == l.flags & libc::IFF_UP as u32);
    let state = same
        .then(|| sys("operstate"))
        .flatten()
        .unwrap_or_else(|| state_from_flags(l.flags).into());
    let mtu = same
        .then(|| sys("mtu").and_then(|s| s.parse().ok()))
        .flatten()
        .or_else(|| ioctl_mtu(&l.name));
    let hatype = l.hatype.or_else(|| ioctl_hatype(&l.name));
    Iface {
        name: l.name,
        index,
        mac,
        addresses: l.addresses,
        state,
        up,
        mtu,
        link_type: hatype.map(type_name),
    }
}

fn sysfs(name: &str, attr: &str) -> Option<String> {
    let s = std::fs::read_to_string(format!("/sys/class/net/{name}/{attr}")).ok()?;
    Some(s.trim().to_string())
}

/// The operstate as near as the flags tell it (no "unknown": lo looks "up").
fn state_from_flags(flags: u32) -> &'static str {
    let has = |f: libc::c_int| flags & f as u32 != 0;
    if !has(libc::IFF_UP) {
        "down"
    } else if has(libc::IFF_DORMANT) {
        "dormant"
    } else if has(libc::IFF_RUNNING) {
        "up"
    } else {
        "down"
    }
}

fn colon_hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// ARPHRD_* names as iproute2 prints them.
fn type_name(t: u16) -> String {
    match t {
        1 => "ether",
        24 => "ieee1394",
        32 => "infiniband",
        256 => "slip",
        280 => "can",
        512 => "ppp",
        519 => "rawip",
        768 => "ipip",
        769 => "tunnel6",
        772 => "loopback",
        776 => "sit",
        778 => "gre",
        801 => "ieee802.11",
        802 => "ieee802.11/prism",
        803 => "ieee802.11/radiotap",
        804 => "ieee802.15.4",
        823 => "gre6",
        824 => "netlink",
        825 => "6lowpan",
        65534 => "none",
        65535 => "void",
        _ => return t.to_string(),
    }
    .to_string()
}

/// Prefix length of a netmask (its leading one bits).
fn prefix_len(mask: &[u8]) -> u32 {
    let mut n = 0;
    for b in mask {
        n += b.leading_ones();
        if *b != 0xff {
            break;
        }
    }
    n
}

/// Frees the `getifaddrs` list when dropped.
struct IfAddrs(*mut libc::ifaddrs);

impl Drop for IfAddrs {
    fn drop(&mut self) {
        unsafe { libc::freeifaddrs(self.0) }
    }
}

/// The interfaces in `getifaddrs` order, each with its link data and addresses.
fn links() -> Result<Vec<Link>> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Err(std::io::Error::last_os_error()).context("listing interfaces (getifaddrs)");
    }
    let list = IfAddrs(head);
    let mut links: Vec<Link> = Vec::new();
    let mut p = list.0;
    while !p.is_null() {
        // SAFETY: p is a node of the list getifaddrs returned, alive until `list` drops.
        let ifa = unsafe { &*p };
        p = ifa.ifa_next;
        if ifa.ifa_name.is_null() {
            continue;
        }
        let name = unsafe { CStr::from_ptr(ifa.ifa_name) }
            .to_string_lossy()
            .into_owned();
        let at = match links.iter().position(|l| l.name == name) {
            Some(at) => at,
            None => {
                links.push(Link {
                    name,
                    flags: ifa.ifa_flags,
                    ..Link::default()
                });
                links.len() - 1
            }
        };
        let link = &mut links[at];
        if ifa.ifa_addr.is_null() {
            continue;
        }
        let addr = ifa.ifa_addr as *const u8;
        // SAFETY: every sockaddr starts with its family; the rest is read as that family's
        // struct, which is what getifaddrs stored there.
        let family = unsafe { (*ifa.ifa_addr).sa_family } as libc::c_int;
        match family {
            libc::AF_PACKET => {
                let ll =
                    unsafe { std::ptr::read_unaligned(ifa.ifa_addr as *const libc::sockaddr_ll) };
                link.flags = ifa.ifa_flags;
                link.index = u32::try_from(ll.sll_ifindex).ok().filter(|&i| i != 0);
                link.hatype = Some(ll.sll_hatype);
                // glibc and musl keep room for 24 address bytes (InfiniBand has 20), past the 8
                // of libc's sockaddr_ll.
                let len = usize::from(ll.sll_halen).min(24);
                if len > 0 {
                    let off = std::mem::offset_of!(libc::sockaddr_ll, sll_addr);
                    let bytes = unsafe { std::slice::from_raw_parts(addr.add(off), len) };
                    link.hwaddr = Some(bytes.to_vec());
                }
            }
            libc::AF_INET => {
                let sin =
                    unsafe { std::ptr::read_unaligned(ifa.ifa_addr as *const libc::sockaddr_in) };
                let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
                let prefix = (!ifa.ifa_netmask.is_null()).then(|| {
                    let m = unsafe {
                        std::ptr::read_unaligned(ifa.ifa_netmask as *const libc::sockaddr_in)
                    };
                    prefix_len(&m.sin_addr.s_addr.to_ne_bytes())
                });
                link.addresses.push(with_prefix(ip.to_string(), prefix));
            }
            libc::AF_INET6 => {
                let sin6 =
                    unsafe { std::ptr::read_unaligned(ifa.ifa_addr as *const libc::sockaddr_in6) };
                let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                let prefix = (!ifa.ifa_netmask.is_null()).then(|| {
                    let m = unsafe {
                        std::ptr::read_unaligned(ifa.ifa_netmask as *const libc::sockaddr_in6)
                    };
                    prefix_len(&m.sin6_addr.s6_addr)
                });
                link.addresses.push(with_prefix(ip.to_string(), prefix));
            }
            _ => {}
        }
    }
    Ok(links)
}

fn with_prefix(ip: String, prefix: Option<u32>) -> String {
    match prefix {
        Some(p) => format!("{ip}/{p}"),
        None => ip,
    }
}

/// The answer of a `SIOCGIF*` ioctl about interface `name` (this namespace, no privileges).
fn ioctl_ifreq(name: &str, request: libc::c_ulong) -> Option<libc::ifreq> {
    if name.len() >= libc::IFNAMSIZ {
        return None;
    }
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: a descriptor we just opened and own.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: ifreq is plain data; zero is a valid value (and terminates the name).
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (d, s) in req.ifr_name.iter_mut().zip(name.bytes()) {
        *d = s as libc::c_char;
    }
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), request as _, &mut req) };
    (r == 0).then_some(req)
}

/// The MTU by `SIOCGIFMTU`.
fn ioctl_mtu(name: &str) -> Option<u32> {
    let req = ioctl_ifreq(name, libc::SIOCGIFMTU)?;
    u32::try_from(unsafe { req.ifr_ifru.ifru_mtu }).ok()
}

/// The ARPHRD link type by `SIOCGIFHWADDR` (the family of the hardware address).
fn ioctl_hatype(name: &str) -> Option<u16> {
    let req = ioctl_ifreq(name, libc::SIOCGIFHWADDR)?;
    Some(unsafe { req.ifr_ifru.ifru_hwaddr.sa_family })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_lengths() {
        assert_eq!(prefix_len(&[255, 255, 255, 0]), 24);
        assert_eq!(prefix_len(&[255, 255, 255, 252]), 30);
        assert_eq!(prefix_len(&[0, 0, 0, 0]), 0);
        assert_eq!(prefix_len(&[255; 16]), 128);
        let mut m = [0u8; 16];
        m[..8].fill(255);
        assert_eq!(prefix_len(&m), 64);
    }

    #[test]
    fn names() {
        assert_eq!(type_name(1), "ether");
        assert_eq!(type_name(772), "loopback");
        assert_eq!(type_name(65534), "none");
        assert_eq!(type_name(9999), "9999");
        assert_eq!(colon_hex(&[0, 0x70, 0xab]), "00:70:ab");
        assert_eq!(state_from_flags(0), "down");
        let up_running = (libc::IFF_UP | libc::IFF_RUNNING) as u32;
        assert_eq!(state_from_flags(up_running), "up");
    }
}
