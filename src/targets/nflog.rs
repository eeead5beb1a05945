//! `-j NFLOG`: send the packet to user space over nfnetlink_log
//! (`xt_NFLOG.h`, `struct xt_nflog_info`; both families).
//!
//! ```
//! use iptkit::targets::nflog::Nflog;
//! use iptkit::{Family, Rule};
//! let nflog = Nflog { group: 5, prefix: Some("ssh".into()), ..Nflog::default() };
//! let rule = Rule::new(Family::Ipv4).with_target(nflog);
//! assert_eq!(rule.to_string(), "-j NFLOG --nflog-prefix ssh --nflog-group 5");
//! assert_eq!(Rule::parse(Family::Ipv4, "-j NFLOG --nflog-group 5 --nflog-prefix ssh")?, rule);
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_nflog::*;
use iptkit_sys::Pod;

use super::log::parse_prefix;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, read_struct, Args, Ctx, Extension};
use crate::xtopt::{cut, uint_option, Seen};

/// The longest prefix the legacy kernel struct keeps: 63 bytes and a NUL.
/// iptables-legacy cuts longer ones silently, and so does this codec when it
/// encodes or prints for legacy.
pub const MAX_PREFIX: usize = 63;

/// The longest prefix nf_tables keeps (`NF_LOG_PREFIXLEN` - 1): iptables-nft
/// writes NFLOG as a native `log` expression with the whole prefix.
pub const MAX_NFT_PREFIX: usize = 127;

/// How much of each packet to copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NflogLen {
    /// `--nflog-size N`: at most `N` bytes (`XT_NFLOG_F_COPY_LEN`).
    Size(u32),
    /// `--nflog-range N`: a length without the flag, which the kernel has
    /// never used (iptables warns); never 0.
    Range(u32),
}

/// `-j NFLOG`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Nflog {
    /// `--nflog-group`: netlink group (default 0).
    pub group: u16,
    /// `--nflog-prefix`: never empty; at most [`MAX_NFT_PREFIX`] bytes (the
    /// legacy struct keeps the first [`MAX_PREFIX`]).
    pub prefix: Option<String>,
    /// `--nflog-size` / `--nflog-range`; `None` copies the whole packet.
    pub len: Option<NflogLen>,
    /// `--nflog-threshold`: packets queued in the kernel before they are sent (default 0).
    pub threshold: u16,
}

const O_GROUP: u32 = 1;
const O_PREFIX: u32 = 2;
const O_RANGE: u32 = 4;
const O_SIZE: u32 = 8;
const O_THRESHOLD: u32 = 16;

impl Extension for Nflog {
    const NAME: &'static str = "NFLOG";

    fn example(_family: crate::addr::Family) -> Self {
        Nflog::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Nflog::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_nflog_info = read_struct(Self::NAME, revision, data)?;
        if k.flags & !XT_NFLOG_MASK != 0 {
            return Err(Error::Malformed(format!("NFLOG: flags {:#x}", k.flags)));
        }
        let prefix = c_str(&k.prefix);
        let len = if k.flags & XT_NFLOG_F_COPY_LEN != 0 {
            Some(NflogLen::Size(k.len))
        } else {
            (k.len != 0).then_some(NflogLen::Range(k.len))
        };
        Ok(Nflog {
            group: k.group,
            prefix: (!prefix.is_empty()).then_some(prefix),
            len,
            threshold: k.threshold,
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_nflog_info::zeroed();
        k.group = self.group;
        k.threshold = self.threshold;
        match self.len {
            Some(NflogLen::Size(n)) => {
                k.len = n;
                k.flags = XT_NFLOG_F_COPY_LEN;
            }
            Some(NflogLen::Range(n)) => k.len = n,
            None => {}
        }
        let prefix = cut(self.prefix.as_deref().unwrap_or(""), MAX_PREFIX);
        k.prefix[..prefix.len()].copy_from_slice(prefix.as_bytes());
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
        let bit = match option {
            "nflog-group" => O_GROUP,
            "nflog-prefix" => O_PREFIX,
            "nflog-range" => O_RANGE,
            "nflog-size" => O_SIZE,
            "nflog-threshold" => O_THRESHOLD,
            _ => return Ok(false),
        };
        seen.take(Self::NAME, option, bit, invert, false)?;
        seen.exclude(Self::NAME, ("nflog-range", O_RANGE), ("nflog-size", O_SIZE))?;
        let v = args.value(&format!("--{option}"))?;
        let u16_value = || uint_option(Self::NAME, option, v, 0, u16::MAX.into()).map(|n| n as u16);
        let u32_value = || uint_option(Self::NAME, option, v, 0, u32::MAX.into()).map(|n| n as u32);
        match bit {
            O_GROUP => self.group = u16_value()?,
            O_PREFIX => self.prefix = Some(parse_prefix("--nflog-prefix", v, MAX_NFT_PREFIX)?),
            // A range of 0 is no range: nothing in the struct says it was given.
            O_RANGE => self.len = Some(u32_value()?).filter(|&n| n != 0).map(NflogLen::Range),
            O_SIZE => self.len = Some(NflogLen::Size(u32_value()?)),
            _ => self.threshold = u16_value()?,
        }
        Ok(true)
    }

    fn save(&self, ctx: &Ctx, out: &mut String) {
        if let Some(p) = self.prefix.as_deref().filter(|p| !p.is_empty()) {
            out.push_str(" --nflog-prefix");
            let p = match ctx.dialect {
                crate::extension::Dialect::Legacy => cut(p, MAX_PREFIX),
                crate::extension::Dialect::Nft => p,
            };
            crate::syntax::save_string(out, p);
        }
        if self.group != 0 {
            push_fmt!(out, " --nflog-group {}", self.group);
        }
        match self.len {
            Some(NflogLen::Size(n)) => push_fmt!(out, " --nflog-size {n}"),
            Some(NflogLen::Range(n)) if n != 0 => push_fmt!(out, " --nflog-range {n}"),
            _ => {}
        }
        if self.threshold != XT_NFLOG_DEFAULT_THRESHOLD {
            push_fmt!(out, " --nflog-threshold {}", self.threshold);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{both_ways, hex, round, target};
    use crate::TargetExt;

    #[test]
    fn kernel_bytes_both_ways() {
        // From the kernel (iptables-legacy 1.8.9): 80 bytes each, mostly prefix.
        let cases = [
            ("-j NFLOG", "0000000000000000"),
            (
                "-j NFLOG --nflog-group 5 --nflog-size 100 --nflog-threshold 3 --nflog-prefix \"a b\"",
                "640000000500030001000000612062",
            ),
            ("-j NFLOG --nflog-range 7", "0700000000000000"),
            ("-j NFLOG --nflog-range 0", "0000000000000000"),
            ("-j NFLOG --nflog-size 0", "0000000000000000010000"),
        ];
        let ctx = Ctx::new(Family::Ipv4);
        for (spec, start) in cases {
            let mut bytes = hex(start);
            bytes.resize(80, 0);
            let TargetExt::Nflog(t) = target(Family::Ipv4, spec) else {
                panic!("not NFLOG");
            };
            both_ways(&ctx, &t, &bytes);
        }
        let mut bad = vec![0u8; 80];
        bad[8] = 2; // an unknown flag
        assert!(Nflog::decode(&ctx, 0, &bad).is_err());
        assert!(Nflog::decode(&ctx, 0, &bad[..75]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let x63 = "x".repeat(63);
        for family in [Family::Ipv4, Family::Ipv6] {
            let r = |s: &str| round(family, s).unwrap();
            // Conformance cases (libxt_NFLOG.t).
            for (spec, saved) in [
                ("--nflog-group 1", "--nflog-group 1"),
                ("--nflog-group 65535", "--nflog-group 65535"),
                ("--nflog-range 1", "--nflog-range 1"),
                ("--nflog-range 4294967295", "--nflog-range 4294967295"),
                ("--nflog-size 0", "--nflog-size 0"),
                ("--nflog-size 1", "--nflog-size 1"),
                ("--nflog-size 4294967295", "--nflog-size 4294967295"),
                ("--nflog-threshold 1", "--nflog-threshold 1"),
                ("--nflog-threshold 65535", "--nflog-threshold 65535"),
            ] {
                assert_eq!(r(&format!("-j NFLOG {spec}")), format!(" -j NFLOG {saved}"));
            }
            assert_eq!(r("-j NFLOG --nflog-group 0"), " -j NFLOG");
            assert_eq!(r("-j NFLOG"), " -j NFLOG");
            for n in [63, 65] {
                assert_eq!(
                    r(&format!("-j NFLOG --nflog-prefix {}", "x".repeat(n))),
                    format!(" -j NFLOG --nflog-prefix {x63}")
                );
            }
        }
        // Checked with iptables 1.8.9: iptables' order, quoting.
        assert_eq!(
            round(
                Family::Ipv4,
                "-j NFLOG --nflog-group 5 --nflog-size 100 --nflog-threshold 3 --nflog-prefix \"a b\""
            )
            .unwrap(),
            " -j NFLOG --nflog-prefix \"a b\" --nflog-group 5 --nflog-size 100 --nflog-threshold 3"
        );
        assert_eq!(
            round(Family::Ipv4, "-j NFLOG --nflog-range 0").unwrap(),
            " -j NFLOG"
        );
    }

    #[test]
    fn refusals() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let bad = |s: &str| round(family, s).is_err();
            // Conformance cases.
            assert!(bad("-j NFLOG --nflog-group 65536"));
            assert!(bad("-j NFLOG --nflog-range 4294967296"));
            assert!(bad("-j NFLOG --nflog-range -1"));
            assert!(bad("-j NFLOG --nflog-size 4294967296"));
            assert!(bad("-j NFLOG --nflog-size -1"));
            assert!(bad("-j NFLOG --nflog-threshold 65536"));
            // Checked with iptables 1.8.9.
            assert!(bad("-j NFLOG --nflog-range 1 --nflog-size 2"));
            assert!(bad("-j NFLOG --nflog-group 1 --nflog-group 1"));
            assert!(bad("-j NFLOG --nflog-prefix \"\""));
            assert!(bad("-j NFLOG ! --nflog-group 1"));
        }
    }
}
