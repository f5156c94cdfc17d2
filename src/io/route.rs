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
    let bind: SocketAddr = match dst {
        IpAddr::V4(_) => "0.0.0.0:0".parse().expect("address"),
        IpAddr::V6(_) => "[::]:0".parse().expect("address"),
    };
    let s = UdpSocket::bind(bind)?;
    s.connect(SocketAddr::new(dst, 9))
        .map_err(|e| io::Error::new(e.kind(), format!("no route to {dst}: {e}")))?;
    let src = s.local_addr()?.ip();
    let iface = iface_with(src)?.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("no interface holds {src}, the source address for {dst}"),
        )
    })?;
    Ok(Route { iface, src })
}

/// The interface that holds this address (loopback addresses: the loopback interface).
pub fn iface_with(addr: IpAddr) -> io::Result<Option<String>> {
    let devices = pcap::Device::list().map_err(|e| io::Error::other(e.to_string()))?;
    let found = devices
        .iter()
        .find(|d| d.addresses.iter().any(|a| a.addr == addr))
        .or_else(|| {
            addr.is_loopback()
                .then(|| devices.iter().find(|d| d.flags.is_loopback()))
                .flatten()
        });
    Ok(found.map(|d| d.name.clone()))
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
