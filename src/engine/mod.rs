//! The send/receive engine, pure: which reply answers which request ([`answer`], scapy's
//! `answers()`/`hashret()`), and scapy's `sr()` loop as a state machine over a [`sr::Network`]
//! and a [`sr::Clock`] ([`sr`]). Nothing in here opens a socket, sleeps, prints or reads the
//! wall clock: the caller brings those in through the two traits, and tests bring fakes.

pub mod answer;
pub mod pace;
pub mod ping;
pub mod sr;
pub mod trace;

pub use answer::{Matcher, answers, hash_key};
pub use sr::{Clock, Event, Network, Options, Probe, Received, Reply, Summary, run};

use std::time::Duration;

/// Running sums of round-trip times, for their mean and standard deviation (iputils' avg and
/// mdev, mtr's Avg and StDev).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RttSums {
    n: u64,
    sum: f64,
    sum2: f64,
}

impl RttSums {
    pub fn add(&mut self, rtt: Duration) {
        let s = rtt.as_secs_f64();
        self.n += 1;
        self.sum += s;
        self.sum2 += s * s;
    }

    /// The mean, once there is one.
    pub fn mean(&self) -> Option<Duration> {
        (self.n > 0).then(|| Duration::from_secs_f64(self.sum / self.n as f64))
    }

    /// The (population) standard deviation, once there is a mean.
    pub fn stdev(&self) -> Option<Duration> {
        (self.n > 0).then(|| {
            let n = self.n as f64;
            let m = self.sum / n;
            Duration::from_secs_f64((self.sum2 / n - m * m).max(0.0).sqrt())
        })
    }
}

/// Packets for the engine's tests, built by the real builder and read back by the real
/// dissector.
#[cfg(test)]
pub(crate) mod testutil {
    use crate::build::{build, new_layer};
    use crate::dissect::dissect_as_new;
    use crate::layers::{Layer, Value, raw};
    use std::cell::Cell;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    use std::io;
    use std::rc::Rc;
    use std::time::Duration;

    use super::{Clock, Network, Received};

    /// The addresses the answer and sr tests speak as and to.
    pub const US: &str = "192.0.2.1";
    pub const THEM: &str = "192.0.2.2";
    pub const ROUTER: &str = "198.51.100.1";
    pub const US6: &str = "2001:db8::1";
    pub const THEM6: &str = "2001:db8::2";
    pub const ROUTER6: &str = "2001:db8:ffff::1";

    /// An IP layer expression from `src` to `dst`.
    pub fn ip4(src: &str, dst: &str) -> String {
        format!("IP(src=\"{src}\",dst=\"{dst}\")")
    }

    /// An IPv6 layer expression from `src` to `dst`.
    pub fn ip6(src: &str, dst: &str) -> String {
        format!("IPv6(src=\"{src}\",dst=\"{dst}\")")
    }

    /// Time that moves only when the fake network moves it.
    #[derive(Clone, Default)]
    pub struct FakeClock(pub Rc<Cell<Duration>>);

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            self.0.get()
        }
    }

    /// Replies (delay after the send, bytes) a script gives for one sent frame.
    pub type Script = Box<dyn FnMut(&[u8]) -> Vec<(Duration, Vec<u8>)>>;

    /// A network that answers each sent frame as its script says, after the script's delays,
    /// moving the fake clock as it waits.
    pub struct FakeNet {
        pub clock: FakeClock,
        pub linktype: u32,
        pub script: Script,
        /// (arrival, order, bytes).
        pub pending: BinaryHeap<Reverse<(Duration, u64, Vec<u8>)>>,
        pub order: u64,
        /// Every frame sent, with its time.
        pub sent: Vec<(Duration, Vec<u8>)>,
        /// Whether some `recv` waited for a deadline still to come and returned nothing (a
        /// poll, with the deadline already past, does not count).
        pub waited_out: Rc<Cell<bool>>,
    }

    impl FakeNet {
        pub fn new(
            clock: &FakeClock,
            linktype: u32,
            script: impl FnMut(&[u8]) -> Vec<(Duration, Vec<u8>)> + 'static,
        ) -> FakeNet {
            FakeNet {
                clock: clock.clone(),
                linktype,
                script: Box::new(script),
                pending: BinaryHeap::new(),
                order: 0,
                sent: Vec::new(),
                waited_out: Rc::default(),
            }
        }

        /// A frame arriving at `at` whatever is sent.
        pub fn inject(&mut self, at: Duration, data: Vec<u8>) {
            self.order += 1;
            self.pending.push(Reverse((at, self.order, data)));
        }
    }

    impl Network for FakeNet {
        fn linktype(&self) -> u32 {
            self.linktype
        }
        fn send(&mut self, frame: &[u8]) -> io::Result<Duration> {
            let t = self.clock.now();
            self.sent.push((t, frame.to_vec()));
            for (delay, data) in (self.script)(frame) {
                self.inject(t + delay, data);
            }
            Ok(t)
        }
        fn recv(&mut self, deadline: Duration) -> io::Result<Option<Received>> {
            let now = self.clock.now();
            if let Some(Reverse((at, _, _))) = self.pending.peek()
                && *at <= now.max(deadline)
            {
                let Reverse((at, _, data)) = self.pending.pop().expect("peeked");
                self.clock.0.set(now.max(at));
                return Ok(Some(Received::new(at, data)));
            }
            if deadline > now {
                self.waited_out.set(true);
                self.clock.0.set(deadline);
            }
            Ok(None)
        }
    }

    /// The bytes of the one packet an expression describes.
    pub fn frame(expr: &str) -> Vec<u8> {
        let mut p = crate::craft::compile(expr).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
        assert_eq!(p.len(), 1, "{expr} makes {} packets", p.len());
        build(&p.remove(0))
    }

    /// The layers the dissector reads from the one packet an expression describes.
    pub fn layers(expr: &str) -> Vec<Layer> {
        let p = crate::craft::compile(expr).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
        let first = p[0][0].proto;
        let pkt = dissect_as_new(first, &build(&p[0]));
        assert!(pkt.errors.is_empty(), "{expr}: {:?}", pkt.errors);
        pkt.layers
    }

    /// An ICMP (or ICMPv6) error as a router sends it: the header `outer` describes (e.g.
    /// `IP(src=...,dst=...)/ICMP(type=11)`) followed by the first `quote` bytes of `probe`.
    pub fn icmp_error(outer: &str, probe: &[u8], quote: usize) -> Vec<u8> {
        let mut p = crate::craft::compile(outer).unwrap_or_else(|e| panic!("{outer}: {e:?}"));
        let mut l = p.remove(0);
        let mut r = new_layer(&raw::RAW);
        r.values[0] = Value::Bytes(probe[..quote.min(probe.len())].to_vec());
        l.push(r);
        build(&l)
    }

    /// The layers of a frame starting with the layer called `first`.
    pub fn read(first: &str, frame: &[u8]) -> Vec<Layer> {
        let proto = crate::layers::by_name(first).expect("layer name");
        dissect_as_new(proto, frame).layers
    }

    /// Layer names, for assertions.
    pub fn names(l: &[Layer]) -> Vec<&'static str> {
        l.iter().map(Layer::name).collect()
    }
}
