//! `xt_conntrack.h`: the `conntrack` match, revisions 1, 2 and 3 (revision 0
//! left the kernel long ago). Addresses are `union nf_inet_addr`: 16 bytes,
//! network byte order, an IPv4 address in the first 4; the union makes the
//! structs 4-aligned.

/// `state_mask`: the packet is INVALID.
pub const XT_CONNTRACK_STATE_INVALID: u16 = 1 << 0;
/// `state_mask`: ESTABLISHED (`XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED)`).
pub const XT_CONNTRACK_STATE_ESTABLISHED: u16 = 1 << 1;
/// `state_mask`: RELATED (`XT_CONNTRACK_STATE_BIT(IP_CT_RELATED)`).
pub const XT_CONNTRACK_STATE_RELATED: u16 = 1 << 2;
/// `state_mask`: NEW (`XT_CONNTRACK_STATE_BIT(IP_CT_NEW)`).
pub const XT_CONNTRACK_STATE_NEW: u16 = 1 << 3;
/// `state_mask`: SNAT (`XT_CONNTRACK_STATE_SNAT`).
pub const XT_CONNTRACK_STATE_SNAT: u16 = 1 << 6;
/// `state_mask`: DNAT (`XT_CONNTRACK_STATE_DNAT`).
pub const XT_CONNTRACK_STATE_DNAT: u16 = 1 << 7;
/// `state_mask`: UNTRACKED (`XT_CONNTRACK_STATE_UNTRACKED`; does not fit revision 1's u8).
pub const XT_CONNTRACK_STATE_UNTRACKED: u16 = 1 << 8;

/// `match_flags`/`invert_flags`: test the state.
pub const XT_CONNTRACK_STATE: u16 = 1 << 0;
/// Test the layer-4 protocol.
pub const XT_CONNTRACK_PROTO: u16 = 1 << 1;
/// Test the original source address.
pub const XT_CONNTRACK_ORIGSRC: u16 = 1 << 2;
/// Test the original destination address.
pub const XT_CONNTRACK_ORIGDST: u16 = 1 << 3;
/// Test the reply source address.
pub const XT_CONNTRACK_REPLSRC: u16 = 1 << 4;
/// Test the reply destination address.
pub const XT_CONNTRACK_REPLDST: u16 = 1 << 5;
/// Test the status bits.
pub const XT_CONNTRACK_STATUS: u16 = 1 << 6;
/// Test the remaining lifetime.
pub const XT_CONNTRACK_EXPIRES: u16 = 1 << 7;
/// Test the original source port.
pub const XT_CONNTRACK_ORIGSRC_PORT: u16 = 1 << 8;
/// Test the original destination port.
pub const XT_CONNTRACK_ORIGDST_PORT: u16 = 1 << 9;
/// Test the reply source port.
pub const XT_CONNTRACK_REPLSRC_PORT: u16 = 1 << 10;
/// Test the reply destination port.
pub const XT_CONNTRACK_REPLDST_PORT: u16 = 1 << 11;
/// Test the direction (inverted: REPLY).
pub const XT_CONNTRACK_DIRECTION: u16 = 1 << 12;
/// Written as `-m state` (user space only: print it as `state`).
pub const XT_CONNTRACK_STATE_ALIAS: u16 = 1 << 13;

/// `IPS_EXPECTED`: status bit.
pub const IPS_EXPECTED: u16 = 1 << 0;
/// `IPS_SEEN_REPLY`: status bit.
pub const IPS_SEEN_REPLY: u16 = 1 << 1;
/// `IPS_ASSURED`: status bit.
pub const IPS_ASSURED: u16 = 1 << 2;
/// `IPS_CONFIRMED`: status bit.
pub const IPS_CONFIRMED: u16 = 1 << 3;

/// `struct xt_conntrack_mtinfo1`: ports in network byte order, one each;
/// 8-bit state and status masks.
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_conntrack_mtinfo1 {
    /// Original source address.
    pub origsrc_addr: [u8; 16],
    /// Its mask.
    pub origsrc_mask: [u8; 16],
    /// Original destination address.
    pub origdst_addr: [u8; 16],
    /// Its mask.
    pub origdst_mask: [u8; 16],
    /// Reply source address.
    pub replsrc_addr: [u8; 16],
    /// Its mask.
    pub replsrc_mask: [u8; 16],
    /// Reply destination address.
    pub repldst_addr: [u8; 16],
    /// Its mask.
    pub repldst_mask: [u8; 16],
    /// Remaining lifetime range, seconds.
    pub expires_min: u32,
    /// Upper bound of the lifetime.
    pub expires_max: u32,
    /// Layer-4 protocol number.
    pub l4proto: u16,
    /// Original source port (network byte order).
    pub origsrc_port: u16,
    /// Original destination port (network byte order).
    pub origdst_port: u16,
    /// Reply source port (network byte order).
    pub replsrc_port: u16,
    /// Reply destination port (network byte order).
    pub repldst_port: u16,
    /// `XT_CONNTRACK_*`: which tests are made.
    pub match_flags: u16,
    /// `XT_CONNTRACK_*`: which tests are inverted.
    pub invert_flags: u16,
    /// `XT_CONNTRACK_STATE_*` (low 8 bits).
    pub state_mask: u8,
    /// `IPS_*` (low 8 bits).
    pub status_mask: u8,
}

/// `struct xt_conntrack_mtinfo2`: as revision 1 with 16-bit state and status masks.
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_conntrack_mtinfo2 {
    /// Original source address.
    pub origsrc_addr: [u8; 16],
    /// Its mask.
    pub origsrc_mask: [u8; 16],
    /// Original destination address.
    pub origdst_addr: [u8; 16],
    /// Its mask.
    pub origdst_mask: [u8; 16],
    /// Reply source address.
    pub replsrc_addr: [u8; 16],
    /// Its mask.
    pub replsrc_mask: [u8; 16],
    /// Reply destination address.
    pub repldst_addr: [u8; 16],
    /// Its mask.
    pub repldst_mask: [u8; 16],
    /// Remaining lifetime range, seconds.
    pub expires_min: u32,
    /// Upper bound of the lifetime.
    pub expires_max: u32,
    /// Layer-4 protocol number.
    pub l4proto: u16,
    /// Original source port (network byte order).
    pub origsrc_port: u16,
    /// Original destination port (network byte order).
    pub origdst_port: u16,
    /// Reply source port (network byte order).
    pub replsrc_port: u16,
    /// Reply destination port (network byte order).
    pub repldst_port: u16,
    /// `XT_CONNTRACK_*`: which tests are made.
    pub match_flags: u16,
    /// `XT_CONNTRACK_*`: which tests are inverted.
    pub invert_flags: u16,
    /// `XT_CONNTRACK_STATE_*`.
    pub state_mask: u16,
    /// `IPS_*`.
    pub status_mask: u16,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

/// `struct xt_conntrack_mtinfo3`: port ranges, in host byte order.
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_conntrack_mtinfo3 {
    /// Original source address.
    pub origsrc_addr: [u8; 16],
    /// Its mask.
    pub origsrc_mask: [u8; 16],
    /// Original destination address.
    pub origdst_addr: [u8; 16],
    /// Its mask.
    pub origdst_mask: [u8; 16],
    /// Reply source address.
    pub replsrc_addr: [u8; 16],
    /// Its mask.
    pub replsrc_mask: [u8; 16],
    /// Reply destination address.
    pub repldst_addr: [u8; 16],
    /// Its mask.
    pub repldst_mask: [u8; 16],
    /// Remaining lifetime range, seconds.
    pub expires_min: u32,
    /// Upper bound of the lifetime.
    pub expires_max: u32,
    /// Layer-4 protocol number.
    pub l4proto: u16,
    /// Original source port range, low end.
    pub origsrc_port: u16,
    /// Original destination port range, low end.
    pub origdst_port: u16,
    /// Reply source port range, low end.
    pub replsrc_port: u16,
    /// Reply destination port range, low end.
    pub repldst_port: u16,
    /// `XT_CONNTRACK_*`: which tests are made.
    pub match_flags: u16,
    /// `XT_CONNTRACK_*`: which tests are inverted.
    pub invert_flags: u16,
    /// `XT_CONNTRACK_STATE_*`.
    pub state_mask: u16,
    /// `IPS_*`.
    pub status_mask: u16,
    /// Original source port range, high end.
    pub origsrc_port_high: u16,
    /// Original destination port range, high end.
    pub origdst_port_high: u16,
    /// Reply source port range, high end.
    pub replsrc_port_high: u16,
    /// Reply destination port range, high end.
    pub repldst_port_high: u16,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

crate::layouts! {
    header {
        xt_conntrack_mtinfo1 = "struct xt_conntrack_mtinfo1" { origsrc_addr, origsrc_mask, origdst_addr, origdst_mask, replsrc_addr, replsrc_mask, repldst_addr, repldst_mask, expires_min, expires_max, l4proto, origsrc_port, origdst_port, replsrc_port, repldst_port, match_flags, invert_flags, state_mask, status_mask },
        xt_conntrack_mtinfo2 = "struct xt_conntrack_mtinfo2" { origsrc_addr, origsrc_mask, origdst_addr, origdst_mask, replsrc_addr, replsrc_mask, repldst_addr, repldst_mask, expires_min, expires_max, l4proto, origsrc_port, origdst_port, replsrc_port, repldst_port, match_flags, invert_flags, state_mask, status_mask },
        xt_conntrack_mtinfo3 = "struct xt_conntrack_mtinfo3" { origsrc_addr, origsrc_mask, origdst_addr, origdst_mask, replsrc_addr, replsrc_mask, repldst_addr, repldst_mask, expires_min, expires_max, l4proto, origsrc_port, origdst_port, replsrc_port, repldst_port, match_flags, invert_flags, state_mask, status_mask, origsrc_port_high, origdst_port_high, replsrc_port_high, repldst_port_high },
    }
}
