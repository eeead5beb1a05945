//! `-j SNPT`: IPv6 network prefix translation of source addresses (RFC
//! 6296; `ip6t_NPT.h`, `struct ip6t_npt_tginfo`; IPv6 only). The codec is
//! DNPT's.

use super::dnpt::{Npt, NptPrefix};
use crate::addr::Family;
use crate::error::Result;
use crate::extension::{Args, Ctx, Extension};
use crate::xtopt::Seen;

/// `-j SNPT --src-pfx PREFIX --dst-pfx PREFIX`: source addresses in `src`
/// become addresses in `dst`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Snpt {
    /// `--src-pfx`: the prefix translated from.
    pub src: NptPrefix,
    /// `--dst-pfx`: the prefix translated to.
    pub dst: NptPrefix,
}

impl Snpt {
    /// `--src-pfx src --dst-pfx dst`.
    pub fn prefixes(src: NptPrefix, dst: NptPrefix) -> Snpt {
        Snpt { src, dst }
    }

    fn npt(&self) -> Npt {
        Npt {
            src: self.src,
            dst: self.dst,
        }
    }
}

impl Extension for Snpt {
    const NAME: &'static str = "SNPT";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        let (src, dst) = NptPrefix::examples();
        Snpt::prefixes(src, dst)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No prefixes until the options give them; both are mandatory.
        Snpt::prefixes(NptPrefix::default(), NptPrefix::default())
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let n = Npt::decode(Self::NAME, revision, data)?;
        Ok(Snpt::prefixes(n.src, n.dst))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        self.npt().encode(out);
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let mut n = self.npt();
        let taken = n.parse_option(Self::NAME, option, invert, args, seen)?;
        (self.src, self.dst) = (n.src, n.dst);
        Ok(taken)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        Npt::finish(Self::NAME, seen)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        self.npt().save(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::Ipv6;
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64`: the same bytes as DNPT.
        let mut bytes = vec![0u8; 40];
        bytes[..2].copy_from_slice(&[0xde, 0xad]);
        bytes[16..18].copy_from_slice(&[0x01, 0xc3]);
        bytes[32] = 64;
        bytes[33] = 64;
        let src = NptPrefix {
            addr: "dead::".parse().unwrap(),
            len: 64,
        };
        let dst = NptPrefix {
            addr: "1c3::".parse().unwrap(),
            len: 64,
        };
        both_ways(Ipv6, &Snpt::prefixes(src, dst), &bytes);
    }

    #[test]
    fn text_like_iptables() {
        let rule = "-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64";
        conformance_each(&[
            (Ipv6, rule, Some(rule)),
            (
                Ipv6,
                "-j SNPT --src-pfx dead::beef --dst-pfx 1c3::/64",
                Some("-j SNPT --src-pfx dead::beef/128 --dst-pfx 1c3::/64"),
            ),
            (Ipv6, "-j SNPT --src-pfx dead::/64", None),
            (Ipv6, "-j SNPT --dst-pfx dead::/64", None),
            (Ipv6, "-j SNPT", None),
            (
                Ipv6,
                "-j SNPT ! --src-pfx dead::/64 --dst-pfx 1c3::/64",
                None,
            ),
        ]);
    }
}
