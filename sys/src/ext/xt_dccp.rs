//! `xt_dccp.h`: the `dccp` match (revision 0).

/// `struct xt_dccp_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_dccp_info {
    /// Destination port range, inclusive, host byte order.
    pub dpts: [u16; 2],
    /// Source port range.
    pub spts: [u16; 2],
    /// Which tests are present (`XT_DCCP_*`).
    pub flags: u16,
    /// Which tests are inverted (`XT_DCCP_*`).
    pub invflags: u16,
    /// Bit per DCCP packet type.
    pub typemask: u16,
    /// DCCP option number to look for.
    pub option: u8,
    /// Trailing padding of the C struct.
    pub __pad: u8,
}

/// Source ports are tested.
pub const XT_DCCP_SRC_PORTS: u16 = 0x01;
/// Destination ports are tested.
pub const XT_DCCP_DEST_PORTS: u16 = 0x02;
/// Packet types are tested.
pub const XT_DCCP_TYPE: u16 = 0x04;
/// An option is tested.
pub const XT_DCCP_OPTION: u16 = 0x08;
/// Every defined flag.
pub const XT_DCCP_VALID_FLAGS: u16 = 0x0f;

crate::layouts! {
    header {
        xt_dccp_info = "struct xt_dccp_info" { dpts, spts, flags, invflags, typemask, option },
    }
}
