//! `xt_rateest.h`: the `rateest` match (revision 0).

use crate::xtables::IFNAMSIZ;

/// `struct xt_rateest_match_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_rateest_match_info {
    /// The first rate estimator's name (made by the `RATEEST` target).
    pub name1: [u8; IFNAMSIZ],
    /// The second estimator's name (relative mode).
    pub name2: [u8; IFNAMSIZ],
    /// `XT_RATEEST_MATCH_*` flags.
    pub flags: u16,
    /// `XT_RATEEST_MATCH_NONE/EQ/LT/GT`.
    pub mode: u16,
    /// Bytes per second, first operand.
    pub bps1: u32,
    /// Packets per second, first operand.
    pub pps1: u32,
    /// Bytes per second, second operand.
    pub bps2: u32,
    /// Packets per second, second operand.
    pub pps2: u32,
    /// Padding before `est1` (aligned to 8).
    pub __pad: [u8; 4],
    /// Kernel-private pointer (`struct xt_rateest *`, 8 bytes on x86_64);
    /// written as zero.
    pub est1: u64,
    /// Kernel-private pointer, like `est1`.
    pub est2: u64,
}

/// Invert the comparison.
pub const XT_RATEEST_MATCH_INVERT: u16 = 1 << 0;
/// Compare the estimator with given rates.
pub const XT_RATEEST_MATCH_ABS: u16 = 1 << 1;
/// Compare two estimators.
pub const XT_RATEEST_MATCH_REL: u16 = 1 << 2;
/// Compare differences to given rates.
pub const XT_RATEEST_MATCH_DELTA: u16 = 1 << 3;
/// Compare bytes per second.
pub const XT_RATEEST_MATCH_BPS: u16 = 1 << 4;
/// Compare packets per second.
pub const XT_RATEEST_MATCH_PPS: u16 = 1 << 5;
/// No comparison.
pub const XT_RATEEST_MATCH_NONE: u16 = 0;
/// Equal.
pub const XT_RATEEST_MATCH_EQ: u16 = 1;
/// Less than.
pub const XT_RATEEST_MATCH_LT: u16 = 2;
/// Greater than.
pub const XT_RATEEST_MATCH_GT: u16 = 3;

crate::layouts! {
    header {
        xt_rateest_match_info = "struct xt_rateest_match_info" { name1, name2, flags, mode, bps1, pps1, bps2, pps2, est1, est2 },
    }
}
