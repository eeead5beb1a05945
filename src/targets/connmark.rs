//! `-j CONNMARK`: set the connection mark, or copy marks between packet and
//! connection (`xt_connmark.h`, `struct xt_connmark_tginfo1` and `2`).
//!
//! The value mirrors the kernel struct, because iptables applies the options
//! in order onto it (`--set-mark 5 --ctmask 3` and `--ctmask 3 --set-mark 5`
//! differ) and prints it back as `--set-xmark` or `--save-mark`/`--restore-mark`
//! with both masks.

use iptkit_sys::ext::xt_connmark::*;
use iptkit_sys::Pod;

use super::mark::MarkTarget;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{mark_mask, uint_option, Seen};

/// What CONNMARK does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConnmarkMode {
    /// The connection mark `c` becomes `(c & !ctmask) ^ ctmark`.
    #[default]
    Set,
    /// `--save-mark`: copy the packet mark (`& nfmask`) into the connection
    /// mark's `ctmask` bits.
    Save,
    /// `--restore-mark`: copy the connection mark (`& ctmask`) into the
    /// packet mark's `nfmask` bits.
    Restore,
}

/// Which way revision 2 shifts the mark it sets or copies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ShiftDir {
    /// `--left-shift-mark`.
    #[default]
    Left,
    /// `--right-shift-mark`.
    Right,
}

/// Revision 2's shift of the mark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Shift {
    /// Direction.
    pub dir: ShiftDir,
    /// Bits, 0..=31 (0: no shift).
    pub bits: u8,
}

/// `-j CONNMARK`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConnmarkTarget {
    /// Set, save or restore.
    pub mode: ConnmarkMode,
    /// Set mode: the bits XORed in.
    pub ctmark: u32,
    /// The connection mark's bits (cleared in set mode, copied otherwise).
    pub ctmask: u32,
    /// The packet mark's bits copied (save and restore).
    pub nfmask: u32,
    /// `Some` for revision 2 (what iptables writes), `None` for revision 1.
    pub shift: Option<Shift>,
}

impl Default for ConnmarkTarget {
    /// What iptables starts from: set mode, both masks all ones, revision 2.
    fn default() -> ConnmarkTarget {
        ConnmarkTarget {
            mode: ConnmarkMode::Set,
            ctmark: 0,
            ctmask: u32::MAX,
            nfmask: u32::MAX,
            shift: Some(Shift::default()),
        }
    }
}

/// Options as `Seen` bits. The operations exclude each other, and `--mask`
/// excludes `--ctmask` and `--nfmask`.
const OPTIONS: &[(&str, u32)] = &[
    ("set-xmark", 1),
    ("set-mark", 2),
    ("and-mark", 4),
    ("or-mark", 8),
    ("xor-mark", 16),
    ("save-mark", 32),
    ("restore-mark", 64),
    ("left-shift-mark", 128),
    ("right-shift-mark", 256),
    ("ctmask", 512),
    ("nfmask", 1024),
    ("mask", 2048),
];
const OPS: u32 = 127;
const CT_NF_MASK: u32 = 512 | 1024;
const MASK: u32 = 2048;

fn mode_from(mode: u8) -> Result<ConnmarkMode> {
    Ok(match mode {
        XT_CONNMARK_SET => ConnmarkMode::Set,
        XT_CONNMARK_SAVE => ConnmarkMode::Save,
        XT_CONNMARK_RESTORE => ConnmarkMode::Restore,
        m => return Err(Error::Malformed(format!("CONNMARK: unknown mode {m}"))),
    })
}

fn mode_to(mode: ConnmarkMode) -> u8 {
    match mode {
        ConnmarkMode::Set => XT_CONNMARK_SET,
        ConnmarkMode::Save => XT_CONNMARK_SAVE,
        ConnmarkMode::Restore => XT_CONNMARK_RESTORE,
    }
}

impl ConnmarkTarget {
    /// Set mode from a MARK-style operation (`--set-xmark`, `--and-mark`, ...).
    fn set_from(&mut self, m: MarkTarget) {
        if let super::mark::MarkAction::Xset { mark, mask } = m.action {
            self.mode = ConnmarkMode::Set;
            self.ctmark = mark;
            self.ctmask = mask;
        }
    }

    /// Applies an option that takes a value, onto the struct as iptables does.
    fn valued_option(&mut self, option: &str, v: &str) -> Result<()> {
        let u32_value = || uint_option(Self::NAME, option, v, 0, u32::MAX.into()).map(|n| n as u32);
        match option {
            "set-xmark" | "set-mark" => {
                let (mark, mask) = mark_mask(Self::NAME, option, v)?;
                self.set_from(if option == "set-xmark" {
                    MarkTarget::set_xmark(mark, mask)
                } else {
                    MarkTarget::set_mark(mark, mask)
                });
            }
            "and-mark" => self.set_from(MarkTarget::and_mark(u32_value()?)),
            "or-mark" => self.set_from(MarkTarget::or_mark(u32_value()?)),
            "xor-mark" => self.set_from(MarkTarget::xor_mark(u32_value()?)),
            "left-shift-mark" | "right-shift-mark" => {
                let bits = uint_option(Self::NAME, option, v, 0, 32)? as u8;
                let dir = if option == "left-shift-mark" {
                    ShiftDir::Left
                } else {
                    ShiftDir::Right
                };
                self.shift = Some(Shift { dir, bits });
            }
            "ctmask" => self.ctmask = u32_value()?,
            "nfmask" => self.nfmask = u32_value()?,
            _ => {
                // --mask
                let m = u32_value()?;
                self.ctmask = m;
                self.nfmask = m;
            }
        }
        Ok(())
    }
}

impl Extension for ConnmarkTarget {
    const NAME: &'static str = "CONNMARK";
    const REVISIONS: &'static [u8] = &[1, 2];

    fn example(_family: crate::addr::Family) -> Self {
        ConnmarkTarget::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        ConnmarkTarget::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let (ctmark, ctmask, nfmask, mode, shift) = match revision {
            1 => {
                let k: xt_connmark_tginfo1 = read_struct(Self::NAME, revision, data)?;
                (k.ctmark, k.ctmask, k.nfmask, k.mode, None)
            }
            2 => {
                let k: xt_connmark_tginfo2 = read_struct(Self::NAME, revision, data)?;
                let dir = match k.shift_dir {
                    D_SHIFT_LEFT => ShiftDir::Left,
                    D_SHIFT_RIGHT => ShiftDir::Right,
                    d => {
                        return Err(Error::Malformed(format!(
                            "CONNMARK: unknown shift direction {d}"
                        )))
                    }
                };
                let shift = Shift {
                    dir,
                    bits: k.shift_bits,
                };
                (k.ctmark, k.ctmask, k.nfmask, k.mode, Some(shift))
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(ConnmarkTarget {
            mode: mode_from(mode)?,
            ctmark,
            ctmask,
            nfmask,
            shift,
        })
    }

    fn revision(&self) -> u8 {
        if self.shift.is_some() {
            2
        } else {
            1
        }
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        match self.shift {
            None => {
                let mut k = xt_connmark_tginfo1::zeroed();
                k.ctmark = self.ctmark;
                k.ctmask = self.ctmask;
                k.nfmask = self.nfmask;
                k.mode = mode_to(self.mode);
                out.extend_from_slice(k.as_bytes());
            }
            Some(shift) => {
                let mut k = xt_connmark_tginfo2::zeroed();
                k.ctmark = self.ctmark;
                k.ctmask = self.ctmask;
                k.nfmask = self.nfmask;
                k.shift_dir = match shift.dir {
                    ShiftDir::Left => D_SHIFT_LEFT,
                    ShiftDir::Right => D_SHIFT_RIGHT,
                };
                k.shift_bits = shift.bits;
                k.mode = mode_to(self.mode);
                out.extend_from_slice(k.as_bytes());
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
        let excluded = match bit {
            b if b & OPS != 0 => OPS & !b,
            b if b & CT_NF_MASK != 0 => MASK,
            MASK => CT_NF_MASK,
            _ => 0,
        };
        if seen.has(excluded) {
            return Err(Error::rule(
                Self::NAME,
                format!("option \"--{option}\" cannot be used together with an earlier option"),
            ));
        }
        match option {
            "save-mark" => self.mode = ConnmarkMode::Save,
            "restore-mark" => self.mode = ConnmarkMode::Restore,
            _ => self.valued_option(option, args.value(&format!("--{option}"))?)?,
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has(OPS) {
            return Err(Error::rule(Self::NAME, "no operation specified"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let text = match self.mode {
            ConnmarkMode::Set => format!(" --set-xmark {:#x}/{:#x}", self.ctmark, self.ctmask),
            ConnmarkMode::Save => format!(
                " --save-mark --nfmask {:#x} --ctmask {:#x}",
                self.nfmask, self.ctmask
            ),
            ConnmarkMode::Restore => format!(
                " --restore-mark --nfmask {:#x} --ctmask {:#x}",
                self.nfmask, self.ctmask
            ),
        };
        out.push_str(&text);
        if let Some(Shift { dir, bits }) = self.shift.filter(|s| s.bits != 0) {
            let dir = match dir {
                ShiftDir::Left => "left",
                ShiftDir::Right => "right",
            };
            push_fmt!(out, " --{dir}-shift-mark {bits}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{both_ways, hex, round, target};
    use crate::TargetExt;

    fn parsed(spec: &str) -> ConnmarkTarget {
        match target(Family::Ipv4, spec) {
            TargetExt::Connmark(t) => t,
            t => panic!("not CONNMARK: {t:?}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // Revision 2, from the kernel (iptables-legacy 1.8.9).
        for (spec, bytes) in [
            (
                "-j CONNMARK --save-mark --mask 0xff",
                "00000000ff000000ff00000000000100",
            ),
            (
                "-j CONNMARK --set-mark 5 --ctmask 3",
                "0500000003000000ffffffff00000000",
            ),
            (
                "-j CONNMARK --restore-mark --left-shift-mark 2 --right-shift-mark 3",
                "00000000ffffffffffffffff01030200",
            ),
        ] {
            let t = parsed(spec);
            assert_eq!(t.revision(), 2);
            both_ways(&ctx, &t, &hex(bytes));
        }
        // Revision 1: no shift.
        let bytes = hex("00000000ff000000ff00000001000000");
        let t = ConnmarkTarget::decode(&ctx, 1, &bytes).unwrap();
        assert_eq!(t.mode, ConnmarkMode::Save);
        assert_eq!(t.shift, None);
        assert_eq!(t.revision(), 1);
        let mut out = Vec::new();
        t.encode(&ctx, &mut out);
        assert_eq!(out, bytes);
        let mut s = String::new();
        t.save(&ctx, &mut s);
        assert_eq!(s, " --save-mark --nfmask 0xff --ctmask 0xff");
        // Unknown modes and directions stay raw.
        assert!(ConnmarkTarget::decode(&ctx, 2, &hex("00000000ffffffffffffffff00000300")).is_err());
        assert!(ConnmarkTarget::decode(&ctx, 2, &hex("00000000ffffffffffffffff02000000")).is_err());
        assert!(ConnmarkTarget::decode(&ctx, 0, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let r = |s: &str| round(family, s).unwrap();
            // Conformance cases (libxt_CONNMARK.t).
            assert_eq!(
                r("-j CONNMARK --restore-mark"),
                " -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff"
            );
            assert_eq!(
                r("-j CONNMARK --save-mark"),
                " -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff"
            );
            assert_eq!(
                r("-j CONNMARK --save-mark --nfmask 0xfffffff --ctmask 0xffffffff"),
                " -j CONNMARK --save-mark --nfmask 0xfffffff --ctmask 0xffffffff"
            );
            assert_eq!(
                r("-j CONNMARK --restore-mark --nfmask 0xfffffff --ctmask 0xffffffff"),
                " -j CONNMARK --restore-mark --nfmask 0xfffffff --ctmask 0xffffffff"
            );
        }
        let r = |s: &str| round(Family::Ipv4, s).unwrap();
        // Checked with iptables 1.8.9: options apply in order.
        assert_eq!(
            r("-j CONNMARK --set-mark 5 --ctmask 3"),
            " -j CONNMARK --set-xmark 0x5/0x3"
        );
        assert_eq!(
            r("-j CONNMARK --ctmask 3 --set-mark 5"),
            " -j CONNMARK --set-xmark 0x5/0xffffffff"
        );
        assert_eq!(
            r("-j CONNMARK --and-mark 0xf0"),
            " -j CONNMARK --set-xmark 0x0/0xffffff0f"
        );
        assert_eq!(
            r("-j CONNMARK --restore-mark --left-shift-mark 2 --right-shift-mark 3"),
            " -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff --right-shift-mark 3"
        );
    }

    #[test]
    fn refusals() {
        let bad = |s: &str| round(Family::Ipv4, s).is_err();
        // Conformance case (libxt_CONNMARK.t).
        assert!(bad("-j CONNMARK"));
        // Checked with iptables 1.8.9.
        assert!(bad("-j CONNMARK --left-shift-mark 3"));
        assert!(bad("-j CONNMARK --restore-mark --left-shift-mark 33"));
        assert!(bad("-j CONNMARK --save-mark --mask 1 --ctmask 2"));
        assert!(bad("-j CONNMARK --save-mark --ctmask 2 --mask 1"));
        assert!(bad("-j CONNMARK --save-mark --restore-mark"));
        assert!(bad("-j CONNMARK --save-mark --save-mark"));
        assert!(bad("-j CONNMARK ! --save-mark"));
        assert!(bad("-j CONNMARK --set-mark"));
        assert!(bad("-j CONNMARK --set-mark 1x"));
    }
}
