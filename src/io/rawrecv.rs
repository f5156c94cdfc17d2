//! Replies through raw IP sockets instead of a capture: ICMP (or ICMPv6), and TCP when TCP
//! probes need their SYN-ACKs and RSTs, each packet stamped by the kernel (`SO_TIMESTAMPNS`).
//! Opening and closing one costs microseconds, where a packet socket with its ring costs tens
//! of milliseconds (an RCU grace period each way) — what a traceroute's start-up is made of.
//!
//! IPv4 raw sockets hand over whole packets; IPv6 ones only what follows the header, so the
//! header is rebuilt from the sender's address, the hop limit and the destination the kernel
//! reports. Either way the [`Network`] yields raw IP packets (LINKTYPE_RAW).

use super::raw::RawSender;
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
}

fn on(fd: &OwnedFd, level: libc::c_int, name: libc::c_int) {
    let one: libc::c_int = 1;
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            &one as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
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
            on(&fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS);
            let big: libc::c_int = 4 << 20;
            unsafe {
                libc::setsockopt(
                    fd.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_RCVBUF,
                    &big as *const libc::c_int as *const libc::c_void,
                    4,
                );
            }
            if v6 {
                on(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT);
                on(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO);
            }
            socks.push(Sock {
                fd,
                v6,
                proto: p as u8,
            });
        }
        Ok(RawReceiver { socks })
    }

    /// A packet ready on any socket, without waiting.
    pub fn try_recv(&self) -> io::Result<Option<Received>> {
        for s in &self.socks {
            if let Some(r) = recv_one(s)? {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    /// Waits up to `wait` for any socket to be readable.
    pub fn wait(&self, wait: Duration) {
        let mut fds: Vec<libc::pollfd> = self
            .socks
            .iter()
            .map(|s| libc::pollfd {
                fd: s.fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        let ms = wait.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
        unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    }
}

fn recv_one(s: &Sock) -> io::Result<Option<Received>> {
    let mut buf = vec![0u8; 65536];
    let mut name: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut control = [0u8; 256];
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
    let n = unsafe { libc::recvmsg(s.fd.as_raw_fd(), &mut msg, libc::MSG_DONTWAIT) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(None),
            _ => Err(e),
        };
    }
    buf.truncate(n as usize);
    let mut time = None;
    let mut hlim = 64u8;
    let mut dst = Ipv6Addr::UNSPECIFIED;
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
                (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT) => {
                    let h: libc::c_int = std::ptr::read_unaligned(data.cast());
                    hlim = h.clamp(0, 255) as u8;
                }
                (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO) => {
                    let info: libc::in6_pktinfo = std::ptr::read_unaligned(data.cast());
                    dst = Ipv6Addr::from(info.ipi6_addr.s6_addr);
                }
                _ => {}
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    let time = time.unwrap_or_else(super::now);
    let data = if s.v6 {
        // SAFETY: an AF_INET6 socket's sender is a sockaddr_in6.
        let sin6: libc::sockaddr_in6 =
            unsafe { std::ptr::read_unaligned((&name as *const libc::sockaddr_storage).cast()) };
        let src = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
        let mut p = Vec::with_capacity(40 + buf.len());
        p.extend_from_slice(&[0x60, 0, 0, 0]);
        p.extend_from_slice(&(buf.len().min(65535) as u16).to_be_bytes());
        p.push(s.proto);
        p.push(hlim);
        p.extend_from_slice(&src.octets());
        p.extend_from_slice(&dst.octets());
        p.extend_from_slice(&buf);
        p
    } else {
        buf
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
        loop {
            if let Some(r) = self.receiver.try_recv()? {
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
            self.receiver
                .wait((deadline - now).min(Duration::from_millis(100)));
        }
    }
}
