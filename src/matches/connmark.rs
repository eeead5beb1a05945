//! `-m connmark`: the mark of the packet's connection (`xt_connmark.h`,
//! `struct xt_connmark_mtinfo1`; revision 0, `struct xt_connmark_info`, is
//! read and written unchanged).

use iptkit_sys::ext::xt_connmark::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{bool_field, save_val_mask, val_mask, Seen};

/// A mark compared under a mask: matches when `ctmark & mask == mark`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MarkMask {
    /// The value the masked mark must equal.
    pub mark: u32,
    /// The bits compared (`0xffffffff`: all of them).
    pub mask: u32,
}

impl Default for MarkMask {
    fn default() -> Self {
        MarkMask {
            mark: 0,
            mask: u32::MAX,
        }
    }
}

/// `-m connmark`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Connmark {
    /// `[!] --mark VALUE[/MASK]`.
    pub mark: Inv<MarkMask>,
    /// The revision the value was read as, or is written as (0 or 1).
    pub revision: u8,
}

impl Default for Connmark {
    fn default() -> Self {
        Connmark::with(Inv::default())
    }
}

impl Connmark {
    /// A connmark match (revision 1).
    pub fn with(mark: Inv<MarkMask>) -> Self {
        Connmark { mark, revision: 1 }
    }
}

const O_MARK: u32 = 1;

impl Extension for Connmark {
    const NAME: &'static str = "connmark";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: crate::addr::Family) -> Self {
        Connmark::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Connmark::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let (mark, mask, invert) = match revision {
            0 => {
                let k: xt_connmark_info = read_struct(Self::NAME, revision, data)?;
                let narrow = |v: u64| {
                    u32::try_from(v)
                        .map_err(|_| Error::Malformed(format!("connmark: {v:#x} over 32 bits")))
                };
                (narrow(k.mark)?, narrow(k.mask)?, k.invert)
            }
            1 => {
                let k: xt_connmark_mtinfo1 = read_struct(Self::NAME, revision, data)?;
                (k.mark, k.mask, k.invert)
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(Connmark {
            mark: Inv::new(
                MarkMask { mark, mask },
                bool_field(Self::NAME, "invert", invert.into())?,
            ),
            revision,
        })
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let MarkMask { mark, mask } = self.mark.value;
        let invert = u8::from(self.mark.invert);
        if self.revision == 0 {
            let mut k = xt_connmark_info::zeroed();
            (k.mark, k.mask, k.invert) = (mark.into(), mask.into(), invert);
            out.extend_from_slice(k.as_bytes());
        } else {
            let mut k = xt_connmark_mtinfo1::zeroed();
            (k.mark, k.mask, k.invert) = (mark, mask, invert);
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
        seen.take(Self::NAME, option, O_MARK, invert, true)?;
        let (mark, mask) = val_mask(Self::NAME, option, args.value("--mark")?, None)?;
        self.mark = Inv::new(MarkMask { mark, mask }, invert);
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "mark", O_MARK)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        out.push_str(self.mark.bang());
        out.push_str(" --mark");
        save_val_mask(out, self.mark.value.mark, self.mark.value.mask, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Connmark> {
        parse_as(Family::Ipv4, "connmark", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // `! --mark 0x10/0xff0`
        let bytes = hex("10000000f00f000001000000");
        let m = parse(&["!", "--mark", "0x10/0xff0"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Connmark::decode(&ctx, 1, &bytes).unwrap(), m);
        assert_eq!(save_as(&m), " ! --mark 0x10/0xff0");
        assert!(Connmark::decode(&ctx, 1, &hex("10000000f00f000002000000")).is_err());
    }

    #[test]
    fn revision_0_reads_and_writes_unchanged() {
        // Not offered by current kernels: `unsigned long` mark and mask.
        let bytes = hex("0500000000000000ffffffff000000000100000000000000");
        let m = Connmark::decode(&Ctx::new(Family::Ipv4), 0, &bytes).unwrap();
        assert_eq!(m.revision(), 0);
        assert_eq!(save_as(&m), " ! --mark 0x5");
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        let wide = hex("0500000001000000ffffffff000000000100000000000000");
        assert!(Connmark::decode(&Ctx::new(Family::Ipv4), 0, &wide).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let s = |v| save_as(&parse(&["--mark", v]).unwrap());
        assert_eq!(s("0/0xffffffff"), " --mark 0x0");
        assert_eq!(s("0xffffffff/0x0"), " --mark 0xffffffff/0x0");
        assert_eq!(s("010"), " --mark 0x8");
        assert!(parse(&["--mark", "-1"]).is_err());
        assert!(parse(&["--mark", "0xfffffffff"]).is_err());
        assert!(parse(&["--mark", "1/"]).is_err());
        assert!(parse(&["--mark", "1", "--mark", "2"]).is_err());
        assert!(parse(&[]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (
                46,
                "-m connmark --mark 0xffffffff",
                Some(" -m connmark --mark 0xffffffff"),
            ),
            (
                46,
                "-m connmark --mark 0xffffffff/0xffffffff",
                Some(" -m connmark --mark 0xffffffff"),
            ),
            (
                46,
                "-m connmark --mark 0xffffffff/0x0",
                Some(" -m connmark --mark 0xffffffff/0x0"),
            ),
            (
                46,
                "-m connmark --mark 0/0xffffffff",
                Some(" -m connmark --mark 0x0"),
            ),
            (46, "-m connmark --mark -1", None),
            (46, "-m connmark --mark 0xfffffffff", None),
            (46, "-m connmark", None),
        ]);
    }
}
