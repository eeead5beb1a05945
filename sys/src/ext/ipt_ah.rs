//! `ipt_ah.h`: the IPv4 `ah` match (revision 0).

/// `struct ipt_ah`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipt_ah {
    /// Security Parameter Index range, inclusive, host byte order.
    pub spis: [u32; 2],
    /// `IPT_AH_INV_*`.
    pub invflags: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 3],
}

/// Invert the SPI test.
pub const IPT_AH_INV_SPI: u8 = 0x01;
/// Every defined inversion flag.
pub const IPT_AH_INV_MASK: u8 = 0x01;

crate::layouts! {
    header {
        ipt_ah = "struct ipt_ah" { spis, invflags },
    }
}
