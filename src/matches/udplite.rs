//! `-m udplite`: ports of a UDP-Lite header. The kernel's xt_tcpudp module
//! registers it with `struct xt_udp` (`xt_tcpudp.h`). iptables 1.8.9 has no
//! userspace extension for it (`-m udplite` fails there and iptables-save
//! cannot print such a rule); iptkit gives it the words of `-m udp`.

use super::port::PortRange;
use super::udp::{
    decode_ports, encode_ports, finish_ports, parse_port_option, save_ports, udp_match,
};
use crate::inv::Inv;

/// `-m udplite`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Udplite {
    /// `--sport`.
    pub sport: Option<Inv<PortRange>>,
    /// `--dport`.
    pub dport: Option<Inv<PortRange>>,
}

udp_match!(Udplite, "udplite");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::extension::Ctx;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        // Bytes as the kernel holds `-p udplite -m udp ! --sport 1024: --dport 53`
        // (the same struct).
        let u: Udplite = parse_opts(&ctx, &["!", "--sport", "1024:", "--dport", "53"]).unwrap();
        bytes_both_ways(&ctx, &u, &[0, 4, 0xff, 0xff, 53, 0, 53, 0, 1, 0]);
    }

    #[test]
    fn text_like_udp() {
        let r = |s| round(Family::Ipv6, s);
        assert_eq!(
            r("-p udplite -m udplite --dport 5:4").unwrap(),
            " -p udplite -m udplite --dport 5:4"
        );
        assert_eq!(r("-p udplite --sport :").unwrap(), " -p udplite -m udplite");
        assert!(r("-p udplite --sport 1 --sport 2").is_err());
        assert!(r("-p udplite --sport -1").is_err());
    }
}
