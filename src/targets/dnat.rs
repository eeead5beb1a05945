//! `-j DNAT`: rewrite the destination address and port (`nf_nat.h`;
//! revision 2 `nf_nat_range2`, what iptables 1.8.9 writes, with shifted port
//! maps; revisions 0 and 1 are read too).
//!
//! ```
//! use std::net::Ipv4Addr;
//! use iptkit::matches::tcp::Tcp;
//! use iptkit::targets::dnat::{Dnat, NatPorts};
//! use iptkit::{Family, Rule};
//! let mut web = Dnat::to(Ipv4Addr::new(192, 0, 2, 10).into());
//! web.range.ports = Some(NatPorts { min: 8080, max: 8080, base: None }); // ports need -p tcp or udp
//! let rule = Rule::new(Family::Ipv4).with_match(Tcp::dport(80)).with_target(web);
//! assert_eq!(rule.to_string(), "-p tcp -m tcp --dport 80 -j DNAT --to-destination 192.0.2.10:8080");
//! assert_eq!(Rule::parse(Family::Ipv4, &rule.to_string())?, rule);
//! # Ok::<(), iptkit::Error>(())
//! ```

use std::net::IpAddr;

use super::nat_range::{nat_target, Kind};
pub use super::nat_range::{NatAddrs, NatPorts, NatRange};

const KIND: Kind = Kind {
    name: "DNAT",
    to: "to-destination",
    mandatory: true,
    random_fully: false,
    persistent: true,
    refuse_offset: true,
};

/// `-j DNAT --to-destination [ADDR[-ADDR]][:PORT[-PORT[/BASE]]] [--random] [--persistent]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dnat {
    /// Where to map to, and how.
    pub range: NatRange,
    /// The kernel struct's revision: 2, as iptables writes; 0 (IPv4) and 1 have no port base.
    pub revision: u8,
}

impl Dnat {
    /// `--to-destination addr`, at revision 2.
    ///
    /// ```
    /// use iptkit::{targets::dnat::Dnat, Family, Rule};
    /// let to = Dnat::to("192.0.2.1".parse().unwrap());
    /// let rule = Rule::new(Family::Ipv4).with_target(to);
    /// assert_eq!(rule.to_string(), "-j DNAT --to-destination 192.0.2.1");
    /// ```
    pub fn to(addr: IpAddr) -> Dnat {
        Dnat::new(NatRange::addr(addr), 2)
    }
}

nat_target!(Dnat, KIND, revisions: &[0, 1, 2],
    // No range until `--to-destination` gives one.
    new: |_| Dnat::new(NatRange::default(), 2),
    example: |family| Dnat::to(family.example_host()),
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::extension::{Ctx, Extension};
    use crate::testutil::{both_ways, hex, round, target};
    use crate::TargetExt;

    fn dnat(family: Family, spec: &str) -> Dnat {
        match target(family, spec) {
            TargetExt::Dnat(t) => t,
            t => panic!("not DNAT: {t:?}"),
        }
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // From the kernel (iptables-legacy 1.8.9, nat table): revision 2.
        let cases = [
            (
                Family::Ipv4,
                "-j DNAT --to-destination 1.1.1.1",
                "010000000101010100000000000000000000000001010101000000000000000000000000000000000000000000000000",
            ),
            (
                Family::Ipv4,
                "-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/1000",
                "23000000010101010000000000000000000000000101010100000000000000000000000003e807d003e8000000000000",
            ),
            (
                Family::Ipv4,
                "-p tcp -j DNAT --to-destination :80",
                "020000000000000000000000000000000000000000000000000000000000000000000000005000500000000000000000",
            ),
            (
                Family::Ipv6,
                "-p tcp -j DNAT --to-destination [::1]:1000-2000/1000",
                "23000000000000000000000000000000000000010000000000000000000000000000000103e807d003e8000000000000",
            ),
            (
                Family::Ipv6,
                "-p tcp -j DNAT --to-destination [dead::beef]:10-20/ftp --persistent",
                "2b000000dead000000000000000000000000beefdead000000000000000000000000beef000a00140015000000000000",
            ),
        ];
        for (family, spec, bytes) in cases {
            let t = dnat(family, spec);
            assert_eq!(t.revision, 2);
            both_ways(&Ctx::new(family), &t, &hex(bytes));
        }
        // Revision 0 (IPv4, old struct) and 1 read and write the same range.
        let mut t = dnat(Family::Ipv4, "-p tcp -j DNAT --to-destination 1.1.1.1:80");
        t.revision = 0;
        both_ways(
            &Ctx::new(Family::Ipv4),
            &t,
            &hex("010000000300000001010101010101010050005000000000"),
        );
        t.revision = 1;
        let mut out = Vec::new();
        t.encode(&Ctx::new(Family::Ipv4), &mut out);
        assert_eq!(out.len(), 40);
        assert_eq!(Dnat::decode(&Ctx::new(Family::Ipv4), 1, &out).unwrap(), t);
    }

    #[test]
    fn text_like_iptables_save() {
        // Conformance cases (libipt_DNAT.t, libip6t_DNAT.t).
        for (family, addr, range) in [
            (Family::Ipv4, "1.1.1.1", "1.1.1.1-1.1.1.10"),
            (Family::Ipv6, "dead::beef", "dead::beef-dead::fee7"),
        ] {
            let r = |s: &str| round(family, s).unwrap();
            let (a, ra) = if family == Family::Ipv6 {
                (format!("[{addr}]"), format!("[{range}]"))
            } else {
                (addr.to_string(), range.to_string())
            };
            assert_eq!(
                r(&format!("-j DNAT --to-destination {addr}")),
                format!(" -j DNAT --to-destination {addr}")
            );
            assert_eq!(
                r(&format!("-j DNAT --to-destination {range}")),
                format!(" -j DNAT --to-destination {range}")
            );
            for ports in [
                "1025-65535",
                "1000-2000/1000",
                "1000-2000/3000",
                "1000-2000/65535",
            ] {
                let to = if ports.contains('/') { &ra } else { &a };
                assert_eq!(
                    r(&format!("-p tcp -j DNAT --to-destination {to}:{ports}")),
                    format!(" -p tcp -j DNAT --to-destination {to}:{ports}")
                );
            }
            assert_eq!(
                r(&format!("-p tcp -j DNAT --to-destination {ra}:1025-65535")),
                format!(" -p tcp -j DNAT --to-destination {ra}:1025-65535")
            );
            assert_eq!(
                r(&format!("-p tcp -j DNAT --to-destination {a}:ssh")),
                format!(" -p tcp -j DNAT --to-destination {a}:22")
            );
            assert_eq!(
                r(&format!("-p tcp -j DNAT --to-destination {a}:ftp-data")),
                format!(" -p tcp -j DNAT --to-destination {a}:20")
            );
            assert_eq!(
                r(&format!("-p tcp -j DNAT --to-destination {a}:10-20/ftp")),
                format!(" -p tcp -j DNAT --to-destination {a}:10-20/21")
            );
        }
        // Checked with iptables 1.8.9.
        let v4 = |s: &str| round(Family::Ipv4, s).unwrap();
        let v6 = |s: &str| round(Family::Ipv6, s).unwrap();
        assert_eq!(
            v4("-p icmp -j DNAT --to-destination 1.1.1.1:5"),
            " -p icmp -j DNAT --to-destination 1.1.1.1:5"
        );
        assert_eq!(
            v4("! -p tcp -j DNAT --to-destination 1.1.1.1:5"),
            " ! -p tcp -j DNAT --to-destination 1.1.1.1:5"
        );
        assert_eq!(
            v6("-p tcp -j DNAT --to-destination []:80"),
            " -p tcp -j DNAT --to-destination :80"
        );
        assert_eq!(
            v6("-p tcp -j DNAT --to-destination ::1:80"),
            " -p tcp -j DNAT --to-destination ::0.1.0.128"
        );
        assert_eq!(
            v4("-j DNAT --to-destination 1.1.1.10-1.1.1.1"),
            " -j DNAT --to-destination 1.1.1.10-1.1.1.1"
        );
        assert_eq!(
            v4("-p tcp -j DNAT --to-destination 1.1.1.1:80-90/30x"),
            " -p tcp -j DNAT --to-destination 1.1.1.1:80-90/30"
        );
    }

    #[test]
    fn refusals() {
        for (family, a, ra) in [
            (Family::Ipv4, "1.1.1.1", "1.1.1.1-1.1.1.10"),
            (Family::Ipv6, "[dead::beef]", "[dead::beef-dead::fee7]"),
        ] {
            let bad = |s: &str| round(family, s).is_err();
            // Conformance cases.
            assert!(bad(&format!("-j DNAT --to-destination {a}:1025-65535")));
            assert!(bad(&format!(
                "-j DNAT --to-destination {a} --to-destination {a}"
            )));
            assert!(bad(&format!(
                "-p tcp -j DNAT --to-destination {ra}:1025-65536"
            )));
            assert!(bad(&format!(
                "-p tcp -j DNAT --to-destination {ra}:1000-2000/0"
            )));
            assert!(bad(&format!(
                "-p tcp -j DNAT --to-destination {ra}:1000-2000/65536"
            )));
            assert!(bad(&format!(
                "-p tcp -j DNAT --to-destination {a}:echo-ssh"
            )));
            assert!(bad("-j DNAT"));
        }
        // Checked with iptables 1.8.9.
        let bad = |s: &str| round(Family::Ipv4, s).is_err();
        assert!(bad("-j DNAT --to-destination 1.1.1.1 --random-fully"));
        assert!(bad("-p tcp -j DNAT --to-destination 1.1.1.1:80x"));
        assert!(bad("-p tcp -j DNAT --to-destination 1.1.1.1:80:90"));
        assert!(bad("-p tcp -j DNAT --to-destination 1.1.1.1:90-80"));
        assert!(bad("-p tcp -j DNAT --to-destination 1.1.1.1:80-90x"));
        assert!(bad("-j DNAT --to-destination [1.1.1.1]"));
        assert!(bad("-j DNAT --to-destination \"\""));
        assert!(round(Family::Ipv6, "-j DNAT --to-destination [::1").is_err());
        // Revision 0 and 1 refuse a shifted port map, as DNAT_fcheck does.
        let mut t = dnat(
            Family::Ipv4,
            "-p tcp -j DNAT --to-destination 1.1.1.1:1-2/3",
        );
        t.revision = 1;
        let mut seen = crate::xtopt::Seen::default();
        seen.mark(1); // --to-destination was given
        let e = t.finish(&Ctx::new(Family::Ipv4), seen).unwrap_err();
        assert!(e.to_string().contains("shifted portmap"), "{e}");
    }
}
