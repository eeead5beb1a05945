//! `-j REJECT`: drop the packet and answer with an ICMP error or a TCP reset
//! (`ipt_REJECT.h` `struct ipt_reject_info`, `ip6t_REJECT.h` `struct ip6t_reject_info`).
//!
//! One type serves both families: the reply kinds both have (port unreachable,
//! administratively prohibited, TCP reset) are one variant each, and the
//! family of the rule picks the kernel number and the name iptables prints.
//!
//! ```
//! use iptkit::targets::reject::{Reject, RejectWith};
//! use iptkit::{Family, Rule};
//! let rule = Rule::new(Family::Ipv4).protocol(6).with_target(Reject::new(RejectWith::TcpReset));
//! assert_eq!(rule.to_string(), "-p tcp -j REJECT --reject-with tcp-reset");
//! // The default kind, named as each family names it.
//! let v6 = Rule::parse(Family::Ipv6, "-j REJECT")?;
//! assert_eq!(v6.target_as::<Reject>().unwrap().with, RejectWith::PortUnreachable);
//! assert_eq!(v6.to_string(), "-j REJECT --reject-with icmp6-port-unreachable");
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::ip6t_reject::*;
use iptkit_sys::ext::ipt_reject::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;

/// What REJECT sends back. Variants without a prefix exist in both families;
/// `Icmp*` ones only in IPv4 (`icmp-...` names), `Icmp6*` only in IPv6.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RejectWith {
    /// `icmp-port-unreachable` / `icmp6-port-unreachable` (the default).
    #[default]
    PortUnreachable,
    /// `icmp-admin-prohibited` / `icmp6-adm-prohibited`.
    AdminProhibited,
    /// `tcp-reset`: a TCP RST (the kernel wants `-p tcp`).
    TcpReset,
    /// `icmp-net-unreachable` (IPv4).
    IcmpNetUnreachable,
    /// `icmp-host-unreachable` (IPv4).
    IcmpHostUnreachable,
    /// `icmp-proto-unreachable` (IPv4).
    IcmpProtoUnreachable,
    /// `icmp-net-prohibited` (IPv4).
    IcmpNetProhibited,
    /// `icmp-host-prohibited` (IPv4).
    IcmpHostProhibited,
    /// `icmp6-no-route` (IPv6).
    Icmp6NoRoute,
    /// `icmp6-addr-unreachable` (IPv6).
    Icmp6AddrUnreachable,
    /// `icmp6-policy-fail` (IPv6).
    Icmp6PolicyFail,
    /// `icmp6-reject-route` (IPv6).
    Icmp6RejectRoute,
}

/// One row of iptables' `reject_table`: name, alias, kernel number, value.
type Row = (&'static str, &'static str, u32, RejectWith);

/// `libipt_REJECT.c`'s table, in its (kernel number) order: parsing takes the
/// first row whose name or alias starts with the word.
const IPV4: &[Row] = &[
    (
        "icmp-net-unreachable",
        "net-unreach",
        IPT_ICMP_NET_UNREACHABLE,
        RejectWith::IcmpNetUnreachable,
    ),
    (
        "icmp-host-unreachable",
        "host-unreach",
        IPT_ICMP_HOST_UNREACHABLE,
        RejectWith::IcmpHostUnreachable,
    ),
    (
        "icmp-proto-unreachable",
        "proto-unreach",
        IPT_ICMP_PROT_UNREACHABLE,
        RejectWith::IcmpProtoUnreachable,
    ),
    (
        "icmp-port-unreachable",
        "port-unreach",
        IPT_ICMP_PORT_UNREACHABLE,
        RejectWith::PortUnreachable,
    ),
    (
        "icmp-net-prohibited",
        "net-prohib",
        IPT_ICMP_NET_PROHIBITED,
        RejectWith::IcmpNetProhibited,
    ),
    (
        "icmp-host-prohibited",
        "host-prohib",
        IPT_ICMP_HOST_PROHIBITED,
        RejectWith::IcmpHostProhibited,
    ),
    ("tcp-reset", "tcp-rst", IPT_TCP_RESET, RejectWith::TcpReset),
    (
        "icmp-admin-prohibited",
        "admin-prohib",
        IPT_ICMP_ADMIN_PROHIBITED,
        RejectWith::AdminProhibited,
    ),
];

/// `libip6t_REJECT.c`'s table, in its order.
const IPV6: &[Row] = &[
    (
        "icmp6-no-route",
        "no-route",
        IP6T_ICMP6_NO_ROUTE,
        RejectWith::Icmp6NoRoute,
    ),
    (
        "icmp6-adm-prohibited",
        "adm-prohibited",
        IP6T_ICMP6_ADM_PROHIBITED,
        RejectWith::AdminProhibited,
    ),
    (
        "icmp6-addr-unreachable",
        "addr-unreach",
        IP6T_ICMP6_ADDR_UNREACH,
        RejectWith::Icmp6AddrUnreachable,
    ),
    (
        "icmp6-port-unreachable",
        "port-unreach",
        IP6T_ICMP6_PORT_UNREACH,
        RejectWith::PortUnreachable,
    ),
    (
        "tcp-reset",
        "tcp-reset",
        IP6T_TCP_RESET,
        RejectWith::TcpReset,
    ),
    (
        "icmp6-policy-fail",
        "policy-fail",
        IP6T_ICMP6_POLICY_FAIL,
        RejectWith::Icmp6PolicyFail,
    ),
    (
        "icmp6-reject-route",
        "reject-route",
        IP6T_ICMP6_REJECT_ROUTE,
        RejectWith::Icmp6RejectRoute,
    ),
];

fn table(family: Family) -> &'static [Row] {
    match family {
        Family::Ipv4 => IPV4,
        Family::Ipv6 => IPV6,
    }
}

impl RejectWith {
    /// The nearest kind the other family has, for a value built by hand for
    /// the wrong family (the ICMPv4/ICMPv6 pairs nft's `icmpx` uses; anything
    /// else becomes the default).
    fn for_family(self, family: Family) -> RejectWith {
        use RejectWith::*;
        match (family, self) {
            (Family::Ipv4, Icmp6NoRoute) => IcmpNetUnreachable,
            (Family::Ipv4, Icmp6AddrUnreachable) => IcmpHostUnreachable,
            (Family::Ipv4, Icmp6PolicyFail | Icmp6RejectRoute) => PortUnreachable,
            (Family::Ipv6, IcmpNetUnreachable) => Icmp6NoRoute,
            (Family::Ipv6, IcmpHostUnreachable) => Icmp6AddrUnreachable,
            (Family::Ipv6, IcmpNetProhibited | IcmpHostProhibited) => AdminProhibited,
            (Family::Ipv6, IcmpProtoUnreachable) => PortUnreachable,
            (_, w) => w,
        }
    }

    fn row(self, family: Family) -> &'static Row {
        let w = self.for_family(family);
        let t = table(family);
        t.iter().find(|r| r.3 == w).unwrap_or(&t[0])
    }

    /// The name iptables prints for this kind in `family`.
    pub fn name(self, family: Family) -> &'static str {
        self.row(family).0
    }

    /// The kernel's number for this kind in `family`.
    pub fn code(self, family: Family) -> u32 {
        self.row(family).2
    }

    /// The kind of a kernel number, `None` for numbers iptables has no name
    /// for (echo-reply, not-neighbour, anything newer).
    pub fn from_code(family: Family, code: u32) -> Option<RejectWith> {
        table(family).iter().find(|r| r.2 == code).map(|r| r.3)
    }

    /// Parses a `--reject-with` word as iptables does: the first kind whose
    /// name or alias starts with it, ignoring case (so `tcp` is `tcp-reset`).
    pub fn parse(family: Family, s: &str) -> Option<RejectWith> {
        let starts = |full: &str| {
            full.len() >= s.len() && full.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes())
        };
        table(family)
            .iter()
            .find(|r| starts(r.0) || starts(r.1))
            .map(|r| r.3)
    }
}

/// `-j REJECT [--reject-with KIND]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reject {
    /// `--reject-with`.
    pub with: RejectWith,
}

impl Reject {
    /// A REJECT answering with `with`.
    pub fn new(with: RejectWith) -> Reject {
        Reject { with }
    }
}

impl Extension for Reject {
    const NAME: &'static str = "REJECT";

    fn example(_family: Family) -> Self {
        Reject::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Reject::default()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let code = match ctx.family {
            Family::Ipv4 => read_struct::<ipt_reject_info>(Self::NAME, revision, data)?.with,
            Family::Ipv6 => read_struct::<ip6t_reject_info>(Self::NAME, revision, data)?.with,
        };
        let with = RejectWith::from_code(ctx.family, code)
            .ok_or_else(|| Error::Malformed(format!("REJECT: reply type {code} has no name")))?;
        Ok(Reject::new(with))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, ctx: &Ctx, out: &mut Vec<u8>) {
        let with = self.with.code(ctx.family);
        match ctx.family {
            Family::Ipv4 => out.extend_from_slice(ipt_reject_info { with }.as_bytes()),
            Family::Ipv6 => out.extend_from_slice(ip6t_reject_info { with }.as_bytes()),
        }
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        if option != "reject-with" {
            return Ok(false);
        }
        seen.take(Self::NAME, option, 1, invert, false)?;
        let v = args.value("--reject-with")?;
        self.with = RejectWith::parse(ctx.family, v)
            .ok_or_else(|| Error::value("--reject-with", v, "unknown reject type"))?;
        Ok(true)
    }

    fn save(&self, ctx: &Ctx, out: &mut String) {
        out.push_str(" --reject-with ");
        out.push_str(self.with.name(ctx.family));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::round;

    const V4: Ctx = Ctx {
        family: Family::Ipv4,
        proto: 0,
        proto_inv: false,
        dialect: crate::extension::Dialect::Legacy,
    };
    const V6: Ctx = Ctx {
        family: Family::Ipv6,
        proto: 0,
        proto_inv: false,
        dialect: crate::extension::Dialect::Legacy,
    };

    #[test]
    fn kernel_bytes_both_ways() {
        // Data after the header as the kernel holds it (padding included).
        let cases: &[(Ctx, [u8; 8], RejectWith)] = &[
            (V4, [3, 0, 0, 0, 0, 0, 0, 0], RejectWith::PortUnreachable),
            (V4, [7, 0, 0, 0, 0, 0, 0, 0], RejectWith::TcpReset),
            (V4, [8, 0, 0, 0, 0, 0, 0, 0], RejectWith::AdminProhibited),
            (V6, [4, 0, 0, 0, 0, 0, 0, 0], RejectWith::PortUnreachable),
            (V6, [8, 0, 0, 0, 0, 0, 0, 0], RejectWith::Icmp6RejectRoute),
        ];
        for (ctx, bytes, with) in cases {
            let r = Reject::decode(ctx, 0, bytes).unwrap();
            assert_eq!(r, Reject::new(*with));
            let mut out = Vec::new();
            r.encode(ctx, &mut out);
            assert_eq!(out, bytes[..4]);
        }
        // Echo reply (refused by the kernel) and unnamed numbers stay raw.
        assert!(Reject::decode(&V4, 0, &[4, 0, 0, 0]).is_err());
        assert!(Reject::decode(&V6, 0, &[2, 0, 0, 0]).is_err());
        assert!(Reject::decode(&V4, 0, &[3, 0]).is_err());
        assert!(Reject::decode(&V4, 1, &[3, 0, 0, 0]).is_err());
    }

    #[test]
    fn one_type_for_both_families() {
        let r = Reject::new(RejectWith::Icmp6NoRoute);
        let mut out = Vec::new();
        r.encode(&V4, &mut out);
        assert_eq!(out, [0, 0, 0, 0]); // icmp-net-unreachable
        let mut s = String::new();
        r.save(&V4, &mut s);
        assert_eq!(s, " --reject-with icmp-net-unreachable");
    }

    #[test]
    fn text_like_iptables_save() {
        let v4 = |s: &str| round(Family::Ipv4, s).unwrap();
        let v6 = |s: &str| round(Family::Ipv6, s).unwrap();
        // Conformance cases (libipt_REJECT.t, libip6t_REJECT.t).
        assert_eq!(
            v4("-j REJECT"),
            " -j REJECT --reject-with icmp-port-unreachable"
        );
        for name in [
            "icmp-net-unreachable",
            "icmp-host-unreachable",
            "icmp-port-unreachable",
            "icmp-proto-unreachable",
            "icmp-net-prohibited",
            "icmp-host-prohibited",
            "icmp-admin-prohibited",
        ] {
            assert_eq!(
                v4(&format!("-j REJECT --reject-with {name}")),
                format!(" -j REJECT --reject-with {name}")
            );
        }
        assert_eq!(
            v6("-j REJECT"),
            " -j REJECT --reject-with icmp6-port-unreachable"
        );
        for name in [
            "icmp6-no-route",
            "icmp6-adm-prohibited",
            "icmp6-addr-unreachable",
            "icmp6-port-unreachable",
            "icmp6-policy-fail",
            "icmp6-reject-route",
        ] {
            assert_eq!(
                v6(&format!("-j REJECT --reject-with {name}")),
                format!(" -j REJECT --reject-with {name}")
            );
        }
        assert_eq!(
            v6("-p tcp -j REJECT --reject-with tcp-reset"),
            " -p tcp -j REJECT --reject-with tcp-reset"
        );
        // Prefixes and aliases, any case, first row wins (checked with iptables 1.8.9).
        assert_eq!(
            v4("-p tcp -j REJECT --reject-with TCP"),
            " -p tcp -j REJECT --reject-with tcp-reset"
        );
        assert_eq!(
            v4("-j REJECT --reject-with admin"),
            " -j REJECT --reject-with icmp-admin-prohibited"
        );
        assert_eq!(
            v4("-j REJECT --reject-with \"\""),
            " -j REJECT --reject-with icmp-net-unreachable"
        );
        assert_eq!(
            v6("-j REJECT --reject-with REJECT-route"),
            " -j REJECT --reject-with icmp6-reject-route"
        );
        // The kernel refuses tcp-reset without -p tcp; the parser does not.
        assert!(round(Family::Ipv6, "-j REJECT --reject-with tcp-reset").is_ok());
    }

    #[test]
    fn refusals() {
        let bad = |f, s| round(f, s).is_err();
        assert!(bad(Family::Ipv4, "-j REJECT --reject-with echo-reply"));
        assert!(bad(Family::Ipv4, "-j REJECT --reject-with icmp6-no-route"));
        assert!(bad(
            Family::Ipv6,
            "-j REJECT --reject-with icmp-net-unreachable"
        ));
        assert!(bad(
            Family::Ipv6,
            "-j REJECT --reject-with icmp6-not-neighbour"
        ));
        assert!(bad(Family::Ipv4, "-j REJECT --reject-with"));
        assert!(bad(Family::Ipv4, "-j REJECT ! --reject-with tcp-reset"));
        // A repeat is refused even when it repeats the default.
        assert!(bad(
            Family::Ipv4,
            "-j REJECT --reject-with icmp-port-unreachable --reject-with icmp-port-unreachable"
        ));
    }
}
