//! `xt_quota.h`: the `quota` match (revision 0).

/// `struct xt_quota_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_quota_info {
    /// `XT_QUOTA_*`.
    pub flags: u32,
    /// Unused (named in the C struct).
    pub pad: u32,
    /// The quota in bytes.
    pub quota: u64,
    /// Kernel-private pointer (`struct xt_quota_priv *`, 8 bytes on x86_64);
    /// written as zero.
    pub master: u64,
}

/// Invert the match: match once the quota is used up.
pub const XT_QUOTA_INVERT: u32 = 0x1;
/// Every flag.
pub const XT_QUOTA_MASK: u32 = 0x1;

crate::layouts! {
    header {
        xt_quota_info = "struct xt_quota_info" { flags, pad, quota, master },
    }
}
