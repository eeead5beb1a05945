//! `xt_NFLOG.h`: the `NFLOG` target (revision 0, both families).

/// `struct xt_nflog_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_nflog_info {
    /// Bytes of the packet to copy, used only with `XT_NFLOG_F_COPY_LEN`.
    pub len: u32,
    /// Netlink group.
    pub group: u16,
    /// Packets to queue in the kernel before sending them to user space.
    pub threshold: u16,
    /// `XT_NFLOG_F_*`.
    pub flags: u16,
    /// Padding, zero.
    pub pad: u16,
    /// Prefix of every message, NUL-terminated.
    pub prefix: [u8; 64],
}

/// The group the kernel logs to when none is set (documentation only: the
/// struct's `group` is always used).
pub const XT_NFLOG_DEFAULT_GROUP: u16 = 0x1;
/// The default threshold.
pub const XT_NFLOG_DEFAULT_THRESHOLD: u16 = 0;
/// Every flag the kernel knows.
pub const XT_NFLOG_MASK: u16 = 0x1;
/// `len` is set (`--nflog-size`).
pub const XT_NFLOG_F_COPY_LEN: u16 = 0x1;

crate::layouts! {
    header {
        xt_nflog_info = "struct xt_nflog_info" { len, group, threshold, flags, pad, prefix },
    }
}
