//! `xt_dscp.h`: the `dscp` match (revision 0) and the `tos` match (revision 1).

/// `struct xt_dscp_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_dscp_info {
    /// DSCP value, 0 to 63.
    pub dscp: u8,
    /// Non-zero: match any other value.
    pub invert: u8,
}

/// `struct xt_tos_match_info` (`tos` revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tos_match_info {
    /// Bits of the TOS byte examined.
    pub tos_mask: u8,
    /// Value they must have.
    pub tos_value: u8,
    /// Non-zero: match any other value.
    pub invert: u8,
}

/// The DSCP bits of the TOS byte.
pub const XT_DSCP_MASK: u8 = 0xfc;
/// Shift from the TOS byte to the DSCP value.
pub const XT_DSCP_SHIFT: u8 = 2;
/// Highest DSCP value.
pub const XT_DSCP_MAX: u8 = 0x3f;

crate::layouts! {
    header {
        xt_dscp_info = "struct xt_dscp_info" { dscp, invert },
        xt_tos_match_info = "struct xt_tos_match_info" { tos_mask, tos_value, invert },
    }
}
