//! `-j RATEEST`: feed a named rate estimator (`xt_RATEEST.h`,
//! `struct xt_rateest_target_info`), which the `rateest` match reads.

use iptkit_sys::ext::xt_rateest_target::*;
use iptkit_sys::xtables::IFNAMSIZ;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{
    bad_revision, c_str, check_name, read_struct, Args, Ctx, Extension, EXAMPLE_NAME,
};
use crate::xtopt::{put_truncated, same_bytes, strtod, truncated, Opt, Seen};

/// Microseconds in a second (`TIME_UNITS_PER_SEC` of libxt_RATEEST).
const USEC: u32 = 1_000_000;

/// `-j RATEEST --rateest-name NAME --rateest-interval T --rateest-ewmalog T`.
///
/// The kernel keeps both times as powers of two; iptables rounds what it is
/// given (see [`RateestTarget::interval_us`] and [`RateestTarget::ewmalog_us`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RateestTarget {
    /// `--rateest-name`: the estimator, at most 15 bytes (iptables cuts
    /// longer names).
    pub name: String,
    /// Measuring interval: `2^interval` seconds, -2 (250 ms) to 3 (8 s).
    pub interval: i8,
    /// Averaging time constant: the interval times `2^ewma_log`, 1 to 30.
    pub ewma_log: u8,
}

const O_NAME: usize = 0;
const O_INTERVAL: usize = 1;
const O_EWMALOG: usize = 2;
const OPTS: &[Opt] = &[
    Opt::new("rateest-name").mand(),
    Opt::new("rateest-interval").mand(),
    Opt::new("rateest-ewmalog").mand(),
];

/// A time as `RATEEST_get_time` reads it (a number and an optional `s`,
/// `ms` or `us` unit; no unit is microseconds), in microseconds.
fn parse_time(s: &str) -> Option<u32> {
    let (mut t, unit) = strtod(s)?;
    let is = |names: &[&str]| names.iter().any(|n| unit.eq_ignore_ascii_case(n));
    if is(&["s", "sec", "secs"]) {
        t *= f64::from(USEC);
    } else if is(&["ms", "msec", "msecs"]) {
        t *= f64::from(USEC / 1000);
    } else if !unit.is_empty() && !is(&["us", "usec", "usecs"]) {
        return None;
    }
    // `*time = t` on x86_64: a 64-bit conversion, then the low 32 bits.
    if t.is_nan() || !(-9.2e18..9.2e18).contains(&t) {
        return Some(0);
    }
    Some(t as i64 as u32)
}

/// `RATEEST_print_time`: ` 1.0s`, ` 250.0ms` or ` 10us`.
fn print_time(out: &mut String, us: u32) {
    let t = f64::from(us);
    if us >= USEC {
        push_fmt!(out, " {:.1}s", t / f64::from(USEC));
    } else if us >= USEC / 1000 {
        push_fmt!(out, " {:.1}ms", t / 1000.0);
    } else {
        push_fmt!(out, " {us}us");
    }
}

impl RateestTarget {
    /// An estimator `name` measuring every `2^interval` seconds, averaging
    /// over `2^ewma_log` intervals. Refused as the kernel refuses it: an
    /// empty name or one longer than 15 bytes, `interval` outside -2 to 3,
    /// `ewma_log` outside 1 to 30.
    ///
    /// ```
    /// use iptkit::{targets::rateest::RateestTarget, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).with_target(RateestTarget::estimator("uplink", 0, 2)?);
    /// assert_eq!(
    ///     rule.to_string(),
    ///     "-j RATEEST --rateest-name uplink --rateest-interval 1.0s --rateest-ewmalog 4.0s"
    /// );
    /// assert!(RateestTarget::estimator("uplink", 4, 2).is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn estimator(name: &str, interval: i8, ewma_log: u8) -> Result<RateestTarget> {
        check_name("rate estimator name", "--rateest-name", name, IFNAMSIZ - 1)?;
        if !(-2..=3).contains(&interval) || !(1..=30).contains(&ewma_log) {
            return Err(Error::value(
                "--rateest-interval",
                format!("2^{interval} s, ewmalog 2^{ewma_log}"),
                "RATEEST: out of range",
            ));
        }
        Ok(RateestTarget {
            name: name.to_string(),
            interval,
            ewma_log,
        })
    }

    /// The measuring interval in microseconds.
    pub fn interval_us(&self) -> u32 {
        (USEC << (self.interval.clamp(-2, 3) + 2)) / 4
    }

    /// The averaging time constant in microseconds (as iptables computes it,
    /// in 32 bits).
    pub fn ewmalog_us(&self) -> u32 {
        self.interval_us()
            .wrapping_mul(1u32.wrapping_shl(u32::from(self.ewma_log)))
    }

    /// `RATEEST_final_check`: the kernel's exponents for the given times.
    fn round(&mut self, interval_us: u32, ewmalog_us: u32) -> Result<()> {
        let exp = (0..=5).find(|&e| interval_us <= (1u32 << e) * (USEC / 4));
        let exp = exp.ok_or_else(|| Error::rule("RATEEST", "interval value is too large"))?;
        self.interval = exp as i8 - 2;
        // `1 << 31` is negative in C's int: that step never stops the loop.
        let ewma = (1..32)
            .find(|&e| {
                let w = 1.0 - 1.0 / f64::from(1i32.wrapping_shl(e));
                f64::from(interval_us) / -w.ln() > f64::from(ewmalog_us)
            })
            .unwrap_or(32)
            - 1;
        if ewma == 0 || ewma >= 31 {
            return Err(Error::rule("RATEEST", "ewmalog value is out of range"));
        }
        self.ewma_log = ewma as u8;
        Ok(())
    }
}

impl Extension for RateestTarget {
    const NAME: &'static str = "RATEEST";

    fn example(_family: crate::addr::Family) -> Self {
        RateestTarget::estimator(EXAMPLE_NAME, 0, 2).expect("a valid estimator")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No estimator until the options give one; they are all mandatory.
        RateestTarget {
            name: String::new(),
            interval: 0,
            ewma_log: 0,
        }
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_rateest_target_info = read_struct(Self::NAME, revision, data)?;
        if !(-2..=3).contains(&k.interval) || k.ewma_log > 31 {
            return Err(Error::Malformed(format!("RATEEST: {k:?}")));
        }
        let t = RateestTarget {
            name: c_str(&k.name),
            interval: k.interval,
            ewma_log: k.ewma_log,
        };
        let mut again = Vec::new();
        t.encode(ctx, &mut again);
        same_bytes(
            Self::NAME,
            &again,
            data,
            std::mem::offset_of!(xt_rateest_target_info, est),
        )?;
        Ok(t)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_rateest_target_info::zeroed();
        put_truncated(&self.name, &mut k.name);
        k.interval = self.interval;
        k.ewma_log = self.ewma_log;
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let Some(id) = OPTS.iter().position(|o| o.name == option) else {
            return Ok(false);
        };
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        let v = args.value(&format!("--{option}"))?;
        match id {
            O_NAME => self.name = truncated(v, 16).to_string(),
            O_INTERVAL => {
                seen.aux[0] = parse_time(v).ok_or_else(|| {
                    Error::value("RATEEST --rateest-interval", v, "bad interval value")
                })?
            }
            O_EWMALOG => {
                seen.aux[1] = parse_time(v).ok_or_else(|| {
                    Error::value("RATEEST --rateest-ewmalog", v, "bad ewmalog value")
                })?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        // The times as given, in microseconds, left by the options.
        let [interval, ewmalog, ..] = seen.aux;
        self.round(interval, ewmalog)?;
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        // The name goes out unquoted, as libxt_RATEEST prints it.
        push_fmt!(out, " --rateest-name {}", self.name);
        out.push_str(" --rateest-interval");
        print_time(out, self.interval_us());
        out.push_str(" --rateest-ewmalog");
        print_time(out, self.ewmalog_us());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog
        // 500.0ms`, as the kernel holds it (the estimator pointer reads back
        // as zero).
        let mut bytes = vec![0u8; 32];
        bytes[..3].copy_from_slice(b"RE1");
        bytes[16] = 0xfe;
        bytes[17] = 1;
        both_ways(
            Ipv4,
            &RateestTarget::estimator("RE1", -2, 1).unwrap(),
            &bytes,
        );
        bytes[16] = 3;
        bytes[17] = 8;
        both_ways(
            Ipv6,
            &RateestTarget::estimator("RE1", 3, 8).unwrap(),
            &bytes,
        );
        bytes[16] = 4;
        assert!(RateestTarget::decode(&Ctx::new(Ipv4), 0, &bytes).is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("250.0ms"), Some(250_000));
        assert_eq!(parse_time("1SECS"), Some(1_000_000));
        assert_eq!(parse_time("3"), Some(3));
        assert_eq!(parse_time(" 2.5us"), Some(2));
        assert_eq!(parse_time("1x"), None);
        assert_eq!(parse_time("s"), None);
        let mut s = String::new();
        print_time(&mut s, 500_000);
        print_time(&mut s, 2_048_000_000);
        print_time(&mut s, 999);
        assert_eq!(s, " 500.0ms 2048.0s 999us");
    }

    #[test]
    fn text_like_iptables() {
        let re1 =
            "-j RATEEST --rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms";
        conformance_each(&[
            (Ipv4, re1, Some(re1)),
            (Ipv6, re1, Some(re1)),
            (
                Ipv4,
                "-j RATEEST --rateest-name RE1 --rateest-interval 1s --rateest-ewmalog 4s",
                Some("-j RATEEST --rateest-name RE1 --rateest-interval 1.0s --rateest-ewmalog 4.0s"),
            ),
            (
                Ipv4,
                "-j RATEEST --rateest-name RE1 --rateest-interval 3 --rateest-ewmalog 60",
                Some("-j RATEEST --rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog 4.0s"),
            ),
            (
                Ipv4,
                "-j RATEEST --rateest-name abcdefghijklmnopqrstu --rateest-interval 8s --rateest-ewmalog 1000000s",
                Some("-j RATEEST --rateest-name abcdefghijklmno --rateest-interval 8.0s --rateest-ewmalog 2048.0s"),
            ),
            (
                Ipv4,
                "-j RATEEST --rateest-name RE1 --rateest-interval 1SECS --rateest-ewmalog 10000000us",
                Some("-j RATEEST --rateest-name RE1 --rateest-interval 1.0s --rateest-ewmalog 8.0s"),
            ),
            (Ipv4, "-j RATEEST --rateest-name RE1 --rateest-interval 9s --rateest-ewmalog 60s", None),
            (Ipv4, "-j RATEEST --rateest-name RE1 --rateest-interval 1s --rateest-ewmalog 1s", None),
            (Ipv4, "-j RATEEST --rateest-name RE1 --rateest-interval 1x --rateest-ewmalog 1s", None),
            (Ipv4, "-j RATEEST --rateest-name RE1 --rateest-interval 1s", None),
            (Ipv4, "-j RATEEST --rateest-interval 1s --rateest-ewmalog 4s", None),
            (Ipv4, "-j RATEEST", None),
        ]);
    }
}
