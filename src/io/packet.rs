//! Layer-2 sending at speed: an `AF_PACKET` socket bound to one interface that only sends
//! (protocol 0: the kernel hands it no copies of traffic, unlike a capture's socket), skips the
//! interface's queueing discipline (`PACKET_QDISC_BYPASS`, as tcpreplay and pktgen-style tools
//! do) and hands frames to the kernel in batches with `sendmmsg(2)`: one system call per batch.
//! Used by `send --flood` and `replay`; the engines keep libpcap injection, which needs no batching.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Frames handed to the kernel per `sendmmsg` call.
pub const BATCH: usize = 64;

/// A send-only packet socket on one interface.
pub struct PacketSender {
    fd: OwnedFd,
    ifindex: i32,
    /// Whether the queueing discipline is bypassed (not every kernel allows it).
    pub qdisc_bypass: bool,
}

/// What one batch did: frames the kernel took, and the error that stopped it early, if any.
#[derive(Debug, Default)]
pub struct Batch {
    pub sent: usize,
    pub error: Option<io::Error>,
}

impl PacketSender {
    pub fn open(iface: &str) -> io::Result<PacketSender> {
        let ifindex = if_index(iface)?;
        // Protocol 0: this socket receives nothing.
        let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return Err(super::or_privilege(
                io::Error::last_os_error(),
                &format!("sending frames on {iface}"),
            ));
        }
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_ifindex = ifindex;
        let r = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                &sll as *const libc::sockaddr_ll as *const libc::sockaddr,
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        let qdisc_bypass =
            super::sock::set_int(&fd, libc::SOL_PACKET, libc::PACKET_QDISC_BYPASS, 1);
        // A deep send buffer: a batch never waits for the previous one to drain.
        let _ = super::sock::set_int(&fd, libc::SOL_SOCKET, libc::SO_SNDBUF, 4 << 20);
        Ok(PacketSender {
            fd,
            ifindex,
            qdisc_bypass,
        })
    }

    pub fn ifindex(&self) -> i32 {
        self.ifindex
    }

    /// Sends one frame.
    pub fn send(&self, frame: &[u8]) -> io::Result<()> {
        let n = retry_busy(|| unsafe {
            libc::send(self.fd.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0)
        })?;
        if n as usize != frame.len() {
            return Err(io::Error::other(format!(
                "the kernel took {n} of {} bytes",
                frame.len()
            )));
        }
        Ok(())
    }

    /// Sends the frames in order, [`BATCH`] per system call. A frame the kernel refuses (too
    /// long for the interface, say) ends the batch: `sent` counts those before it, and the caller
    /// decides whether to skip it and go on.
    pub fn send_batch(&self, frames: &[&[u8]]) -> Batch {
        let mut done = 0;
        let mut iov: [libc::iovec; BATCH] = unsafe { std::mem::zeroed() };
        let mut msgs: [libc::mmsghdr; BATCH] = unsafe { std::mem::zeroed() };
        while done < frames.len() {
            let chunk = &frames[done..frames.len().min(done + BATCH)];
            for (k, f) in chunk.iter().enumerate() {
                iov[k] = libc::iovec {
                    iov_base: f.as_ptr() as *mut libc::c_void,
                    iov_len: f.len(),
                };
                msgs[k] = unsafe { std::mem::zeroed() };
                msgs[k].msg_hdr.msg_iov = &mut iov[k];
                msgs[k].msg_hdr.msg_iovlen = 1;
            }
            let r = retry_busy(|| unsafe {
                libc::sendmmsg(
                    self.fd.as_raw_fd(),
                    msgs.as_mut_ptr(),
                    chunk.len() as libc::c_uint,
                    0,
                ) as isize
            });
            match r {
                Ok(n) => {
                    done += n as usize;
                    if (n as usize) < chunk.len() {
                        // The kernel stopped at a frame: ask again from it, to learn why.
                        if let Err(e) = self.send(frames[done]) {
                            return Batch {
                                sent: done,
                                error: Some(e),
                            };
                        }
                        done += 1;
                    }
                }
                Err(e) => {
                    return Batch {
                        sent: done,
                        error: Some(e),
                    };
                }
            }
        }
        Batch {
            sent: done,
            error: None,
        }
    }
}

/// Runs a send call again while the kernel says its queue is full (or a signal interrupted it).
fn retry_busy(mut f: impl FnMut() -> isize) -> io::Result<isize> {
    let mut spins = 0u32;
    loop {
        let r = f();
        if r >= 0 {
            return Ok(r);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => {}
            Some(libc::ENOBUFS) | Some(libc::EAGAIN) if spins < 100_000 => {
                spins += 1;
                if spins.is_multiple_of(64) {
                    std::thread::yield_now();
                }
            }
            _ => return Err(e),
        }
    }
}

/// The kernel's index of an interface.
pub fn if_index(iface: &str) -> io::Result<i32> {
    let name = std::ffi::CString::new(iface)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "bad interface name"))?;
    let i = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if i == 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no interface '{iface}' (see `pkt ifaces` or `ip link`)"),
        ));
    }
    Ok(i as i32)
}

/// The interface's MTU (from sysfs), when known.
pub fn mtu(iface: &str) -> Option<usize> {
    std::fs::read_to_string(format!("/sys/class/net/{iface}/mtu"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The interface's ARPHRD hardware type (1 = Ethernet, 772 = loopback), when known.
pub fn hw_type(iface: &str) -> Option<u32> {
    std::fs::read_to_string(format!("/sys/class/net/{iface}/type"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_interface_is_named() {
        let e = if_index("pkt-no-such0").unwrap_err();
        assert!(e.to_string().contains("pkt-no-such0"), "{e}");
        assert!(PacketSender::open("pkt-no-such0").is_err());
    }

    #[test]
    fn loopback_facts() {
        if std::path::Path::new("/sys/class/net/lo").exists() {
            assert_eq!(hw_type("lo"), Some(772));
            assert!(mtu("lo").is_some_and(|m| m >= 1280));
        }
    }
}
