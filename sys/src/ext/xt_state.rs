//! `xt_state.h`: the `state` match (revision 0), which iptables before 1.4.x
//! wrote for `-m state`; iptables 1.8.9 writes a `conntrack` match instead.

/// `statemask`: the packet is INVALID.
pub const XT_STATE_INVALID: u32 = 1 << 0;
/// `statemask`: ESTABLISHED (`XT_STATE_BIT(IP_CT_ESTABLISHED)`).
pub const XT_STATE_ESTABLISHED: u32 = 1 << 1;
/// `statemask`: RELATED (`XT_STATE_BIT(IP_CT_RELATED)`).
pub const XT_STATE_RELATED: u32 = 1 << 2;
/// `statemask`: NEW (`XT_STATE_BIT(IP_CT_NEW)`).
pub const XT_STATE_NEW: u32 = 1 << 3;
/// `statemask`: UNTRACKED (`XT_STATE_UNTRACKED`, not the conntrack match's bit).
pub const XT_STATE_UNTRACKED: u32 = 1 << 6;

/// `struct xt_state_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_state_info {
    /// `XT_STATE_*` bits that match (`!` is stored as the complement).
    pub statemask: u32,
}

crate::layouts! {
    header {
        xt_state_info = "struct xt_state_info" { statemask },
    }
}
