//! `xt_SYNPROXY.h` (`nf_synproxy.h`): the `SYNPROXY` target (revision 0, both families).

/// `options`: `mss` is set.
pub const XT_SYNPROXY_OPT_MSS: u8 = 0x01;
/// `options`: `wscale` is set.
pub const XT_SYNPROXY_OPT_WSCALE: u8 = 0x02;
/// `options`: pass on selective acknowledgement.
pub const XT_SYNPROXY_OPT_SACK_PERM: u8 = 0x04;
/// `options`: pass on timestamps.
pub const XT_SYNPROXY_OPT_TIMESTAMP: u8 = 0x08;
/// `options`: pass on explicit congestion notification.
pub const XT_SYNPROXY_OPT_ECN: u8 = 0x10;

/// `struct xt_synproxy_info` (`struct nf_synproxy_info`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_synproxy_info {
    /// `XT_SYNPROXY_OPT_*`.
    pub options: u8,
    /// Window scale the server uses.
    pub wscale: u8,
    /// Maximum segment size the server uses.
    pub mss: u16,
}

crate::layouts! {
    header {
        xt_synproxy_info = "struct xt_synproxy_info" { options, wscale, mss },
    }
}
