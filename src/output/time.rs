//! Timestamps without a time-zone lookup per packet: the local offset is taken once.

/// Formats a capture timestamp as the local time of day, `HH:MM:SS.ffffff` (tcpdump's default).
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    offset: i64,
}

impl Clock {
    /// Uses the local offset in force at `at` (seconds since the epoch).
    pub fn local(at: i64) -> Clock {
        Clock {
            offset: local_offset(at),
        }
    }

    pub fn utc() -> Clock {
        Clock { offset: 0 }
    }

    /// Appends `HH:MM:SS.ffffff` (nine digits for a nanosecond timestamp).
    pub fn push_time_of_day(&self, sec: i64, nsec: u32, out: &mut String) {
        let s = (sec + self.offset).rem_euclid(86_400);
        for (i, v) in [s / 3600, s / 60 % 60, s % 60].into_iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            out.push((b'0' + (v / 10) as u8) as char);
            out.push((b'0' + (v % 10) as u8) as char);
        }
        push_fraction(nsec, out);
    }
}

/// Epoch seconds with the fraction (the JSON `time`, and `--tt`).
pub fn push_epoch(sec: i64, nsec: u32, out: &mut String) {
    out.push_str(itoa::Buffer::new().format(sec));
    push_fraction(nsec, out);
}

/// `.ffffff`, or nine digits when the timestamp has nanoseconds.
fn push_fraction(nsec: u32, out: &mut String) {
    out.push('.');
    let (digits, v) = if nsec.is_multiple_of(1000) {
        (6, nsec / 1000)
    } else {
        (9, nsec)
    };
    let mut b = itoa::Buffer::new();
    let t = b.format(v);
    for _ in t.len()..digits {
        out.push('0');
    }
    out.push_str(t);
}

fn local_offset(at: i64) -> i64 {
    // SAFETY: localtime_r writes only into the tm we give it.
    unsafe {
        let t: libc::time_t = at as libc::time_t;
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_of_day() {
        let mut s = String::new();
        Clock::utc().push_time_of_day(1_700_000_000, 123_456_000, &mut s);
        assert_eq!(s, "22:13:20.123456");
        s.clear();
        Clock::utc().push_time_of_day(1_700_000_000 + 86_399 - 80_000, 7, &mut s);
        assert_eq!(s, "23:59:59.000000007");
    }

    #[test]
    fn epoch_keeps_micro_or_nanoseconds() {
        for (ns, text) in [
            (5, "1700000000.000000005"),
            (123_456_000, "1700000000.123456"),
            (0, "1700000000.000000"),
        ] {
            let mut s = String::new();
            push_epoch(1_700_000_000, ns, &mut s);
            assert_eq!(s, text);
        }
    }
}
