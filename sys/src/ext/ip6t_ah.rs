//! `ip6t_ah.h`: the IPv6 `ah` match (revision 0).

/// `struct ip6t_ah`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_ah {
    /// Security Parameter Index range, inclusive, host byte order.
    pub spis: [u32; 2],
    /// Header length to match.
    pub hdrlen: u32,
    /// Non-zero: the reserved field must be zero.
    pub hdrres: u8,
    /// `IP6T_AH_INV_*`.
    pub invflags: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

/// Invert the SPI test.
pub const IP6T_AH_INV_SPI: u8 = 0x01;
/// Invert the length test.
pub const IP6T_AH_INV_LEN: u8 = 0x02;
/// Every defined inversion flag.
pub const IP6T_AH_INV_MASK: u8 = 0x03;

crate::layouts! {
    header {
        ip6t_ah = "struct ip6t_ah" { spis, hdrlen, hdrres, invflags },
    }
}
