//! Views of dissected packets: the summary line, the `show` tree, the hexdump and NDJSON.
//! Each reads the layers' field tables; none does I/O beyond the buffer it is given.

pub mod color;
pub mod hexdump;
pub mod json;
pub mod parallel;
pub mod render;
pub mod show;
pub mod summary;
pub mod time;

/// The facts about a frame that come from the capture, not from its bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct FrameMeta {
    /// 1-based index in the output.
    pub n: u64,
    pub ts_sec: i64,
    /// Fraction of a second in nanoseconds.
    pub ts_nsec: u32,
    pub caplen: usize,
    pub len: usize,
    pub linktype: u32,
    /// The interface a live capture saw the frame on.
    pub iface: Option<&'static str>,
}
