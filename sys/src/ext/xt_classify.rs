//! `xt_CLASSIFY.h`: the `CLASSIFY` target (revision 0).

/// `struct xt_classify_target_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_classify_target_info {
    /// The traffic control class handle, major in the high 16 bits.
    pub priority: u32,
}

crate::layouts! {
    header {
        xt_classify_target_info = "struct xt_classify_target_info" { priority },
    }
}
