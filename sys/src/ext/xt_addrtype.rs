//! `xt_addrtype.h`: the `addrtype` match, revisions 0 (IPv4 only) and 1.

/// `struct xt_addrtype_info` (revision 0).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_addrtype_info {
    /// Source address types, `XT_ADDRTYPE_*` bits.
    pub source: u16,
    /// Destination address types.
    pub dest: u16,
    /// Non-zero: invert the source test.
    pub invert_source: u32,
    /// Non-zero: invert the destination test.
    pub invert_dest: u32,
}

/// `struct xt_addrtype_info_v1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_addrtype_info_v1 {
    /// Source address types, `XT_ADDRTYPE_*` bits.
    pub source: u16,
    /// Destination address types.
    pub dest: u16,
    /// `XT_ADDRTYPE_INVERT_*` and `XT_ADDRTYPE_LIMIT_IFACE_*`.
    pub flags: u32,
}

/// Invert the source test (revision 1 `flags`).
pub const XT_ADDRTYPE_INVERT_SOURCE: u32 = 0x0001;
/// Invert the destination test.
pub const XT_ADDRTYPE_INVERT_DEST: u32 = 0x0002;
/// Look the address up on the incoming interface only.
pub const XT_ADDRTYPE_LIMIT_IFACE_IN: u32 = 0x0004;
/// Look the address up on the outgoing interface only.
pub const XT_ADDRTYPE_LIMIT_IFACE_OUT: u32 = 0x0008;

/// Address type bits: `1 << RTN_*` (`rtnetlink.h`).
pub const XT_ADDRTYPE_UNSPEC: u16 = 1 << 0;
/// `1 << RTN_UNICAST`.
pub const XT_ADDRTYPE_UNICAST: u16 = 1 << 1;
/// `1 << RTN_LOCAL`.
pub const XT_ADDRTYPE_LOCAL: u16 = 1 << 2;
/// `1 << RTN_BROADCAST`.
pub const XT_ADDRTYPE_BROADCAST: u16 = 1 << 3;
/// `1 << RTN_ANYCAST`.
pub const XT_ADDRTYPE_ANYCAST: u16 = 1 << 4;
/// `1 << RTN_MULTICAST`.
pub const XT_ADDRTYPE_MULTICAST: u16 = 1 << 5;
/// `1 << RTN_BLACKHOLE`.
pub const XT_ADDRTYPE_BLACKHOLE: u16 = 1 << 6;
/// `1 << RTN_UNREACHABLE`.
pub const XT_ADDRTYPE_UNREACHABLE: u16 = 1 << 7;
/// `1 << RTN_PROHIBIT`.
pub const XT_ADDRTYPE_PROHIBIT: u16 = 1 << 8;
/// `1 << RTN_THROW`.
pub const XT_ADDRTYPE_THROW: u16 = 1 << 9;
/// `1 << RTN_NAT`.
pub const XT_ADDRTYPE_NAT: u16 = 1 << 10;
/// `1 << RTN_XRESOLVE`.
pub const XT_ADDRTYPE_XRESOLVE: u16 = 1 << 11;

crate::layouts! {
    header {
        xt_addrtype_info = "struct xt_addrtype_info" { source, dest, invert_source, invert_dest },
        xt_addrtype_info_v1 = "struct xt_addrtype_info_v1" { source, dest, flags },
    }
}
