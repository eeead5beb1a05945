//! `-m rateest`: compare the rate measured by a `RATEEST` estimator with a
//! given rate, or with a second estimator (`xt_rateest.h`, `struct
//! xt_rateest_match_info`).
//!
//! The struct is mirrored closely: which rate fields count depends on the
//! mode. Absolute mode (`--rateest NAME`) compares the estimator with
//! `bps2`/`pps2`; relative mode (`--rateest1 A ... --rateest2 B`) compares two
//! estimators; `--rateest-delta` compares their differences with the rates
//! (`bps1`/`pps1` for the first, `bps2`/`pps2` for the second).

use iptkit_sys::ext::xt_rateest::*;
use iptkit_sys::xtables::IFNAMSIZ;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{
    bad_revision, c_str, check_name, put_c_str, read_struct, Args, Ctx, Extension, EXAMPLE_NAME,
};
use crate::inv::Inv;
use crate::xtopt::{strtod, truncated, uint, Seen};

/// The comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateestMode {
    /// `--rateest-eq`.
    Eq,
    /// `--rateest-lt`.
    Lt,
    /// `--rateest-gt`.
    Gt,
}

const MODES: &[(RateestMode, u16, &str)] = &[
    (RateestMode::Eq, XT_RATEEST_MATCH_EQ, "eq"),
    (RateestMode::Lt, XT_RATEEST_MATCH_LT, "lt"),
    (RateestMode::Gt, XT_RATEEST_MATCH_GT, "gt"),
];

/// `-m rateest`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rateest {
    /// `--rateest NAME` / `--rateest1 NAME`: the estimator (at most 15 bytes;
    /// iptables cuts longer names).
    pub name1: String,
    /// `--rateest2 NAME`: the second estimator (relative mode when present).
    pub name2: Option<String>,
    /// `--rateest-delta`: compare differences.
    pub delta: bool,
    /// `--rateest-bps*` given: compare bytes per second.
    pub bps: bool,
    /// `--rateest-pps*` given: compare packets per second.
    pub pps: bool,
    /// `--rateest-bps1 RATE`, in bytes per second.
    pub bps1: u32,
    /// `--rateest-pps1 N`.
    pub pps1: u32,
    /// `--rateest-bps2 RATE` (or `--rateest-bps RATE`), in bytes per second.
    pub bps2: u32,
    /// `--rateest-pps2 N` (or `--rateest-pps N`).
    pub pps2: u32,
    /// `[!] --rateest-eq|lt|gt`; the kernel refuses a rule without one.
    pub mode: Option<Inv<RateestMode>>,
}

/// Rate units as iproute2 (and `rateest_get_rate`) reads them: bits per
/// second per unit. Case is ignored.
const SUFFIXES: &[(&str, f64)] = &[
    ("bit", 1.),
    ("Kibit", 1024.),
    ("kbit", 1000.),
    ("Mibit", 1024. * 1024.),
    ("mbit", 1_000_000.),
    ("Gibit", 1024. * 1024. * 1024.),
    ("gbit", 1_000_000_000.),
    ("Tibit", 1024. * 1024. * 1024. * 1024.),
    ("tbit", 1_000_000_000_000.),
    ("Bps", 8.),
    ("KiBps", 8. * 1024.),
    ("KBps", 8000.),
    ("MiBps", 8. * 1024. * 1024.),
    ("MBps", 8_000_000.),
    ("GiBps", 8. * 1024. * 1024. * 1024.),
    ("GBps", 8_000_000_000.),
    ("TiBps", 8. * 1024. * 1024. * 1024. * 1024.),
    ("TBps", 8_000_000_000_000.),
];

/// A rate (`5kbit`, `1.5mbit`, `100`: bits per second without a unit) in
/// bytes per second, as `rateest_get_rate` computes it.
fn parse_rate(s: &str) -> Result<u32> {
    let bad = || Error::value("rateest", s, "could not parse rate");
    let (v, unit) = strtod(s).ok_or_else(bad)?;
    let scale = if unit.is_empty() {
        1.
    } else {
        SUFFIXES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(unit))
            .ok_or_else(bad)?
            .1
    };
    // The C cast of the double, as x86_64 does it (through a 64-bit integer).
    Ok((v * scale / 8.) as i64 as u32)
}

/// ` RATE` as `rateest_print_rate` prints a bytes-per-second rate.
fn save_rate(out: &mut String, rate: u32) {
    let bits = f64::from(rate) * 8.;
    if bits >= 1000.0 * 1_000_000.0 {
        push_fmt!(out, " {:.0}Mbit", bits / 1_000_000.0);
    } else if bits >= 1000.0 * 1000.0 {
        push_fmt!(out, " {:.0}Kbit", bits / 1000.0);
    } else {
        push_fmt!(out, " {bits:.0}bit");
    }
}

const O_RATEEST1: u32 = 1 << 0;
const O_RATEEST2: u32 = 1 << 1;
const O_BPS1: u32 = 1 << 2;
const O_PPS1: u32 = 1 << 3;
const O_BPS2: u32 = 1 << 4;
const O_PPS2: u32 = 1 << 5;
const O_DELTA: u32 = 1 << 6;
const O_LT: u32 = 1 << 7;
const O_GT: u32 = 1 << 8;
const O_EQ: u32 = 1 << 9;

impl Rateest {
    /// `--rateest name --rateest-bps rate` with the comparison `mode`: the
    /// byte rate of estimator `name` (made by a `RATEEST` target) compared
    /// with `rate` bytes per second. Refused when the name is empty or
    /// longer than 15 bytes; the kernel refuses a name no estimator has.
    ///
    /// ```
    /// use iptkit::{matches::rateest::{Rateest, RateestMode}, Match};
    /// let m = Match::from(Rateest::bps("uplink", RateestMode::Gt, 125_000)?);
    /// assert_eq!(m.to_string(), "-m rateest --rateest uplink --rateest-gt --rateest-bps 1000Kbit");
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn bps(name: &str, mode: RateestMode, rate: u32) -> Result<Rateest> {
        Ok(Rateest {
            bps: true,
            bps2: rate,
            ..Rateest::absolute(name, mode)?
        })
    }

    /// `--rateest name --rateest-pps rate`: as [`Rateest::bps`], with the
    /// packet rate.
    pub fn pps(name: &str, mode: RateestMode, rate: u32) -> Result<Rateest> {
        Ok(Rateest {
            pps: true,
            pps2: rate,
            ..Rateest::absolute(name, mode)?
        })
    }

    /// Estimator `name` compared by `mode`, with no rate yet.
    fn absolute(name: &str, mode: RateestMode) -> Result<Rateest> {
        check_name("rate estimator name", "--rateest", name, IFNAMSIZ - 1)?;
        Ok(Rateest {
            name1: name.to_string(),
            mode: Some(Inv::is(mode)),
            ..Rateest::empty()
        })
    }

    /// No estimator yet (not valid alone): what parsing starts from.
    fn empty() -> Rateest {
        Rateest {
            name1: String::new(),
            name2: None,
            delta: false,
            bps: false,
            pps: false,
            bps1: 0,
            pps1: 0,
            bps2: 0,
            pps2: 0,
            mode: None,
        }
    }

    /// Appends the ` [!] --rateest-eq|lt|gt` of the comparison.
    fn save_mode(&self, out: &mut String) {
        if let Some(m) = self.mode {
            let name = MODES.iter().find(|e| e.0 == m.value).map_or("", |e| e.2);
            push_fmt!(out, "{} --rateest-{name}", m.bang());
        }
    }

    /// `__rateest_save_rate`: one of bps and pps, with the comparison.
    fn save_rates(&self, out: &mut String, unit: &str, r1: u32, r2: u32) {
        let rate = |out: &mut String, r: u32| {
            if unit == "bps" {
                save_rate(out, r);
            } else {
                push_fmt!(out, " {r}");
            }
        };
        if self.delta {
            push_fmt!(out, " --rateest-{unit}1");
            rate(out, r1);
            self.save_mode(out);
            push_fmt!(out, " --rateest-{unit}2");
        } else {
            self.save_mode(out);
            push_fmt!(out, " --rateest-{unit}");
        }
        if self.name2.is_none() || self.delta {
            rate(out, r2);
        }
    }
}

/// The optional value of `--rateest-bps1` and friends: the next word unless
/// it starts with `-` or `!`.
fn optional<'a>(args: &mut Args<'a>) -> Option<&'a str> {
    match args.peek() {
        Some(w) if !w.starts_with(['-', '!']) => args.next(),
        _ => None,
    }
}

impl Extension for Rateest {
    const NAME: &'static str = "rateest";

    fn example(_family: crate::addr::Family) -> Self {
        Rateest::bps(EXAMPLE_NAME, RateestMode::Lt, 125_000).expect("a valid name")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Rateest::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_rateest_match_info = read_struct(Self::NAME, revision, data)?;
        let f = |bit| k.flags & bit != 0;
        let known = XT_RATEEST_MATCH_INVERT
            | XT_RATEEST_MATCH_ABS
            | XT_RATEEST_MATCH_REL
            | XT_RATEEST_MATCH_DELTA
            | XT_RATEEST_MATCH_BPS
            | XT_RATEEST_MATCH_PPS;
        // iptables sets exactly one of ABS and REL, and INVERT only with a mode.
        let mode = MODES.iter().find(|e| e.1 == k.mode).map(|e| e.0);
        let odd = k.flags & !known != 0
            || f(XT_RATEEST_MATCH_ABS) == f(XT_RATEEST_MATCH_REL)
            || (k.mode != XT_RATEEST_MATCH_NONE && mode.is_none())
            || (mode.is_none() && f(XT_RATEEST_MATCH_INVERT))
            || (!f(XT_RATEEST_MATCH_REL) && k.name2 != [0; IFNAMSIZ]);
        if odd {
            return Err(Error::Malformed(format!(
                "rateest: flags {:#x}, mode {}",
                k.flags, k.mode
            )));
        }
        Ok(Rateest {
            name1: c_str(&k.name1),
            name2: f(XT_RATEEST_MATCH_REL).then(|| c_str(&k.name2)),
            delta: f(XT_RATEEST_MATCH_DELTA),
            bps: f(XT_RATEEST_MATCH_BPS),
            pps: f(XT_RATEEST_MATCH_PPS),
            bps1: k.bps1,
            pps1: k.pps1,
            bps2: k.bps2,
            pps2: k.pps2,
            mode: mode.map(|m| Inv::new(m, f(XT_RATEEST_MATCH_INVERT))),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_rateest_match_info::zeroed();
        // Names set through the API may be too long: keep what fits, as iptables does.
        let _ = put_c_str(
            "rateest name",
            truncated(&self.name1, IFNAMSIZ),
            &mut k.name1,
        );
        let mut flags = 0;
        match &self.name2 {
            Some(n) => {
                let _ = put_c_str("rateest name", truncated(n, IFNAMSIZ), &mut k.name2);
                flags |= XT_RATEEST_MATCH_REL;
            }
            None => flags |= XT_RATEEST_MATCH_ABS,
        }
        for (on, bit) in [
            (self.delta, XT_RATEEST_MATCH_DELTA),
            (self.bps, XT_RATEEST_MATCH_BPS),
            (self.pps, XT_RATEEST_MATCH_PPS),
        ] {
            if on {
                flags |= bit;
            }
        }
        if let Some(m) = self.mode {
            k.mode = MODES.iter().find(|e| e.0 == m.value).map_or(0, |e| e.1);
            if m.invert {
                flags |= XT_RATEEST_MATCH_INVERT;
            }
        }
        k.flags = flags;
        (k.bps1, k.pps1, k.bps2, k.pps2) = (self.bps1, self.pps1, self.bps2, self.pps2);
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
        let (bit, invertible) = match option {
            "rateest1" | "rateest" => (O_RATEEST1, false),
            "rateest2" => (O_RATEEST2, false),
            "rateest-bps1" => (O_BPS1, false),
            "rateest-pps1" => (O_PPS1, false),
            "rateest-bps2" | "rateest-bps" => (O_BPS2, false),
            "rateest-pps2" | "rateest-pps" => (O_PPS2, false),
            "rateest-delta" => (O_DELTA, false),
            "rateest-lt" => (O_LT, true),
            "rateest-gt" => (O_GT, true),
            "rateest-eq" => (O_EQ, true),
            _ => return Ok(false),
        };
        seen.take(Self::NAME, option, bit, invert, invertible)?;
        let pps = |s: &str| {
            uint(s, 0, u64::from(u32::MAX))
                .map(|v| v as u32)
                .ok_or_else(|| Error::value("rateest", s, "could not parse pps"))
        };
        match bit {
            O_RATEEST1 => self.name1 = truncated(args.value(option)?, IFNAMSIZ).to_string(),
            O_RATEEST2 => self.name2 = Some(truncated(args.value(option)?, IFNAMSIZ).to_string()),
            O_BPS1 | O_BPS2 => {
                self.bps = true;
                if let Some(v) = optional(args) {
                    let rate = parse_rate(v)?;
                    if bit == O_BPS1 {
                        self.bps1 = rate;
                    } else {
                        self.bps2 = rate;
                    }
                }
            }
            O_PPS1 | O_PPS2 => {
                self.pps = true;
                if let Some(v) = optional(args) {
                    let n = pps(v)?;
                    if bit == O_PPS1 {
                        self.pps1 = n;
                    } else {
                        self.pps2 = n;
                    }
                }
            }
            O_DELTA => self.delta = true,
            _ => {
                // The last of --rateest-lt/gt/eq wins, as in iptables.
                let mode = match bit {
                    O_LT => RateestMode::Lt,
                    O_GT => RateestMode::Gt,
                    _ => RateestMode::Eq,
                };
                let invert = invert || self.mode.is_some_and(|m| m.invert);
                self.mode = Some(Inv::new(mode, invert));
            }
        }
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if self.delta {
            out.push_str(" --rateest-delta");
        }
        let one = if self.name2.is_some() { "1" } else { "" };
        push_fmt!(out, " --rateest{one} {}", self.name1);
        if self.bps {
            self.save_rates(out, "bps", self.bps1, self.bps2);
        }
        if self.pps {
            self.save_rates(out, "pps", self.pps1, self.pps2);
        }
        if let Some(n) = &self.name2 {
            push_fmt!(out, " --rateest2 {n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Rateest> {
        parse_as(Family::Ipv4, "rateest", words)
    }

    fn round(spec: &str) -> String {
        save_as(&parse(&spec.split(' ').collect::<Vec<_>>()).unwrap())
    }

    /// The struct's bytes from the dump of `xtdump.py` (72 bytes).
    fn kernel(name1: &str, name2: &str, tail: &str) -> Vec<u8> {
        let mut v = name1.as_bytes().to_vec();
        v.resize(16, 0);
        v.extend(name2.as_bytes());
        v.resize(32, 0);
        v.extend(hex(tail));
        v.resize(72, 0);
        v
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        for (spec, bytes) in [
            (
                "--rateest RE1 --rateest-eq --rateest-pps 5",
                kernel("RE1", "", "2200010000000000000000000000000005000000"),
            ),
            (
                "--rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2",
                kernel("RE1", "RE2", "2c0002000000000000000000000000002a000000"),
            ),
            (
                "--rateest RE1 ! --rateest-gt --rateest-bps 1500Kbit",
                kernel("RE1", "", "13000300000000000000000000000000"),
            ),
        ] {
            let mut bytes = bytes;
            if spec.contains("1500Kbit") {
                bytes[44..48].copy_from_slice(&187_500u32.to_le_bytes());
            }
            let m = parse(&spec.split(' ').collect::<Vec<_>>()).unwrap();
            assert_eq!(encode_as(Family::Ipv4, &m), bytes, "{spec}");
            assert_eq!(Rateest::decode(&ctx, 0, &bytes).unwrap(), m, "{spec}");
            assert_eq!(save_as(&m), format!(" {spec}"));
        }
        // ABS and REL both set: not what iptables writes.
        assert!(Rateest::decode(&ctx, 0, &kernel("RE1", "", "0600")).is_err());
    }

    #[test]
    fn text_like_iptables() {
        assert_eq!(
            round("--rateest RE1 --rateest-gt --rateest-bps 5kbit"),
            " --rateest RE1 --rateest-gt --rateest-bps 5000bit"
        );
        assert_eq!(
            round("--rateest RE1 ! --rateest-gt --rateest-bps 1.5mbit"),
            " --rateest RE1 ! --rateest-gt --rateest-bps 1500Kbit"
        );
        assert_eq!(
            round("--rateest RE1 --rateest-lt --rateest-gt --rateest-bps 1000000000bit"),
            " --rateest RE1 --rateest-gt --rateest-bps 1000Mbit"
        );
        assert_eq!(
            round("--rateest RE1 --rateest-bps --rateest-pps 3 --rateest-lt"),
            " --rateest RE1 --rateest-lt --rateest-bps 0bit --rateest-lt --rateest-pps 3"
        );
        assert_eq!(
            round("--rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2"),
            " --rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2"
        );
        assert_eq!(parse_rate("1e3").unwrap(), 125);
        assert_eq!(parse_rate(" 8BPS").unwrap(), 8);
        assert!(parse_rate("5 kbit").is_err());
        assert!(parse_rate("kbit").is_err());
    }

    #[test]
    fn refusals() {
        assert!(parse(&["!", "--rateest", "RE1"]).is_err());
        assert!(parse(&["--rateest", "RE1", "--rateest1", "RE2"]).is_err());
        assert!(parse(&["--rateest-lt", "--rateest-lt"]).is_err());
        assert!(parse(&["--rateest-bps", "fast"]).is_err());
        assert!(parse(&["--rateest-pps", "4294967296"]).is_err());
        assert!(parse(&["!", "--rateest-delta"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m rateest --rateest RE1 --rateest-lt --rateest-bps 8bit", Some(" -m rateest --rateest RE1 --rateest-lt --rateest-bps 8bit")),
            (46, "-m rateest --rateest RE1 --rateest-eq --rateest-pps 5", Some(" -m rateest --rateest RE1 --rateest-eq --rateest-pps 5")),
            (46, "-m rateest --rateest RE1 --rateest-gt --rateest-bps 5kbit", Some(" -m rateest --rateest RE1 --rateest-gt --rateest-bps 5000bit")),
            (46, "-m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit", Some(" -m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit")),
            (46, "-m rateest --rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2", Some(" -m rateest --rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2")),
            (46, "-m rateest --rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2", Some(" -m rateest --rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2")),
            (46, "-m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-eq --rateest-bps2 16bit", Some(" -m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-eq --rateest-bps2 16bit")),
            (46, "-m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-gt --rateest-bps2 16bit", Some(" -m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-gt --rateest-bps2 16bit")),
            (46, "-m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-lt --rateest-pps2 9", Some(" -m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-lt --rateest-pps2 9")),
            (46, "-m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-eq --rateest-pps2 9", Some(" -m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-eq --rateest-pps2 9")),
            (46, "-m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-gt --rateest-pps2 9", Some(" -m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-gt --rateest-pps2 9")),
        ]);
    }
}
