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
// target

/// `struct xt_connmark_tginfo1`: the `CONNMARK` target, revision 1.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connmark_tginfo1 {
    /// Set mode: bits XORed into the connection mark.
    pub ctmark: u32,
    /// Bits of the connection mark cleared (set) or copied (save/restore).
    pub ctmask: u32,
    /// Bits of the packet mark copied (save/restore).
    pub nfmask: u32,
    /// `XT_CONNMARK_SET`, `XT_CONNMARK_SAVE` or `XT_CONNMARK_RESTORE`.
    pub mode: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 3],
}

/// `struct xt_connmark_tginfo2`: the `CONNMARK` target, revision 2 (adds a shift).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_connmark_tginfo2 {
    /// Set mode: bits XORed into the connection mark.
    pub ctmark: u32,
    /// Bits of the connection mark cleared (set) or copied (save/restore).
    pub ctmask: u32,
    /// Bits of the packet mark copied (save/restore).
    pub nfmask: u32,
    /// `D_SHIFT_LEFT` or `D_SHIFT_RIGHT`.
    pub shift_dir: u8,
    /// How far to shift the copied or set mark, 0..=31.
    pub shift_bits: u8,
    /// `XT_CONNMARK_SET`, `XT_CONNMARK_SAVE` or `XT_CONNMARK_RESTORE`.
    pub mode: u8,
    /// Trailing padding of the C struct.
    pub __pad: u8,
}

/// Set (clear `ctmask`, XOR `ctmark`) the connection mark.
pub const XT_CONNMARK_SET: u8 = 0;
/// Copy the packet mark into the connection mark.
pub const XT_CONNMARK_SAVE: u8 = 1;
/// Copy the connection mark into the packet mark.
pub const XT_CONNMARK_RESTORE: u8 = 2;
/// Shift left.
pub const D_SHIFT_LEFT: u8 = 0;
/// Shift right.
pub const D_SHIFT_RIGHT: u8 = 1;

crate::layouts! {
    header {
        xt_connmark_mtinfo1 = "struct xt_connmark_mtinfo1" { mark, mask, invert },
        xt_connmark_tginfo1 = "struct xt_connmark_tginfo1" { ctmark, ctmask, nfmask, mode },
        xt_connmark_tginfo2 = "struct xt_connmark_tginfo2" { ctmark, ctmask, nfmask, shift_dir, shift_bits, mode },
    }
    fixed {
        xt_connmark_info = 24 { mark: 0, mask: 8, invert: 16 },
    }
}
