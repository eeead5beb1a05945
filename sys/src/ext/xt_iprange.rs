//! `xt_iprange.h`: the `iprange` match, revision 1 (IPv4 and IPv6).
//!
//! Revision 0 (`struct ipt_iprange_info`, IPv4 only) is gone from the kernel
//! (it answers EPROTONOSUPPORT for it) and from the installed headers, so it
//! is not mirrored here.

/// `union nf_inet_addr` (`linux/netfilter.h`): an IPv4 address in the first 4
/// bytes, or an IPv6 address in all 16, network byte order.
///
/// Mirrored as its `in6` member; the C union is 4-byte aligned (`__u32 all[4]`).
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct nf_inet_addr {
    /// The address bytes (`in` is the first 4 of them).
    pub in6: [u8; 16],
}

/// `struct xt_iprange_mtinfo` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_iprange_mtinfo {
    /// Lowest source address, inclusive.
    pub src_min: nf_inet_addr,
    /// Highest source address, inclusive.
    pub src_max: nf_inet_addr,
    /// Lowest destination address, inclusive.
    pub dst_min: nf_inet_addr,
    /// Highest destination address, inclusive.
    pub dst_max: nf_inet_addr,
    /// `IPRANGE_*`.
    pub flags: u8,
    /// Trailing padding of the C struct (alignment 4).
    pub __pad: [u8; 3],
}

/// Match the source address.
pub const IPRANGE_SRC: u8 = 1 << 0;
/// Match the destination address.
pub const IPRANGE_DST: u8 = 1 << 1;
/// Invert the source test.
pub const IPRANGE_SRC_INV: u8 = 1 << 4;
/// Invert the destination test.
pub const IPRANGE_DST_INV: u8 = 1 << 5;

crate::layouts! {
    header {
        nf_inet_addr = "union nf_inet_addr" { in6 },
        xt_iprange_mtinfo = "struct xt_iprange_mtinfo" { src_min, src_max, dst_min, dst_max, flags },
    }
}
