//! `-j LOG`: log the packet to the kernel log (`xt_LOG.h`, `struct xt_log_info`;
//! the same struct for IPv4 and IPv6).
//!
//! ```
//! use iptkit::targets::log::{Log, LogFlags};
//! use iptkit::{Family, Rule};
//! let log = Log { prefix: Some("dropped: ".into()), flags: LogFlags::UID, ..Log::default() };
//! let rule = Rule::new(Family::Ipv4).with_target(log);
//! assert_eq!(rule.to_string(), "-j LOG --log-prefix \"dropped: \" --log-uid");
//! let parsed = Rule::parse(Family::Ipv4, "-j LOG --log-level info")?;
//! assert_eq!(parsed.target_as::<Log>().unwrap().level, 6); // syslog's number
//! assert_eq!(parsed.to_string(), "-j LOG --log-level 6");
//! # Ok::<(), iptkit::Error>(())
//! ```

use bitflags::bitflags;
use iptkit_sys::ext::xt_log::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, read_struct, Args, Ctx, Extension};
use crate::xtopt::{cut, uint, Seen};

/// The level iptables uses when none is given (`LOG_WARNING`); it prints
/// `--log-level` only for other levels.
pub const DEFAULT_LEVEL: u8 = 4;

/// The longest prefix the kernel keeps: 29 bytes and a NUL. iptables cuts
/// longer ones silently, and so does this codec.
pub const MAX_PREFIX: usize = 29;

/// Syslog level names `--log-level` accepts (`xtopt_sysloglevel`; case
/// matters). iptables-save always prints the number.
const LEVEL_NAMES: &[(&str, u8)] = &[
    ("alert", 1),
    ("crit", 2),
    ("debug", 7),
    ("emerg", 0),
    ("error", 3),
    ("info", 6),
    ("notice", 5),
    ("panic", 0),
    ("warning", 4),
];

bitflags! {
    /// What to log besides the headers (`XT_LOG_*`). Bits without a name are
    /// kept as they are.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct LogFlags: u8 {
        /// `--log-tcp-sequence`.
        const TCP_SEQUENCE = XT_LOG_TCPSEQ;
        /// `--log-tcp-options`.
        const TCP_OPTIONS = XT_LOG_TCPOPT;
        /// `--log-ip-options`.
        const IP_OPTIONS = XT_LOG_IPOPT;
        /// `--log-uid`.
        const UID = XT_LOG_UID;
        /// `--log-macdecode`.
        const MAC_DECODE = XT_LOG_MACDECODE;
    }
}

/// The flag options, in the order iptables-save prints them.
const FLAG_OPTIONS: &[(&str, LogFlags)] = &[
    ("log-tcp-sequence", LogFlags::TCP_SEQUENCE),
    ("log-tcp-options", LogFlags::TCP_OPTIONS),
    ("log-ip-options", LogFlags::IP_OPTIONS),
    ("log-uid", LogFlags::UID),
    ("log-macdecode", LogFlags::MAC_DECODE),
];

/// Parses a `--log-level` value: a number 0..=7 or a syslog level name.
pub fn parse_level(s: &str) -> Option<u8> {
    match uint(s, 0, 7) {
        Some(n) => Some(n as u8),
        None => LEVEL_NAMES.iter().find(|(n, _)| *n == s).map(|&(_, l)| l),
    }
}

/// A log prefix option's value (LOG, NFLOG): not empty, no newline, cut to
/// `max` bytes.
pub(super) fn parse_prefix(option: &str, v: &str, max: usize) -> Result<String> {
    if v.is_empty() {
        return Err(Error::value(option, v, "must not be empty"));
    }
    if v.contains('\n') {
        return Err(Error::value(option, v, "newlines not allowed"));
    }
    Ok(cut(v, max).to_string())
}

/// `-j LOG`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Log {
    /// `--log-level`: syslog level 0..=7 (default 4, `warning`).
    pub level: u8,
    /// `--log-prefix`: at most [`MAX_PREFIX`] bytes, never empty.
    pub prefix: Option<String>,
    /// `--log-tcp-sequence`, `--log-ip-options`, ...
    pub flags: LogFlags,
}

impl Default for Log {
    fn default() -> Log {
        Log {
            level: DEFAULT_LEVEL,
            prefix: None,
            flags: LogFlags::empty(),
        }
    }
}

const O_LEVEL: u32 = 1 << 8;
const O_PREFIX: u32 = 1 << 9;

impl Extension for Log {
    const NAME: &'static str = "LOG";

    fn example(_family: crate::addr::Family) -> Self {
        Log::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Log::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_log_info = read_struct(Self::NAME, revision, data)?;
        let prefix = c_str(&k.prefix);
        Ok(Log {
            level: k.level,
            prefix: (!prefix.is_empty()).then_some(prefix),
            flags: LogFlags::from_bits_retain(k.logflags),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_log_info::zeroed();
        k.level = self.level;
        k.logflags = self.flags.bits();
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
        match option {
            "log-level" => {
                seen.take(Self::NAME, option, O_LEVEL, invert, false)?;
                let v = args.value("--log-level")?;
                self.level = parse_level(v)
                    .ok_or_else(|| Error::value("--log-level", v, "log level unknown"))?;
            }
            "log-prefix" => {
                seen.take(Self::NAME, option, O_PREFIX, invert, false)?;
                let v = args.value("--log-prefix")?;
                self.prefix = Some(parse_prefix("--log-prefix", v, MAX_PREFIX)?);
            }
            _ => {
                let Some(&(_, flag)) = FLAG_OPTIONS.iter().find(|(name, _)| *name == option) else {
                    return Ok(false);
                };
                seen.take(Self::NAME, option, u32::from(flag.bits()), invert, false)?;
                self.flags |= flag;
            }
        }
        Ok(true)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(p) = self.prefix.as_deref().filter(|p| !p.is_empty()) {
            out.push_str(" --log-prefix");
            crate::syntax::save_string(out, p);
        }
        if self.level != DEFAULT_LEVEL {
            push_fmt!(out, " --log-level {}", self.level);
        }
        for (name, flag) in FLAG_OPTIONS {
            if self.flags.contains(*flag) {
                out.push_str(" --");
                out.push_str(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{both_ways, hex, round, target};
    use crate::TargetExt;

    fn log_of(spec: &str) -> Log {
        match target(Family::Ipv4, spec) {
            TargetExt::Log(l) => l,
            t => panic!("not LOG: {t:?}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // From the kernel (iptables-legacy 1.8.9), the 32 data bytes of each rule.
        let cases = [
            (
                "-j LOG --log-prefix 0123456789012345678901234567890123456789",
                "0400303132333435363738393031323334353637383930313233343536373800",
            ),
            (
                "-j LOG --log-level error --log-macdecode --log-uid --log-ip-options \
                 --log-tcp-options --log-tcp-sequence",
                "032f000000000000000000000000000000000000000000000000000000000000",
            ),
            (
                "-j LOG --log-prefix \"a\\\"b\" --log-level 0x7",
                "0700612262000000000000000000000000000000000000000000000000000000",
            ),
        ];
        let ctx = Ctx::new(Family::Ipv4);
        for (spec, bytes) in cases {
            both_ways(&ctx, &log_of(spec), &hex(bytes));
        }
        // Unknown flag bits survive.
        let mut raw = [0u8; 32];
        raw[0] = 4;
        raw[1] = 0x10;
        let l = Log::decode(&ctx, 0, &raw).unwrap();
        let mut out = Vec::new();
        l.encode(&ctx, &mut out);
        assert_eq!(out, raw);
        assert!(Log::decode(&ctx, 0, &raw[..31]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let r = |s: &str| round(family, s).unwrap();
            // Conformance cases (libipt_LOG.t, libip6t_LOG.t).
            assert_eq!(r("-j LOG"), " -j LOG");
            assert_eq!(
                r("-j LOG --log-prefix \"test: \""),
                " -j LOG --log-prefix \"test: \""
            );
            assert_eq!(
                r("-j LOG --log-prefix \"test: \" --log-level 1"),
                " -j LOG --log-prefix \"test: \" --log-level 1"
            );
            assert_eq!(
                r("-j LOG --log-prefix \"test: \" --log-level alert"),
                " -j LOG --log-prefix \"test: \" --log-level 1"
            );
            for flag in ["tcp-sequence", "tcp-options", "ip-options", "uid"] {
                assert_eq!(
                    r(&format!("-j LOG --log-prefix \"test: \" --log-{flag}")),
                    format!(" -j LOG --log-prefix \"test: \" --log-{flag}")
                );
            }
        }
        let r = |s: &str| round(Family::Ipv4, s).unwrap();
        // Checked with iptables 1.8.9.
        assert_eq!(
            r("-j LOG --log-level error --log-macdecode --log-uid --log-ip-options --log-tcp-options --log-tcp-sequence"),
            " -j LOG --log-level 3 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode"
        );
        assert_eq!(r("-j LOG --log-level 4"), " -j LOG");
        assert_eq!(r("-j LOG --log-level panic"), " -j LOG --log-level 0");
        assert_eq!(r("-j LOG --log-level 07"), " -j LOG --log-level 7");
        assert_eq!(r("-j LOG --log-level \" 3\""), " -j LOG --log-level 3");
        assert_eq!(
            r("-j LOG --log-prefix 0123456789012345678901234567890123456789"),
            " -j LOG --log-prefix 01234567890123456789012345678"
        );
    }

    #[test]
    fn refusals() {
        let bad = |s: &str| round(Family::Ipv4, s).is_err();
        assert!(bad("-j LOG --log-prefix \"test: \" --log-level bad"));
        assert!(bad("-j LOG --log-prefix"));
        assert!(bad("-j LOG --log-level WARNING"));
        assert!(bad("-j LOG --log-level err"));
        assert!(bad("-j LOG --log-level 8"));
        assert!(bad("-j LOG --log-level 4 --log-level 4"));
        assert!(bad("-j LOG --log-uid --log-uid"));
        assert!(bad("-j LOG --log-prefix \"\""));
        assert!(bad("-j LOG --log-prefix \"a\nb\""));
        assert!(bad("-j LOG ! --log-uid"));
    }
}
