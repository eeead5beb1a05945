//! `xt_CHECKSUM.h`: the `CHECKSUM` target (revision 0).

/// Fill in the checksum of the packet.
pub const XT_CHECKSUM_OP_FILL: u8 = 0x01;

/// `struct xt_CHECKSUM_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_CHECKSUM_info {
    /// `XT_CHECKSUM_OP_*` bits.
    pub operation: u8,
}

crate::layouts! {
    header {
        xt_CHECKSUM_info = "struct xt_CHECKSUM_info" { operation },
    }
}
