//! `xt_esp.h`: the `esp` match (revision 0).

/// `struct xt_esp`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_esp {
    /// Security Parameter Index range, inclusive, host byte order.
    pub spis: [u32; 2],
    /// `XT_ESP_INV_*`.
    pub invflags: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 3],
}

/// Invert the SPI test.
pub const XT_ESP_INV_SPI: u8 = 0x01;
/// Every defined inversion flag.
pub const XT_ESP_INV_MASK: u8 = 0x01;

crate::layouts! {
    header {
        xt_esp = "struct xt_esp" { spis, invflags },
    }
}
