//! pkt: a packet crafting and sniffing tool. The library holds the packet model (`layers`),
//! dissection, the views and the I/O; the `pkt` binary drives them.

pub mod build;
pub mod checksum;
pub mod craft;
pub mod dissect;
pub mod engine;
pub mod expr;
pub mod io;
pub mod layers;
pub mod output;
pub mod pcapio;
pub mod record;

#[cfg(test)]
pub(crate) mod test_util {
    /// Bytes from hex, ignoring white space.
    pub fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(s.len().is_multiple_of(2), "odd hex length {}", s.len());
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }
}
