//! `-m iprange`: source and/or destination address in an inclusive range
//! (`xt_iprange.h`, `struct xt_iprange_mtinfo`, revision 1, IPv4 and IPv6).
//!
//! Revision 0 (`ipt_iprange_info`) is no longer offered by the kernel, so it is
//! not decoded; a rule holding it would be kept as an unknown match.
//!
//! ```
//! use iptkit::matches::iprange::{AddrRange, Iprange};
//! use iptkit::{Family, Rule, Target};
//! let range = AddrRange::parse(Family::Ipv4, "--src-range", "192.0.2.10-192.0.2.20")?;
//! let rule = Rule::new(Family::Ipv4)
//!     .with_match(Iprange::src(range))
//!     .with_target(Target::Drop);
//! assert_eq!(rule.to_string(), "-m iprange --src-range 192.0.2.10-192.0.2.20 -j DROP");
//! assert_eq!(Rule::parse(Family::Ipv4, "-m iprange --src-range 192.0.2.10-192.0.2.20 -j DROP")?, rule);
//! # Ok::<(), iptkit::Error>(())
//! ```

use std::fmt;
use std::net::IpAddr;

use iptkit_sys::ext::xt_iprange::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;
use crate::xtopt::{inet_addr_bytes, inet_addr_of, numeric_to_ipaddr};

/// An inclusive address range, `MIN-MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AddrRange {
    /// Lowest address, inclusive.
    pub min: IpAddr,
    /// Highest address, inclusive (a range with `max < min` never matches).
    pub max: IpAddr,
}

impl fmt::Display for AddrRange {
    /// `MIN-MAX`, as iptables-save prints it (even when both are the same).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            crate::addr::ntop(self.min),
            crate::addr::ntop(self.max)
        )
    }
}

impl AddrRange {
    /// Parses `ADDR` or `ADDR-ADDR` of `family` as `iprange_parse_range` does:
    /// numeric addresses only (`xtables_numeric_to_ipaddr`); a single address
    /// is a range of one.
    pub fn parse(family: Family, option: &str, s: &str) -> Result<AddrRange> {
        let (from, to) = s.split_once('-').unwrap_or((s, s));
        let addr = |a: &str| {
            numeric_to_ipaddr(family, a).ok_or_else(|| {
                Error::value(option, a, "not a numeric address of the rule's family")
            })
        };
        Ok(AddrRange {
            min: addr(from)?,
            max: addr(to)?,
        })
    }
}

/// `-m iprange`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Iprange {
    /// `[!] --src-range MIN[-MAX]`.
    pub src: Option<Inv<AddrRange>>,
    /// `[!] --dst-range MIN[-MAX]`.
    pub dst: Option<Inv<AddrRange>>,
}

impl Iprange {
    /// `--src-range MIN-MAX`.
    pub fn src(range: AddrRange) -> Iprange {
        Iprange {
            src: Some(Inv::is(range)),
            dst: None,
        }
    }

    /// `--dst-range MIN-MAX`.
    pub fn dst(range: AddrRange) -> Iprange {
        Iprange {
            src: None,
            dst: Some(Inv::is(range)),
        }
    }

    /// Nothing tested yet: where the parser starts (iptables refuses the match without an option).
    pub(crate) fn empty() -> Iprange {
        Iprange {
            src: None,
            dst: None,
        }
    }
}

impl Extension for Iprange {
    const NAME: &'static str = "iprange";
    const REVISIONS: &'static [u8] = &[1];

    fn example(_family: Family) -> Self {
        Iprange::empty()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Iprange::empty()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 1 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_iprange_mtinfo = read_struct(Self::NAME, revision, data)?;
        let range = |on, inv, min: &nf_inet_addr, max: &nf_inet_addr| {
            (k.flags & on != 0).then(|| {
                Inv::new(
                    AddrRange {
                        min: inet_addr_of(ctx.family, min.in6),
                        max: inet_addr_of(ctx.family, max.in6),
                    },
                    k.flags & inv != 0,
                )
            })
        };
        Ok(Iprange {
            src: range(IPRANGE_SRC, IPRANGE_SRC_INV, &k.src_min, &k.src_max),
            dst: range(IPRANGE_DST, IPRANGE_DST_INV, &k.dst_min, &k.dst_max),
        })
    }

    fn revision(&self) -> u8 {
        1
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_iprange_mtinfo::zeroed();
        if let Some(r) = self.src {
            k.src_min = nf_inet_addr {
                in6: inet_addr_bytes(r.value.min),
            };
            k.src_max = nf_inet_addr {
                in6: inet_addr_bytes(r.value.max),
            };
            k.flags |= IPRANGE_SRC | if r.invert { IPRANGE_SRC_INV } else { 0 };
        }
        if let Some(r) = self.dst {
            k.dst_min = nf_inet_addr {
                in6: inet_addr_bytes(r.value.min),
            };
            k.dst_max = nf_inet_addr {
                in6: inet_addr_bytes(r.value.max),
            };
            k.flags |= IPRANGE_DST | if r.invert { IPRANGE_DST_INV } else { 0 };
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        let (slot, name) = match option {
            "src-range" => (&mut self.src, "--src-range"),
            "dst-range" => (&mut self.dst, "--dst-range"),
            _ => return Ok(false),
        };
        let r = AddrRange::parse(ctx.family, name, args.value(name)?)?;
        set_once(slot, name, Inv::new(r, invert))?;
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.src.is_none() && self.dst.is_none() {
            return Err(Error::rule(
                "iprange match",
                "you must specify `--src-range' or `--dst-range'",
            ));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        for (name, r) in [("src-range", &self.src), ("dst-range", &self.dst)] {
            if let Some(r) = r {
                push_fmt!(out, "{} --{name} {}", r.bang(), r.value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse_rule_spec, split_words};
    use crate::testutil::hex;
    use crate::testutil::round;

    fn ctx(family: Family) -> Ctx {
        Ctx::new(family)
    }

    #[test]
    fn kernel_bytes_ipv4() {
        // `-m iprange --src-range 1.1.1.1-1.1.1.10 ! --dst-range 10.0.0.1`,
        // from the kernel (72 bytes: the 68-byte struct plus alignment).
        let bytes = hex(concat!(
            "01010101000000000000000000000000",
            "0101010a000000000000000000000000",
            "0a000001000000000000000000000000",
            "0a000001000000000000000000000000",
            "2300000000000000"
        ));
        let c = ctx(Family::Ipv4);
        let m = Iprange::decode(&c, 1, &bytes).unwrap();
        let mut s = String::new();
        m.save(&c, &mut s);
        assert_eq!(
            s,
            " --src-range 1.1.1.1-1.1.1.10 ! --dst-range 10.0.0.1-10.0.0.1"
        );
        let mut out = Vec::new();
        m.encode(&c, &mut out);
        assert_eq!(out, bytes[..68]);
        let (rules, _) = parse_rule_spec(
            Family::Ipv4,
            &split_words("-m iprange --src-range 1.1.1.1-1.1.1.10 ! --dst-range 10.0.0.1").unwrap(),
        )
        .unwrap();
        assert_eq!(rules[0].matches[0], crate::Match::from(m));
    }

    #[test]
    fn kernel_bytes_ipv6() {
        // `-m iprange ! --src-range 2001:db8::1-2001:db8::10`, from the kernel.
        let bytes = hex(concat!(
            "20010db8000000000000000000000001",
            "20010db8000000000000000000000010",
            "00000000000000000000000000000000",
            "00000000000000000000000000000000",
            "1100000000000000"
        ));
        let c = ctx(Family::Ipv6);
        let m = Iprange::decode(&c, 1, &bytes).unwrap();
        let mut s = String::new();
        m.save(&c, &mut s);
        assert_eq!(s, " ! --src-range 2001:db8::1-2001:db8::10");
        let mut out = Vec::new();
        m.encode(&c, &mut out);
        assert_eq!(out, bytes[..68]);
        assert!(Iprange::decode(&c, 0, &bytes).is_err());
        assert!(Iprange::decode(&c, 1, &bytes[..60]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let v4 = |s| round(Family::Ipv4, s);
        let v6 = |s| round(Family::Ipv6, s);
        assert_eq!(
            v4("-m iprange ! --dst-range 1.1.1.1-1.1.1.10").unwrap(),
            " -m iprange ! --dst-range 1.1.1.1-1.1.1.10"
        );
        assert_eq!(
            v6("-m iprange --src-range 2001:db8::1-2001:db8::10").unwrap(),
            " -m iprange --src-range 2001:db8::1-2001:db8::10"
        );
        // Numbers as xtables reads them: octal and hex octets.
        assert_eq!(
            v4("-m iprange --src-range 010.0x10.0.1").unwrap(),
            " -m iprange --src-range 8.16.0.1-8.16.0.1"
        );
        // A reversed range is only warned about by iptables.
        assert_eq!(
            v4("-m iprange --src-range 1.1.1.9-1.1.1.1").unwrap(),
            " -m iprange --src-range 1.1.1.9-1.1.1.1"
        );
    }

    #[test]
    fn short_dotted_addresses_like_iptables() {
        // What iptables-legacy 1.8.9 saves for it.
        assert_eq!(
            round(Family::Ipv4, "-m iprange --src-range 1.1.1-1.1.1.10").unwrap(),
            " -m iprange --src-range 1.1.1.0-1.1.1.10"
        );
    }

    #[test]
    fn refusals() {
        let v4 = |s| round(Family::Ipv4, s);
        assert!(v4("-m iprange").is_err());
        assert!(round(Family::Ipv6, "-m iprange --src-range 1.1.1.1-1.1.1.10").is_err());
        assert!(v4("-m iprange --src-range 2001:db8::1").is_err());
        assert!(v4("-m iprange --src-range 1.1.1.256").is_err());
        assert!(v4("-m iprange --src-range 1.1.1.1-").is_err());
        assert!(v4("-m iprange --src-range host.example").is_err());
        assert!(v4("-m iprange --src-range 1.1.1.1 --src-range 1.1.1.2").is_err());
        assert!(v4("-m iprange --dst-range").is_err());
    }

    /// Every rule of iptables' own tests for this match (`extensions/*.t`)
    /// and what iptables-legacy 1.8.9 saved for it, or `None` where its
    /// parser refused the rule (rules only the kernel refused are left out).
    const CONFORMANCE: &[(Family, &[&str], Option<&str>)] = &[
        (
            Family::Ipv6,
            &["-m", "iprange", "--src-range", "2001:db8::1-2001:db8::10"],
            Some(" -m iprange --src-range 2001:db8::1-2001:db8::10"),
        ),
        (
            Family::Ipv6,
            &[
                "-m",
                "iprange",
                "!",
                "--src-range",
                "2001:db8::1-2001:db8::10",
            ],
            Some(" -m iprange ! --src-range 2001:db8::1-2001:db8::10"),
        ),
        (
            Family::Ipv6,
            &["-m", "iprange", "--dst-range", "2001:db8::1-2001:db8::10"],
            Some(" -m iprange --dst-range 2001:db8::1-2001:db8::10"),
        ),
        (
            Family::Ipv6,
            &[
                "-m",
                "iprange",
                "!",
                "--dst-range",
                "2001:db8::1-2001:db8::10",
            ],
            Some(" -m iprange ! --dst-range 2001:db8::1-2001:db8::10"),
        ),
        (
            Family::Ipv4,
            &["-m", "iprange", "--src-range", "1.1.1.1-1.1.1.10"],
            Some(" -m iprange --src-range 1.1.1.1-1.1.1.10"),
        ),
        (
            Family::Ipv4,
            &["-m", "iprange", "!", "--src-range", "1.1.1.1-1.1.1.10"],
            Some(" -m iprange ! --src-range 1.1.1.1-1.1.1.10"),
        ),
        (
            Family::Ipv4,
            &["-m", "iprange", "--dst-range", "1.1.1.1-1.1.1.10"],
            Some(" -m iprange --dst-range 1.1.1.1-1.1.1.10"),
        ),
        (
            Family::Ipv4,
            &["-m", "iprange", "!", "--dst-range", "1.1.1.1-1.1.1.10"],
            Some(" -m iprange ! --dst-range 1.1.1.1-1.1.1.10"),
        ),
        (Family::Ipv4, &["-m", "iprange"], None),
        (Family::Ipv6, &["-m", "iprange"], None),
        (
            Family::Ipv6,
            &["-m", "iprange", "--src-range", "1.1.1.1-1.1.1.10"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "iprange", "!", "--src-range", "1.1.1.1-1.1.1.10"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "iprange", "--dst-range", "1.1.1.1-1.1.1.10"],
            None,
        ),
        (
            Family::Ipv6,
            &["-m", "iprange", "!", "--dst-range", "1.1.1.1-1.1.1.10"],
            None,
        ),
    ];

    #[test]
    fn conformance_with_iptables() {
        crate::testutil::conformance_argv(CONFORMANCE);
    }
}
