//! Ping without privileges: the kernel's ICMP datagram sockets (`SOCK_DGRAM`, `IPPROTO_ICMP`),
//! which any user in `net.ipv4.ping_group_range` may open, as iputils does. The kernel picks the
//! echo identifier (the socket's "port"), echoes come back on the socket, and ICMP errors about
//! our requests arrive on its error queue (`IP_RECVERR`) with the offending router's address.
//! The [`Network`] still speaks whole IP packets: headers are rebuilt around what the socket
//! gives, and errors are rebuilt as the ICMP error a capture would have seen (quoting our
//! request), so the ping engine reads them the same way.

use super::sock::{Addr, local_addr, poll_fds, recv_msg, recv_until, set_int};
use crate::checksum;
use crate::engine::{Network, Received};
use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
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
    /// Where each message is received.
    buf: Vec<u8>,
    pub cancel: Option<Arc<AtomicBool>>,
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
        let local = Addr::from(SocketAddr::new(src, 0));
        if unsafe { libc::bind(fd.as_raw_fd(), local.as_ptr(), local.size()) } < 0 {
            return Err(io::Error::last_os_error());
        }
        // The "port" of an ICMP socket is its echo identifier.
        let id = local_addr(&fd).map_or(0, |a| a.port());
        set_int(&fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1);
        if v6 {
            set_int(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVERR, 1);
            set_int(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT, 1);
            set_int(
                &fd,
                libc::IPPROTO_IPV6,
                libc::IPV6_UNICAST_HOPS,
                i32::from(ttl),
            );
        } else {
            set_int(&fd, libc::IPPROTO_IP, libc::IP_RECVERR, 1);
            set_int(&fd, libc::IPPROTO_IP, libc::IP_RECVTTL, 1);
            set_int(&fd, libc::IPPROTO_IP, libc::IP_TTL, i32::from(ttl));
        }
        Ok(DgramNetwork {
            fd,
            v6,
            dst,
            local: src,
            id,
            buf: Vec::with_capacity(65536),
            cancel: None,
        })
    }

    /// One message from the socket or (`errors`) its error queue, as a whole IP packet.
    fn take(&mut self, errors: bool) -> io::Result<Option<Received>> {
        let flags = if errors { libc::MSG_ERRQUEUE } else { 0 };
        let m = match recv_msg(&self.fd, &mut self.buf, flags) {
            Ok(Some(m)) => m,
            Ok(None) => return Ok(None),
            // An ICMP error about an earlier request is also reported as the socket's error;
            // its details are on the error queue, read next.
            Err(e) if !errors && e.raw_os_error().is_some_and(icmp_errno) => return Ok(None),
            Err(e) => return Err(e),
        };
        let data = &self.buf[..m.len];
        let time = m.time.unwrap_or_else(super::now);
        let ttl = m.hops.unwrap_or(64);
        if errors {
            // Our request, quoted in the ICMP error the offender sent.
            let Some((kind, code, Some(from))) = m.icmp_error else {
                return Ok(None);
            };
            let request = self.ip(self.local, self.dst, 64, data);
            let mut icmp = vec![kind, code, 0, 0, 0, 0, 0, 0];
            icmp.extend_from_slice(&request);
            return Ok(Some(Received::new(
                time,
                self.ip(from, self.local, ttl, &icmp),
            )));
        }
        let from = m.from.unwrap_or(self.dst);
        Ok(Some(Received::new(
            time,
            self.ip(from, self.local, ttl, data),
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
        let to = Addr::from(to);
        let t = super::now();
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                icmp.as_ptr().cast(),
                icmp.len(),
                0,
                to.as_ptr(),
                to.size(),
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
        let cancel = self.cancel.clone();
        recv_until(
            self,
            deadline,
            || cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)),
            // Replies, then ICMP errors from the error queue.
            |s| match s.take(false)? {
                Some(r) => Ok(Some(r)),
                None => s.take(true),
            },
            |s, wait| poll_fds(&[s.fd.as_raw_fd()], libc::POLLIN | libc::POLLERR, wait),
        )
    }
}
