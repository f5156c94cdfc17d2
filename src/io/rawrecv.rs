//! Replies through raw IP sockets instead of a capture: ICMP (or ICMPv6), and TCP when TCP
//! probes need their SYN-ACKs and RSTs, each packet stamped by the kernel (`SO_TIMESTAMPNS`).
//! Opening and closing one costs microseconds, where a packet socket with its ring costs tens
//! of milliseconds (an RCU grace period each way) — what a traceroute's start-up is made of.
//!
//! IPv4 raw sockets hand over whole packets; IPv6 ones only what follows the header, so the
//! header is rebuilt from the sender's address, the hop limit and the destination the kernel
//! reports. Either way the [`Network`] yields raw IP packets (LINKTYPE_RAW).

use super::raw::RawSender;
use super::sock::{poll_fds, recv_msg, recv_until, set_int};
use crate::engine::{Network, Received};
use std::io;
use std::net::{IpAddr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

struct Sock {
    fd: OwnedFd,
    v6: bool,
    proto: u8,
}

/// Raw receiving sockets for one family.
pub struct RawReceiver {
    socks: Vec<Sock>,
    /// Where each packet is received (and copied out of).
    buf: Vec<u8>,
}

impl RawReceiver {
    /// ICMP (ICMPv6) sockets, and TCP ones when `tcp`.
    pub fn open(v6: bool, tcp: bool) -> io::Result<RawReceiver> {
        let family = if v6 { libc::AF_INET6 } else { libc::AF_INET };
        let icmp = if v6 {
            libc::IPPROTO_ICMPV6
        } else {
            libc::IPPROTO_ICMP
        };
        let mut protos = vec![icmp];
        if tcp {
            protos.push(libc::IPPROTO_TCP);
        }
        let mut socks = Vec::new();
        for p in protos {
            let fd = unsafe {
                libc::socket(
                    family,
                    libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                    p,
                )
            };
            if fd < 0 {
                return Err(super::or_privilege(
                    io::Error::last_os_error(),
                    "receiving ICMP and TCP replies",
                ));
            }
            let fd = unsafe { OwnedFd::from_raw_fd(fd) };
            set_int(&fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1);
            set_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUF, 4 << 20);
            if v6 {
                set_int(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT, 1);
                set_int(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO, 1);
            }
            socks.push(Sock {
                fd,
                v6,
                proto: p as u8,
            });
        }
        Ok(RawReceiver {
            socks,
            buf: Vec::with_capacity(65536),
        })
    }

    /// A packet ready on any socket, without waiting.
    pub fn try_recv(&mut self) -> io::Result<Option<Received>> {
        for s in &self.socks {
            if let Some(r) = recv_one(s, &mut self.buf)? {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    /// Waits up to `wait` for any socket to be readable.
    pub fn wait(&self, wait: Duration) {
        let fds: Vec<_> = self.socks.iter().map(|s| s.fd.as_raw_fd()).collect();
        poll_fds(&fds, libc::POLLIN, wait);
    }
}

fn recv_one(s: &Sock, buf: &mut Vec<u8>) -> io::Result<Option<Received>> {
    let Some(m) = recv_msg(&s.fd, buf, 0)? else {
        return Ok(None);
    };
    let data = &buf[..m.len];
    let time = m.time.unwrap_or_else(super::now);
    let data = match (s.v6, m.from) {
        (true, Some(IpAddr::V6(src))) => {
            let dst = m.dst6.unwrap_or(Ipv6Addr::UNSPECIFIED);
            let mut p = Vec::with_capacity(40 + data.len());
            p.extend_from_slice(&[0x60, 0, 0, 0]);
            p.extend_from_slice(&(data.len().min(65535) as u16).to_be_bytes());
            p.push(s.proto);
            p.push(m.hops.unwrap_or(64));
            p.extend_from_slice(&src.octets());
            p.extend_from_slice(&dst.octets());
            p.extend_from_slice(data);
            p
        }
        _ => data.to_vec(),
    };
    Ok(Some(Received::new(time, data)))
}

/// The engine's network over raw sockets only: a raw sender and raw receivers.
pub struct RawNetwork {
    pub sender: RawSender,
    pub receiver: RawReceiver,
    pub cancel: Option<Arc<AtomicBool>>,
}

impl RawNetwork {
    /// Sockets for probes to `dst` (TCP replies too when `tcp`).
    pub fn open(dst: IpAddr, tcp: bool) -> io::Result<RawNetwork> {
        let v6 = dst.is_ipv6();
        Ok(RawNetwork {
            sender: RawSender::open(!v6, v6)?,
            receiver: RawReceiver::open(v6, tcp)?,
            cancel: None,
        })
    }
}

impl Network for RawNetwork {
    fn linktype(&self) -> u32 {
        101
    }
    fn send(&mut self, frame: &[u8]) -> io::Result<Duration> {
        let t = super::now();
        self.sender.send(frame)?;
        Ok(t)
    }
    fn recv(&mut self, deadline: Duration) -> io::Result<Option<Received>> {
        let cancel = self.cancel.clone();
        recv_until(
            &mut self.receiver,
            deadline,
            || cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)),
            |r| r.try_recv(),
            |r, wait| r.wait(wait),
        )
    }
}
