//! The value parsers of every numeric option: durations, rates, counts, sizes and multipliers.
//! Each refuses NaN, infinity, negative numbers and anything outside its range with clap's
//! usage error (exit 2), which names the option: `invalid value '1e308' for '-i <INTERVAL>':
//! must be between 0 and 86400 seconds`. What the ranges are, and why, is in README.md
//! ("Option values").

use std::fmt::Display;
use std::str::FromStr;
use std::time::Duration;

/// The longest duration any option takes, in seconds: one day. Every duration parsed here is
/// at most this, so no arithmetic on it (a due time, a deadline) can overflow.
pub const MAX_SECS: f64 = 86_400.0;

/// A clap value parser: a function of the option's text.
pub trait Parser<T>: Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {}
impl<T, F: Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static> Parser<T> for F {}

/// A number from `min` to `max` (both included), in `unit` (" seconds", "" …).
pub fn float(min: f64, max: f64, unit: &'static str) -> impl Parser<f64> {
    move |s| parse_float(s, min, max, unit)
}

fn parse_float(s: &str, min: f64, max: f64, unit: &str) -> Result<f64, String> {
    let range = || format!("must be between {min} and {max}{unit}");
    let v: f64 = s.trim().parse().map_err(|_| range())?;
    if v.is_finite() && v >= min && v <= max {
        Ok(v)
    } else {
        Err(range())
    }
}

/// A duration in seconds (fractions allowed), from `min` to `max` seconds.
pub fn secs(min: f64, max: f64) -> impl Parser<Duration> {
    move |s| parse_float(s, min, max, " seconds").map(Duration::from_secs_f64)
}

/// A whole number from `min` to `max` (both included); `note` follows the range (what 0 means).
pub fn int<T>(min: T, max: T, note: &'static str) -> impl Parser<T>
where
    T: FromStr + PartialOrd + Display + Copy + Send + Sync + 'static,
{
    move |s| {
        let range = || format!("must be a whole number from {min} to {max}{note}");
        match s.trim().parse::<T>() {
            Ok(v) if v >= min && v <= max => Ok(v),
            _ => Err(range()),
        }
    }
}

/// traceroute's `-z`: seconds from 0 to 10, or, above 10, milliseconds (up to 10000), as
/// traceroute reads it.
pub fn sendwait(s: &str) -> Result<Duration, String> {
    let msg = || "must be between 0 and 10 seconds, or above 10 milliseconds up to 10000".into();
    let v: f64 = s.trim().parse().map_err(|_| msg())?;
    match v {
        v if v.is_finite() && (0.0..=10.0).contains(&v) => Ok(Duration::from_secs_f64(v)),
        v if v.is_finite() && v > 10.0 && v <= 10_000.0 => Ok(Duration::from_secs_f64(v / 1e3)),
        _ => Err(msg()),
    }
}

/// traceroute's `-w MAX[,HERE[,NEAR]]`: the longest wait for an answer, and the factors of RTTs
/// already seen at this hop (HERE) and beyond (NEAR) that shorten it (0: not used).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wait {
    pub max: Duration,
    pub here: f64,
    pub near: f64,
}

/// The largest HERE or NEAR factor.
pub const MAX_FACTOR: f64 = 1000.0;

pub fn wait(s: &str) -> Result<Wait, String> {
    let msg = || {
        format!(
            "MAX[,HERE[,NEAR]]: MAX between 0.001 and {MAX_SECS} seconds, HERE and NEAR \
             between 0 and {MAX_FACTOR}"
        )
    };
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() > 3 {
        return Err(msg());
    }
    let max = parse_float(parts[0], 0.001, MAX_SECS, "").map_err(|_| msg())?;
    let factor = |i: usize, default: f64| match parts.get(i) {
        Some(p) => parse_float(p, 0.0, MAX_FACTOR, "").map_err(|_| msg()),
        None => Ok(default),
    };
    Ok(Wait {
        max: Duration::from_secs_f64(max),
        here: factor(1, 3.0)?,
        near: factor(2, 10.0)?,
    })
}

/// The latest time stamp `craft --time` takes: pcapng's last (2554-07-21, 2^64 ns after the
/// epoch); a classic pcap refuses times after 2106 when it is written.
pub const MAX_EPOCH: f64 = 18_446_744_073.0;

/// The most bytes a capture takes of a packet (tcpdump's MAXIMUM_SNAPLEN).
pub const MAX_SNAPLEN: i32 = 262_144;

/// tcpdump's `-s`: 1 to 262144 bytes, 0 for 262144.
pub fn snaplen(s: &str) -> Result<i32, String> {
    int(0, MAX_SNAPLEN, " (0: 262144)")(s).map(|v| if v == 0 { MAX_SNAPLEN } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAD: [&str; 9] = [
        "nan", "NaN", "inf", "-inf", "infinity", "-1", "", "x", "1e308",
    ];

    #[test]
    fn floats_take_their_bounds_and_refuse_the_rest() {
        let p = float(0.001, 1e9, " packets per second");
        assert_eq!(p("0.001"), Ok(0.001));
        assert_eq!(p("1e9"), Ok(1e9));
        assert_eq!(p(" 50 "), Ok(50.0));
        for bad in BAD.iter().chain(&["0", "1e-300", "0.0009", "1000000000.1"]) {
            assert_eq!(
                p(bad),
                Err("must be between 0.001 and 1000000000 packets per second".into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn durations_are_seconds_up_to_a_day() {
        let p = secs(0.0, MAX_SECS);
        assert_eq!(p("0"), Ok(Duration::ZERO));
        assert_eq!(p("1e-300"), Ok(Duration::ZERO));
        assert_eq!(p("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(p("86400"), Ok(Duration::from_secs(86_400)));
        for bad in BAD.iter().chain(&["86400.001", "-0.001"]) {
            assert_eq!(
                p(bad),
                Err("must be between 0 and 86400 seconds".into()),
                "{bad}"
            );
        }
        let p = secs(0.001, MAX_SECS);
        assert_eq!(p("0.001"), Ok(Duration::from_millis(1)));
        assert_eq!(
            p("0"),
            Err("must be between 0.001 and 86400 seconds".into())
        );
    }

    #[test]
    fn integers_take_their_bounds_and_refuse_the_rest() {
        let p = int(1u8, 255, "");
        assert_eq!(p("1"), Ok(1));
        assert_eq!(p("255"), Ok(255));
        for bad in BAD.iter().chain(&["0", "256", "1.5", "1e2"]) {
            assert_eq!(
                p(bad),
                Err("must be a whole number from 1 to 255".into()),
                "{bad}"
            );
        }
        let p = int(0u64, u64::MAX, " (0: until interrupted)");
        assert_eq!(p("0"), Ok(0));
        assert_eq!(p("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            p("18446744073709551616"),
            Err(
                "must be a whole number from 0 to 18446744073709551615 (0: until interrupted)"
                    .into()
            )
        );
    }

    #[test]
    fn sendwait_is_seconds_up_to_10_then_milliseconds() {
        assert_eq!(sendwait("0"), Ok(Duration::ZERO));
        assert_eq!(sendwait("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(sendwait("10"), Ok(Duration::from_secs(10)));
        assert_eq!(sendwait("50"), Ok(Duration::from_millis(50)));
        assert_eq!(sendwait("10000"), Ok(Duration::from_secs(10)));
        for bad in BAD.iter().chain(&["10000.5", "-0.5"]) {
            assert_eq!(
                sendwait(bad),
                Err(
                    "must be between 0 and 10 seconds, or above 10 milliseconds up to 10000".into()
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn wait_takes_traceroutes_three_numbers() {
        let w = |max: u64, here, near| Wait {
            max: Duration::from_secs(max),
            here,
            near,
        };
        assert_eq!(wait("5"), Ok(w(5, 3.0, 10.0)));
        assert_eq!(wait("2,0,0"), Ok(w(2, 0.0, 0.0)));
        assert_eq!(wait("1,2"), Ok(w(1, 2.0, 10.0)));
        assert_eq!(wait("86400,1000,1000"), Ok(w(86_400, 1000.0, 1000.0)));
        let msg = "MAX[,HERE[,NEAR]]: MAX between 0.001 and 86400 seconds, HERE and NEAR \
                   between 0 and 1000";
        for bad in BAD.iter().chain(&[
            "0", "1,2,3,4", "1,nan", "1,1e308", "1,-1", "1,1,inf", "1,", "86401", "1,1001",
        ]) {
            assert_eq!(wait(bad), Err(msg.into()), "{bad}");
        }
    }

    #[test]
    fn snaplen_zero_is_the_maximum() {
        assert_eq!(snaplen("0"), Ok(262_144));
        assert_eq!(snaplen("1"), Ok(1));
        assert_eq!(snaplen("262144"), Ok(262_144));
        for bad in BAD.iter().chain(&["262145"]) {
            assert_eq!(
                snaplen(bad),
                Err("must be a whole number from 0 to 262144 (0: 262144)".into()),
                "{bad}"
            );
        }
    }
}
