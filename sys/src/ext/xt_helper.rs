//! `xt_helper.h`: the `helper` match (revision 0).

/// `struct xt_helper_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_helper_info {
    /// 1 to invert the match.
    pub invert: i32,
    /// The conntrack helper's name, NUL-terminated.
    pub name: [u8; 30],
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

crate::layouts! {
    header {
        xt_helper_info = "struct xt_helper_info" { invert, name },
    }
}
