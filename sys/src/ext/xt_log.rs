//! `xt_LOG.h`: the `LOG` target (revision 0, both families; `ipt_LOG.h` and
//! `ip6t_LOG.h` are the same struct under older names).

/// `struct xt_log_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_log_info {
    /// Syslog level, 0 (emerg) to 7 (debug).
    pub level: u8,
    /// `XT_LOG_*`.
    pub logflags: u8,
    /// Prefix of every message, NUL-terminated.
    pub prefix: [u8; 30],
}

/// Log TCP sequence numbers.
pub const XT_LOG_TCPSEQ: u8 = 0x01;
/// Log TCP options.
pub const XT_LOG_TCPOPT: u8 = 0x02;
/// Log IP options.
pub const XT_LOG_IPOPT: u8 = 0x04;
/// Log the UID owning the local socket.
pub const XT_LOG_UID: u8 = 0x08;
/// Unsupported, never to be reused.
pub const XT_LOG_NFLOG: u8 = 0x10;
/// Decode the MAC header.
pub const XT_LOG_MACDECODE: u8 = 0x20;
/// Every flag the kernel knows.
pub const XT_LOG_MASK: u8 = 0x2f;

crate::layouts! {
    header {
        xt_log_info = "struct xt_log_info" { level, logflags, prefix },
    }
}
