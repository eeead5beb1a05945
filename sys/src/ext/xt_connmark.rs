//! `xt_connmark.h`.

// match

/// `struct xt_connmark_info`: the `connmark` match, revision 0 (kernels before
/// 2.6.35). Gone from the uapi header; `libxt_connmark.c` still defines it, so
/// it has no layout-test entry. `unsigned long` is 8 bytes on x86_64.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connmark_info {
    /// The value the masked connection mark must equal.
    pub mark: u64,
    /// The bits of the connection mark compared.
    pub mask: u64,
    /// 1 to invert the match.
    pub invert: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 7],
}

/// `struct xt_connmark_mtinfo1`: the `connmark` match, revision 1.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connmark_mtinfo1 {
    /// The value the masked connection mark must equal.
    pub mark: u32,
    /// The bits of the connection mark compared.
    pub mask: u32,
    /// 1 to invert the match.
    pub invert: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 3],
}

// Macro by full path, so that no `use` line collides with the target part.
crate::pod!(xt_connmark_info, xt_connmark_mtinfo1);
