//! Live capture and injection through libpcap, and the [`Network`] the send/receive engine
//! runs on: frames go out through a raw IP socket (layer 3) or the capture's interface (layer
//! 2); replies come from the capture, which is open (with its filter) before the first frame
//! leaves, stamped by the kernel.

use super::raw::RawSender;
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
        let mut inactive = Capture::from_device(o.iface.as_str())
            .map_err(|e| pcap_err(e, &what))?
            .immediate_mode(true)
            .snaplen(o.snaplen)
            .promisc(o.promisc)
            .precision(Precision::Nano)
            .timeout(10);
        if let Some(b) = o.buffer {
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
        loop {
            match self.cap.next_packet() {
                Ok(p) => {
                    let ts = p.header.ts;
                    // With nanosecond precision libpcap puts nanoseconds in tv_usec.
                    let time = Duration::new(ts.tv_sec.max(0) as u64, ts.tv_usec.max(0) as u32);
                    return Ok(Some(Received {
                        time,
                        data: p.data.to_vec(),
                        wire_len: p.header.len as usize,
                    }));
                }
                Err(pcap::Error::TimeoutExpired) => {}
                Err(e) => return Err(io::Error::other(e.to_string())),
            }
            let now = super::now();
            if now >= deadline || stop() {
                return Ok(None);
            }
            let wait = (deadline - now).min(Duration::from_millis(100));
            let mut pfd = libc::pollfd {
                fd: self.cap.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = wait.as_millis().max(1) as libc::c_int;
            unsafe { libc::poll(&mut pfd, 1, ms) };
        }
    }

    /// Packets received and dropped, as libpcap counts them.
    pub fn stats(&mut self) -> Option<pcap::Stat> {
        self.cap.stats().ok()
    }
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
