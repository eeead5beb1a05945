//! `-j NETMAP`: map a whole network onto another, keeping the host part
//! (`nf_nat.h`: `nf_nat_ipv4_multi_range_compat` for IPv4,
//! `nf_nat_range` for IPv6, both revision 0). The kernel struct is the NAT
//! targets' range, read and written by [`NatRange`].

use std::net::IpAddr;

use super::nat_range::{NatAddrs, NatRange};
use crate::addr::{Family, Net};
use crate::error::{Error, Result};
use crate::extension::{bad_revision, Args, Ctx, Extension};
use crate::xtopt::{host, plen, Opt, Seen};

/// `-j NETMAP --to ADDR/MASK`: the network part of each address becomes
/// `to`'s, the host part stays.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Netmap {
    /// `--to`: the network mapped to.
    pub to: Net,
}

impl Netmap {
    /// `--to to`.
    pub fn to(to: Net) -> Netmap {
        Netmap { to }
    }

    /// The range the kernel holds: the network's first and last address.
    fn range(&self) -> NatRange {
        let last = match (self.to.addr(), self.to.mask()) {
            (IpAddr::V4(a), IpAddr::V4(m)) => IpAddr::V4((u32::from(a) | !u32::from(m)).into()),
            (IpAddr::V6(a), IpAddr::V6(m)) => IpAddr::V6((u128::from(a) | !u128::from(m)).into()),
            (a, _) => a,
        };
        NatRange {
            addrs: Some(NatAddrs {
                min: self.to.addr(),
                max: last,
            }),
            ..NatRange::default()
        }
    }
}

const O_TO: usize = 0;
const OPTS: &[Opt] = &[Opt::new("to").mand()];

/// `ADDR[/MASK]` as `XTTYPE_HOSTMASK` reads it; a mask that is no prefix
/// counts as the full one, as in iptables 1.8.9.
fn parse_to(family: Family, s: &str) -> Result<Net> {
    let what = "NETMAP --to";
    let (a, m) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    let addr = host(family, what, a)?;
    let len = match m {
        Some(m) => plen(family, what, m)?.min(family.bits()),
        None => family.bits(),
    };
    Net::new(addr, family.mask(len))
}

impl Extension for Netmap {
    const NAME: &'static str = "NETMAP";

    fn example(family: Family) -> Self {
        Netmap::to(Net::host(family.example_host()))
    }

    fn start(ctx: &Ctx, _name: &str) -> Self {
        Netmap::to(Net::any(ctx.family))
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let r = NatRange::decode(Self::NAME, ctx.family, revision, data)?;
        let bad = || Error::Malformed(format!("NETMAP: {r:?}"));
        let a = r.addrs.ok_or_else(bad)?;
        if r != (NatRange {
            addrs: r.addrs,
            ..NatRange::default()
        }) {
            return Err(bad());
        }
        // The mask is where the first and last address agree.
        let mask = match (a.min, a.max) {
            (IpAddr::V4(lo), IpAddr::V4(hi)) => {
                IpAddr::V4((!(u32::from(lo) ^ u32::from(hi))).into())
            }
            (IpAddr::V6(lo), IpAddr::V6(hi)) => {
                IpAddr::V6((!(u128::from(lo) ^ u128::from(hi))).into())
            }
            _ => return Err(bad()),
        };
        let t = Netmap::to(Net::new(a.min, mask)?);
        if t.range() != r {
            return Err(bad());
        }
        Ok(t)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, ctx: &Ctx, out: &mut Vec<u8>) {
        self.range().encode(ctx.family, 0, out);
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        if option != "to" {
            return Ok(false);
        }
        seen.take_opt(Self::NAME, OPTS, O_TO, invert)?;
        self.to = parse_to(ctx.family, args.value("--to")?)?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        push_fmt!(out, " --to {}", self.to);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each, hex};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--to 1.2.3.4/24` and `--to dead::beef/64`, as the kernel holds them.
        both_ways(
            Ipv4,
            &Netmap::to("1.2.3.0/24".parse().unwrap()),
            &hex("010000000100000001020300010203ff0000000000000000"),
        );
        both_ways(
            Ipv6,
            &Netmap::to("dead::/64".parse().unwrap()),
            &hex(concat!(
                "01000000dead0000000000000000000000000000dead000000000000",
                "ffffffffffffffff00000000"
            )),
        );
        // A non-contiguous mask reads back as such.
        let t = Netmap::to(
            Net::new("1.0.3.0".parse().unwrap(), "255.0.255.0".parse().unwrap()).unwrap(),
        );
        let mut b = Vec::new();
        t.encode(&Ctx::new(Ipv4), &mut b);
        b.resize(24, 0);
        assert_eq!(Netmap::decode(&Ctx::new(Ipv4), 0, &b).unwrap(), t);
        // Ports are not NETMAP's.
        let mut b = hex("030000000100000001020300010203ff0000000000000000");
        b[16] = 1;
        assert!(Netmap::decode(&Ctx::new(Ipv4), 0, &b).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (
                Ipv6,
                "-j NETMAP --to dead::/64",
                Some("-j NETMAP --to dead::/64"),
            ),
            (
                Ipv6,
                "-j NETMAP --to dead::beef",
                Some("-j NETMAP --to dead::beef/128"),
            ),
            (
                Ipv4,
                "-j NETMAP --to 1.2.3.0/24",
                Some("-j NETMAP --to 1.2.3.0/24"),
            ),
            (
                Ipv4,
                "-j NETMAP --to 1.2.3.4",
                Some("-j NETMAP --to 1.2.3.4/32"),
            ),
            (
                Ipv4,
                "-j NETMAP --to 1.2.3.4/24",
                Some("-j NETMAP --to 1.2.3.0/24"),
            ),
            (
                Ipv4,
                "-j NETMAP --to 1.2.3.4/255.0.255.0",
                Some("-j NETMAP --to 1.2.3.4/32"),
            ),
            (
                Ipv4,
                "-j NETMAP --to 1.2.3.4/255.255.0.0",
                Some("-j NETMAP --to 1.2.0.0/16"),
            ),
            (Ipv4, "-j NETMAP", None),
            (Ipv4, "-j NETMAP ! --to 1.2.3.4", None),
            (Ipv4, "-j NETMAP --to 1.2.3.4 --to 1.2.3.5", None),
            (Ipv6, "-j NETMAP --to 1.2.3.4", None),
            (
                Ipv4,
                "-j NETMAP --to 1.2.3.4/33",
                Some("-j NETMAP --to 1.2.3.4/32"),
            ),
        ]);
    }
}
