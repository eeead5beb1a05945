//! `xt_string.h`: the `string` match (revision 1; revision 0 has the same
//! layout with an `invert` byte where revision 1 has `flags`).

/// Longest pattern.
pub const XT_STRING_MAX_PATTERN_SIZE: usize = 128;
/// Size of the algorithm name field, NUL included.
pub const XT_STRING_MAX_ALGO_NAME_SIZE: usize = 16;
/// Invert the match (revision 1 `flags`).
pub const XT_STRING_FLAG_INVERT: u8 = 0x01;
/// Ignore case (revision 1 `flags`).
pub const XT_STRING_FLAG_IGNORECASE: u8 = 0x02;

/// `struct xt_string_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_string_info {
    /// First offset searched.
    pub from_offset: u16,
    /// Last offset searched.
    pub to_offset: u16,
    /// Text search algorithm name (`bm`, `kmp`), NUL-padded.
    pub algo: [u8; XT_STRING_MAX_ALGO_NAME_SIZE],
    /// The pattern, `patlen` bytes used.
    pub pattern: [u8; XT_STRING_MAX_PATTERN_SIZE],
    /// Pattern length.
    pub patlen: u8,
    /// `u.v1.flags` (`XT_STRING_FLAG_*`), or `u.v0.invert` in revision 0.
    pub u: u8,
    /// Padding before the 8-aligned kernel pointer.
    pub __pad: [u8; 2],
    /// `config`: a kernel pointer (x86_64), private to the kernel; zero from user space.
    pub config: u64,
}

crate::layouts! {
    header {
        xt_string_info = "struct xt_string_info" { from_offset, to_offset, algo, pattern, patlen, u => "u.v1.flags", config },
    }
}
