//! `-j SNAT`: rewrite the source address and port (`nf_nat.h`; IPv4
//! revision 0 `nf_nat_ipv4_multi_range_compat` and IPv6 revision 1
//! `nf_nat_range`, as iptables 1.8.9 writes them; revision 2 `nf_nat_range2`
//! is read too).
//!
//! ```
//! use std::net::Ipv4Addr;
//! use iptkit::targets::snat::{NatAddrs, NatRange, Snat};
//! use iptkit::{Family, Rule};
//! let rule = Rule::parse(Family::Ipv4, "-o eth0 -j SNAT --to-source 192.0.2.1")?;
//! let to = rule.target_as::<Snat>().unwrap().range.addrs.unwrap();
//! assert_eq!(to.min, Ipv4Addr::new(192, 0, 2, 1));
//! let one = Ipv4Addr::new(192, 0, 2, 1).into();
//! let range = NatRange { addrs: Some(NatAddrs { min: one, max: one }), ..NatRange::default() };
//! let snat = Snat::new(range, 0); // revision 0 for IPv4, 1 for IPv6, as iptables writes
//! assert_eq!(Rule::new(Family::Ipv4).with_target(snat).to_string(), "-j SNAT --to-source 192.0.2.1");
//! # Ok::<(), iptkit::Error>(())
//! ```

use std::net::IpAddr;

use super::nat_range::{nat_target, Kind};
pub use super::nat_range::{NatAddrs, NatPorts, NatRange};
use crate::addr::Family;

const KIND: Kind = Kind {
    name: "SNAT",
    to: "to-source",
    mandatory: true,
    random_fully: true,
    persistent: true,
    refuse_offset: false,
};

/// `-j SNAT --to-source [ADDR[-ADDR]][:PORT[-PORT]] [--random] [--random-fully] [--persistent]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Snat {
    /// Where to map to, and how.
    pub range: NatRange,
    /// The kernel struct's revision: 0 (IPv4) or 1 (IPv6), as iptables writes; 2 also stores a port base.
    pub revision: u8,
}

impl Snat {
    /// `--to-source addr`, at the revision iptables writes for the
    /// address's family.
    ///
    /// ```
    /// use iptkit::{targets::snat::Snat, Family, Rule};
    /// let to = Snat::to("2001:db8::1".parse().unwrap());
    /// let rule = Rule::new(Family::Ipv6).with_target(to);
    /// assert_eq!(rule.to_string(), "-j SNAT --to-source 2001:db8::1");
    /// ```
    pub fn to(addr: IpAddr) -> Snat {
        Snat::new(NatRange::addr(addr), revision(Family::of(&addr)))
    }
}

/// The revision iptables writes for `family`.
fn revision(family: Family) -> u8 {
    match family {
        Family::Ipv4 => 0,
        Family::Ipv6 => 1,
    }
}

nat_target!(Snat, KIND, revisions: &[0, 1, 2],
    // No range until `--to-source` gives one.
    new: |ctx| Snat::new(NatRange::default(), revision(ctx.family)),
    example: |family| Snat::to(family.example_host()),
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::extension::{Ctx, Extension};
    use crate::testutil::{both_ways, hex, round, target};
    use crate::TargetExt;

    fn snat(family: Family, spec: &str) -> Snat {
        match target(family, spec) {
            TargetExt::Snat(t) => t,
            t => panic!("not SNAT: {t:?}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // From the kernel (iptables-legacy 1.8.9, nat table).
        let cases = [
            (
                Family::Ipv4,
                "-j SNAT --to-source 1.1.1.1",
                "010000000100000001010101010101010000000000000000",
            ),
            (
                Family::Ipv4,
                "-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535 --random --persistent",
                "010000000f000000010101010101010a0401ffff00000000",
            ),
            (
                // The base of a shifted port map has no room in revision 0.
                Family::Ipv4,
                "-p tcp -j SNAT --to-source 1.1.1.1:1000-2000/1000",
                "0100000023000000010101010101010103e807d000000000",
            ),
            (
                Family::Ipv6,
                "-j SNAT --to-source ::1 --random",
                "05000000000000000000000000000000000000010000000000000000000000000000000100000000",
            ),
            (
                Family::Ipv6,
                "-p udp -j SNAT --to-source [dead::beef-dead::fee7]:1025-65535 --random-fully",
                "13000000dead000000000000000000000000beefdead000000000000000000000000fee70401ffff",
            ),
        ];
        for (family, spec, bytes) in cases {
            let t = snat(family, spec);
            assert_eq!(t.revision, if family == Family::Ipv4 { 0 } else { 1 });
            both_ways(&Ctx::new(family), &t, &hex(bytes));
        }
        // Revision 2, which iptables does not write for SNAT, keeps the base.
        let t = Snat::new(
            NatRange {
                ports: Some(NatPorts {
                    min: 1000,
                    max: 2000,
                    base: Some(1500),
                }),
                ..NatRange::default()
            },
            2,
        );
        let mut out = Vec::new();
        t.encode(&Ctx::new(Family::Ipv4), &mut out);
        assert_eq!(out.len(), 44);
        assert_eq!(Snat::decode(&Ctx::new(Family::Ipv4), 2, &out).unwrap(), t);
        // Bytes iptables would not write stay raw: two ranges, unknown flags.
        let mut two = hex("020000000100000001010101010101010000000000000000");
        assert!(Snat::decode(&Ctx::new(Family::Ipv4), 0, &two).is_err());
        two[0] = 1;
        two[4] = 0x41;
        assert!(Snat::decode(&Ctx::new(Family::Ipv4), 0, &two).is_err());
        assert!(Snat::decode(&Ctx::new(Family::Ipv4), 3, &two).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let v4 = |s: &str| round(Family::Ipv4, s).unwrap();
        let v6 = |s: &str| round(Family::Ipv6, s).unwrap();
        // Conformance cases (libipt_SNAT.t, libip6t_SNAT.t).
        for (family, addr, range, ports) in [
            (
                Family::Ipv4,
                "1.1.1.1",
                "1.1.1.1-1.1.1.10",
                "1.1.1.1-1.1.1.10:1025-65535",
            ),
            (
                Family::Ipv6,
                "dead::beef",
                "dead::beef-dead::fee7",
                "[dead::beef-dead::fee7]:1025-65535",
            ),
        ] {
            let r = |s: &str| round(family, s).unwrap();
            assert_eq!(
                r(&format!("-j SNAT --to-source {addr}")),
                format!(" -j SNAT --to-source {addr}")
            );
            assert_eq!(
                r(&format!("-j SNAT --to-source {range}")),
                format!(" -j SNAT --to-source {range}")
            );
            for flags in [
                "--random",
                "--random-fully",
                "--persistent",
                "--random --persistent",
                "--random --random-fully",
                "--random --random-fully --persistent",
            ] {
                assert_eq!(
                    r(&format!("-j SNAT --to-source {addr} {flags}")),
                    format!(" -j SNAT --to-source {addr} {flags}")
                );
            }
            assert_eq!(
                r(&format!("-p tcp -j SNAT --to-source {ports}")),
                format!(" -p tcp -j SNAT --to-source {ports}")
            );
        }
        assert_eq!(
            v4("-p tcp -j SNAT --to-source 1.1.1.1:1025-65535"),
            " -p tcp -j SNAT --to-source 1.1.1.1:1025-65535"
        );
        assert_eq!(
            v6("-p tcp -j SNAT --to-source [dead::beef]:1025-65535"),
            " -p tcp -j SNAT --to-source [dead::beef]:1025-65535"
        );
        // Checked with iptables 1.8.9: flags print in a fixed order; no base.
        assert_eq!(
            v4("-j SNAT --persistent --to-source 1.1.1.1 --random"),
            " -j SNAT --to-source 1.1.1.1 --random --persistent"
        );
        assert_eq!(
            v6("-p tcp -j SNAT --to-source [::1]:1000-2000/1000"),
            " -p tcp -j SNAT --to-source [::1]:1000-2000/0"
        );
    }

    #[test]
    fn refusals() {
        for (family, addr, ports) in [
            (Family::Ipv4, "1.1.1.1", "1.1.1.1-1.1.1.10"),
            (Family::Ipv6, "[dead::beef]", "[dead::beef-dead::fee7]"),
        ] {
            let bad = |s: &str| round(family, s).is_err();
            // Conformance cases.
            assert!(bad(&format!("-j SNAT --to-source {addr}:1025-65535")));
            assert!(bad(&format!(
                "-j SNAT --to-source {addr} --to-source {addr}"
            )));
            assert!(bad(&format!(
                "-p tcp -j SNAT --to-source {ports}:1025-65536"
            )));
            assert!(bad("-j SNAT"));
            assert!(bad("-j SNAT ! --to-source 1.1.1.1"));
            assert!(bad(&format!(
                "-j SNAT --to-source {addr} --random --random"
            )));
        }
        assert!(round(Family::Ipv4, "-j SNAT --to-source dead::beef").is_err());
        assert!(round(Family::Ipv6, "-j SNAT --to-source 1.1.1.1").is_err());
    }
}
