//! One frame → its text in the chosen view: the summary line (with the time prefix), the
//! summary and a hexdump, the summary and the `show` tree, or the NDJSON record.

use super::time::{Clock, push_epoch};
use super::{FrameMeta, hexdump, json, show, summary};
use crate::dissect::{Packet, dissect_into};

/// Which view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Summary,
    Show,
    Hex,
    Json,
}

/// How summary lines start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeStyle {
    /// Local time of day (tcpdump's default).
    TimeOfDay,
    /// Seconds since the epoch (`--tt`).
    Epoch,
    None,
}

/// Everything that decides how a frame is printed.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub view: View,
    pub time: TimeStyle,
    /// Number the summary lines.
    pub number: bool,
    /// Name the interface after the time (a capture on several: `sniff -i any`).
    pub iface: bool,
    /// ANSI colour (a terminal; `--color`).
    pub color: bool,
}

/// Dissects `data` into `pkt` (reusing its buffers) and appends the frame's text to `out`,
/// newline included.
pub fn render(
    style: &Style,
    clock: &Clock,
    meta: &FrameMeta,
    data: &[u8],
    pkt: &mut Packet,
    out: &mut String,
) {
    dissect_into(meta.linktype, data, meta.len, pkt);
    write_views(style, clock, meta, data, pkt, out);
}

/// Appends the text of an already dissected frame, newline included.
pub fn write_views(
    style: &Style,
    clock: &Clock,
    meta: &FrameMeta,
    data: &[u8],
    pkt: &Packet,
    out: &mut String,
) {
    if style.view == View::Json {
        json::write_record(meta, pkt, out);
        out.push('\n');
        return;
    }
    if style.color {
        // The plain text, then styles around its parts.
        let mut plain = String::new();
        let plain_style = Style {
            color: false,
            ..*style
        };
        write_views(&plain_style, clock, meta, data, pkt, &mut plain);
        let (first, rest) = plain.split_at(plain.find('\n').map_or(plain.len(), |i| i + 1));
        let line = first.trim_end_matches('\n');
        let cut = line.len() - summary_len(pkt);
        super::color::prefix(&line[..cut], out);
        super::color::summary(&line[cut..], out);
        out.push('\n');
        match style.view {
            View::Show => super::color::show(rest, out),
            _ => out.push_str(rest),
        }
        return;
    }
    if style.number {
        let mut b = itoa::Buffer::new();
        let n = b.format(meta.n);
        for _ in n.len()..5 {
            out.push(' ');
        }
        out.push_str(n);
        out.push(' ');
    }
    match style.time {
        TimeStyle::Epoch => {
            push_epoch(meta.ts_sec, meta.ts_nsec, out);
            out.push(' ');
        }
        TimeStyle::TimeOfDay => {
            clock.push_time_of_day(meta.ts_sec, meta.ts_nsec, out);
            out.push(' ');
        }
        TimeStyle::None => {}
    }
    if style.iface
        && let Some(i) = meta.iface
    {
        out.push_str(i);
        out.push(' ');
    }
    summary::write(pkt, out);
    out.push('\n');
    match style.view {
        View::Hex => hexdump::write(data, out),
        View::Show => show::write(pkt, out),
        _ => {}
    }
}

/// The length of the packet's summary (the end of its line, after any prefix).
fn summary_len(pkt: &Packet) -> usize {
    let mut s = String::new();
    summary::write(pkt, &mut s);
    s.len()
}
