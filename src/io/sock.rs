//! What the socket modules share: integer socket options, socket addresses to and from libc's
//! form, and `recvmsg` with the control messages pkt reads (kernel time stamp, TTL or hop limit,
//! IPv6 destination, and an ICMP error from the error queue), and the wait for a packet every
//! network does (`poll_fds`, `recv_until`).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// Sets an integer socket option; whether the kernel took it.
pub fn set_int(fd: &OwnedFd, level: libc::c_int, name: libc::c_int, v: libc::c_int) -> bool {
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            &v as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        ) == 0
    }
}

/// A `SocketAddr` as libc's `sockaddr_in`/`sockaddr_in6`.
pub struct Addr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

impl Addr {
    pub fn as_ptr(&self) -> *const libc::sockaddr {
        (&self.storage as *const libc::sockaddr_storage).cast()
    }
    pub fn size(&self) -> libc::socklen_t {
        self.len
    }
}

impl From<SocketAddr> for Addr {
    fn from(a: SocketAddr) -> Addr {
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let len = match a {
            SocketAddr::V4(v4) => {
                let sin = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: v4.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(v4.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                unsafe {
                    std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin)
                };
                std::mem::size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(v6) => {
                let sin6 = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: v6.port().to_be(),
                    sin6_flowinfo: 0,
                    sin6_addr: libc::in6_addr {
                        s6_addr: v6.ip().octets(),
                    },
                    sin6_scope_id: v6.scope_id(),
                };
                unsafe {
                    std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6)
                };
                std::mem::size_of::<libc::sockaddr_in6>()
            }
        };
        Addr {
            storage,
            len: len as libc::socklen_t,
        }
    }
}

/// The address and port in libc's `sockaddr_storage`, when it is IPv4 or IPv6.
pub fn socket_addr(st: &libc::sockaddr_storage) -> Option<SocketAddr> {
    let p = (st as *const libc::sockaddr_storage).cast::<u8>();
    match i32::from(st.ss_family) {
        libc::AF_INET => {
            // SAFETY: an AF_INET address is a sockaddr_in.
            let sin: libc::sockaddr_in = unsafe { std::ptr::read_unaligned(p.cast()) };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Some(SocketAddr::new(IpAddr::V4(ip), u16::from_be(sin.sin_port)))
        }
        libc::AF_INET6 => {
            // SAFETY: an AF_INET6 address is a sockaddr_in6.
            let sin6: libc::sockaddr_in6 = unsafe { std::ptr::read_unaligned(p.cast()) };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Some(SocketAddr::new(
                IpAddr::V6(ip),
                u16::from_be(sin6.sin6_port),
            ))
        }
        _ => None,
    }
}

/// The local address of a socket.
pub fn local_addr(fd: &OwnedFd) -> Option<SocketAddr> {
    let mut st: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let r = unsafe {
        libc::getsockname(
            fd.as_raw_fd(),
            (&mut st as *mut libc::sockaddr_storage).cast(),
            &mut len,
        )
    };
    if r < 0 { None } else { socket_addr(&st) }
}

/// One message and what its control messages said.
#[derive(Debug, Default)]
pub struct Msg {
    /// Bytes of the message in the buffer.
    pub len: usize,
    pub from: Option<IpAddr>,
    /// The kernel's receive stamp (`SO_TIMESTAMPNS`).
    pub time: Option<Duration>,
    /// The TTL (`IP_RECVTTL`) or hop limit (`IPV6_RECVHOPLIMIT`).
    pub hops: Option<u8>,
    /// The IPv6 destination (`IPV6_RECVPKTINFO`).
    pub dst6: Option<Ipv6Addr>,
    /// From the error queue (`IP_RECVERR`): ICMP type, code and the router that sent it.
    pub icmp_error: Option<(u8, u8, Option<IpAddr>)>,
}

/// `recvmsg` into `buf`'s capacity without waiting (`buf` then holds the message); `None` when
/// nothing is there. Other failures are the socket's errors, returned as they are. The buffer is
/// never zeroed: a 64 KiB one costs only the pages messages reach.
pub fn recv_msg(fd: &OwnedFd, buf: &mut Vec<u8>, flags: libc::c_int) -> io::Result<Option<Msg>> {
    let mut name: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut control = [0u8; 512];
    buf.clear();
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.capacity(),
    };
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&mut name as *mut libc::sockaddr_storage).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = control.len();
    let n = unsafe { libc::recvmsg(fd.as_raw_fd(), &mut msg, flags | libc::MSG_DONTWAIT) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EINTR) => Ok(None),
            _ => Err(e),
        };
    }
    // SAFETY: the kernel wrote `n` (at most the capacity) bytes at the start of the buffer.
    unsafe { buf.set_len(n as usize) };
    let mut m = Msg {
        len: n as usize,
        from: socket_addr(&name).map(|a| a.ip()),
        ..Msg::default()
    };
    // SAFETY: walking the control messages the kernel wrote into `control`.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            let data = libc::CMSG_DATA(c);
            match ((*c).cmsg_level, (*c).cmsg_type) {
                (libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS) => {
                    let ts: libc::timespec = std::ptr::read_unaligned(data.cast());
                    m.time = Some(Duration::new(
                        ts.tv_sec.max(0) as u64,
                        ts.tv_nsec.max(0) as u32,
                    ));
                }
                (libc::IPPROTO_IP, libc::IP_TTL) | (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT) => {
                    let h: libc::c_int = std::ptr::read_unaligned(data.cast());
                    m.hops = Some(h.clamp(0, 255) as u8);
                }
                (libc::IPPROTO_IPV6, libc::IPV6_PKTINFO) => {
                    let info: libc::in6_pktinfo = std::ptr::read_unaligned(data.cast());
                    m.dst6 = Some(Ipv6Addr::from(info.ipi6_addr.s6_addr));
                }
                (libc::IPPROTO_IP, libc::IP_RECVERR) | (libc::IPPROTO_IPV6, libc::IPV6_RECVERR) => {
                    let ee: libc::sock_extended_err = std::ptr::read_unaligned(data.cast());
                    // SO_EE_OFFENDER: the address right after the struct.
                    let off = data.add(std::mem::size_of::<libc::sock_extended_err>());
                    let st: libc::sockaddr_storage = std::ptr::read_unaligned(off.cast());
                    if ee.ee_origin == libc::SO_EE_ORIGIN_ICMP
                        || ee.ee_origin == libc::SO_EE_ORIGIN_ICMP6
                    {
                        m.icmp_error =
                            Some((ee.ee_type, ee.ee_code, socket_addr(&st).map(|a| a.ip())));
                    }
                }
                _ => {}
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    Ok(Some(m))
}

/// Waits up to `wait` (at least 1 ms) for any of `fds` to have one of `events`; a signal ends
/// the wait early.
pub fn poll_fds(fds: &[RawFd], events: libc::c_short, wait: Duration) {
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events,
            revents: 0,
        })
        .collect();
    let ms = wait.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
    unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, ms) };
}

/// The receive loop of every network: what `take` finds ready, else `wait` on `s` for more,
/// until `deadline` (the wall clock, since the epoch) or until `stop` says so, checked at least
/// every 100 ms.
pub fn recv_until<S, T>(
    s: &mut S,
    deadline: Duration,
    stop: impl Fn() -> bool,
    mut take: impl FnMut(&mut S) -> io::Result<Option<T>>,
    wait: impl Fn(&S, Duration),
) -> io::Result<Option<T>> {
    loop {
        if let Some(t) = take(s)? {
            return Ok(Some(t));
        }
        let now = super::now();
        if now >= deadline || stop() {
            return Ok(None);
        }
        wait(s, (deadline - now).min(Duration::from_millis(100)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_through_libc_form() {
        for a in ["192.0.2.7:33434", "[2001:db8::9]:80"] {
            let a: SocketAddr = a.parse().unwrap();
            let st = Addr::from(a).storage;
            assert_eq!(socket_addr(&st), Some(a));
        }
    }
}
