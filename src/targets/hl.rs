//! `-j HL`: change the IPv6 hop limit (`ip6t_HL.h`, `struct ip6t_HL_info`;
//! IPv6 only). The IPv6 twin of `-j TTL`, whose operations it shares.

use iptkit_sys::ext::ip6t_hl_target::*;
use iptkit_sys::Pod;

use super::ttl::{ttl_opts, TtlOp};
use crate::addr::Family;
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{Opt, Seen};

const OPTS: &[Opt] = &ttl_opts("hl-set", "hl-dec", "hl-inc");

/// `-j HL --hl-set|--hl-inc|--hl-dec N`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct HlTarget {
    /// The change (`TtlOp::Set` is `--hl-set`, and so on).
    pub op: TtlOp,
}

impl HlTarget {
    /// An HL target doing `op`.
    pub fn of(op: TtlOp) -> HlTarget {
        HlTarget { op }
    }
}

impl Extension for HlTarget {
    const NAME: &'static str = "HL";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];

    fn example(_family: Family) -> Self {
        HlTarget::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        HlTarget::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: ip6t_HL_info = read_struct(Self::NAME, revision, data)?;
        Ok(HlTarget::of(TtlOp::from_kernel(
            Self::NAME,
            k.mode,
            k.hop_limit,
        )?))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = ip6t_HL_info::zeroed();
        // The same mode numbers as TTL (IP6T_HL_SET/INC/DEC).
        (k.mode, k.hop_limit) = self.op.to_kernel();
        debug_assert!(k.mode <= IP6T_HL_DEC);
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
        match TtlOp::parse(Self::NAME, OPTS, seen, option, invert, args)? {
            Some(op) => self.op = op,
            None => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        TtlOp::finish(Self::NAME, OPTS, seen)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        self.op.save("hl", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--hl-dec 255`, as the kernel holds it.
        both_ways(
            Ipv6,
            &HlTarget::of(TtlOp::Dec(255)),
            &[2, 255, 0, 0, 0, 0, 0, 0],
        );
        both_ways(
            Ipv6,
            &HlTarget::of(TtlOp::Set(42)),
            &[0, 42, 0, 0, 0, 0, 0, 0],
        );
        assert!(HlTarget::decode(&Ctx::new(Ipv6), 0, &[3, 1]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (Ipv6, "-j HL --hl-set 42", Some("-j HL --hl-set 42")),
            (Ipv6, "-j HL --hl-inc 1", Some("-j HL --hl-inc 1")),
            (Ipv6, "-j HL --hl-dec 1", Some("-j HL --hl-dec 1")),
            (Ipv6, "-j HL --hl-set 256", None),
            (Ipv6, "-j HL --hl-inc 0", None),
            (Ipv6, "-j HL --hl-dec 0", None),
            (Ipv6, "-j HL --hl-dec 1 --hl-inc 1", None),
            (Ipv6, "-j HL --hl-set --hl-inc 1", None),
            (Ipv6, "-j HL", None),
            // iptables has no HL target.
            (Ipv4, "-j HL --hl-set 1", None),
        ]);
    }
}
