//! `xt_nfacct.h`: the `nfacct` match, revisions 0 and 1 (the same layout on
//! x86_64: revision 1 only forces the pointer's 8-byte alignment on 32-bit
//! machines).

/// `NFACCT_NAME_MAX` (`nfnetlink_acct.h`).
pub const NFACCT_NAME_MAX: usize = 32;

/// `struct xt_nfacct_match_info` (revision 0).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_nfacct_match_info {
    /// The accounting object's name, NUL-terminated.
    pub name: [u8; NFACCT_NAME_MAX],
    /// Kernel-private pointer (`struct nf_acct *`, 8 bytes on x86_64);
    /// written as zero.
    pub nfacct: u64,
}

/// `struct xt_nfacct_match_info_v1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_nfacct_match_info_v1 {
    /// The accounting object's name, NUL-terminated.
    pub name: [u8; NFACCT_NAME_MAX],
    /// Kernel-private pointer (`struct nf_acct *`, aligned to 8); written as zero.
    pub nfacct: u64,
}

crate::layouts! {
    header {
        xt_nfacct_match_info = "struct xt_nfacct_match_info" { name, nfacct },
        xt_nfacct_match_info_v1 = "struct xt_nfacct_match_info_v1" { name, nfacct },
    }
}
