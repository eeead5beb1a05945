//! `ip6t_hl.h`: the IPv6 `hl` match (revision 0).

/// `struct ip6t_hl_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_hl_info {
    /// `IP6T_HL_*`: how to compare.
    pub mode: u8,
    /// The hop limit compared with.
    pub hop_limit: u8,
}

/// Equal.
pub const IP6T_HL_EQ: u8 = 0;
/// Not equal.
pub const IP6T_HL_NE: u8 = 1;
/// Less than.
pub const IP6T_HL_LT: u8 = 2;
/// Greater than.
pub const IP6T_HL_GT: u8 = 3;

crate::layouts! {
    header {
        ip6t_hl_info = "struct ip6t_hl_info" { mode, hop_limit },
    }
}
