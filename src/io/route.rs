//! Which interface and source address the kernel uses to reach a destination: asked of the
//! kernel itself (a connected UDP socket's local address, no packet sent), then matched to the
//! interface that holds that address.

use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The outgoing interface's name.
    pub iface: String,
    /// The source address the kernel picks.
    pub src: IpAddr,
}

/// The route to `dst`.
pub fn route_to(dst: IpAddr) -> io::Result<Route> {
    let src = source_for(dst)?;
    let iface = iface_with(src)?.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("no interface holds {src}, the source address for {dst}"),
        )
    })?;
    Ok(Route { iface, src })
}

/// The source address the kernel picks for `dst` (a connected UDP socket; nothing is sent).
/// Cheaper than [`route_to`], which also lists the interfaces to name the one holding it.
pub fn source_for(dst: IpAddr) -> io::Result<IpAddr> {
    let bind: SocketAddr = match dst {
        IpAddr::V4(_) => "0.0.0.0:0".parse().expect("address"),
        IpAddr::V6(_) => "[::]:0".parse().expect("address"),
    };
    let s = UdpSocket::bind(bind)?;
    s.connect(SocketAddr::new(dst, 9))
        .map_err(|e| io::Error::new(e.kind(), format!("no route to {dst}: {e}")))?;
    Ok(s.local_addr()?.ip())
}

/// Every interface address, as (interface, address, loopback), from `getifaddrs` (libpcap's
/// device list would open and close a packet socket per interface).
pub fn addresses() -> io::Result<Vec<(String, IpAddr, bool)>> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut out = Vec::new();
    let mut p = head;
    // SAFETY: walking the list getifaddrs made, freed below.
    unsafe {
        while !p.is_null() {
            let ifa = &*p;
            p = ifa.ifa_next;
            if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
                continue;
            }
            let a = match i32::from((*ifa.ifa_addr).sa_family) {
                libc::AF_INET => {
                    let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                    IpAddr::from(sin.sin_addr.s_addr.to_ne_bytes())
                }
                libc::AF_INET6 => {
                    let sin6 = &*(ifa.ifa_addr as *const libc::sockaddr_in6);
                    IpAddr::from(sin6.sin6_addr.s6_addr)
                }
                _ => continue,
            };
            let name = std::ffi::CStr::from_ptr(ifa.ifa_name)
                .to_string_lossy()
                .into_owned();
            out.push((name, a, ifa.ifa_flags & libc::IFF_LOOPBACK as u32 != 0));
        }
        libc::freeifaddrs(head);
    }
    Ok(out)
}

/// The interface that holds this address (loopback addresses: the loopback interface).
pub fn iface_with(addr: IpAddr) -> io::Result<Option<String>> {
    let all = addresses()?;
    let found = all.iter().find(|(_, a, _)| *a == addr).or_else(|| {
        addr.is_loopback()
            .then(|| all.iter().find(|(_, _, lo)| *lo))
            .flatten()
    });
    Ok(found.map(|(n, _, _)| n.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_routes_over_the_loopback_interface() {
        let r = match route_to("127.0.0.1".parse().unwrap()) {
            Ok(r) => r,
            Err(e) => return eprintln!("skipped: no loopback route here: {e}"),
        };
        assert_eq!(r.src, "127.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(r.iface, "lo");
    }
}
