//! `ipt_ECN.h`: the `ECN` target (IPv4, revision 0). (The file is named for
//! the target so that it stays apart from the `ecn` match's headers.)

/// `operation`: set the ECN bits of the IPv4 header to `ip_ect`.
pub const IPT_ECN_OP_SET_IP: u8 = 0x01;
/// `operation`: set the ECE bit of the TCP header.
pub const IPT_ECN_OP_SET_ECE: u8 = 0x10;
/// `operation`: set the CWR bit of the TCP header.
pub const IPT_ECN_OP_SET_CWR: u8 = 0x20;
/// Bits of `operation` the kernel refuses.
pub const IPT_ECN_OP_MASK: u8 = 0xce;
/// The ECN bits of the TOS byte (`IPT_ECN_IP_MASK`, `~XT_DSCP_MASK`).
pub const IPT_ECN_IP_MASK: u8 = 0x03;
/// `proto` bit: the ECE value (`proto.tcp.ece`, a one-bit field).
pub const IPT_ECN_TCP_ECE: u8 = 0x01;
/// `proto` bit: the CWR value (`proto.tcp.cwr`, a one-bit field).
pub const IPT_ECN_TCP_CWR: u8 = 0x02;

/// `struct ipt_ECN_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipt_ECN_info {
    /// `IPT_ECN_OP_*` bits.
    pub operation: u8,
    /// ECT codepoint for the IPv4 header, 0 to 3.
    pub ip_ect: u8,
    /// `proto.tcp`: the bit fields `ece:1, cwr:1` (`IPT_ECN_TCP_*`; GCC puts
    /// the first field in the lowest bit).
    pub proto: u8,
}

crate::layouts! {
    header {
        ipt_ECN_info = "struct ipt_ECN_info" { operation, ip_ect, proto },
    }
}
