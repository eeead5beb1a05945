//! `xt_mark.h`.

// match
/// `struct xt_mark_info`: the `mark` match revision 0 (gone from current
/// headers and kernels; `unsigned long` fields, 8 bytes on x86_64).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_mark_info {
    /// Value compared with `skb->mark & mask`.
    pub mark: u64,
    /// Bits of the packet mark compared.
    pub mask: u64,
    /// 1 to invert the test.
    pub invert: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 7],
}

/// `struct xt_mark_mtinfo1`: the `mark` match revision 1.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_mark_mtinfo1 {
    /// Value compared with `skb->mark & mask`.
    pub mark: u32,
    /// Bits of the packet mark compared.
    pub mask: u32,
    /// 1 to invert the test.
    pub invert: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 3],
}

crate::pod!(xt_mark_info, xt_mark_mtinfo1);
