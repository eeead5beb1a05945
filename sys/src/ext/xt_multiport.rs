//! `xt_multiport.h`: the `multiport` match, revisions 0 and 1.

/// Match source ports (`flags`).
pub const XT_MULTIPORT_SOURCE: u8 = 0;
/// Match destination ports.
pub const XT_MULTIPORT_DESTINATION: u8 = 1;
/// Match either port.
pub const XT_MULTIPORT_EITHER: u8 = 2;
/// How many port slots a struct has.
pub const XT_MULTI_PORTS: usize = 15;

/// `struct xt_multiport` (revision 0): single ports only.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_multiport {
    /// `XT_MULTIPORT_*`.
    pub flags: u8,
    /// Number of ports used.
    pub count: u8,
    /// Ports, host byte order.
    pub ports: [u16; XT_MULTI_PORTS],
}

/// `struct xt_multiport_v1` (revision 1): ports and ranges, invertible.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_multiport_v1 {
    /// `XT_MULTIPORT_*`.
    pub flags: u8,
    /// Number of port slots used (a range takes two).
    pub count: u8,
    /// Ports, host byte order.
    pub ports: [u16; XT_MULTI_PORTS],
    /// 1 where `ports[i]` starts a range that ends at `ports[i + 1]`.
    pub pflags: [u8; XT_MULTI_PORTS],
    /// 1 to invert the match.
    pub invert: u8,
}

crate::layouts! {
    header {
        xt_multiport = "struct xt_multiport" { flags, count, ports },
        xt_multiport_v1 = "struct xt_multiport_v1" { flags, count, ports, pflags, invert },
    }
}
