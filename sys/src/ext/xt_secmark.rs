//! `xt_SECMARK.h`: the `SECMARK` target, revisions 0 and 1 (both families).

/// `mode`: SELinux.
pub const SECMARK_MODE_SEL: u8 = 0x01;
/// Size of `secctx`, with its NUL.
pub const SECMARK_SECCTX_MAX: usize = 256;

/// `struct xt_secmark_target_info` (revision 0).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_secmark_target_info {
    /// `SECMARK_MODE_*`.
    pub mode: u8,
    /// Hole before `secid`.
    pub __pad0: [u8; 3],
    /// Filled by the kernel from `secctx` (zero from user space).
    pub secid: u32,
    /// The security context, NUL-terminated.
    pub secctx: [u8; SECMARK_SECCTX_MAX],
}

/// `struct xt_secmark_target_info_v1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_secmark_target_info_v1 {
    /// `SECMARK_MODE_*`.
    pub mode: u8,
    /// The security context, NUL-terminated.
    pub secctx: [u8; SECMARK_SECCTX_MAX],
    /// Hole before `secid`.
    pub __pad0: [u8; 3],
    /// Filled by the kernel from `secctx` (zero from user space).
    pub secid: u32,
}

crate::layouts! {
    header {
        xt_secmark_target_info = "struct xt_secmark_target_info" { mode, secid, secctx },
        xt_secmark_target_info_v1 = "struct xt_secmark_target_info_v1" { mode, secctx, secid },
    }
}
