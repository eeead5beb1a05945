//! `ipt_ttl.h`: the IPv4 `ttl` match (revision 0).

/// `struct ipt_ttl_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipt_ttl_info {
    /// `IPT_TTL_*`: how to compare.
    pub mode: u8,
    /// The TTL compared with.
    pub ttl: u8,
}

/// Equal.
pub const IPT_TTL_EQ: u8 = 0;
/// Not equal.
pub const IPT_TTL_NE: u8 = 1;
/// Less than.
pub const IPT_TTL_LT: u8 = 2;
/// Greater than.
pub const IPT_TTL_GT: u8 = 3;

crate::layouts! {
    header {
        ipt_ttl_info = "struct ipt_ttl_info" { mode, ttl },
    }
}
