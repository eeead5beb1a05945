//! `-m hl`: the IPv6 hop limit compared with a value (`ip6t_hl.h`,
//! `struct ip6t_hl_info`), with `-m ttl`'s comparison.

use iptkit_sys::ext::ip6t_hl::*;
use iptkit_sys::Pod;

use super::ttl::{TtlCmp, TtlTest};
use crate::addr::Family;
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;

/// `-m hl` (IPv6 only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Hl {
    /// The test (required): `--hl-eq`, `! --hl-eq`, `--hl-lt` or `--hl-gt`.
    pub test: Option<TtlTest>,
}

impl Hl {
    /// `--hl-eq value` and the others: the packet's hop limit compared
    /// with `value`.
    ///
    /// ```
    /// use iptkit::{matches::{hl::Hl, ttl::TtlCmp}, Match};
    /// assert_eq!(Match::from(Hl::new(TtlCmp::Gt, 1)).to_string(), "-m hl --hl-gt 1");
    /// ```
    pub fn new(cmp: TtlCmp, value: u8) -> Hl {
        Hl {
            test: Some(TtlTest { cmp, value }),
        }
    }
}

impl Extension for Hl {
    const NAME: &'static str = "hl";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        Hl::new(TtlCmp::Eq, 64)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Hl { test: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ip6t_hl_info = read_struct(Self::NAME, revision, data)?;
        Ok(Hl {
            test: Some(TtlTest::from_kernel(Self::NAME, k.mode, k.hop_limit)?),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ip6t_hl_info::zeroed();
        if let Some(t) = self.test {
            k.mode = t.mode();
            k.hop_limit = t.value;
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        // libip6t_hl has `--hl` as another name of `--hl-eq`.
        let option = if option == "hl" { "hl-eq" } else { option };
        TtlTest::parse_option(&mut self.test, "hl", option, invert, args)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        TtlTest::required(&self.test, "hl")
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(t) = self.test {
            t.save("hl", out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv6);
        let h: Hl = parse_opts(&ctx, &["--hl-lt", "42"]).unwrap();
        bytes_both_ways(&ctx, &h, &[IP6T_HL_LT, 42]);
    }

    #[test]
    fn text_like_iptables_save() {
        let r = |s: &str| round(Family::Ipv6, s);
        assert_eq!(r("-m hl ! --hl-eq 42").unwrap(), " -m hl ! --hl-eq 42");
        assert_eq!(r("-m hl --hl-gt 42").unwrap(), " -m hl --hl-gt 42");
        for bad in [
            "-m hl",
            "-m hl --hl-gt 42 --hl-eq 42",
            "-m hl --hl-gt",
            "-m hl ! --hl-gt 5",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
        assert!(round(Family::Ipv4, "-m hl --hl-eq 5").is_err());
    }
}
