//! `xt_tcpmss.h`: the `tcpmss` match (revision 0).

/// `struct xt_tcpmss_match_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tcpmss_match_info {
    /// Lowest MSS matched.
    pub mss_min: u16,
    /// Highest MSS matched.
    pub mss_max: u16,
    /// Non-zero: match outside the range.
    pub invert: u8,
    /// Trailing padding of the C struct.
    pub __pad: u8,
}

crate::layouts! {
    header {
        xt_tcpmss_match_info = "struct xt_tcpmss_match_info" { mss_min, mss_max, invert },
    }
}
