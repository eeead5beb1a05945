//! `ipt_TTL.h`: the `TTL` target (IPv4, revision 0). (The file is named for
//! the target so that it stays apart from `ipt_ttl.h`, the `ttl` match's header.)

/// `mode`: set the TTL.
pub const IPT_TTL_SET: u8 = 0;
/// `mode`: increment the TTL.
pub const IPT_TTL_INC: u8 = 1;
/// `mode`: decrement the TTL.
pub const IPT_TTL_DEC: u8 = 2;

/// `struct ipt_TTL_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipt_TTL_info {
    /// `IPT_TTL_*`.
    pub mode: u8,
    /// The value set, added or subtracted.
    pub ttl: u8,
}

crate::layouts! {
    header {
        ipt_TTL_info = "struct ipt_TTL_info" { mode, ttl },
    }
}
