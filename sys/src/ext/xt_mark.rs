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
// target

/// `struct xt_mark_tginfo2`: the `MARK` target, revision 2 (both families):
/// the packet mark `m` becomes `(m & !mask) ^ mark`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_mark_tginfo2 {
    /// Bits XORed in after clearing.
    pub mark: u32,
    /// Bits cleared first.
    pub mask: u32,
}

/// `struct xt_mark_target_info`: `MARK` revision 0, as iptables' `libxt_MARK.c`
/// still defines it (no kernel header has it any more). `unsigned long` is
/// 64 bits on x86_64.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_mark_target_info {
    /// The mark to set.
    pub mark: u64,
}

/// `struct xt_mark_target_info_v1`: `MARK` revision 1 (IPv4), from
/// `libxt_MARK.c`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_mark_target_info_v1 {
    /// The operand.
    pub mark: u64,
    /// `XT_MARK_SET`, `XT_MARK_AND` or `XT_MARK_OR`.
    pub mode: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 7],
}

/// Revision 1 mode: set the mark.
pub const XT_MARK_SET: u8 = 0;
/// Revision 1 mode: AND the mark with the operand.
pub const XT_MARK_AND: u8 = 1;
/// Revision 1 mode: OR the operand into the mark.
pub const XT_MARK_OR: u8 = 2;

crate::layouts! {
    header {
        xt_mark_mtinfo1 = "struct xt_mark_mtinfo1" { mark, mask, invert },
        xt_mark_tginfo2 = "struct xt_mark_tginfo2" { mark, mask },
    }
    fixed {
        xt_mark_info = 24 { mark: 0, mask: 8, invert: 16 },
        xt_mark_target_info = 8 { mark: 0 },
        xt_mark_target_info_v1 = 16 { mark: 0, mode: 8 },
    }
}

