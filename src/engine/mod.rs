//! The send/receive engine, pure: which reply answers which request ([`answer`], scapy's
//! `answers()`/`hashret()`), and scapy's `sr()` loop as a state machine over a [`sr::Network`]
//! and a [`sr::Clock`] ([`sr`]). Nothing in here opens a socket, sleeps, prints or reads the
//! wall clock: the caller brings those in through the two traits, and tests bring fakes.

pub mod answer;
pub mod pace;
pub mod sr;

pub use answer::{Matcher, answers, hash_key};
pub use sr::{Clock, Event, Network, Options, Probe, Received, Reply, Summary, run};

/// Packets for the engine's tests, built by the real builder and read back by the real
/// dissector.
#[cfg(test)]
pub(crate) mod testutil {
    use crate::build::{build, new_layer};
    use crate::dissect::dissect_as_new;
    use crate::layers::{Layer, Value, raw};

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
