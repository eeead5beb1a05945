//! `xt_ipvs.h`: the `ipvs` match (revision 0, IPv4 and IPv6).

/// `XT_IPVS_IPVS_PROPERTY`: the packet belongs to an IPVS connection (every
/// other option implies it).
pub const XT_IPVS_IPVS_PROPERTY: u8 = 1 << 0;
/// `XT_IPVS_PROTO`: `--vproto`.
pub const XT_IPVS_PROTO: u8 = 1 << 1;
/// `XT_IPVS_VADDR`: `--vaddr`.
pub const XT_IPVS_VADDR: u8 = 1 << 2;
/// `XT_IPVS_VPORT`: `--vport`.
pub const XT_IPVS_VPORT: u8 = 1 << 3;
/// `XT_IPVS_DIR`: `--vdir` (inverted means REPLY).
pub const XT_IPVS_DIR: u8 = 1 << 4;
/// `XT_IPVS_METHOD`: `--vmethod`.
pub const XT_IPVS_METHOD: u8 = 1 << 5;
/// `XT_IPVS_VPORTCTL`: `--vportctl`.
pub const XT_IPVS_VPORTCTL: u8 = 1 << 6;
/// `XT_IPVS_MASK`: every bit.
pub const XT_IPVS_MASK: u8 = (1 << 7) - 1;
/// `XT_IPVS_ONCE_MASK`: every bit but the property.
pub const XT_IPVS_ONCE_MASK: u8 = XT_IPVS_MASK & !XT_IPVS_IPVS_PROPERTY;

/// `IP_VS_CONN_F_MASQ` (`linux/ip_vs.h`): forwarding by masquerading.
pub const IP_VS_CONN_F_MASQ: u8 = 0x0;
/// `IP_VS_CONN_F_TUNNEL`: forwarding by IP-in-IP tunnelling.
pub const IP_VS_CONN_F_TUNNEL: u8 = 0x2;
/// `IP_VS_CONN_F_DROUTE`: direct routing (gatewaying).
pub const IP_VS_CONN_F_DROUTE: u8 = 0x3;

pub use super::xt_iprange::nf_inet_addr;

/// `struct xt_ipvs_mtinfo`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_ipvs_mtinfo {
    /// Virtual address.
    pub vaddr: nf_inet_addr,
    /// Its mask.
    pub vmask: nf_inet_addr,
    /// Virtual port, network byte order.
    pub vport: u16,
    /// Virtual protocol.
    pub l4proto: u8,
    /// `IP_VS_CONN_F_*` forwarding method.
    pub fwd_method: u8,
    /// Virtual port of the controlling connection, network byte order.
    pub vportctl: u16,
    /// `XT_IPVS_*` bits whose test is inverted.
    pub invert: u8,
    /// `XT_IPVS_*` bits that are tested.
    pub bitmask: u8,
}

crate::layouts! {
    header {
        xt_ipvs_mtinfo = "struct xt_ipvs_mtinfo" { vaddr, vmask, vport, l4proto, fwd_method, vportctl, invert, bitmask },
    }
}
