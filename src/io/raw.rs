//! Layer-3 sending: a raw IPv4 or IPv6 socket that takes whole IP packets (header included, as
//! built) and lets the kernel route them. pnet's layer-3 channel is IPv4-only, so this is the
//! small libc wrapper both families share.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A raw socket per family, opened on first use (or up front with [`RawSender::open`]).
#[derive(Default)]
pub struct RawSender {
    v4: Option<OwnedFd>,
    v6: Option<OwnedFd>,
}

impl RawSender {
    /// Opens the sockets for the families given, so a missing privilege shows before anything
    /// is sent (and before privileges could be dropped).
    pub fn open(v4: bool, v6: bool) -> io::Result<RawSender> {
        let mut s = RawSender::default();
        if v4 {
            s.v4 = Some(raw_socket(libc::AF_INET)?);
        }
        if v6 {
            s.v6 = Some(raw_socket(libc::AF_INET6)?);
        }
        Ok(s)
    }

    /// Sends only out of this interface (SO_BINDTODEVICE), whatever the routes say.
    pub fn bind_to(&mut self, iface: &str) -> io::Result<()> {
        for fd in [&self.v4, &self.v6].into_iter().flatten() {
            let r = unsafe {
                libc::setsockopt(
                    fd.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_BINDTODEVICE,
                    iface.as_ptr().cast(),
                    iface.len() as libc::socklen_t,
                )
            };
            if r < 0 {
                return Err(io::Error::other(format!(
                    "sending only on {iface}: {}",
                    io::Error::last_os_error()
                )));
            }
        }
        Ok(())
    }

    /// Sends one IP packet (its first byte says the version) to its destination address.
    pub fn send(&mut self, packet: &[u8]) -> io::Result<()> {
        let dst = destination(packet).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "not an IPv4 or IPv6 packet with a destination address",
            )
        })?;
        let (slot, family) = match dst {
            IpAddr::V4(_) => (&mut self.v4, libc::AF_INET),
            IpAddr::V6(_) => (&mut self.v6, libc::AF_INET6),
        };
        if slot.is_none() {
            *slot = Some(raw_socket(family)?);
        }
        let fd = slot.as_ref().map_or(-1, |f| f.as_raw_fd());
        send_to(fd, packet, dst)
    }
}

/// The destination address of an IP packet (for IPv6 with a routing header, still the header's
/// `dst`: the kernel sends to the first hop).
pub fn destination(packet: &[u8]) -> Option<IpAddr> {
    match packet.first()? >> 4 {
        4 if packet.len() >= 20 => {
            let d: [u8; 4] = packet[16..20].try_into().ok()?;
            Some(IpAddr::V4(Ipv4Addr::from(d)))
        }
        6 if packet.len() >= 40 => {
            let d: [u8; 16] = packet[24..40].try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(d)))
        }
        _ => None,
    }
}

fn raw_socket(family: libc::c_int) -> io::Result<OwnedFd> {
    // IPPROTO_RAW: the packet carries its own header (IP_HDRINCL / IPV6_HDRINCL implied).
    let fd = unsafe {
        libc::socket(
            family,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::IPPROTO_RAW,
        )
    };
    if fd < 0 {
        return Err(super::or_privilege(
            io::Error::last_os_error(),
            "sending raw IP packets",
        ));
    }
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    if family == libc::AF_INET6 {
        let one: libc::c_int = 1;
        // Linux takes the whole IPv6 header from the packet with IPV6_HDRINCL (36).
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::IPPROTO_IPV6,
                36,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
    }
    Ok(fd)
}

fn send_to(fd: libc::c_int, packet: &[u8], dst: IpAddr) -> io::Result<()> {
    let addr: super::sock::Addr = match dst {
        IpAddr::V4(a) => SocketAddr::V4(SocketAddrV4::new(a, 0)),
        IpAddr::V6(a) => SocketAddr::V6(SocketAddrV6::new(a, 0, 0, 0)),
    }
    .into();
    let n = unsafe {
        libc::sendto(
            fd,
            packet.as_ptr().cast(),
            packet.len(),
            0,
            addr.as_ptr(),
            addr.size(),
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_of_ip_packets() {
        let v4 = crate::build::build(&crate::craft::compile("IP(dst=\"192.0.2.7\")").unwrap()[0]);
        assert_eq!(destination(&v4), Some("192.0.2.7".parse().unwrap()));
        let v6 =
            crate::build::build(&crate::craft::compile("IPv6(dst=\"2001:db8::9\")").unwrap()[0]);
        assert_eq!(destination(&v6), Some("2001:db8::9".parse().unwrap()));
        assert_eq!(destination(&[0x45, 0]), None);
        assert_eq!(destination(&[]), None);
    }
}
