//! `ip6t_HL.h`: the `HL` target (IPv6, revision 0). (The file is named for
//! the target so that it stays apart from `ip6t_hl.h`, the `hl` match's header.)

/// `mode`: set the hop limit.
pub const IP6T_HL_SET: u8 = 0;
/// `mode`: increment the hop limit.
pub const IP6T_HL_INC: u8 = 1;
/// `mode`: decrement the hop limit.
pub const IP6T_HL_DEC: u8 = 2;

/// `struct ip6t_HL_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_HL_info {
    /// `IP6T_HL_*`.
    pub mode: u8,
    /// The value set, added or subtracted.
    pub hop_limit: u8,
}

crate::layouts! {
    header {
        ip6t_HL_info = "struct ip6t_HL_info" { mode, hop_limit },
    }
}
