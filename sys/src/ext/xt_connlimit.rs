//! `xt_connlimit.h`: the `connlimit` match, revisions 0 and 1 (one struct;
//! revision 0 named the `flags` word `inverse` and had no `XT_CONNLIMIT_DADDR`).

/// `struct xt_connlimit_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connlimit_info {
    /// `union nf_inet_addr mask`: the grouping mask, network byte order (an
    /// IPv4 mask is the first 4 bytes, `v4_mask`).
    pub mask: [u8; 16],
    /// The connection count compared with.
    pub limit: u32,
    /// `XT_CONNLIMIT_*` (revision 0: 1 when inverted).
    pub flags: u32,
    /// Kernel-private pointer (`struct nf_conncount_data *`, 8 bytes on
    /// x86_64); written as zero.
    pub data: u64,
}

/// Match when the count is at most `limit` (`--connlimit-upto`).
pub const XT_CONNLIMIT_INVERT: u32 = 1 << 0;
/// Group by destination address (revision 1).
pub const XT_CONNLIMIT_DADDR: u32 = 1 << 1;

crate::layouts! {
    header {
        xt_connlimit_info = "struct xt_connlimit_info" { mask, limit, flags, data },
    }
}
