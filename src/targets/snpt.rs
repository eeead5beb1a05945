//! `-j SNPT`: IPv6 network prefix translation of source addresses (RFC
//! 6296; `ip6t_NPT.h`, `struct ip6t_npt_tginfo`; IPv6 only). The codec is
//! DNPT's.

use super::dnpt::{npt_target, Npt, NptPrefix};
use crate::addr::Family;
use crate::error::Result;
use crate::extension::{Args, Ctx, Extension};
use crate::xtopt::Seen;

npt_target!(
    /// `-j SNPT --src-pfx PREFIX --dst-pfx PREFIX`: source addresses in
    /// `src` become addresses in `dst`.
    Snpt, "SNPT"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::Ipv6;
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64`: the same bytes as DNPT.
        let mut bytes = vec![0u8; 40];
        bytes[..2].copy_from_slice(&[0xde, 0xad]);
        bytes[16..18].copy_from_slice(&[0x01, 0xc3]);
        bytes[32] = 64;
        bytes[33] = 64;
        let src = NptPrefix {
            addr: "dead::".parse().unwrap(),
            len: 64,
        };
        let dst = NptPrefix {
            addr: "1c3::".parse().unwrap(),
            len: 64,
        };
        both_ways(Ipv6, &Snpt::prefixes(src, dst), &bytes);
    }

    #[test]
    fn text_like_iptables() {
        let rule = "-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64";
        conformance_each(&[
            (Ipv6, rule, Some(rule)),
            (
                Ipv6,
                "-j SNPT --src-pfx dead::beef --dst-pfx 1c3::/64",
                Some("-j SNPT --src-pfx dead::beef/128 --dst-pfx 1c3::/64"),
            ),
            (Ipv6, "-j SNPT --src-pfx dead::/64", None),
            (Ipv6, "-j SNPT --dst-pfx dead::/64", None),
            (Ipv6, "-j SNPT", None),
            (
                Ipv6,
                "-j SNPT ! --src-pfx dead::/64 --dst-pfx 1c3::/64",
                None,
            ),
        ]);
    }
}
