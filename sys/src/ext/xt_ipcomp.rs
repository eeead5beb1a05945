//! `xt_ipcomp.h`: the `ipcomp` match (revision 0).

/// `struct xt_ipcomp`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_ipcomp {
    /// Compression Parameter Index range, inclusive, host byte order.
    pub spis: [u32; 2],
    /// `XT_IPCOMP_INV_*`.
    pub invflags: u8,
    /// Non-zero: the reserved field must be zero.
    pub hdrres: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

/// Invert the SPI test.
pub const XT_IPCOMP_INV_SPI: u8 = 0x01;
/// Every defined inversion flag.
pub const XT_IPCOMP_INV_MASK: u8 = 0x01;

crate::layouts! {
    header {
        xt_ipcomp = "struct xt_ipcomp" { spis, invflags, hdrres },
    }
}
