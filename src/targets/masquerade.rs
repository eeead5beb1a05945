//! `-j MASQUERADE`: source NAT to the outgoing interface's address
//! (`nf_nat.h`; revision 0: `nf_nat_ipv4_multi_range_compat` for IPv4,
//! `nf_nat_range` for IPv6).
//!
//! ```
//! use iptkit::targets::masquerade::Masquerade;
//! use iptkit::{Family, Iface, Rule};
//! let rule = Rule::new(Family::Ipv4).out_interface(Iface::new("eth0")?).with_target(Masquerade::default());
//! assert_eq!(rule.to_string(), "-o eth0 -j MASQUERADE");
//! let parsed = Rule::parse(Family::Ipv4, "-p tcp -j MASQUERADE --to-ports 1024-2048 --random")?;
//! let range = parsed.target_as::<Masquerade>().unwrap().range;
//! assert!(range.random && range.ports.is_some_and(|p| (p.min, p.max) == (1024, 2048)));
//! # Ok::<(), iptkit::Error>(())
//! ```

use super::nat_range::{nat_target, Kind};
pub use super::nat_range::{NatAddrs, NatPorts, NatRange};

const KIND: Kind = Kind {
    name: "MASQUERADE",
    to: "to-ports",
    mandatory: false,
    random_fully: true,
    persistent: false,
    refuse_offset: false,
};

/// `-j MASQUERADE [--to-ports PORT[-PORT]] [--random] [--random-fully]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Masquerade {
    /// Where to map to, and how.
    pub range: NatRange,
    /// The kernel struct's revision: 0, the only one.
    pub revision: u8,
}

nat_target!(Masquerade, KIND, revisions: &[0],
    new: |_| Masquerade::default(),
    example: |_| Masquerade::default(),
);

#[cfg(test)]
mod tests {
    use crate::addr::Family;
    use crate::extension::Ctx;
    use crate::testutil::{both_ways, hex, round, target};
    use crate::TargetExt;

    #[test]
    fn kernel_bytes_both_ways() {
        // From the kernel (iptables-legacy 1.8.9, nat table): revision 0.
        let cases = [
            (
                Family::Ipv4,
                "-p tcp -j MASQUERADE --to-ports 1000-2000 --random-fully",
                "0100000012000000000000000000000003e807d000000000",
            ),
            (
                // No room for a port base: the flag stays, the base reads as 0.
                Family::Ipv4,
                "-p tcp -j MASQUERADE --to-ports 1000-2000/5",
                "0100000022000000000000000000000003e807d000000000",
            ),
            (
                Family::Ipv6,
                "-j MASQUERADE --random",
                "04000000000000000000000000000000000000000000000000000000000000000000000000000000",
            ),
            (
                Family::Ipv6,
                "-p tcp -j MASQUERADE --to-ports 1000-2000/5",
                "22000000000000000000000000000000000000000000000000000000000000000000000003e807d0",
            ),
        ];
        for (family, spec, bytes) in cases {
            let TargetExt::Masquerade(t) = target(family, spec) else {
                panic!("not MASQUERADE");
            };
            both_ways(&Ctx::new(family), &t, &hex(bytes));
        }
    }

    #[test]
    fn text_like_iptables_save() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let r = |s: &str| round(family, s).unwrap();
            // Conformance cases (libipt_MASQUERADE.t, libip6t_MASQUERADE.t).
            assert_eq!(r("-j MASQUERADE"), " -j MASQUERADE");
            assert_eq!(r("-j MASQUERADE --random"), " -j MASQUERADE --random");
            assert_eq!(
                r("-j MASQUERADE --random-fully"),
                " -j MASQUERADE --random-fully"
            );
            assert_eq!(
                r("-p tcp -j MASQUERADE --to-ports 1024"),
                " -p tcp -j MASQUERADE --to-ports 1024"
            );
            assert_eq!(
                r("-p udp -j MASQUERADE --to-ports 1024-65535"),
                " -p udp -j MASQUERADE --to-ports 1024-65535"
            );
            // Checked with iptables 1.8.9.
            assert_eq!(
                r("-p tcp -j MASQUERADE --to-ports 1000-2000/5"),
                " -p tcp -j MASQUERADE --to-ports 1000-2000/0"
            );
        }
    }

    #[test]
    fn refusals() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let bad = |s: &str| round(family, s).is_err();
            // Conformance cases.
            assert!(bad("-p udp -j MASQUERADE --to-ports 1024-65536"));
            assert!(bad("-p udp -j MASQUERADE --to-ports -1"));
            // Checked with iptables 1.8.9.
            assert!(bad("-j MASQUERADE --to-ports 1024"));
            assert!(bad("-j MASQUERADE --persistent"));
            assert!(bad("-j MASQUERADE --random --random"));
        }
    }
}
