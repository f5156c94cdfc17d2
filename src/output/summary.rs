//! The one-line summary, scapy style: layer names joined by ` / `, the innermost layer that has
//! something to say saying it (`Ether / IP / TCP 192.0.2.1:40000 > 192.0.2.2:80 S / Raw`).

use crate::dissect::Packet;
use std::fmt::Write as _;

/// Appends the packet's summary to `out`.
pub fn write(pkt: &Packet, out: &mut String) {
    let layers = &pkt.layers;
    let speaker = layers
        .iter()
        .rposition(|l| l.proto.summary.is_some() && !l.proto.quoted);
    for (i, l) in layers.iter().enumerate() {
        if i > 0 {
            out.push_str(" / ");
        }
        out.push_str(l.proto.name);
        if Some(i) == speaker
            && let Some(f) = l.proto.summary
        {
            out.push(' ');
            f(layers, i, out);
        }
    }
    if let Some(e) = pkt.errors.first() {
        let _ = write!(out, " [!] {} at {}: {}", e.layer, e.offset, e.error);
        if pkt.errors.len() > 1 {
            let _ = write!(out, " (+{} more)", pkt.errors.len() - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::dissect::dissect;
    use crate::test_util::hex;

    #[test]
    fn tcp_summary_names_endpoints_and_flags() {
        let f = hex(crate::layers::tcp::tests::SYN_OPTS);
        let mut s = String::new();
        super::write(&dissect(1, &f, f.len()), &mut s);
        assert_eq!(s, "Ether / IP / TCP 127.0.0.1:20 > 127.0.0.1:80 S");
    }
}
