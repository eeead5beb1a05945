//! `xt_RATEEST.h`: the `RATEEST` target (revision 0, both families). (The
//! file is named for the target so that it stays apart from `xt_rateest.h`,
//! the `rateest` match's header.)

/// `struct xt_rateest_target_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_rateest_target_info {
    /// The estimator's name, NUL-terminated (`IFNAMSIZ` bytes).
    pub name: [u8; 16],
    /// Measuring interval: `2^interval` seconds, -2 (250 ms) to 3 (8 s).
    pub interval: i8,
    /// Averaging time constant: `interval * 2^ewma_log`.
    pub ewma_log: u8,
    /// Hole before `est`.
    pub __pad0: [u8; 6],
    /// Kernel-private `struct xt_rateest *` (8 bytes on x86_64); zero.
    pub est: u64,
}

crate::layouts! {
    header {
        xt_rateest_target_info = "struct xt_rateest_target_info" { name, interval, ewma_log, est },
    }
}
