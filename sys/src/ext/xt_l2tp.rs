//! `xt_l2tp.h`: the `l2tp` match (revision 0).

/// `struct xt_l2tp_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_l2tp_info {
    /// Tunnel id.
    pub tid: u32,
    /// Session id.
    pub sid: u32,
    /// L2TP protocol version (2 or 3).
    pub version: u8,
    /// `XT_L2TP_TYPE_*`.
    pub r#type: u8,
    /// Which fields to match (`XT_L2TP_*`).
    pub flags: u8,
    /// Trailing padding of the C struct.
    pub __pad: u8,
}

/// Control packets.
pub const XT_L2TP_TYPE_CONTROL: u8 = 0;
/// Data packets.
pub const XT_L2TP_TYPE_DATA: u8 = 1;
/// Match the tunnel id.
pub const XT_L2TP_TID: u8 = 1 << 0;
/// Match the session id.
pub const XT_L2TP_SID: u8 = 1 << 1;
/// Match the protocol version.
pub const XT_L2TP_VERSION: u8 = 1 << 2;
/// Match the packet type.
pub const XT_L2TP_TYPE: u8 = 1 << 3;

crate::layouts! {
    header {
        xt_l2tp_info = "struct xt_l2tp_info" { tid, sid, version, r#type => "type", flags },
    }
}
