//! Live capture and injection through libpcap, and the [`Network`] the send/receive engine
//! runs on: frames go out through a raw IP socket (layer 3) or the capture's interface (layer
//! 2); replies come from the capture, which is open (with its filter) before the first frame
//! leaves, stamped by the kernel.

use super::raw::RawSender;
use super::sock::{poll_fds, recv_until};
use crate::engine::{Network, Received};
use pcap::{Active, Capture, Direction, Precision};
use std::io;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How a live capture is opened.
#[derive(Clone, Debug)]
pub struct CaptureOptions {
    pub iface: String,
    pub filter: Option<String>,
    pub snaplen: i32,
    pub promisc: bool,
    /// Only packets the host received, not those it sent.
    pub inbound_only: bool,
    /// Kernel buffer size in bytes (libpcap's default when `None`).
    pub buffer: Option<i32>,
    /// Hand each packet over as it arrives; else the kernel fills blocks (up to 100 ms).
    pub immediate: bool,
    /// Another link type to ask for (before the filter is compiled for it).
    pub linktype: Option<u32>,
}

impl CaptureOptions {
    pub fn new(iface: &str) -> CaptureOptions {
        CaptureOptions {
            iface: iface.to_string(),
            filter: None,
            snaplen: 262_144,
            promisc: false,
            inbound_only: false,
            buffer: None,
            immediate: true,
            linktype: None,
        }
    }
}

/// A live capture in non-blocking, immediate mode, with nanosecond time stamps.
pub struct Live {
    cap: Capture<Active>,
    linktype: u32,
}

impl Live {
    pub fn open(o: &CaptureOptions) -> io::Result<Live> {
        let what = format!("capturing on {}", o.iface);
        if o.iface != "any" {
            super::packet::if_index(&o.iface)?;
        }
        let mut inactive = Capture::from_device(o.iface.as_str())
            .map_err(|e| pcap_err(e, &what))?
            .immediate_mode(o.immediate)
            .snaplen(o.snaplen)
            .promisc(o.promisc)
            .precision(Precision::Nano)
            .timeout(if o.immediate { 10 } else { 100 });
        // In immediate mode libpcap's ring has a slot per packet sized by the snap length, so its
        // default 2 MiB holds only 8 packets of 256 KiB: a burst overflows it. Room for 128.
        let buffer = o.buffer.or(o
            .immediate
            .then(|| o.snaplen.saturating_mul(128).clamp(2 << 20, 32 << 20)));
        if let Some(b) = buffer {
            inactive = inactive.buffer_size(b);
        }
        let cap = inactive.open().map_err(|e| pcap_err(e, &what))?;
        let cap = cap.setnonblock().map_err(|e| pcap_err(e, &what))?;
        if o.inbound_only {
            // Not every interface can tell (then replies are simply checked by the engine).
            let _ = cap.direction(Direction::In);
        }
        let mut live = Live {
            linktype: cap.get_datalink().0 as u32,
            cap,
        };
        if let Some(l) = o.linktype {
            live.set_linktype(l);
        }
        if let Some(f) = &o.filter {
            live.cap.filter(f, true).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("bad filter '{f}': {e}"),
                )
            })?;
        }
        Ok(live)
    }

    pub fn linktype(&self) -> u32 {
        self.linktype
    }

    /// Injects one frame on the interface (layer 2).
    pub fn inject(&mut self, frame: &[u8]) -> io::Result<()> {
        self.cap
            .sendpacket(frame)
            .map_err(|e| io::Error::other(e.to_string()))
    }

    /// The next captured frame, waiting until `deadline` (wall clock, since the epoch), or
    /// `None` early once `stop` says so (checked at least every 100 ms).
    pub fn next(
        &mut self,
        deadline: Duration,
        stop: impl Fn() -> bool,
    ) -> io::Result<Option<Received>> {
        recv_until(
            self,
            deadline,
            stop,
            |s| {
                Ok(s.try_next()?.map(|p| Received {
                    time: stamp(p.header),
                    data: p.data.to_vec(),
                    wire_len: p.header.len as usize,
                }))
            },
            |s, wait| s.wait(wait),
        )
    }

    /// The next frame if one is ready, without waiting.
    pub fn try_next(&mut self) -> io::Result<Option<pcap::Packet<'_>>> {
        match self.cap.next_packet() {
            Ok(p) => Ok(Some(p)),
            Err(pcap::Error::TimeoutExpired) => Ok(None),
            Err(e) => Err(io::Error::other(e.to_string())),
        }
    }

    /// Waits up to `wait` for frames to be ready (a signal ends the wait early).
    pub fn wait(&self, wait: Duration) {
        poll_fds(&[self.cap.as_raw_fd()], libc::POLLIN, wait);
    }

    /// Asks for another link type (`any` gives SLL by default; SLL2 names the interface).
    pub fn set_linktype(&mut self, linktype: u32) -> bool {
        let ok = self
            .cap
            .set_datalink(pcap::Linktype(linktype as i32))
            .is_ok();
        if ok {
            self.linktype = linktype;
        }
        ok
    }

    /// Packets received and dropped, as libpcap counts them.
    pub fn stats(&mut self) -> Option<pcap::Stat> {
        self.cap.stats().ok()
    }
}

unsafe extern "C" {
    fn pcap_lib_version() -> *const libc::c_char;
}

/// libpcap's own version string ("libpcap version 1.10.5 (with TPACKET_V3)").
pub fn libpcap_version() -> String {
    // SAFETY: libpcap returns a static, NUL-terminated string.
    let p = unsafe { pcap_lib_version() };
    if p.is_null() {
        return "libpcap".into();
    }
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned()
}

/// A capture time stamp (nanosecond precision: libpcap puts nanoseconds in `tv_usec`).
pub fn stamp(h: &pcap::PacketHeader) -> Duration {
    Duration::new(h.ts.tv_sec.max(0) as u64, h.ts.tv_usec.max(0) as u32)
}

/// libpcap's errors, with a missing privilege named as such.
fn pcap_err(e: pcap::Error, what: &str) -> io::Error {
    let text = e.to_string();
    if text.contains("ermission") || text.contains("not permitted") {
        super::privilege_error(what)
    } else {
        io::Error::other(format!("{what}: {text}"))
    }
}

/// How frames leave.
pub enum Sender {
    /// Whole IP packets through raw sockets: the kernel routes them.
    L3(RawSender),
    /// Frames injected on the capture's interface.
    L2,
}

/// The engine's network: a capture for replies, a sender for requests.
pub struct LiveNetwork {
    pub capture: Live,
    pub sender: Sender,
    /// When set, waiting for replies ends at once (the engine's `Options::cancel` flag).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Network for LiveNetwork {
    fn linktype(&self) -> u32 {
        self.capture.linktype()
    }
    fn send(&mut self, frame: &[u8]) -> io::Result<Duration> {
        // Stamped as it is handed to the kernel: a reply can be captured (and kernel-stamped)
        // before the send call has even returned.
        let t = super::now();
        match &mut self.sender {
            Sender::L3(raw) => raw.send(frame)?,
            Sender::L2 => self.capture.inject(frame)?,
        }
        Ok(t)
    }
    fn recv(&mut self, deadline: Duration) -> io::Result<Option<Received>> {
        let cancel = self.cancel.clone();
        self.capture.next(deadline, || {
            cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed))
        })
    }
}
