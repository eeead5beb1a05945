//! `-j MARK`: change the packet mark (`xt_mark.h`, `struct xt_mark_tginfo2`;
//! revisions 0 and 1 as `libxt_MARK.c` defines them).
//!
//! Every option iptables 1.8.9 takes becomes revision 2's "clear these bits,
//! then XOR those": `--and-mark 5` is `--set-xmark 0x0/0xfffffffa`, which is
//! also how iptables-save prints it. Revisions 0 and 1 (set/and/or with one
//! operand; kernels before 2.6.26) are read and written unchanged.
//!
//! This file also holds the `value[/mask]` parser CONNMARK shares.
//!
//! ```
//! use iptkit::targets::mark::MarkTarget;
//! use iptkit::{Family, Rule};
//! let rule = Rule::new(Family::Ipv4).with_target(MarkTarget::set_mark(0x10, 0xff));
//! assert_eq!(rule.to_string(), "-j MARK --set-xmark 0x10/0xff");
//! // Every option is revision 2's "clear, then XOR", and printed so.
//! let parsed = Rule::parse(Family::Ipv4, "-j MARK --and-mark 5")?;
//! assert_eq!(parsed.target_as::<MarkTarget>(), Some(&MarkTarget::and_mark(5)));
//! assert_eq!(parsed.to_string(), "-j MARK --set-xmark 0x0/0xfffffffa");
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_mark::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{mark_mask, uint_option, Seen};

/// The operation of revision 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkMode {
    /// `--set-mark`: the mark becomes the operand.
    Set,
    /// `--and-mark`: the mark is ANDed with the operand.
    And,
    /// `--or-mark`: the operand is ORed into the mark.
    Or,
}

/// What MARK does, by the revision of the kernel struct it is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MarkAction {
    /// Revision 2 (what iptables writes): the mark `m` becomes
    /// `(m & !mask) ^ mark`.
    Xset {
        /// Bits XORed in.
        mark: u32,
        /// Bits cleared first.
        mask: u32,
    },
    /// Revision 1 (IPv4 only): `mode` with an operand.
    Mode {
        /// Set, AND or OR.
        mode: MarkMode,
        /// The operand.
        mark: u32,
    },
    /// Revision 0: set the mark.
    Set {
        /// The new mark.
        mark: u32,
    },
}

/// `-j MARK`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MarkTarget {
    /// What to do with the mark.
    pub action: MarkAction,
}

impl MarkTarget {
    /// A MARK of any action.
    pub fn new(action: MarkAction) -> MarkTarget {
        MarkTarget { action }
    }

    /// `--set-xmark mark/mask`: clear `mask`, then XOR `mark`.
    pub fn set_xmark(mark: u32, mask: u32) -> MarkTarget {
        MarkTarget::new(MarkAction::Xset { mark, mask })
    }

    /// `--set-mark mark/mask`: clear `mask`, then set `mark` (as revision 2).
    pub fn set_mark(mark: u32, mask: u32) -> MarkTarget {
        MarkTarget::set_xmark(mark, mark | mask)
    }

    /// `--and-mark bits` (as revision 2).
    pub fn and_mark(bits: u32) -> MarkTarget {
        MarkTarget::set_xmark(0, !bits)
    }

    /// `--or-mark bits` (as revision 2).
    pub fn or_mark(bits: u32) -> MarkTarget {
        MarkTarget::set_xmark(bits, bits)
    }

    /// `--xor-mark bits` (as revision 2).
    pub fn xor_mark(bits: u32) -> MarkTarget {
        MarkTarget::set_xmark(bits, 0)
    }
}

/// The options, as `Seen` bits, in iptables' order; any two exclude each other.
const OPTIONS: &[(&str, u32)] = &[
    ("set-xmark", 1),
    ("set-mark", 2),
    ("and-mark", 4),
    ("or-mark", 8),
    ("xor-mark", 16),
];
const ANY: u32 = 31;

/// The operand of a revision 0 or 1 struct (`unsigned long`, but marks are 32 bits).
fn operand(mark: u64) -> Result<u32> {
    u32::try_from(mark).map_err(|_| Error::Malformed(format!("MARK: mark {mark:#x} over 32 bits")))
}

impl Extension for MarkTarget {
    const NAME: &'static str = "MARK";
    const REVISIONS: &'static [u8] = &[0, 1, 2];

    fn example(_family: crate::addr::Family) -> Self {
        MarkTarget::set_xmark(1, 0xffff_ffff)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        MarkTarget::set_xmark(0, 0)
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let action = match revision {
            0 => {
                let k: xt_mark_target_info = read_struct(Self::NAME, revision, data)?;
                MarkAction::Set {
                    mark: operand(k.mark)?,
                }
            }
            1 => {
                let k: xt_mark_target_info_v1 = read_struct(Self::NAME, revision, data)?;
                let mode = match k.mode {
                    XT_MARK_SET => MarkMode::Set,
                    XT_MARK_AND => MarkMode::And,
                    XT_MARK_OR => MarkMode::Or,
                    m => return Err(Error::Malformed(format!("MARK: unknown mode {m}"))),
                };
                MarkAction::Mode {
                    mode,
                    mark: operand(k.mark)?,
                }
            }
            2 => {
                let k: xt_mark_tginfo2 = read_struct(Self::NAME, revision, data)?;
                MarkAction::Xset {
                    mark: k.mark,
                    mask: k.mask,
                }
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(MarkTarget::new(action))
    }

    fn revision(&self) -> u8 {
        match self.action {
            MarkAction::Set { .. } => 0,
            MarkAction::Mode { .. } => 1,
            MarkAction::Xset { .. } => 2,
        }
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        match self.action {
            MarkAction::Set { mark } => out.extend_from_slice(
                xt_mark_target_info {
                    mark: u64::from(mark),
                }
                .as_bytes(),
            ),
            MarkAction::Mode { mode, mark } => {
                let mut k = xt_mark_target_info_v1::zeroed();
                k.mark = u64::from(mark);
                k.mode = match mode {
                    MarkMode::Set => XT_MARK_SET,
                    MarkMode::And => XT_MARK_AND,
                    MarkMode::Or => XT_MARK_OR,
                };
                out.extend_from_slice(k.as_bytes());
            }
            MarkAction::Xset { mark, mask } => {
                out.extend_from_slice(xt_mark_tginfo2 { mark, mask }.as_bytes())
            }
        }
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let Some(&(_, bit)) = OPTIONS.iter().find(|(name, _)| *name == option) else {
            return Ok(false);
        };
        seen.take(Self::NAME, option, bit, invert, false)?;
        if seen.has(ANY & !bit) {
            return Err(Error::rule(
                Self::NAME,
                format!("option \"--{option}\" cannot be used together with another MARK option"),
            ));
        }
        let v = args.value(&format!("--{option}"))?;
        let u32_value = || uint_option(Self::NAME, option, v, 0, u32::MAX.into()).map(|n| n as u32);
        let target = match option {
            "set-xmark" => {
                let (mark, mask) = mark_mask(Self::NAME, option, v)?;
                MarkTarget::set_xmark(mark, mask)
            }
            "set-mark" => {
                let (mark, mask) = mark_mask(Self::NAME, option, v)?;
                MarkTarget::set_mark(mark, mask)
            }
            "and-mark" => MarkTarget::and_mark(u32_value()?),
            "or-mark" => MarkTarget::or_mark(u32_value()?),
            _ => MarkTarget::xor_mark(u32_value()?),
        };
        self.action = target.action;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has(ANY) {
            return Err(Error::rule(
                Self::NAME,
                "one of the --set-xmark, --{and,or,xor,set}-mark options is required",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let text = match self.action {
            MarkAction::Xset { mark, mask } => format!(" --set-xmark {mark:#x}/{mask:#x}"),
            MarkAction::Mode { mode, mark } => {
                let name = match mode {
                    MarkMode::Set => "set",
                    MarkMode::And => "and",
                    MarkMode::Or => "or",
                };
                format!(" --{name}-mark {mark:#x}")
            }
            MarkAction::Set { mark } => format!(" --set-mark {mark:#x}"),
        };
        out.push_str(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::round;

    fn ctx() -> Ctx {
        Ctx::new(Family::Ipv4)
    }

    fn both_ways(t: &MarkTarget, revision: u8, bytes: &[u8]) {
        let mut out = Vec::new();
        t.encode(&ctx(), &mut out);
        assert_eq!(out, bytes);
        assert_eq!(t.revision(), revision);
        assert_eq!(&MarkTarget::decode(&ctx(), revision, bytes).unwrap(), t);
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // Revision 2, from the kernel (iptables-legacy 1.8.9).
        both_ways(
            &MarkTarget::set_xmark(0xfeedcafe, 0xfeedcafe),
            2,
            &[0xfe, 0xca, 0xed, 0xfe, 0xfe, 0xca, 0xed, 0xfe],
        );
        both_ways(
            &MarkTarget::and_mark(5),
            2,
            &[0, 0, 0, 0, 0xfa, 0xff, 0xff, 0xff],
        );
        both_ways(&MarkTarget::set_mark(1, 2), 2, &[1, 0, 0, 0, 3, 0, 0, 0]);
        // Revisions 0 and 1, laid out as libxt_MARK.c does.
        both_ways(
            &MarkTarget::new(MarkAction::Set { mark: 0x10 }),
            0,
            &[0x10, 0, 0, 0, 0, 0, 0, 0],
        );
        both_ways(
            &MarkTarget::new(MarkAction::Mode {
                mode: MarkMode::Or,
                mark: 0x10,
            }),
            1,
            &[0x10, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
        );
        let mut bad_mode = [0u8; 16];
        bad_mode[8] = 3;
        assert!(MarkTarget::decode(&ctx(), 1, &bad_mode).is_err());
        assert!(MarkTarget::decode(&ctx(), 0, &[0, 0, 0, 0, 1, 0, 0, 0]).is_err());
        assert!(MarkTarget::decode(&ctx(), 3, &[0; 8]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let r = |s: &str| round(family, s).unwrap();
            // Conformance cases (libxt_MARK.t).
            assert_eq!(
                r("-j MARK --set-xmark 0xfeedcafe/0xfeedcafe"),
                " -j MARK --set-xmark 0xfeedcafe/0xfeedcafe"
            );
            assert_eq!(
                r("-j MARK --set-xmark 0x0"),
                " -j MARK --set-xmark 0x0/0xffffffff"
            );
            assert_eq!(
                r("-j MARK --set-xmark 4294967295"),
                " -j MARK --set-xmark 0xffffffff/0xffffffff"
            );
        }
        let r = |s: &str| round(Family::Ipv4, s).unwrap();
        // Checked with iptables 1.8.9.
        assert_eq!(r("-j MARK --set-mark 1/2"), " -j MARK --set-xmark 0x1/0x3");
        assert_eq!(
            r("-j MARK --and-mark 5"),
            " -j MARK --set-xmark 0x0/0xfffffffa"
        );
        assert_eq!(r("-j MARK --or-mark 5"), " -j MARK --set-xmark 0x5/0x5");
        assert_eq!(r("-j MARK --xor-mark 5"), " -j MARK --set-xmark 0x5/0x0");
        assert_eq!(
            r("-j MARK --set-xmark \" 5/ 6\""),
            " -j MARK --set-xmark 0x5/0x6"
        );
        assert_eq!(
            r("-j MARK --set-xmark +5"),
            " -j MARK --set-xmark 0x5/0xffffffff"
        );
        // Older revisions print their own options.
        let mut s = String::new();
        MarkTarget::new(MarkAction::Mode {
            mode: MarkMode::And,
            mark: 0xff,
        })
        .save(&ctx(), &mut s);
        assert_eq!(s, " --and-mark 0xff");
    }

    #[test]
    fn refusals() {
        let bad = |s: &str| round(Family::Ipv4, s).is_err();
        // Conformance cases (libxt_MARK.t).
        assert!(bad("-j MARK --set-xmark 4294967296"));
        assert!(bad("-j MARK --set-xmark -1"));
        assert!(bad("-j MARK"));
        // Checked with iptables 1.8.9.
        assert!(bad("-j MARK --set-mark 1 --or-mark 2"));
        assert!(bad("-j MARK --set-mark 1 --set-mark 1"));
        assert!(bad("-j MARK --set-xmark 5/"));
        assert!(bad("-j MARK --set-xmark 5/x"));
        assert!(bad("-j MARK --set-xmark 5x"));
        assert!(bad("-j MARK --and-mark 5/1"));
        assert!(bad("-j MARK ! --and-mark 5"));
        assert!(bad("-j MARK --xor-mark"));
    }
}
