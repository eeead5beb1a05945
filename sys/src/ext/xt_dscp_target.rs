//! `xt_DSCP.h`: the `DSCP` target (revision 0) and the `TOS` target
//! (revision 1), both families. (The file is named for the target so that it
//! stays apart from `xt_dscp.h`, the `dscp`/`tos` matches' header.)

/// The highest DSCP value (six bits), `XT_DSCP_MAX` of `xt_dscp.h`.
pub const XT_DSCP_MAX: u8 = 0x3f;

/// `struct xt_DSCP_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_DSCP_info {
    /// The DSCP to set, `0..=XT_DSCP_MAX`.
    pub dscp: u8,
}

/// `struct xt_tos_target_info` (`TOS` revision 1): the TOS byte `t` becomes
/// `(t & !tos_mask) ^ tos_value`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tos_target_info {
    /// Bits XORed in after clearing.
    pub tos_value: u8,
    /// Bits cleared first.
    pub tos_mask: u8,
}

crate::layouts! {
    header {
        xt_DSCP_info = "struct xt_DSCP_info" { dscp },
        xt_tos_target_info = "struct xt_tos_target_info" { tos_value, tos_mask },
    }
}
