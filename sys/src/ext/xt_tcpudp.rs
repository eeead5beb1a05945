//! `xt_tcpudp.h`: the `tcp` and `udp` matches (revision 0).

/// `struct xt_tcp`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tcp {
    /// Source port range, inclusive, host byte order.
    pub spts: [u16; 2],
    /// Destination port range.
    pub dpts: [u16; 2],
    /// TCP option kind to look for, 0 = none.
    pub option: u8,
    /// Which flags to examine.
    pub flg_mask: u8,
    /// Which of those must be set.
    pub flg_cmp: u8,
    /// `XT_TCP_INV_*`.
    pub invflags: u8,
}

/// `struct xt_udp`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_udp {
    /// Source port range, inclusive, host byte order.
    pub spts: [u16; 2],
    /// Destination port range.
    pub dpts: [u16; 2],
    /// `XT_UDP_INV_*`.
    pub invflags: u8,
    /// Trailing padding of the C struct.
    pub __pad: u8,
}

/// Invert the source port test.
pub const XT_TCP_INV_SRCPT: u8 = 0x01;
/// Invert the destination port test.
pub const XT_TCP_INV_DSTPT: u8 = 0x02;
/// Invert the flags test.
pub const XT_TCP_INV_FLAGS: u8 = 0x04;
/// Invert the option test.
pub const XT_TCP_INV_OPTION: u8 = 0x08;
/// Invert the source port test.
pub const XT_UDP_INV_SRCPT: u8 = 0x01;
/// Invert the destination port test.
pub const XT_UDP_INV_DSTPT: u8 = 0x02;

crate::layouts! {
    header {
        xt_tcp = "struct xt_tcp" { spts, dpts, option, flg_mask, flg_cmp, invflags },
        xt_udp = "struct xt_udp" { spts, dpts, invflags },
    }
}
