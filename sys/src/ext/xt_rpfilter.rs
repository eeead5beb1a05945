//! `xt_rpfilter.h`: the `rpfilter` match (revision 0).

/// `XT_RPFILTER_LOOSE`: `--loose`.
pub const XT_RPFILTER_LOOSE: u8 = 1 << 0;
/// `XT_RPFILTER_VALID_MARK`: `--validmark`.
pub const XT_RPFILTER_VALID_MARK: u8 = 1 << 1;
/// `XT_RPFILTER_ACCEPT_LOCAL`: `--accept-local`.
pub const XT_RPFILTER_ACCEPT_LOCAL: u8 = 1 << 2;
/// `XT_RPFILTER_INVERT`: `--invert`.
pub const XT_RPFILTER_INVERT: u8 = 1 << 3;

/// `struct xt_rpfilter_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_rpfilter_info {
    /// `XT_RPFILTER_*`.
    pub flags: u8,
}

crate::layouts! {
    header {
        xt_rpfilter_info = "struct xt_rpfilter_info" { flags },
    }
}
