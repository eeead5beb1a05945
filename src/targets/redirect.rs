//! `-j REDIRECT`: destination NAT to the local machine (`nf_nat.h`;
//! revision 0: `nf_nat_ipv4_multi_range_compat` for IPv4, `nf_nat_range` for
//! IPv6).

use super::nat_range::{nat_target, Kind};
pub use super::nat_range::{NatAddrs, NatPorts, NatRange};

const KIND: Kind = Kind {
    name: "REDIRECT",
    to: "to-ports",
    mandatory: false,
    random_fully: false,
    persistent: false,
    refuse_offset: true,
};

/// `-j REDIRECT [--to-ports PORT[-PORT]] [--random]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Redirect {
    /// Where to map to, and how.
    pub range: NatRange,
    /// The kernel struct's revision: 0, the only one.
    pub revision: u8,
}

nat_target!(Redirect, KIND, revisions: &[0],
    new: |_| Redirect::default(),
    example: |_| Redirect::default(),
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
                "-p tcp -j REDIRECT --to-ports 42 --random",
                "01000000060000000000000000000000002a002a00000000",
            ),
            (
                Family::Ipv6,
                "-p tcp -j REDIRECT --to-ports 42",
                "020000000000000000000000000000000000000000000000000000000000000000000000002a002a",
            ),
        ];
        for (family, spec, bytes) in cases {
            let TargetExt::Redirect(t) = target(family, spec) else {
                panic!("not REDIRECT");
            };
            both_ways(&Ctx::new(family), &t, &hex(bytes));
        }
    }

    #[test]
    fn text_like_iptables_save() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let r = |s: &str| round(family, s).unwrap();
            // Conformance cases (libxt_REDIRECT.t).
            for (spec, saved) in [
                ("-p tcp -j REDIRECT --to-ports 42", "--to-ports 42"),
                ("-p tcp -j REDIRECT --to-ports 0", "--to-ports 0"),
                ("-p tcp -j REDIRECT --to-ports 65535", "--to-ports 65535"),
                ("-p udp -j REDIRECT --to-ports 0-0", "--to-ports 0"),
                ("-p udp -j REDIRECT --to-ports 512-512", "--to-ports 512"),
                (
                    "-p udp -j REDIRECT --to-ports 42-1234",
                    "--to-ports 42-1234",
                ),
                (
                    "-p tcp -j REDIRECT --to-ports 42-1234 --random",
                    "--to-ports 42-1234 --random",
                ),
                ("-p tcp -j REDIRECT --to-ports ssh", "--to-ports 22"),
                ("-p tcp -j REDIRECT --to-ports ftp-data", "--to-ports 20"),
            ] {
                let proto = &spec[..6];
                assert_eq!(r(spec), format!(" {proto} -j REDIRECT {saved}"));
            }
            assert_eq!(r("-j REDIRECT --random"), " -j REDIRECT --random");
        }
    }

    #[test]
    fn refusals() {
        for family in [Family::Ipv4, Family::Ipv6] {
            let bad = |s: &str| round(family, s).is_err();
            // Conformance cases.
            assert!(bad("-p tcp -j REDIRECT --to-ports 65536"));
            assert!(bad("-p tcp -j REDIRECT --to-ports 42-1234/567"));
            assert!(bad("-p tcp -j REDIRECT --to-ports ftp-ssh"));
            assert!(bad("-p tcp -j REDIRECT --to-ports 10-ssh"));
            assert!(bad("-j REDIRECT --to-ports 42"));
            // Checked with iptables 1.8.9.
            assert!(bad("-j REDIRECT --random-fully"));
            assert!(bad("-p tcp -j REDIRECT --to-ports 42:43"));
        }
    }
}
