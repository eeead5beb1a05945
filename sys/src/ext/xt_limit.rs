//! `xt_limit.h`: the `limit` match (revision 0).

/// `XT_LIMIT_SCALE`: `avg` counts periods in units of 1/10000 s.
pub const XT_LIMIT_SCALE: u32 = 10000;

/// `struct xt_rateinfo`. Everything after `burst` belongs to the kernel
/// (user space writes zeros; the kernel keeps its state elsewhere and reads
/// back zeros); `master` is a kernel pointer, 8 bytes on x86_64.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_rateinfo {
    /// Average period between packets, in 1/`XT_LIMIT_SCALE` seconds.
    pub avg: u32,
    /// Burst size, in packets.
    pub burst: u32,
    /// Kernel-private (`unsigned long prev`).
    pub prev: u64,
    /// Kernel-private.
    pub credit: u32,
    /// Kernel-private.
    pub credit_cap: u32,
    /// Kernel-private.
    pub cost: u32,
    /// Padding before the pointer.
    pub __pad0: u32,
    /// Kernel-private pointer (`struct xt_limit_priv *master`).
    pub master: u64,
}

crate::layouts! {
    header {
        xt_rateinfo = "struct xt_rateinfo" { avg, burst, prev, credit, credit_cap, cost, master },
    }
}
