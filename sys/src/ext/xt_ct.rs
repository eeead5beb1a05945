//! `xt_CT.h`: the `CT` target (revision 0 [`xt_ct_target_info`], revisions 1
//! and 2 [`xt_ct_target_info_v1`]; both families). `-j NOTRACK` is revision 2
//! with `XT_CT_NOTRACK | XT_CT_NOTRACK_ALIAS`.

/// `struct xt_ct_target_info`: revision 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_ct_target_info {
    /// `XT_CT_*`.
    pub flags: u16,
    /// Conntrack zone.
    pub zone: u16,
    /// Conntrack events to report (`1 << IPCT_*`).
    pub ct_events: u32,
    /// Expectation events to report (`1 << IPEXP_*`).
    pub exp_events: u32,
    /// Helper name, NUL-terminated.
    pub helper: [u8; 16],
    /// Padding: `ct` is 8-aligned.
    pub __pad: [u8; 4],
    /// Kernel-private `struct nf_conn *` (64-bit pointer on x86_64); zero
    /// from user space, and the kernel does not copy it out.
    pub ct: u64,
}

/// `struct xt_ct_target_info_v1`: revisions 1 and 2 add a timeout policy.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_ct_target_info_v1 {
    /// `XT_CT_*`.
    pub flags: u16,
    /// Conntrack zone.
    pub zone: u16,
    /// Conntrack events to report (`1 << IPCT_*`).
    pub ct_events: u32,
    /// Expectation events to report (`1 << IPEXP_*`).
    pub exp_events: u32,
    /// Helper name, NUL-terminated.
    pub helper: [u8; 16],
    /// Timeout policy name, NUL-terminated.
    pub timeout: [u8; 32],
    /// Padding: `ct` is 8-aligned.
    pub __pad: [u8; 4],
    /// Kernel-private `struct nf_conn *` (64-bit pointer on x86_64); zero
    /// from user space, and the kernel does not copy it out.
    pub ct: u64,
}

/// Do not track the packet.
pub const XT_CT_NOTRACK: u16 = 1 << 0;
/// Written as `-j NOTRACK` (revision 2).
pub const XT_CT_NOTRACK_ALIAS: u16 = 1 << 1;
/// The zone applies to the original direction only.
pub const XT_CT_ZONE_DIR_ORIG: u16 = 1 << 2;
/// The zone applies to the reply direction only.
pub const XT_CT_ZONE_DIR_REPL: u16 = 1 << 3;
/// The zone is taken from the packet mark.
pub const XT_CT_ZONE_MARK: u16 = 1 << 4;
/// Every flag the kernel knows.
pub const XT_CT_MASK: u16 = 0x1f;

crate::layouts! {
    header {
        xt_ct_target_info = "struct xt_ct_target_info" { flags, zone, ct_events, exp_events, helper, ct },
        xt_ct_target_info_v1 = "struct xt_ct_target_info_v1" { flags, zone, ct_events, exp_events, helper, timeout, ct },
    }
}
