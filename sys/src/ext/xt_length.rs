//! `xt_length.h`: the `length` match, revision 0.

/// `struct xt_length_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_length_info {
    /// Smallest packet length, inclusive.
    pub min: u16,
    /// Largest packet length, inclusive.
    pub max: u16,
    /// Non-zero: invert the test.
    pub invert: u8,
    /// Trailing padding.
    pub __pad0: u8,
}

crate::layouts! {
    header {
        xt_length_info = "struct xt_length_info" { min, max, invert },
    }
}
