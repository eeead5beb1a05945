//! `xt_physdev.h`: the `physdev` match (revision 0).

use crate::xtables::IFNAMSIZ;

/// `struct xt_physdev_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_physdev_info {
    /// The bridge port the packet came in on, NUL-padded.
    pub physindev: [u8; IFNAMSIZ],
    /// The bytes of `physindev` compared (0xff each).
    pub in_mask: [u8; IFNAMSIZ],
    /// The bridge port the packet goes out on, NUL-padded.
    pub physoutdev: [u8; IFNAMSIZ],
    /// The bytes of `physoutdev` compared (0xff each).
    pub out_mask: [u8; IFNAMSIZ],
    /// `XT_PHYSDEV_OP_*` tests that are inverted.
    pub invert: u8,
    /// `XT_PHYSDEV_OP_*` tests that are made.
    pub bitmask: u8,
}

/// Test the incoming bridge port.
pub const XT_PHYSDEV_OP_IN: u8 = 0x01;
/// Test the outgoing bridge port.
pub const XT_PHYSDEV_OP_OUT: u8 = 0x02;
/// Test that the packet is bridged.
pub const XT_PHYSDEV_OP_BRIDGED: u8 = 0x04;
/// Test that the packet came in through a bridge port.
pub const XT_PHYSDEV_OP_ISIN: u8 = 0x08;
/// Test that the packet goes out through a bridge port.
pub const XT_PHYSDEV_OP_ISOUT: u8 = 0x10;
/// Every test.
pub const XT_PHYSDEV_OP_MASK: u8 = 0x20 - 1;

crate::layouts! {
    header {
        xt_physdev_info = "struct xt_physdev_info" { physindev, in_mask, physoutdev, out_mask, invert, bitmask },
    }
}
