//! `ip6t_ipv6header.h`: the `ipv6header` match (revision 0, IPv6).

/// `MASK_HOPOPTS`: hop-by-hop options header.
pub const MASK_HOPOPTS: u8 = 128;
/// `MASK_DSTOPTS`: destination options header.
pub const MASK_DSTOPTS: u8 = 64;
/// `MASK_ROUTING`: routing header.
pub const MASK_ROUTING: u8 = 32;
/// `MASK_FRAGMENT`: fragment header.
pub const MASK_FRAGMENT: u8 = 16;
/// `MASK_AH`: authentication header.
pub const MASK_AH: u8 = 8;
/// `MASK_ESP`: encapsulating security payload.
pub const MASK_ESP: u8 = 4;
/// `MASK_NONE`: no next header.
pub const MASK_NONE: u8 = 2;
/// `MASK_PROTO`: any upper-layer protocol.
pub const MASK_PROTO: u8 = 1;

/// `struct ip6t_ipv6header_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_ipv6header_info {
    /// `MASK_*` headers to look for.
    pub matchflags: u8,
    /// Nonzero (iptables writes 0xFF) to invert.
    pub invflags: u8,
    /// Nonzero (iptables writes 0xFF) for `--soft`: contains, not exactly.
    pub modeflag: u8,
}

crate::layouts! {
    header {
        ip6t_ipv6header_info = "struct ip6t_ipv6header_info" { matchflags, invflags, modeflag },
    }
}
