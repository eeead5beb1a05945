//! `xt_CLASSIFY.h`: the `CLASSIFY` target (revision 0).

use crate::pod;

/// `struct xt_classify_target_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_classify_target_info {
    /// The traffic control class handle, major in the high 16 bits.
    pub priority: u32,
}

pod!(xt_classify_target_info);
