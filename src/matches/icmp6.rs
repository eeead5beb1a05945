//! `-m icmp6`: type and code of an ICMPv6 header, IPv6 only (`ip6_tables.h`,
//! `struct ip6t_icmp`).

use super::icmp::{IcmpKind, IcmpType};
use crate::addr::Family;
use crate::error::Result;
use crate::extension::{Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;

/// ICMPv6 type names iptables accepts (`icmpv6_codes` in libxt_icmp.h), in its order.
const ICMPV6_NAMES: &[(&str, IcmpType)] = &[
    ("destination-unreachable", IcmpType::all_codes(1)),
    ("no-route", IcmpType::code(1, 0)),
    ("communication-prohibited", IcmpType::code(1, 1)),
    ("beyond-scope", IcmpType::code(1, 2)),
    ("address-unreachable", IcmpType::code(1, 3)),
    ("port-unreachable", IcmpType::code(1, 4)),
    ("failed-policy", IcmpType::code(1, 5)),
    ("reject-route", IcmpType::code(1, 6)),
    ("packet-too-big", IcmpType::all_codes(2)),
    ("time-exceeded", IcmpType::all_codes(3)),
    ("ttl-exceeded", IcmpType::all_codes(3)),
    ("ttl-zero-during-transit", IcmpType::code(3, 0)),
    ("ttl-zero-during-reassembly", IcmpType::code(3, 1)),
    ("parameter-problem", IcmpType::all_codes(4)),
    ("bad-header", IcmpType::code(4, 0)),
    ("unknown-header-type", IcmpType::code(4, 1)),
    ("unknown-option", IcmpType::code(4, 2)),
    ("echo-request", IcmpType::all_codes(128)),
    ("ping", IcmpType::all_codes(128)),
    ("echo-reply", IcmpType::all_codes(129)),
    ("pong", IcmpType::all_codes(129)),
    ("router-solicitation", IcmpType::all_codes(133)),
    ("router-advertisement", IcmpType::all_codes(134)),
    ("neighbour-solicitation", IcmpType::all_codes(135)),
    ("neighbor-solicitation", IcmpType::all_codes(135)),
    ("neighbour-advertisement", IcmpType::all_codes(136)),
    ("neighbor-advertisement", IcmpType::all_codes(136)),
    ("redirect", IcmpType::all_codes(137)),
];

/// `-m icmp6` (also `-m icmpv6` and `-m ipv6-icmp`, as iptables maps them).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Icmp6 {
    /// `--icmpv6-type`; required by iptables, `None` only while parsing.
    pub icmp_type: Option<Inv<IcmpType>>,
}

const KIND: IcmpKind = IcmpKind {
    ext: "icmp6",
    family: Family::Ipv6,
    option: "icmpv6-type",
    what: "ICMPv6",
    names: ICMPV6_NAMES,
    // libip6t_icmp6 starts from all zeroes but code[1] = 0xFF.
    unset: IcmpType::all_codes(0),
};

impl Icmp6 {
    /// `--icmpv6-type`: the packet's ICMPv6 type (and code range).
    ///
    /// ```
    /// use iptkit::{matches::{icmp::IcmpType, icmp6::Icmp6}, Family, Rule};
    /// let ping = Icmp6::new(IcmpType::all_codes(128));
    /// let rule = Rule::new(Family::Ipv6).with_match(ping);
    /// assert_eq!(rule.to_string(), "-p ipv6-icmp -m icmp6 --icmpv6-type 128");
    /// ```
    pub fn new(icmp_type: IcmpType) -> Icmp6 {
        Icmp6 {
            icmp_type: Some(Inv::is(icmp_type)),
        }
    }
}

impl Extension for Icmp6 {
    const NAME: &'static str = "icmp6";
    const FAMILIES: &'static [Family] = &[Family::Ipv6];
    const ALIASES: &'static [&'static str] = &["icmpv6", "ipv6-icmp"];

    fn example(_family: Family) -> Self {
        Icmp6::new(IcmpType::all_codes(128))
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Icmp6 { icmp_type: None }
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        Ok(Icmp6 {
            icmp_type: KIND.decode(revision, data)?,
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        KIND.encode(self.icmp_type, out);
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        KIND.parse_option(&mut self.icmp_type, ctx, option, invert, args)
    }

    fn finish(&mut self, ctx: &Ctx, _seen: Seen) -> Result<()> {
        KIND.finish(&self.icmp_type, ctx)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        let Some(t) = self.icmp_type else { return };
        out.push_str(t.bang());
        out.push_str(" --icmpv6-type ");
        t.value.save_numeric(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::round;

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv6);
        // `-p ipv6-icmp -m icmp6 ! --icmpv6-type 1/0`, padded to 8 bytes.
        let bytes = [1, 0, 0, 1, 0, 0, 0, 0];
        let m = Icmp6::decode(&ctx, 0, &bytes).unwrap();
        assert_eq!(m.icmp_type, Some(Inv::not(IcmpType::code(1, 0))));
        let mut out = Vec::new();
        m.encode(&ctx, &mut out);
        assert_eq!(out, bytes[..4]);
        // `--icmpv6-type echo-request`.
        let m = Icmp6::decode(&ctx, 0, &[128, 0, 0xff, 0]).unwrap();
        assert_eq!(m.icmp_type, Some(Inv::is(IcmpType::all_codes(128))));
    }

    #[test]
    fn text_like_iptables_save() {
        let ok = |spec: &str, want: &str| {
            assert_eq!(round(Family::Ipv6, spec).unwrap(), want, "{spec}");
        };
        ok(
            "-p ipv6-icmp -m icmp6 --icmpv6-type 1/0",
            " -p ipv6-icmp -m icmp6 --icmpv6-type 1/0",
        );
        ok(
            "-p icmpv6 -m icmpv6 ! --icmpv6-type neighbor-solicitation",
            " -p ipv6-icmp -m icmp6 ! --icmpv6-type 135",
        );
        ok(
            "-p ipv6-icmp --icmpv6-type pong",
            " -p ipv6-icmp -m icmp6 --icmpv6-type 129",
        );
        ok(
            "-p ipv6-icmp -m ipv6-icmp --icmpv6-type 255/0",
            " -p ipv6-icmp -m icmp6 --icmpv6-type 255/0",
        );
        ok(
            "-p ipv6-icmp -m icmp6 --icmpv6-type 1/3:2",
            " -p ipv6-icmp -m icmp6 --icmpv6-type 1/3",
        );
    }

    #[test]
    fn refusals() {
        for spec in [
            "-m icmpv6",
            "-p ipv6-icmp -m icmp6 --icmpv6-type no-route --icmpv6-type packet-too-big",
            "-p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-query",
            "-p ipv6-icmp -m icmp6 --icmpv6-type neigh",
            "-p ipv6-icmp -m icmp6 --icmpv6-type 8x",
            "-p ipv6-icmp -m icmp6 --icmp-type 3",
        ] {
            assert!(round(Family::Ipv6, spec).is_err(), "{spec}");
        }
        assert!(round(Family::Ipv4, "-m icmp6 --icmpv6-type 1").is_err());
    }
    /// Every case of extensions/libip6t_icmp6.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (6, "-m icmpv6", None),
            (6, "-p ipv6-icmp -m icmp6 --icmpv6-type 1/0", Some(" -p ipv6-icmp -m icmp6 --icmpv6-type 1/0")),
            (6, "-p ipv6-icmp -m icmp6 --icmpv6-type 2", Some(" -p ipv6-icmp -m icmp6 --icmpv6-type 2")),
            (6, "-p ipv6-icmp -m icmp6 --icmpv6-type no-route --icmpv6-type packet-too-big", None),
            (6, "-p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-query", None),
            (6, "-p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-report", None),
            (6, "-p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-done", None),
            (6, "-p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-reduction", None),
        ]);
    }
}
