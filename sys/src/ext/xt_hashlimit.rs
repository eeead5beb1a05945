//! `xt_hashlimit.h`: the `hashlimit` match, revisions 1, 2 and 3.
//!
//! Revision 0 (`struct xt_hashlimit_info`) is no longer offered by the kernel
//! and is not mirrored. `hinfo` is a kernel pointer (x86_64: 8 bytes), written
//! as zero and read back as zero (the kernel copies only the bytes before it).

/// Time unit of `avg` at revision 1: 1/10,000 s.
pub const XT_HASHLIMIT_SCALE: u64 = 10_000;
/// Time unit of `avg` at revisions 2 and 3: 1/1,000,000 s.
pub const XT_HASHLIMIT_SCALE_V2: u64 = 1_000_000;
/// Byte counting is done in steps of `1 << XT_HASHLIMIT_BYTE_SHIFT` bytes.
pub const XT_HASHLIMIT_BYTE_SHIFT: u32 = 4;

/// `mode`: hash on the destination address.
pub const XT_HASHLIMIT_HASH_DIP: u32 = 1 << 0;
/// `mode`: hash on the destination port.
pub const XT_HASHLIMIT_HASH_DPT: u32 = 1 << 1;
/// `mode`: hash on the source address.
pub const XT_HASHLIMIT_HASH_SIP: u32 = 1 << 2;
/// `mode`: hash on the source port.
pub const XT_HASHLIMIT_HASH_SPT: u32 = 1 << 3;
/// `mode`: match above the rate (`--hashlimit-above`).
pub const XT_HASHLIMIT_INVERT: u32 = 1 << 4;
/// `mode`: the rate is in bytes.
pub const XT_HASHLIMIT_BYTES: u32 = 1 << 5;
/// `mode` (revision 3): `--hashlimit-rate-match`.
pub const XT_HASHLIMIT_RATE_MATCH: u32 = 1 << 6;

/// `IFNAMSIZ`: the name field of revision 1.
pub const IFNAMSIZ: usize = 16;
/// `NAME_MAX`: the name field of revisions 2 and 3.
pub const NAME_MAX: usize = 255;

/// `struct hashlimit_cfg1`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct hashlimit_cfg1 {
    /// `XT_HASHLIMIT_*` bits.
    pub mode: u32,
    /// Average time between packets in 1/`XT_HASHLIMIT_SCALE` s, or a byte cost.
    pub avg: u32,
    /// Bucket size.
    pub burst: u32,
    /// Hash buckets, 0 = kernel default.
    pub size: u32,
    /// Most entries, 0 = kernel default.
    pub max: u32,
    /// Garbage collection interval, ms.
    pub gc_interval: u32,
    /// Idle entry lifetime, ms.
    pub expire: u32,
    /// Source address prefix length to group by.
    pub srcmask: u8,
    /// Destination address prefix length to group by.
    pub dstmask: u8,
    /// Trailing padding.
    pub __pad0: [u8; 2],
}

/// `struct hashlimit_cfg2`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct hashlimit_cfg2 {
    /// Average time between packets in 1/`XT_HASHLIMIT_SCALE_V2` s, or a byte cost.
    pub avg: u64,
    /// Bucket size.
    pub burst: u64,
    /// `XT_HASHLIMIT_*` bits.
    pub mode: u32,
    /// Hash buckets, 0 = kernel default.
    pub size: u32,
    /// Most entries, 0 = kernel default.
    pub max: u32,
    /// Garbage collection interval, ms.
    pub gc_interval: u32,
    /// Idle entry lifetime, ms.
    pub expire: u32,
    /// Source address prefix length to group by.
    pub srcmask: u8,
    /// Destination address prefix length to group by.
    pub dstmask: u8,
    /// Trailing padding.
    pub __pad0: [u8; 2],
}

/// `struct hashlimit_cfg3`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct hashlimit_cfg3 {
    /// Average time between packets in 1/`XT_HASHLIMIT_SCALE_V2` s, or a byte cost.
    pub avg: u64,
    /// Bucket size.
    pub burst: u64,
    /// `XT_HASHLIMIT_*` bits.
    pub mode: u32,
    /// Hash buckets, 0 = kernel default.
    pub size: u32,
    /// Most entries, 0 = kernel default.
    pub max: u32,
    /// Garbage collection interval, ms.
    pub gc_interval: u32,
    /// Idle entry lifetime, ms.
    pub expire: u32,
    /// `--hashlimit-rate-interval`, seconds.
    pub interval: u32,
    /// Source address prefix length to group by.
    pub srcmask: u8,
    /// Destination address prefix length to group by.
    pub dstmask: u8,
    /// Trailing padding.
    pub __pad0: [u8; 6],
}

/// `struct xt_hashlimit_mtinfo1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_hashlimit_mtinfo1 {
    /// Table name, NUL-terminated.
    pub name: [u8; IFNAMSIZ],
    /// Configuration.
    pub cfg: hashlimit_cfg1,
    /// Kernel pointer (`struct xt_hashlimit_htable *`), zero from user space.
    pub hinfo: u64,
}

/// `struct xt_hashlimit_mtinfo2` (revision 2).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_hashlimit_mtinfo2 {
    /// Table name, NUL-terminated.
    pub name: [u8; NAME_MAX],
    /// Hole before `cfg`.
    pub __pad0: u8,
    /// Configuration.
    pub cfg: hashlimit_cfg2,
    /// Kernel pointer (`struct xt_hashlimit_htable *`), zero from user space.
    pub hinfo: u64,
}

/// `struct xt_hashlimit_mtinfo3` (revision 3).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_hashlimit_mtinfo3 {
    /// Table name, NUL-terminated.
    pub name: [u8; NAME_MAX],
    /// Hole before `cfg`.
    pub __pad0: u8,
    /// Configuration.
    pub cfg: hashlimit_cfg3,
    /// Kernel pointer (`struct xt_hashlimit_htable *`), zero from user space.
    pub hinfo: u64,
}

crate::layouts! {
    header {
        hashlimit_cfg1 = "struct hashlimit_cfg1" { mode, avg, burst, size, max, gc_interval, expire, srcmask, dstmask },
        hashlimit_cfg2 = "struct hashlimit_cfg2" { avg, burst, mode, size, max, gc_interval, expire, srcmask, dstmask },
        hashlimit_cfg3 = "struct hashlimit_cfg3" { avg, burst, mode, size, max, gc_interval, expire, interval, srcmask, dstmask },
        xt_hashlimit_mtinfo1 = "struct xt_hashlimit_mtinfo1" { name, cfg, hinfo },
        xt_hashlimit_mtinfo2 = "struct xt_hashlimit_mtinfo2" { name, cfg, hinfo },
        xt_hashlimit_mtinfo3 = "struct xt_hashlimit_mtinfo3" { name, cfg, hinfo },
    }
}
