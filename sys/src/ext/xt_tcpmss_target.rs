//! `xt_TCPMSS.h`: the `TCPMSS` target (revision 0, both families). (The file
//! is named for the target so that it stays apart from `xt_tcpmss.h`, the
//! `tcpmss` match's header.)

/// `mss`: clamp to the path MTU instead of a fixed value.
pub const XT_TCPMSS_CLAMP_PMTU: u16 = 0xffff;

/// `struct xt_tcpmss_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tcpmss_info {
    /// The MSS to set, or `XT_TCPMSS_CLAMP_PMTU`.
    pub mss: u16,
}

crate::layouts! {
    header {
        xt_tcpmss_info = "struct xt_tcpmss_info" { mss },
    }
}
