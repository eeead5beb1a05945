//! `-m quota`: match until a number of bytes has passed (`xt_quota.h`,
//! `struct xt_quota_info`). The bytes left live in the kernel: reading a rule
//! back gives the quota it was created with.

use iptkit_sys::ext::xt_quota::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{uint_option, Seen};

/// `-m quota`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Quota {
    /// `[!] --quota BYTES`: match while fewer bytes have passed (inverted:
    /// once they have).
    pub quota: Inv<u64>,
}

impl Quota {
    /// A quota of `quota` bytes.
    pub fn with(quota: Inv<u64>) -> Self {
        Quota { quota }
    }
}

const O_QUOTA: u32 = 1;

impl Extension for Quota {
    const NAME: &'static str = "quota";

    fn example(_family: crate::addr::Family) -> Self {
        Quota::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Quota::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_quota_info = read_struct(Self::NAME, revision, data)?;
        if k.flags & !XT_QUOTA_MASK != 0 || k.pad != 0 {
            return Err(Error::Malformed(format!(
                "quota: flags {:#x}, pad {:#x}",
                k.flags, k.pad
            )));
        }
        Ok(Quota::with(Inv::new(
            k.quota,
            k.flags & XT_QUOTA_INVERT != 0,
        )))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_quota_info::zeroed();
        k.quota = self.quota.value;
        if self.quota.invert {
            k.flags = XT_QUOTA_INVERT;
        }
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
        if option != "quota" {
            return Ok(false);
        }
        seen.take(Self::NAME, option, O_QUOTA, invert, true)?;
        let v = uint_option(Self::NAME, option, args.value("--quota")?, 0, u64::MAX)?;
        self.quota = Inv::new(v, invert);
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "quota", O_QUOTA)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        push_fmt!(out, "{} --quota {}", self.quota.bang(), self.quota.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Quota> {
        parse_as(Family::Ipv4, "quota", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        let bytes = hex("0100000000000000e8030000000000000000000000000000");
        let m = parse(&["!", "--quota", "1000"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Quota::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(save_as(&m), " ! --quota 1000");
        let m = Quota::decode(
            &ctx,
            0,
            &hex("000000000000000010000000000000000000000000000000"),
        )
        .unwrap();
        assert_eq!(save_as(&m), " --quota 16");
        assert!(Quota::decode(
            &ctx,
            0,
            &hex("020000000000000010000000000000000000000000000000")
        )
        .is_err());
    }

    #[test]
    fn refusals() {
        assert_eq!(
            save_as(&parse(&["--quota", "18446744073709551615"]).unwrap()),
            " --quota 18446744073709551615"
        );
        assert!(parse(&["--quota", "18446744073709551616"]).is_err());
        assert!(parse(&["--quota", "-1"]).is_err());
        assert!(parse(&[]).is_err());
        assert!(parse(&["--quota", "1", "--quota", "1"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m quota --quota 0", Some(" -m quota --quota 0")),
            (46, "-m quota ! --quota 0", Some(" -m quota ! --quota 0")),
            (
                46,
                "-m quota --quota 18446744073709551615",
                Some(" -m quota --quota 18446744073709551615"),
            ),
            (
                46,
                "-m quota ! --quota 18446744073709551615",
                Some(" -m quota ! --quota 18446744073709551615"),
            ),
            (46, "-m quota --quota 18446744073709551616", None),
            (46, "-m quota", None),
        ]);
    }
}
