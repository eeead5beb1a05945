//! `ip6t_rt.h`: the `rt` (routing header) match (revision 0, IPv6).

/// `IP6T_RT_HOPS`: type 0 addresses a rule can list.
pub const IP6T_RT_HOPS: usize = 16;
/// `IP6T_RT_TYP`: test the type.
pub const IP6T_RT_TYP: u8 = 0x01;
/// `IP6T_RT_SGS`: test segments left.
pub const IP6T_RT_SGS: u8 = 0x02;
/// `IP6T_RT_LEN`: test the header length.
pub const IP6T_RT_LEN: u8 = 0x04;
/// `IP6T_RT_RES`: test the reserved field (type 0).
pub const IP6T_RT_RES: u8 = 0x08;
/// `IP6T_RT_FST_MASK`: the address-list bits.
pub const IP6T_RT_FST_MASK: u8 = 0x30;
/// `IP6T_RT_FST`: test the type 0 address list.
pub const IP6T_RT_FST: u8 = 0x10;
/// `IP6T_RT_FST_NSTRICT`: the address list is not strict.
pub const IP6T_RT_FST_NSTRICT: u8 = 0x20;
/// `IP6T_RT_INV_TYP`: invert the type test.
pub const IP6T_RT_INV_TYP: u8 = 0x01;
/// `IP6T_RT_INV_SGS`: invert the segments-left test.
pub const IP6T_RT_INV_SGS: u8 = 0x02;
/// `IP6T_RT_INV_LEN`: invert the length test.
pub const IP6T_RT_INV_LEN: u8 = 0x04;
/// `IP6T_RT_INV_MASK`: every inversion flag.
pub const IP6T_RT_INV_MASK: u8 = 0x07;

/// `struct ip6t_rt`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_rt {
    /// Routing type.
    pub rt_type: u32,
    /// Segments-left range, inclusive.
    pub segsleft: [u32; 2],
    /// Header length.
    pub hdrlen: u32,
    /// `IP6T_RT_*`.
    pub flags: u8,
    /// `IP6T_RT_INV_*`.
    pub invflags: u8,
    /// Hole before `addrs` (`struct in6_addr` is 4-byte aligned).
    pub __pad0: [u8; 2],
    /// Type 0 addresses (`struct in6_addr`), network byte order.
    pub addrs: [[u8; 16]; IP6T_RT_HOPS],
    /// Number of addresses in `addrs`.
    pub addrnr: u8,
    /// Trailing padding of the C struct.
    pub __pad1: [u8; 3],
}

crate::layouts! {
    header {
        ip6t_rt = "struct ip6t_rt" { rt_type, segsleft, hdrlen, flags, invflags, addrs, addrnr },
    }
}
