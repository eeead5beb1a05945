//! `xt_statistic.h`: the `statistic` match (revision 0).

/// `XT_STATISTIC_MODE_RANDOM`: `--mode random`.
pub const XT_STATISTIC_MODE_RANDOM: u16 = 0;
/// `XT_STATISTIC_MODE_NTH`: `--mode nth`.
pub const XT_STATISTIC_MODE_NTH: u16 = 1;
/// `XT_STATISTIC_INVERT`.
pub const XT_STATISTIC_INVERT: u16 = 0x1;
/// `XT_STATISTIC_MASK`: every flag there is.
pub const XT_STATISTIC_MASK: u16 = 0x1;

/// `struct xt_statistic_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_statistic_info {
    /// `XT_STATISTIC_MODE_*`.
    pub mode: u16,
    /// `XT_STATISTIC_*` flags.
    pub flags: u16,
    /// The C union `u`: `random.probability` is `u[0]` (a fraction of
    /// 2^31); `nth.every`, `nth.packet` and `nth.count` are `u[0]`, `u[1]`
    /// and `u[2]` (`every` is n - 1; `count` is the counter's start value).
    pub u: [u32; 3],
    /// `struct xt_statistic_priv *master`: a kernel pointer (x86_64: 8
    /// bytes), kernel-private; userspace writes 0 and reads 0 back.
    pub master: u64,
}

crate::layouts! {
    header {
        xt_statistic_info = "struct xt_statistic_info" { mode, flags, u, master },
    }
}
