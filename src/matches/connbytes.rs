//! `-m connbytes`: how many packets or bytes a connection has carried so far,
//! or its average packet size (`xt_connbytes.h`, `struct xt_connbytes_info`).

use iptkit_sys::ext::xt_connbytes::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{uint_range, Seen};

/// What `--connbytes` counts (`--connbytes-mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConnbytesMode {
    /// `packets`.
    #[default]
    Packets,
    /// `bytes`.
    Bytes,
    /// `avgpkt`: bytes per packet.
    AvgPkt,
}

/// Which direction of the connection is counted (`--connbytes-dir`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConnbytesDir {
    /// `original`.
    #[default]
    Original,
    /// `reply`.
    Reply,
    /// `both`.
    Both,
}

const MODES: &[(&str, ConnbytesMode, u8)] = &[
    ("packets", ConnbytesMode::Packets, XT_CONNBYTES_PKTS),
    ("bytes", ConnbytesMode::Bytes, XT_CONNBYTES_BYTES),
    ("avgpkt", ConnbytesMode::AvgPkt, XT_CONNBYTES_AVGPKT),
];

const DIRS: &[(&str, ConnbytesDir, u8)] = &[
    (
        "original",
        ConnbytesDir::Original,
        XT_CONNBYTES_DIR_ORIGINAL,
    ),
    ("reply", ConnbytesDir::Reply, XT_CONNBYTES_DIR_REPLY),
    ("both", ConnbytesDir::Both, XT_CONNBYTES_DIR_BOTH),
];

/// An inclusive range of counts; `to` is `u64::MAX` for "and above".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CountRange {
    /// Lowest count matched.
    pub from: u64,
    /// Highest count matched.
    pub to: u64,
}

impl Default for CountRange {
    /// `0` and up: every count (what `--connbytes 0` reads as).
    fn default() -> Self {
        CountRange {
            from: 0,
            to: u64::MAX,
        }
    }
}

/// `-m connbytes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Connbytes {
    /// `[!] --connbytes FROM[:TO]`. The kernel stores an inverted range with
    /// its bounds swapped, so a one-value range cannot be inverted: parsing
    /// `! --connbytes 5:5` gives a plain one, as in iptables.
    pub count: Inv<CountRange>,
    /// `--connbytes-mode`.
    pub mode: ConnbytesMode,
    /// `--connbytes-dir`.
    pub direction: ConnbytesDir,
}

impl Connbytes {
    /// A connbytes match on `count` (by `mode`) in `direction`.
    pub fn with(count: Inv<CountRange>, mode: ConnbytesMode, direction: ConnbytesDir) -> Self {
        Connbytes {
            count,
            mode,
            direction,
        }
    }
}

const O_CONNBYTES: u32 = 1;
const O_DIR: u32 = 2;
const O_MODE: u32 = 4;

/// Looks a keyword up in one of the tables above.
fn keyword<T: Copy>(table: &[(&str, T, u8)], option: &str, s: &str) -> Result<T> {
    table
        .iter()
        .find(|(n, _, _)| *n == s)
        .map(|e| e.1)
        .ok_or_else(|| Error::value(option, s, "unknown value"))
}

/// The kernel number of a value, or the value of a kernel number.
fn to_kernel<T: PartialEq>(table: &[(&str, T, u8)], v: &T) -> u8 {
    table.iter().find(|e| e.1 == *v).map_or(0, |e| e.2)
}

fn from_kernel<T: Copy>(table: &[(&str, T, u8)], what: &str, k: u8) -> Result<T> {
    table
        .iter()
        .find(|e| e.2 == k)
        .map(|e| e.1)
        .ok_or_else(|| Error::Malformed(format!("connbytes: unknown {what} {k}")))
}

fn name<T: PartialEq>(table: &[(&'static str, T, u8)], v: &T) -> &'static str {
    table.iter().find(|e| e.1 == *v).map_or("unknown", |e| e.0)
}

impl Extension for Connbytes {
    const NAME: &'static str = "connbytes";

    fn example(_family: crate::addr::Family) -> Self {
        Connbytes::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Connbytes::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_connbytes_info = read_struct(Self::NAME, revision, data)?;
        let (from, to) = (k.count.from, k.count.to);
        let count = if from > to {
            Inv::not(CountRange { from: to, to: from })
        } else {
            Inv::is(CountRange { from, to })
        };
        Ok(Connbytes::with(
            count,
            from_kernel(MODES, "mode", k.what)?,
            from_kernel(DIRS, "direction", k.direction)?,
        ))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_connbytes_info::zeroed();
        let r = self.count.value;
        (k.count.from, k.count.to) = if self.count.invert {
            (r.to, r.from)
        } else {
            (r.from, r.to)
        };
        k.what = to_kernel(MODES, &self.mode);
        k.direction = to_kernel(DIRS, &self.direction);
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
        match option {
            "connbytes" => {
                seen.take(Self::NAME, option, O_CONNBYTES, invert, true)?;
                let v = args.value("--connbytes")?;
                let (from, to) = uint_range(Self::NAME, option, v, u64::MAX)?;
                let to = to.unwrap_or(u64::MAX);
                if from > to {
                    return Err(Error::value(
                        "--connbytes",
                        v,
                        format!("{from} should be less than {to}"),
                    ));
                }
                // The kernel cannot tell an inverted single value from a plain one.
                let invert = invert && from != to;
                self.count = Inv::new(CountRange { from, to }, invert);
            }
            "connbytes-dir" => {
                seen.take(Self::NAME, option, O_DIR, invert, false)?;
                self.direction = keyword(DIRS, "--connbytes-dir", args.value("--connbytes-dir")?)?;
            }
            "connbytes-mode" => {
                seen.take(Self::NAME, option, O_MODE, invert, false)?;
                self.mode = keyword(MODES, "--connbytes-mode", args.value("--connbytes-mode")?)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "connbytes", O_CONNBYTES)?;
        seen.require(Self::NAME, "connbytes-dir", O_DIR)?;
        seen.require(Self::NAME, "connbytes-mode", O_MODE)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let r = self.count.value;
        push_fmt!(out, "{} --connbytes {}", self.count.bang(), r.from);
        // iptables leaves out an upper bound of 0 or "no limit".
        if r.to != 0 && r.to != u64::MAX {
            push_fmt!(out, ":{}", r.to);
        }
        out.push_str(" --connbytes-mode ");
        out.push_str(name(MODES, &self.mode));
        out.push_str(" --connbytes-dir ");
        out.push_str(name(DIRS, &self.direction));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Connbytes> {
        parse_as(Family::Ipv4, "connbytes", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // `! --connbytes 5:10 --connbytes-mode avgpkt --connbytes-dir reply`
        let bytes = hex("0a0000000000000005000000000000000201000000000000");
        let ctx = Ctx::new(Family::Ipv4);
        let m = parse(&[
            "!",
            "--connbytes",
            "5:10",
            "--connbytes-mode",
            "avgpkt",
            "--connbytes-dir",
            "reply",
        ])
        .unwrap();
        let mut out = Vec::new();
        m.encode(&ctx, &mut out);
        assert_eq!(out, bytes);
        assert_eq!(Connbytes::decode(&ctx, 0, &bytes).unwrap(), m);
        // `--connbytes 1000 --connbytes-mode bytes --connbytes-dir both`
        let bytes = hex("e803000000000000ffffffffffffffff0102000000000000");
        let m = Connbytes::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(
            save_as(&m),
            " --connbytes 1000 --connbytes-mode bytes --connbytes-dir both"
        );
        let mut out = Vec::new();
        m.encode(&ctx, &mut out);
        assert_eq!(out, bytes);
        assert!(Connbytes::decode(
            &ctx,
            0,
            &hex("000000000000000000000000000000000300000000000000")
        )
        .is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let t = |w: &[&str]| {
            let mut v = w.to_vec();
            v.extend(["--connbytes-mode", "packets", "--connbytes-dir", "original"]);
            save_as(&parse(&v).unwrap())
        };
        let tail = " --connbytes-mode packets --connbytes-dir original";
        assert_eq!(t(&["--connbytes", ":"]), format!(" --connbytes 0{tail}"));
        assert_eq!(
            t(&["--connbytes", ":1000"]),
            format!(" --connbytes 0:1000{tail}")
        );
        assert_eq!(
            t(&["--connbytes", "1000:"]),
            format!(" --connbytes 1000{tail}")
        );
        assert_eq!(
            t(&["--connbytes", "1000:1000"]),
            format!(" --connbytes 1000:1000{tail}")
        );
        assert_eq!(t(&["--connbytes", "0:0"]), format!(" --connbytes 0{tail}"));
        assert_eq!(
            t(&["!", "--connbytes", "0"]),
            format!(" ! --connbytes 0{tail}")
        );
        assert_eq!(
            t(&["!", "--connbytes", "5:5"]),
            format!(" --connbytes 5:5{tail}")
        );
    }

    #[test]
    fn refusals() {
        let full = |r: &str| {
            parse(&[
                "--connbytes",
                r,
                "--connbytes-mode",
                "bytes",
                "--connbytes-dir",
                "both",
            ])
        };
        assert!(full("1000:0").is_err());
        assert!(full("-1:0").is_err());
        assert!(full("0:18446744073709551616").is_err());
        assert!(full("1:2:3").is_err());
        assert!(parse(&["--connbytes", "1"]).is_err());
        assert!(parse(&["--connbytes", "1", "--connbytes-dir", "both"]).is_err());
        assert!(parse(&["--connbytes-dir", "both", "--connbytes-mode", "bytes"]).is_err());
        assert!(parse(&[
            "--connbytes",
            "1",
            "--connbytes-dir",
            "up",
            "--connbytes-mode",
            "bytes"
        ])
        .is_err());
        assert!(parse(&[
            "--connbytes",
            "1",
            "--connbytes-dir",
            "both",
            "--connbytes-mode",
            "wrong"
        ])
        .is_err());
        assert!(parse(&["--connbytes", "1", "--connbytes", "2"]).is_err());
        assert!(parse(&["--connbytes", "1", "!", "--connbytes-dir", "both"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir original", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir original")),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir reply", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir reply")),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir both", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir both")),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode bytes --connbytes-dir original", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode bytes --connbytes-dir original")),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode bytes --connbytes-dir reply", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode bytes --connbytes-dir reply")),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode bytes --connbytes-dir both", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode bytes --connbytes-dir both")),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode avgpkt --connbytes-dir original", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode avgpkt --connbytes-dir original")),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode avgpkt --connbytes-dir reply", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode avgpkt --connbytes-dir reply")),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode avgpkt --connbytes-dir both", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode avgpkt --connbytes-dir both")),
            (46, "-m connbytes --connbytes -1:0 --connbytes-mode packets --connbytes-dir original", None),
            (46, "-m connbytes --connbytes 0:-1 --connbytes-mode packets --connbytes-dir original", None),
            (46, "-m connbytes --connbytes : --connbytes-mode packets --connbytes-dir original", Some(" -m connbytes --connbytes 0 --connbytes-mode packets --connbytes-dir original")),
            (46, "-m connbytes --connbytes :1000 --connbytes-mode packets --connbytes-dir original", Some(" -m connbytes --connbytes 0:1000 --connbytes-mode packets --connbytes-dir original")),
            (46, "-m connbytes --connbytes 1000 --connbytes-mode packets --connbytes-dir original", Some(" -m connbytes --connbytes 1000 --connbytes-mode packets --connbytes-dir original")),
            (46, "-m connbytes --connbytes 1000: --connbytes-mode packets --connbytes-dir original", Some(" -m connbytes --connbytes 1000 --connbytes-mode packets --connbytes-dir original")),
            (46, "-m connbytes --connbytes 1000:1000 --connbytes-mode packets --connbytes-dir original", Some(" -m connbytes --connbytes 1000:1000 --connbytes-mode packets --connbytes-dir original")),
            (46, "-m connbytes --connbytes 1000:0 --connbytes-mode packets --connbytes-dir original", None),
            (46, "-m connbytes --connbytes 0:18446744073709551616 --connbytes-mode avgpkt --connbytes-dir both", None),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode wrong --connbytes-dir both", None),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-dir original", None),
            (46, "-m connbytes --connbytes 0:1000 --connbytes-mode packets", None),
            (46, "-m connbytes --connbytes-dir original", None),
            (46, "-m connbytes --connbytes 0:1000", None),
            (46, "-m connbytes", None),
        ]);
    }
}
