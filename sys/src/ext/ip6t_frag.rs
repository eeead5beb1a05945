//! `ip6t_frag.h`: the `frag` match (revision 0, IPv6).

/// `IP6T_FRAG_IDS`: test the identification (set by iptables, unused by the kernel).
pub const IP6T_FRAG_IDS: u8 = 0x01;
/// `IP6T_FRAG_LEN`: test the header length.
pub const IP6T_FRAG_LEN: u8 = 0x02;
/// `IP6T_FRAG_RES`: test the reserved fields.
pub const IP6T_FRAG_RES: u8 = 0x04;
/// `IP6T_FRAG_FST`: first fragment.
pub const IP6T_FRAG_FST: u8 = 0x08;
/// `IP6T_FRAG_MF`: more fragments follow.
pub const IP6T_FRAG_MF: u8 = 0x10;
/// `IP6T_FRAG_NMF`: last fragment.
pub const IP6T_FRAG_NMF: u8 = 0x20;
/// `IP6T_FRAG_INV_IDS`: invert the identification test.
pub const IP6T_FRAG_INV_IDS: u8 = 0x01;
/// `IP6T_FRAG_INV_LEN`: invert the length test.
pub const IP6T_FRAG_INV_LEN: u8 = 0x02;
/// `IP6T_FRAG_INV_MASK`: every inversion flag.
pub const IP6T_FRAG_INV_MASK: u8 = 0x03;

/// `struct ip6t_frag`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_frag {
    /// Identification range, inclusive.
    pub ids: [u32; 2],
    /// Header length.
    pub hdrlen: u32,
    /// `IP6T_FRAG_*`.
    pub flags: u8,
    /// `IP6T_FRAG_INV_*`.
    pub invflags: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

crate::layouts! {
    header {
        ip6t_frag = "struct ip6t_frag" { ids, hdrlen, flags, invflags },
    }
}
