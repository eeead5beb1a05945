//! `xt_ecn.h` (and `ipt_ecn.h`, which only renames it): the `ecn` match (revision 0).

/// `struct xt_ecn_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_ecn_info {
    /// Which tests are present (`XT_ECN_OP_MATCH_*`).
    pub operation: u8,
    /// Which tests are inverted (`XT_ECN_OP_MATCH_*`).
    pub invert: u8,
    /// ECT codepoint of the IP header (0 to 3).
    pub ip_ect: u8,
    /// `proto.tcp.ect`: unused by the kernel and by iptables.
    pub proto: u8,
}

/// Test the IP header's ECT codepoint.
pub const XT_ECN_OP_MATCH_IP: u8 = 0x01;
/// Test the TCP ECE flag.
pub const XT_ECN_OP_MATCH_ECE: u8 = 0x10;
/// Test the TCP CWR flag.
pub const XT_ECN_OP_MATCH_CWR: u8 = 0x20;
/// Every defined operation.
pub const XT_ECN_OP_MATCH_MASK: u8 = 0xce;
/// The ECN bits of the TOS byte.
pub const XT_ECN_IP_MASK: u8 = !super::xt_dscp::XT_DSCP_MASK;

crate::layouts! {
    header {
        xt_ecn_info = "struct xt_ecn_info" { operation, invert, ip_ect, proto => "proto.tcp.ect" },
    }
    also {
        xt_ecn_info = "struct ipt_ecn_info" { operation, invert, ip_ect },
    }
}
