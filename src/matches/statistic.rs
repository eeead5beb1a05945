//! `-m statistic`: match packets at random or every nth one
//! (`xt_statistic.h`, `struct xt_statistic_info`).

use iptkit_sys::ext::xt_statistic::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{exact, uint_option, Seen};

/// `--mode` and its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatisticMode {
    /// `--mode random --probability P`.
    Random {
        /// The probability as the kernel keeps it: P × 2^31, rounded
        /// (`0x8000_0000` is 1).
        probability: u32,
    },
    /// `--mode nth --every N --packet P`: one packet out of every `every`,
    /// starting with the counter at `packet`.
    Nth {
        /// N, at least 1.
        every: u32,
        /// The counter's start value, below `every`.
        packet: u32,
    },
}

impl Default for StatisticMode {
    fn default() -> Self {
        StatisticMode::Random { probability: 0 }
    }
}

/// `-m statistic`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Statistic {
    /// The mode and its parameters.
    pub mode: StatisticMode,
    /// `!` before `--probability` or `--every`: match the other packets.
    pub invert: bool,
}

impl Statistic {
    /// A statistic match of `mode`.
    pub fn with(mode: StatisticMode, invert: bool) -> Self {
        Statistic { mode, invert }
    }
}

const O_MODE: u32 = 1 << 0;
const O_PROBABILITY: u32 = 1 << 1;
const O_EVERY: u32 = 1 << 2;
const O_PACKET: u32 = 1 << 3;

// What the options leave in `Seen::aux` for `finish`: `--mode` (1 for nth),
// `--probability`, `--every` and `--packet` may come in any order.
const AUX_NTH: usize = 0;
const AUX_PROBABILITY: usize = 1;
const AUX_EVERY: usize = 2;
const AUX_PACKET: usize = 3;

/// 1.0 as a kernel probability.
const ONE: f64 = 2147483648.0;

impl Extension for Statistic {
    const NAME: &'static str = "statistic";

    fn example(_family: crate::addr::Family) -> Self {
        Statistic::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Statistic::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_statistic_info = read_struct(Self::NAME, revision, data)?;
        let mode = match k.mode {
            XT_STATISTIC_MODE_RANDOM => StatisticMode::Random {
                probability: k.u[0],
            },
            XT_STATISTIC_MODE_NTH => StatisticMode::Nth {
                every: k.u[0]
                    .checked_add(1)
                    .ok_or_else(|| Error::Malformed("statistic: every 2^32".into()))?,
                packet: k.u[1],
            },
            m => return Err(Error::Malformed(format!("statistic: mode {m}"))),
        };
        let v = Statistic::with(mode, k.flags & XT_STATISTIC_INVERT != 0);
        exact(ctx, data, v)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_statistic_info::zeroed();
        if self.invert {
            k.flags = XT_STATISTIC_INVERT;
        }
        match self.mode {
            StatisticMode::Random { probability } => {
                k.mode = XT_STATISTIC_MODE_RANDOM;
                k.u[0] = probability;
            }
            StatisticMode::Nth { every, packet } => {
                k.mode = XT_STATISTIC_MODE_NTH;
                k.u[0] = every.wrapping_sub(1);
                k.u[1] = packet;
            }
        }
        // iptables sets the start count from the union's first two words,
        // whatever the mode: every - 1 - packet, or the probability.
        k.u[2] = k.u[0].wrapping_sub(k.u[1]);
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
        let flag = format!("--{option}");
        match option {
            "mode" => {
                seen.take(Self::NAME, option, O_MODE, invert, false)?;
                let v = args.value(&flag)?;
                seen.aux[AUX_NTH] = match v {
                    "random" => 0,
                    "nth" => 1,
                    _ => return Err(Error::value(&flag, v, "bad mode")),
                };
            }
            "probability" => {
                seen.take(Self::NAME, option, O_PROBABILITY, invert, true)?;
                let v = args.value(&flag)?;
                // strtod skips leading white space; NaN passes iptables'
                // range check and becomes 0 (lround of NaN, truncated).
                let p: f64 = v
                    .trim_start()
                    .parse()
                    .ok()
                    .filter(|p: &f64| p.is_nan() || (0.0..=1.0).contains(p))
                    .ok_or_else(|| Error::value(&flag, v, "bad value, or out of range (0-1)"))?;
                seen.aux[AUX_PROBABILITY] = (ONE * p).round() as u32;
            }
            "every" => {
                seen.take(Self::NAME, option, O_EVERY, invert, true)?;
                let n = uint_option(Self::NAME, &flag, args.value(&flag)?, 1, u32::MAX as u64)?;
                seen.aux[AUX_EVERY] = n as u32;
            }
            "packet" => {
                seen.take(Self::NAME, option, O_PACKET, invert, false)?;
                let n = uint_option(Self::NAME, &flag, args.value(&flag)?, 0, u32::MAX as u64)?;
                seen.aux[AUX_PACKET] = n as u32;
            }
            _ => return Ok(false),
        }
        // iptables inverts on any `!`, even one it then refuses.
        self.invert |= invert;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        let [nth, probability, every, packet] = seen.aux;
        self.mode = if nth == 1 {
            StatisticMode::Nth { every, packet }
        } else {
            StatisticMode::Random { probability }
        };
        let seen = |id| seen.has(id);
        match self.mode {
            StatisticMode::Random { .. } if !seen(O_PROBABILITY) => {
                return Err(Error::rule(
                    "statistic",
                    "--probability must be specified when using random mode",
                ))
            }
            StatisticMode::Nth { every, packet } => {
                if !seen(O_EVERY) && !seen(O_PACKET) {
                    return Err(Error::rule(
                        "statistic",
                        "--every and --packet must be specified when using nth mode",
                    ));
                }
                if packet >= every {
                    return Err(Error::rule(
                        "statistic",
                        "the --packet p must be 0 <= p <= n-1",
                    ));
                }
            }
            _ => {}
        }
        if !seen(O_MODE) {
            return Err(Error::rule("statistic", "option --mode must be specified"));
        }
        if seen(O_PROBABILITY) && (seen(O_EVERY) || seen(O_PACKET)) {
            return Err(Error::rule(
                "statistic",
                "--probability cannot be used together with --every or --packet",
            ));
        }
        if seen(O_EVERY) != seen(O_PACKET) {
            return Err(Error::rule(
                "statistic",
                "--every and --packet require each other",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let bang = if self.invert { " !" } else { "" };
        match self.mode {
            StatisticMode::Random { probability } => push_fmt!(
                out,
                " --mode random{bang} --probability {:.11}",
                probability as f64 / ONE
            ),
            StatisticMode::Nth { every, packet } => {
                push_fmt!(out, " --mode nth{bang} --every {every} --packet {packet}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{conformance, ctx, kernel_fixture, parse, save};

    #[test]
    fn kernel_bytes_both_ways() {
        let v4 = ctx(Family::Ipv4);
        kernel_fixture::<Statistic>(
            &v4,
            "--mode nth ! --every 5 --packet 2",
            0,
            "010001000400000002000000020000000000000000000000",
        );
        kernel_fixture::<Statistic>(
            &v4,
            "--mode random --probability 0.25",
            0,
            "000000000000002000000000000000200000000000000000",
        );
        kernel_fixture::<Statistic>(
            &v4,
            "--mode nth --packet 0 --every 1",
            0,
            "010000000000000000000000000000000000000000000000",
        );
    }

    #[test]
    fn probability_prints_like_printf() {
        let v4 = ctx(Family::Ipv4);
        let p = |s: &str| save(&v4, &parse::<Statistic>(&v4, s).unwrap());
        assert_eq!(
            p("--mode random --probability 0.000244140625"),
            " --mode random --probability 0.00024414062"
        );
        assert_eq!(
            p("--mode random --probability 1"),
            " --mode random --probability 1.00000000000"
        );
        assert_eq!(
            p("--mode random --probability 0.1"),
            " --mode random --probability 0.10000000009"
        );
    }

    #[test]
    fn refusals() {
        let v4 = ctx(Family::Ipv4);
        let bad = |s: &str| parse::<Statistic>(&v4, s).is_err();
        assert!(bad("--mode nth --packet 1"));
        assert!(bad("--mode nth --every 0 --packet 0"));
        assert!(bad("--mode nth --every 2 --packet 1 --probability 0.5"));
        assert_eq!(
            save(
                &v4,
                &parse::<Statistic>(&v4, "--mode random --probability nan").unwrap()
            ),
            " --mode random --probability 0.00000000000"
        );
        assert!(bad("--mode random --probability inf"));
        assert!(bad("! --mode random --probability 0.5"));
        assert!(bad("--mode random --probability 0.5 --mode random"));
        assert!(bad("--mode bus"));
        assert!(!bad("--every 3 --packet 1 --mode nth"));
    }

    #[test]
    fn conformance_cases() {
        let cases = [
            ("-m statistic", None),
            (
                "-m statistic --mode random ! --probability 0.50000000000",
                Some("-m statistic --mode random ! --probability 0.50000000000"),
            ),
            ("-m statistic --mode random ! --probability 1.1", None),
            ("-m statistic --probability 1", None),
            (
                "-m statistic --mode nth ! --every 5 --packet 2",
                Some("-m statistic --mode nth ! --every 5 --packet 2"),
            ),
            ("-m statistic --mode nth ! --every 5", None),
            ("-m statistic --mode nth ! --every 5 --packet 5", None),
        ];
        conformance(Family::Ipv4, &cases);
        conformance(Family::Ipv6, &cases);
    }
}
