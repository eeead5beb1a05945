//! `-m limit`: a token bucket over packets (`xt_limit.h`, `struct xt_rateinfo`).
//!
//! ```
//! use iptkit::matches::limit::{Limit, DEFAULT_BURST};
//! use iptkit::{Family, Rule, Target};
//! let ten_a_minute = Limit::parse_rate("10/minute")?; // the kernel's period, 1/10000 s
//! let rule = Rule::new(Family::Ipv4)
//!     .with_match(Limit::new(ten_a_minute, DEFAULT_BURST))
//!     .with_target(Target::Accept);
//! assert_eq!(rule.to_string(), "-m limit --limit 10/min -j ACCEPT");
//! assert_eq!(Rule::parse(Family::Ipv4, "-m limit --limit 10/min -j ACCEPT")?, rule);
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_limit::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::strtol;
use crate::xtopt::Seen;

/// The burst iptables uses when none is given (and does not print).
pub const DEFAULT_BURST: u32 = 5;

/// Units iptables prints a rate in, with their length in 1/10000 s.
const UNITS: &[(&str, u32)] = &[
    ("day", XT_LIMIT_SCALE * 24 * 60 * 60),
    ("hour", XT_LIMIT_SCALE * 60 * 60),
    ("min", XT_LIMIT_SCALE * 60),
    ("sec", XT_LIMIT_SCALE),
];

/// `-m limit`. Build one with [`Limit::new`] or [`Default`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limit {
    /// `--limit`, as the kernel holds it: the average time between packets in
    /// 1/10000 s (`3/hour` is 12,000,000). See [`Limit::parse_rate`].
    pub avg: u32,
    /// `--limit-burst`: packets allowed at once (1 to 10000 for the kernel).
    pub burst: u32,
}

const GIVEN_LIMIT: u32 = 1;
const GIVEN_BURST: u32 = 2;

impl Default for Limit {
    /// iptables' defaults: `3/hour`, burst 5.
    fn default() -> Limit {
        Limit::new(XT_LIMIT_SCALE * 60 * 60 / 3, DEFAULT_BURST)
    }
}

impl Limit {
    /// A limit from the kernel's period (1/10000 s) and a burst.
    pub fn new(avg: u32, burst: u32) -> Limit {
        Limit { avg, burst }
    }

    /// Parses `N[/second|/minute|/hour|/day]` (any prefix of the unit, any
    /// case) into the kernel's period, as libxt_limit's `parse_rate` does.
    pub fn parse_rate(s: &str) -> Result<u32> {
        let bad = || Error::value("--limit", s, "bad rate");
        let mult: u32 = match s.split_once('/') {
            None => 1,
            Some((_, unit)) => {
                let fits = |name: &str| {
                    !unit.is_empty()
                        && unit.len() <= name.len()
                        && name.as_bytes()[..unit.len()].eq_ignore_ascii_case(unit.as_bytes())
                };
                match ["second", "minute", "hour", "day"]
                    .iter()
                    .position(|n| fits(n))
                {
                    Some(0) => 1,
                    Some(1) => 60,
                    Some(2) => 60 * 60,
                    Some(_) => 24 * 60 * 60,
                    None => return Err(bad()),
                }
            }
        };
        let r = (strtol(s) as i32) as u32;
        if r == 0 {
            return Err(bad());
        }
        match XT_LIMIT_SCALE * mult / r {
            0 => Err(Error::value("--limit", s, "rate too fast")),
            avg => Ok(avg),
        }
    }

    /// `N/unit` as iptables prints a period (`print_rate`).
    pub fn rate_string(avg: u32) -> String {
        if avg == 0 {
            return "inf".to_string();
        }
        let i = (1..UNITS.len())
            .find(|&i| avg > UNITS[i].1 || UNITS[i].1 / avg < UNITS[i].1 % avg)
            .unwrap_or(UNITS.len());
        let (name, mult) = UNITS[i - 1];
        format!("{}/{name}", mult / avg)
    }
}

impl Extension for Limit {
    const NAME: &'static str = "limit";

    fn example(_family: crate::addr::Family) -> Self {
        Limit::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Limit::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_rateinfo = read_struct(Self::NAME, revision, data)?;
        Ok(Limit::new(k.avg, k.burst))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        // The kernel-private fields stay zero, as iptables leaves them.
        let mut k = xt_rateinfo::zeroed();
        k.avg = self.avg;
        k.burst = self.burst;
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
        let name = match option {
            "limit" => "--limit",
            "limit-burst" => "--limit-burst",
            _ => return Ok(false),
        };
        if invert {
            return Err(Error::rule(
                "limit",
                format!("option \"{name}\" cannot be inverted"),
            ));
        }
        let bit = if option == "limit" {
            GIVEN_LIMIT
        } else {
            GIVEN_BURST
        };
        if seen.has(bit) {
            return Err(Error::rule(name, "may be given only once"));
        }
        let v = args.value(name)?;
        if option == "limit" {
            self.avg = Limit::parse_rate(v)?;
        } else {
            let b = crate::xtopt::uint(v, 0, 10000)
                .ok_or_else(|| Error::value(name, v, "out of range (0-10000)"))?;
            self.burst = b as u32;
        }
        seen.mark(bit);
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        out.push_str(" --limit ");
        out.push_str(&Limit::rate_string(self.avg));
        if self.burst != DEFAULT_BURST {
            push_fmt!(out, " --limit-burst {}", self.burst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};
    use crate::testutil::hex;

    fn round(spec: &str) -> Result<String> {
        let (rules, _) = parse_rule_spec(Family::Ipv4, &split_words(spec)?)?;
        Ok(save_rule_spec(&rules[0]))
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `-m limit --limit 3/hour --limit-burst 7`: 40 bytes, private fields zero.
        let bytes = hex(
            "001bb70007000000000000000000000000000000000000000000000000000000
             0000000000000000",
        );
        let l = Limit::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(l, Limit::new(12_000_000, 7));
        let mut out = Vec::new();
        l.encode(&ctx, &mut out);
        assert_eq!(out, bytes);
        // `-m limit` alone is iptables' defaults.
        let mut out = Vec::new();
        Limit::start(&ctx, "limit").encode(&ctx, &mut out);
        assert_eq!(out[..8], hex("001bb70005000000")[..]);
        assert!(Limit::decode(&ctx, 0, &bytes[..8]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let ok = |spec: &str, want: &str| {
            assert_eq!(
                round(&format!("-m limit {spec}")).unwrap(),
                format!(" -m limit {want}")
            );
        };
        ok("", "--limit 3/hour");
        ok("--limit 3/hour --limit-burst 5", "--limit 3/hour");
        ok(
            "--limit 1/sec --limit-burst 1",
            "--limit 1/sec --limit-burst 1",
        );
        ok("--limit 1000/hour", "--limit 1000/hour");
        ok("--limit 1000/day", "--limit 1000/day");
        ok("--limit 5", "--limit 5/sec");
        ok("--limit 5/m", "--limit 5/min");
        ok("--limit 1/mi", "--limit 1/min");
        ok("--limit 1/sEc", "--limit 1/sec");
        ok("--limit 10000/s", "--limit 10000/sec");
        ok("--limit 1000000/day", "--limit 694/min");
        ok("--limit 86400/day", "--limit 1/sec");
        ok("--limit 61/min", "--limit 61/min");
        ok("--limit 5x/s", "--limit 5/sec");
        ok("--limit \" 5/s\"", "--limit 5/sec");
        ok("--limit-burst 0x10", "--limit 3/hour --limit-burst 16");
        assert_eq!(Limit::rate_string(0), "inf");
    }

    #[test]
    fn refusals() {
        for spec in [
            "--limit 10001/s",
            "--limit 0/s",
            "--limit 1/x",
            "--limit 1/hours",
            "--limit 1/week",
            "--limit /s",
            "--limit x/s",
            "--limit 0x10/s",
            "--limit 1/",
            "--limit -5/s",
            "--limit 99999999999/s",
            "--limit 4294967296/s",
            "--limit-burst 10001",
            "--limit-burst -1",
            "! --limit 1/s",
            "--limit 1/s --limit 2/s",
            "--limit-burst 1 --limit-burst 2",
            "--limit",
        ] {
            assert!(round(&format!("-m limit {spec}")).is_err(), "{spec}");
        }
    }
    /// Every case of extensions/libxt_limit.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m limit --limit 1/sec", Some(" -m limit --limit 1/sec")),
            (46, "-m limit --limit 1/min", Some(" -m limit --limit 1/min")),
            (46, "-m limit --limit 1000/hour", Some(" -m limit --limit 1000/hour")),
            (46, "-m limit --limit 1000/day", Some(" -m limit --limit 1000/day")),
            (46, "-m limit --limit 1/sec --limit-burst 1", Some(" -m limit --limit 1/sec --limit-burst 1")),
        ]);
    }
}
