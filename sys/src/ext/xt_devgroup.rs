//! `xt_devgroup.h`: the `devgroup` match (revision 0).

/// `struct xt_devgroup_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_devgroup_info {
    /// `XT_DEVGROUP_*`.
    pub flags: u32,
    /// Group of the incoming device.
    pub src_group: u32,
    /// Bits of the incoming device's group compared.
    pub src_mask: u32,
    /// Group of the outgoing device.
    pub dst_group: u32,
    /// Bits of the outgoing device's group compared.
    pub dst_mask: u32,
}

/// Match the incoming device's group.
pub const XT_DEVGROUP_MATCH_SRC: u32 = 0x1;
/// Invert the incoming device test.
pub const XT_DEVGROUP_INVERT_SRC: u32 = 0x2;
/// Match the outgoing device's group.
pub const XT_DEVGROUP_MATCH_DST: u32 = 0x4;
/// Invert the outgoing device test.
pub const XT_DEVGROUP_INVERT_DST: u32 = 0x8;

crate::layouts! {
    header {
        xt_devgroup_info = "struct xt_devgroup_info" { flags, src_group, src_mask, dst_group, dst_mask },
    }
}
