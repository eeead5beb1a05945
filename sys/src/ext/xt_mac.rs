//! `xt_mac.h`: the `mac` match (revision 0).

/// `ETH_ALEN`: bytes in an Ethernet address.
pub const ETH_ALEN: usize = 6;

/// `struct xt_mac_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_mac_info {
    /// Source MAC address to match.
    pub srcaddr: [u8; ETH_ALEN],
    /// Padding before `invert`.
    pub __pad0: [u8; 2],
    /// Nonzero to invert the test (C `int`).
    pub invert: i32,
}

crate::layouts! {
    header {
        xt_mac_info = "struct xt_mac_info" { srcaddr, invert },
    }
}
