//! `-m icmp6`: type and code of an ICMPv6 header, IPv6 only (`ip6_tables.h`,
//! `struct ip6t_icmp`).

use super::icmp::{icmp_match, IcmpKind, IcmpType};
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

const KIND: IcmpKind = IcmpKind {
    ext: "icmp6",
    family: Family::Ipv6,
    option: "icmpv6-type",
    what: "ICMPv6",
    names: ICMPV6_NAMES,
    // libip6t_icmp6 starts from all zeroes but code[1] = 0xFF.
    unset: IcmpType::all_codes(0),
};

icmp_match!(
    /// `-m icmp6` (also `-m icmpv6` and `-m ipv6-icmp`, as iptables maps them).
    Icmp6, "icmp6", Ipv6, KIND, aliases: &["icmpv6", "ipv6-icmp"], option: "icmpv6-type",
    new:
    /// `--icmpv6-type`: the packet's ICMPv6 type (and code range).
    ///
    /// ```
    /// use iptkit::{matches::{icmp::IcmpType, icmp6::Icmp6}, Family, Rule};
    /// let ping = Icmp6::new(IcmpType::all_codes(128));
    /// let rule = Rule::new(Family::Ipv6).with_match(ping);
    /// assert_eq!(rule.to_string(), "-p ipv6-icmp -m icmp6 --icmpv6-type 128");
    /// ```
    ,
    example: 128,
);

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
        assert_eq!(m.icmp_type, Inv::not(IcmpType::code(1, 0)));
        let mut out = Vec::new();
        m.encode(&ctx, &mut out);
        assert_eq!(out, bytes[..4]);
        // `--icmpv6-type echo-request`.
        let m = Icmp6::decode(&ctx, 0, &[128, 0, 0xff, 0]).unwrap();
        assert_eq!(m.icmp_type, Inv::is(IcmpType::all_codes(128)));
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
