//! `xt_TCPOPTSTRIP.h`: the `TCPOPTSTRIP` target (revision 0, both families).

/// `struct xt_tcpoptstrip_target_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tcpoptstrip_target_info {
    /// One bit per TCP option kind to strip: kind `k` is bit `k & 31` of
    /// word `k >> 5`.
    pub strip_bmap: [u32; 8],
}

crate::layouts! {
    header {
        xt_tcpoptstrip_target_info = "struct xt_tcpoptstrip_target_info" { strip_bmap },
    }
}
