//! `ipt_REJECT.h`: the IPv4 `REJECT` target (revision 0).

/// `struct ipt_reject_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipt_reject_info {
    /// `enum ipt_reject_with`: what to send back (`IPT_ICMP_*`, `IPT_TCP_RESET`).
    pub with: u32,
}

/// ICMP network unreachable.
pub const IPT_ICMP_NET_UNREACHABLE: u32 = 0;
/// ICMP host unreachable.
pub const IPT_ICMP_HOST_UNREACHABLE: u32 = 1;
/// ICMP protocol unreachable.
pub const IPT_ICMP_PROT_UNREACHABLE: u32 = 2;
/// ICMP port unreachable (the default).
pub const IPT_ICMP_PORT_UNREACHABLE: u32 = 3;
/// Faked echo reply: no longer supported, the kernel refuses it.
pub const IPT_ICMP_ECHOREPLY: u32 = 4;
/// ICMP network prohibited.
pub const IPT_ICMP_NET_PROHIBITED: u32 = 5;
/// ICMP host prohibited.
pub const IPT_ICMP_HOST_PROHIBITED: u32 = 6;
/// TCP RST (only for `-p tcp` rules).
pub const IPT_TCP_RESET: u32 = 7;
/// ICMP administratively prohibited.
pub const IPT_ICMP_ADMIN_PROHIBITED: u32 = 8;

crate::layouts! {
    header {
        ipt_reject_info = "struct ipt_reject_info" { with },
    }
}
