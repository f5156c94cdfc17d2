//! When each packet of a replay is due, as tcpreplay paces them: the capture's own timing
//! (scaled by a multiplier), a fixed packet rate, a fixed bit rate, or as fast as possible.
//! Pure: the caller keeps the clock and does the waiting.

use std::time::Duration;

/// How a replay is paced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// The gaps of the capture, divided by the multiplier (2.0: twice as fast).
    Original { multiplier: f64 },
    /// Packets per second.
    Pps(f64),
    /// Megabits per second (of frame bytes, as tcpreplay counts them).
    Mbps(f64),
    /// No waiting at all.
    Top,
}

/// `s` seconds, saturating: however small the rate, a due time is a time (Duration::MAX, never).
fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or(if s > 0.0 {
        Duration::MAX
    } else {
        Duration::ZERO
    })
}

/// Gives each packet its due time, as an offset from the start of the replay.
#[derive(Clone, Debug)]
pub struct Pacer {
    pace: Pace,
    /// Time stamp of the first packet, and the offset it is due at (for later loops).
    first: Option<Duration>,
    base: Duration,
    last: Duration,
    packets: u64,
    bytes: u64,
}

impl Pacer {
    pub fn new(pace: Pace) -> Pacer {
        Pacer {
            pace,
            first: None,
            base: Duration::ZERO,
            last: Duration::ZERO,
            packets: 0,
            bytes: 0,
        }
    }

    pub fn is_top(&self) -> bool {
        self.pace == Pace::Top
    }

    /// The offset at which the next packet (captured at `ts`, `len` bytes) is due. Call once per
    /// packet, in order. Due times never go backwards, even when time stamps do.
    pub fn due(&mut self, ts: Duration, len: usize) -> Duration {
        let due = match self.pace {
            Pace::Top => Duration::ZERO,
            Pace::Original { multiplier } => {
                let first = *self.first.get_or_insert(ts);
                let gap = ts.saturating_sub(first);
                let m = if multiplier > 0.0 { multiplier } else { 1.0 };
                self.base.saturating_add(secs(gap.as_secs_f64() / m))
            }
            Pace::Pps(pps) if pps > 0.0 => secs(self.packets as f64 / pps),
            Pace::Mbps(mbps) if mbps > 0.0 => secs(self.bytes as f64 * 8.0 / (mbps * 1e6)),
            Pace::Pps(_) | Pace::Mbps(_) => Duration::ZERO,
        };
        self.packets += 1;
        self.bytes += len as u64;
        self.last = self.last.max(due);
        self.last
    }

    /// The next file or loop starts: its first packet follows the last one at once (its own
    /// time stamps count from there), as tcpreplay does.
    pub fn next_file(&mut self) {
        self.first = None;
        self.base = self.last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn original_timing_scaled_by_the_multiplier() {
        let mut p = Pacer::new(Pace::Original { multiplier: 2.0 });
        // Captured at 100 s, 100.1 s, 100.5 s.
        let due: Vec<_> = [100_000, 100_100, 100_500]
            .iter()
            .map(|&t| p.due(ms(t), 60))
            .collect();
        assert_eq!(due, [ms(0), ms(50), ms(250)]);
        let mut p = Pacer::new(Pace::Original { multiplier: 0.5 });
        assert_eq!(p.due(ms(7), 1), ms(0));
        assert_eq!(p.due(ms(17), 1), ms(20));
    }

    #[test]
    fn time_stamps_going_backwards_do_not_pull_packets_earlier() {
        let mut p = Pacer::new(Pace::Original { multiplier: 1.0 });
        assert_eq!(p.due(ms(1000), 1), ms(0));
        assert_eq!(p.due(ms(1300), 1), ms(300));
        assert_eq!(p.due(ms(1100), 1), ms(300));
        assert_eq!(p.due(ms(1400), 1), ms(400));
    }

    #[test]
    fn the_next_loop_follows_the_last_packet() {
        let mut p = Pacer::new(Pace::Original { multiplier: 1.0 });
        p.due(ms(5000), 1);
        p.due(ms(5200), 1);
        p.next_file();
        assert_eq!(p.due(ms(5000), 1), ms(200));
        assert_eq!(p.due(ms(5200), 1), ms(400));
    }

    #[test]
    fn fixed_packet_and_bit_rates() {
        let mut p = Pacer::new(Pace::Pps(1000.0));
        let due: Vec<_> = (0..3).map(|_| p.due(ms(0), 100)).collect();
        assert_eq!(due, [ms(0), ms(1), ms(2)]);
        // 1 Mbps: a 125-byte frame takes 1 ms on the wire.
        let mut p = Pacer::new(Pace::Mbps(1.0));
        let due: Vec<_> = (0..3).map(|_| p.due(ms(9), 125)).collect();
        assert_eq!(due, [ms(0), ms(1), ms(2)]);
        let mut p = Pacer::new(Pace::Top);
        assert_eq!(p.due(ms(99), 1), ms(0));
        assert!(p.is_top());
    }
}
