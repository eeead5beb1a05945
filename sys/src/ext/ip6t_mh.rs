//! `ip6t_mh.h`: the `mh` (mobility header) match (revision 0, IPv6).

/// `IP6T_MH_INV_TYPE`: invert the type test.
pub const IP6T_MH_INV_TYPE: u8 = 0x01;
/// `IP6T_MH_INV_MASK`: every inversion flag.
pub const IP6T_MH_INV_MASK: u8 = 0x01;

/// `struct ip6t_mh`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_mh {
    /// Type range, inclusive.
    pub types: [u8; 2],
    /// `IP6T_MH_INV_*`.
    pub invflags: u8,
}

crate::layouts! {
    header {
        ip6t_mh = "struct ip6t_mh" { types, invflags },
    }
}
