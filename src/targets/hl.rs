//! `-j HL`: change the IPv6 hop limit (`ip6t_HL.h`, `struct ip6t_HL_info`;
//! IPv6 only). The IPv6 twin of `-j TTL`, whose operations it shares.

use iptkit_sys::ext::ip6t_hl_target::*;
use iptkit_sys::Pod;

use super::ttl::{ttl_target, TtlOp};
use crate::addr::Family;
use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{Opt, Seen};

// The same mode numbers as TTL (IP6T_HL_SET/INC/DEC).
const _: () = assert!(IP6T_HL_SET == 0 && IP6T_HL_INC == 1 && IP6T_HL_DEC == 2);

ttl_target!(
    /// `-j HL --hl-set|--hl-inc|--hl-dec N`.
    HlTarget, "HL", Ipv6, ip6t_HL_info, hop_limit, prefix: "hl"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--hl-dec 255`, as the kernel holds it.
        both_ways(
            Ipv6,
            &HlTarget::of(TtlOp::Dec(255)),
            &[2, 255, 0, 0, 0, 0, 0, 0],
        );
        both_ways(
            Ipv6,
            &HlTarget::of(TtlOp::Set(42)),
            &[0, 42, 0, 0, 0, 0, 0, 0],
        );
        assert!(HlTarget::decode(&Ctx::new(Ipv6), 0, &[3, 1]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (Ipv6, "-j HL --hl-set 42", Some("-j HL --hl-set 42")),
            (Ipv6, "-j HL --hl-inc 1", Some("-j HL --hl-inc 1")),
            (Ipv6, "-j HL --hl-dec 1", Some("-j HL --hl-dec 1")),
            (Ipv6, "-j HL --hl-set 256", None),
            (Ipv6, "-j HL --hl-inc 0", None),
            (Ipv6, "-j HL --hl-dec 0", None),
            (Ipv6, "-j HL --hl-dec 1 --hl-inc 1", None),
            (Ipv6, "-j HL --hl-set --hl-inc 1", None),
            (Ipv6, "-j HL", None),
            // iptables has no HL target.
            (Ipv4, "-j HL --hl-set 1", None),
        ]);
    }
}
