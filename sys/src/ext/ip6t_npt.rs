//! `ip6t_NPT.h`: the `DNPT` and `SNPT` targets (IPv6, revision 0).

/// `struct ip6t_npt_tginfo` (4-aligned, like `union nf_inet_addr`).
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_npt_tginfo {
    /// `union nf_inet_addr`: the prefix translated from.
    pub src_pfx: [u8; 16],
    /// `union nf_inet_addr`: the prefix translated to.
    pub dst_pfx: [u8; 16],
    /// Length of `src_pfx`.
    pub src_pfx_len: u8,
    /// Length of `dst_pfx`.
    pub dst_pfx_len: u8,
    /// Kernel-private checksum adjustment (`__sum16`); zero from user space.
    pub adjustment: u16,
}

crate::layouts! {
    header {
        ip6t_npt_tginfo = "struct ip6t_npt_tginfo" { src_pfx, dst_pfx, src_pfx_len, dst_pfx_len, adjustment },
    }
}
