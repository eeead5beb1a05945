//! `xt_connlabel.h`: the `connlabel` match (revision 0).

/// `struct xt_connlabel_mtinfo`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connlabel_mtinfo {
    /// The label's bit number, 0..=`XT_CONNLABEL_MAXBIT`.
    pub bit: u16,
    /// `XT_CONNLABEL_OP_*`.
    pub options: u16,
}

/// The highest label bit the kernel accepts.
pub const XT_CONNLABEL_MAXBIT: u16 = 127;
/// Match when the label is not set.
pub const XT_CONNLABEL_OP_INVERT: u16 = 1 << 0;
/// Set the label on the connection too.
pub const XT_CONNLABEL_OP_SET: u16 = 1 << 1;

crate::layouts! {
    header {
        xt_connlabel_mtinfo = "struct xt_connlabel_mtinfo" { bit, options },
    }
}
