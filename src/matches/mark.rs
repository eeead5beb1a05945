//! `-m mark`: the packet's netfilter mark (`xt_mark.h`, `struct
//! xt_mark_mtinfo1` revision 1; the old `struct xt_mark_info` revision 0).
//!
//! ```
//! use iptkit::matches::mark::{Mark, MarkMask};
//! use iptkit::{Family, Inv, Rule};
//! let rule = Rule::parse(Family::Ipv4, "-m mark --mark 0x1/0xff -j ACCEPT")?;
//! let mark = rule.find::<Mark>().unwrap().mark.value;
//! assert_eq!((mark.mark, mark.mask), (0x1, 0xff));
//! let built = Mark { mark: Inv::not(MarkMask::exact(7)), ..Mark::new(0, 0) };
//! assert_eq!(Rule::new(Family::Ipv4).with_match(built).to_string(), "-m mark ! --mark 0x7");
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_mark::*;
use iptkit_sys::Pod;

use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;
use crate::xtopt::{mark_mask, mark_mask_string};

/// A mark value and the bits of it that count: the test is
/// `packet_mark & mask == mark`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MarkMask {
    /// Value compared.
    pub mark: u32,
    /// Bits compared; all ones when none was given.
    pub mask: u32,
}

impl MarkMask {
    /// A mark compared in full.
    pub fn exact(mark: u32) -> MarkMask {
        MarkMask {
            mark,
            mask: u32::MAX,
        }
    }
}

/// `-m mark`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mark {
    /// Kernel struct revision: 1 (what iptables writes) or 0 (old kernels).
    pub revision: u8,
    /// `--mark VALUE[/MASK]`.
    pub mark: Inv<MarkMask>,
}

impl Mark {
    /// `--mark mark/mask`: the packet's mark, of the bits in `mask`, is
    /// `mark` (revision 1).
    ///
    /// ```
    /// use iptkit::{matches::mark::Mark, Match};
    /// assert_eq!(Match::from(Mark::new(1, 0xff)).to_string(), "-m mark --mark 0x1/0xff");
    /// ```
    pub fn new(mark: u32, mask: u32) -> Mark {
        Mark {
            revision: 1,
            mark: Inv::is(MarkMask { mark, mask }),
        }
    }
}

impl Extension for Mark {
    const NAME: &'static str = "mark";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: crate::addr::Family) -> Self {
        Mark::new(1, 0xffff_ffff)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Mark {
            revision: 1,
            mark: Inv::is(MarkMask { mark: 0, mask: 0 }),
        }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let (mark, mask, invert) = match revision {
            0 => {
                let k: xt_mark_info = read_struct(Self::NAME, revision, data)?;
                (k.mark as u32, k.mask as u32, k.invert)
            }
            1 => {
                let k: xt_mark_mtinfo1 = read_struct(Self::NAME, revision, data)?;
                (k.mark, k.mask, k.invert)
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(Mark {
            revision,
            mark: Inv::new(MarkMask { mark, mask }, invert != 0),
        })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let m = self.mark;
        if self.revision == 0 {
            let mut k = xt_mark_info::zeroed();
            k.mark = m.value.mark.into();
            k.mask = m.value.mask.into();
            k.invert = m.invert.into();
            out.extend_from_slice(k.as_bytes());
        } else {
            let mut k = xt_mark_mtinfo1::zeroed();
            k.mark = m.value.mark;
            k.mask = m.value.mask;
            k.invert = m.invert.into();
            out.extend_from_slice(k.as_bytes());
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
        if option != "mark" {
            return Ok(false);
        }
        seen.take(Self::NAME, "--mark", 1, invert, true)?;
        let v = args.value("--mark")?;
        let (mark, mask) = mark_mask("mark", "mark", v)?;
        self.mark = Inv::new(MarkMask { mark, mask }, invert);
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "--mark", 1)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let m = self.mark;
        out.push_str(m.bang());
        out.push_str(" --mark");
        out.push_str(&mark_mask_string(m.value.mark, m.value.mask));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::round;

    #[test]
    fn kernel_bytes_revision_1() {
        let ctx = Ctx::new(Family::Ipv4);
        // `-m mark ! --mark 0x10/0xff`, padded to 16 bytes.
        let bytes = hex("10000000ff0000000100000000000000");
        let m = Mark::decode(&ctx, 1, &bytes).unwrap();
        assert_eq!(
            m,
            Mark {
                revision: 1,
                mark: Inv::not(MarkMask {
                    mark: 0x10,
                    mask: 0xff
                }),
            }
        );
        let mut out = Vec::new();
        m.encode(&ctx, &mut out);
        assert_eq!(out, bytes[..12]);
        let mut s = String::new();
        m.save(&ctx, &mut s);
        assert_eq!(s, " ! --mark 0x10/0xff");
    }

    #[test]
    fn kernel_bytes_revision_0() {
        // No current kernel has revision 0: the fixture follows the old
        // header (two unsigned longs and a byte). `--mark 0x1`.
        let ctx = Ctx::new(Family::Ipv4);
        let bytes = hex("0100000000000000 ffffffff00000000 0000000000000000");
        let m = Mark::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(m.mark, Inv::is(MarkMask::exact(1)));
        let mut out = Vec::new();
        m.encode(&ctx, &mut out);
        assert_eq!(out, bytes);
        assert!(Mark::decode(&ctx, 2, &bytes).is_err());
        assert!(Mark::decode(&ctx, 0, &bytes[..16]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let ok = |spec: &str, want: &str| {
                assert_eq!(round(family, spec).unwrap(), want, "{spec}");
            };
            ok(
                "-m mark --mark 0xfeedcafe/0xfeedcafe",
                " -m mark --mark 0xfeedcafe/0xfeedcafe",
            );
            ok("-m mark --mark 0x0", " -m mark --mark 0x0");
            ok("-m mark --mark 4294967295", " -m mark --mark 0xffffffff");
            ok("-m mark --mark 0x0/0xff0", " -m mark --mark 0x0/0xff0");
            ok("-m mark --mark 1/0xffffffff", " -m mark --mark 0x1");
            ok("-m mark ! --mark 010", " -m mark ! --mark 0x8");
        }
    }

    #[test]
    fn refusals() {
        for spec in [
            "-m mark",
            "-m mark --mark 4294967296",
            "-m mark --mark -1",
            "-m mark --mark 1x",
            "-m mark --mark 1/",
            "-m mark --mark 1 --mark 2",
            "-m mark --mark",
        ] {
            assert!(round(Family::Ipv4, spec).is_err(), "{spec}");
        }
    }
    /// Every case of extensions/libxt_mark.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m mark --mark 0xfeedcafe/0xfeedcafe", Some(" -m mark --mark 0xfeedcafe/0xfeedcafe")),
            (46, "-m mark --mark 0x0", Some(" -m mark --mark 0x0")),
            (46, "-m mark --mark 4294967295", Some(" -m mark --mark 0xffffffff")),
            (46, "-m mark --mark 4294967296", None),
            (46, "-m mark --mark -1", None),
            (46, "-m mark", None),
            (46, "-m mark --mark 0x0/0xff0", Some(" -m mark --mark 0x0/0xff0")),
            (4, "-s 1.2.0.0/15 -m mark --mark 0x0/0xff0", Some(" -s 1.2.0.0/15 -m mark --mark 0x0/0xff0")),
            (6, "-s 1.2.0.0/15 -m mark --mark 0x0/0xff0", None),
        ]);
    }
}
