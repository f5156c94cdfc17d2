//! Ping without privileges: the kernel's ICMP datagram sockets (`SOCK_DGRAM`, `IPPROTO_ICMP`),
//! which any user in `net.ipv4.ping_group_range` may open, as iputils does. The kernel picks the
//! echo identifier (the socket's "port"), echoes come back on the socket, and ICMP errors about
//! our requests arrive on its error queue (`IP_RECVERR`) with the offending router's address.
//! The [`Network`] still speaks whole IP packets: headers are rebuilt around what the socket
//! gives, and errors are rebuilt as the ICMP error a capture would have seen (quoting our
//! request), so the ping engine reads them the same way.

use crate::checksum;
use crate::engine::{Network, Received};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub struct DgramNetwork {
    fd: OwnedFd,
    v6: bool,
    dst: IpAddr,
    local: IpAddr,
    /// The echo identifier the kernel gave the socket.
    pub id: u16,
    pub cancel: Option<Arc<AtomicBool>>,
}

fn set(fd: &OwnedFd, level: libc::c_int, name: libc::c_int, v: libc::c_int) {
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            &v as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

fn sockaddr(a: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    let mut st: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match a {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            unsafe { std::ptr::write((&mut st as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let mut sin6: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = a.port().to_be();
            sin6.sin6_addr.s6_addr = a.ip().octets();
            unsafe { std::ptr::write((&mut st as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (st, len as libc::socklen_t)
}

fn addr_of(st: &libc::sockaddr_storage) -> Option<IpAddr> {
    match i32::from(st.ss_family) {
        libc::AF_INET => {
            let sin: libc::sockaddr_in =
                unsafe { std::ptr::read_unaligned((st as *const libc::sockaddr_storage).cast()) };
            Some(IpAddr::V4(Ipv4Addr::from(
                sin.sin_addr.s_addr.to_ne_bytes(),
            )))
        }
        libc::AF_INET6 => {
            let sin6: libc::sockaddr_in6 =
                unsafe { std::ptr::read_unaligned((st as *const libc::sockaddr_storage).cast()) };
            Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
        }
        _ => None,
    }
}

impl DgramNetwork {
    /// An ICMP datagram socket for echoes to `dst` from `src`, with this TTL (hop limit).
    pub fn open(dst: IpAddr, src: IpAddr, ttl: u8) -> io::Result<DgramNetwork> {
        let v6 = dst.is_ipv6();
        let (family, proto) = if v6 {
            (libc::AF_INET6, libc::IPPROTO_ICMPV6)
        } else {
            (libc::AF_INET, libc::IPPROTO_ICMP)
        };
        let fd = unsafe {
            libc::socket(
                family,
                libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                proto,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let (st, len) = sockaddr(SocketAddr::new(src, 0));
        if unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&st as *const libc::sockaddr_storage).cast(),
                len,
            )
        } < 0
        {
            return Err(io::Error::last_os_error());
        }
        let mut st: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        unsafe {
            libc::getsockname(
                fd.as_raw_fd(),
                (&mut st as *mut libc::sockaddr_storage).cast(),
                &mut len,
            )
        };
        // The "port" of an ICMP socket is its echo identifier.
        let id = match i32::from(st.ss_family) {
            libc::AF_INET6 => {
                let s: libc::sockaddr_in6 = unsafe {
                    std::ptr::read_unaligned((&st as *const libc::sockaddr_storage).cast())
                };
                u16::from_be(s.sin6_port)
            }
            _ => {
                let s: libc::sockaddr_in = unsafe {
                    std::ptr::read_unaligned((&st as *const libc::sockaddr_storage).cast())
                };
                u16::from_be(s.sin_port)
            }
        };
        set(&fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1);
        if v6 {
            set(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVERR, 1);
            set(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT, 1);
            set(
                &fd,
                libc::IPPROTO_IPV6,
                libc::IPV6_UNICAST_HOPS,
                i32::from(ttl),
            );
        } else {
            set(&fd, libc::IPPROTO_IP, libc::IP_RECVERR, 1);
            set(&fd, libc::IPPROTO_IP, libc::IP_RECVTTL, 1);
            set(&fd, libc::IPPROTO_IP, libc::IP_TTL, i32::from(ttl));
        }
        Ok(DgramNetwork {
            fd,
            v6,
            dst,
            local: src,
            id,
            cancel: None,
        })
    }

    /// One message from the socket or (`errors`) its error queue, as a whole IP packet.
    fn recv(&self, errors: bool) -> io::Result<Option<Received>> {
        let mut buf = vec![0u8; 65536];
        let mut name: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut control = [0u8; 512];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_name = (&mut name as *mut libc::sockaddr_storage).cast();
        msg.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = control.len();
        let flags = libc::MSG_DONTWAIT | if errors { libc::MSG_ERRQUEUE } else { 0 };
        let n = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, flags) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(None),
                // An ICMP error about an earlier request is also reported as the socket's
                // error; its details are on the error queue, read next.
                Some(c) if !errors && icmp_errno(c) => Ok(None),
                _ => Err(e),
            };
        }
        buf.truncate(n as usize);
        let mut time = None;
        let mut ttl = 64u8;
        let mut err: Option<(u8, u8, Option<IpAddr>)> = None;
        // SAFETY: walking the control messages the kernel wrote into `control`.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                let data = libc::CMSG_DATA(c);
                match ((*c).cmsg_level, (*c).cmsg_type) {
                    (libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS) => {
                        let ts: libc::timespec = std::ptr::read_unaligned(data.cast());
                        time = Some(Duration::new(
                            ts.tv_sec.max(0) as u64,
                            ts.tv_nsec.max(0) as u32,
                        ));
                    }
                    (libc::IPPROTO_IP, libc::IP_TTL)
                    | (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT) => {
                        let h: libc::c_int = std::ptr::read_unaligned(data.cast());
                        ttl = h.clamp(0, 255) as u8;
                    }
                    (libc::IPPROTO_IP, libc::IP_RECVERR)
                    | (libc::IPPROTO_IPV6, libc::IPV6_RECVERR) => {
                        let ee: libc::sock_extended_err = std::ptr::read_unaligned(data.cast());
                        // SO_EE_OFFENDER: the address right after the struct.
                        let off = data.add(std::mem::size_of::<libc::sock_extended_err>());
                        let st: libc::sockaddr_storage = std::ptr::read_unaligned(off.cast());
                        let icmp = ee.ee_origin == libc::SO_EE_ORIGIN_ICMP
                            || ee.ee_origin == libc::SO_EE_ORIGIN_ICMP6;
                        if icmp {
                            err = Some((ee.ee_type, ee.ee_code, addr_of(&st)));
                        }
                    }
                    _ => {}
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        let time = time.unwrap_or_else(super::now);
        if errors {
            // Our request, quoted in the ICMP error the offender sent.
            let Some((kind, code, Some(from))) = err else {
                return Ok(None);
            };
            let request = self.ip(self.local, self.dst, 64, &buf);
            let mut icmp = vec![kind, code, 0, 0, 0, 0, 0, 0];
            icmp.extend_from_slice(&request);
            return Ok(Some(Received::new(
                time,
                self.ip(from, self.local, ttl, &icmp),
            )));
        }
        let from = addr_of(&name).unwrap_or(self.dst);
        Ok(Some(Received::new(
            time,
            self.ip(from, self.local, ttl, &buf),
        )))
    }

    /// An IP (IPv6) packet carrying this ICMP (ICMPv6) message, checksums right.
    fn ip(&self, src: IpAddr, dst: IpAddr, ttl: u8, icmp: &[u8]) -> Vec<u8> {
        let mut icmp = icmp.to_vec();
        match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                if icmp.len() >= 4 {
                    icmp[2..4].fill(0);
                    let c = checksum::finish(checksum::sum(&icmp, 0));
                    icmp[2..4].copy_from_slice(&c.to_be_bytes());
                }
                let mut h = vec![0x45, 0, 0, 0, 0, 0, 0, 0, ttl, 1, 0, 0];
                h[2..4].copy_from_slice(&((20 + icmp.len()).min(65535) as u16).to_be_bytes());
                h.extend_from_slice(&s.octets());
                h.extend_from_slice(&d.octets());
                let c = checksum::finish(checksum::sum(&h, 0));
                h[10..12].copy_from_slice(&c.to_be_bytes());
                h.extend_from_slice(&icmp);
                h
            }
            (s, d) => {
                let (s6, d6) = (v6_of(s), v6_of(d));
                if icmp.len() >= 4 {
                    icmp[2..4].fill(0);
                    let seed = checksum::pseudo6(&s6.octets(), &d6.octets(), 58, icmp.len());
                    let c = checksum::finish(checksum::sum(&icmp, seed));
                    icmp[2..4].copy_from_slice(&c.to_be_bytes());
                }
                let mut h = vec![0x60, 0, 0, 0];
                h.extend_from_slice(&(icmp.len().min(65535) as u16).to_be_bytes());
                h.push(58);
                h.push(ttl);
                h.extend_from_slice(&s6.octets());
                h.extend_from_slice(&d6.octets());
                h.extend_from_slice(&icmp);
                h
            }
        }
    }
}

/// The errors the kernel maps ICMP errors to (the details are on the error queue).
fn icmp_errno(c: i32) -> bool {
    matches!(
        c,
        libc::EHOSTUNREACH
            | libc::ENETUNREACH
            | libc::ECONNREFUSED
            | libc::EHOSTDOWN
            | libc::EPROTO
            | libc::EMSGSIZE
            | libc::EACCES
            | libc::ENOPROTOOPT
    )
}

fn v6_of(a: IpAddr) -> Ipv6Addr {
    match a {
        IpAddr::V6(a) => a,
        IpAddr::V4(a) => a.to_ipv6_mapped(),
    }
}

impl Network for DgramNetwork {
    fn linktype(&self) -> u32 {
        101
    }
    /// Sends the ICMP part of an IP packet; the kernel writes the identifier and checksum.
    fn send(&mut self, frame: &[u8]) -> io::Result<Duration> {
        let hdr = if self.v6 {
            40
        } else {
            usize::from(frame.first().map_or(5, |b| b & 0x0f)) * 4
        };
        let icmp = frame.get(hdr..).unwrap_or(&[]);
        let to = match self.dst {
            IpAddr::V4(a) => SocketAddr::V4(SocketAddrV4::new(a, 0)),
            IpAddr::V6(a) => SocketAddr::V6(SocketAddrV6::new(a, 0, 0, 0)),
        };
        let (st, len) = sockaddr(to);
        let t = super::now();
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                icmp.as_ptr().cast(),
                icmp.len(),
                0,
                (&st as *const libc::sockaddr_storage).cast(),
                len,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            // An error about an earlier probe (unreachable, say) is reported on the next send:
            // it is on the error queue for recv to read.
            if !e.raw_os_error().is_some_and(icmp_errno) {
                return Err(e);
            }
        }
        Ok(t)
    }
    fn recv(&mut self, deadline: Duration) -> io::Result<Option<Received>> {
        loop {
            if let Some(r) = DgramNetwork::recv(self, false)? {
                return Ok(Some(r));
            }
            if let Some(r) = DgramNetwork::recv(self, true)? {
                return Ok(Some(r));
            }
            let now = super::now();
            if now >= deadline
                || self
                    .cancel
                    .as_ref()
                    .is_some_and(|c| c.load(Ordering::Relaxed))
            {
                return Ok(None);
            }
            let mut pfd = libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events: libc::POLLIN | libc::POLLERR,
                revents: 0,
            };
            let ms = (deadline - now)
                .min(Duration::from_millis(100))
                .as_millis()
                .max(1) as libc::c_int;
            unsafe { libc::poll(&mut pfd, 1, ms) };
        }
    }
}
