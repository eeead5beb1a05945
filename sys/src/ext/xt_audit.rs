//! `xt_AUDIT.h`: the `AUDIT` target (revision 0).

/// Record the packet as accepted.
pub const XT_AUDIT_TYPE_ACCEPT: u8 = 0;
/// Record the packet as dropped.
pub const XT_AUDIT_TYPE_DROP: u8 = 1;
/// Record the packet as rejected.
pub const XT_AUDIT_TYPE_REJECT: u8 = 2;
/// The highest type the kernel accepts.
pub const XT_AUDIT_TYPE_MAX: u8 = 2;

/// `struct xt_audit_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_audit_info {
    /// `XT_AUDIT_TYPE_*`.
    pub r#type: u8,
}

crate::layouts! {
    header {
        xt_audit_info = "struct xt_audit_info" { r#type => "type" },
    }
}
