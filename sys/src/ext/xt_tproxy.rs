//! `xt_TPROXY.h`: the `TPROXY` target, revision 0 (IPv4) and 1 (both families).

/// `struct xt_tproxy_target_info` (revision 0, IPv4).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tproxy_target_info {
    /// Bits of the packet mark cleared.
    pub mark_mask: u32,
    /// Bits of the packet mark XORed in.
    pub mark_value: u32,
    /// Local address to redirect to, network byte order; 0 for the
    /// address of the incoming interface.
    pub laddr: [u8; 4],
    /// Local port, network byte order.
    pub lport: [u8; 2],
    /// Trailing padding of the C struct.
    pub __pad0: [u8; 2],
}

/// `struct xt_tproxy_target_info_v1` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_tproxy_target_info_v1 {
    /// Bits of the packet mark cleared.
    pub mark_mask: u32,
    /// Bits of the packet mark XORed in.
    pub mark_value: u32,
    /// `union nf_inet_addr`: local address (IPv4 in the first 4 bytes);
    /// all zero for the address of the incoming interface.
    pub laddr: [u8; 16],
    /// Local port, network byte order.
    pub lport: [u8; 2],
    /// Trailing padding of the C struct.
    pub __pad0: [u8; 2],
}

crate::layouts! {
    header {
        xt_tproxy_target_info = "struct xt_tproxy_target_info" { mark_mask, mark_value, laddr, lport },
        xt_tproxy_target_info_v1 = "struct xt_tproxy_target_info_v1" { mark_mask, mark_value, laddr, lport },
    }
}
