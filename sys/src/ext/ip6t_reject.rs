//! `ip6t_REJECT.h`: the IPv6 `REJECT` target (revision 0).

/// `struct ip6t_reject_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_reject_info {
    /// `enum ip6t_reject_with`: what to send back (`IP6T_ICMP6_*`, `IP6T_TCP_RESET`).
    pub with: u32,
}

/// ICMPv6 no route to destination.
pub const IP6T_ICMP6_NO_ROUTE: u32 = 0;
/// ICMPv6 administratively prohibited.
pub const IP6T_ICMP6_ADM_PROHIBITED: u32 = 1;
/// ICMPv6 not a neighbour (iptables offers no name for it).
pub const IP6T_ICMP6_NOT_NEIGHBOUR: u32 = 2;
/// ICMPv6 address unreachable.
pub const IP6T_ICMP6_ADDR_UNREACH: u32 = 3;
/// ICMPv6 port unreachable (the default).
pub const IP6T_ICMP6_PORT_UNREACH: u32 = 4;
/// Faked echo reply: not supported.
pub const IP6T_ICMP6_ECHOREPLY: u32 = 5;
/// TCP RST (only for `-p tcp` rules).
pub const IP6T_TCP_RESET: u32 = 6;
/// ICMPv6 source address failed ingress/egress policy.
pub const IP6T_ICMP6_POLICY_FAIL: u32 = 7;
/// ICMPv6 reject route to destination.
pub const IP6T_ICMP6_REJECT_ROUTE: u32 = 8;

crate::layouts! {
    header {
        ip6t_reject_info = "struct ip6t_reject_info" { with },
    }
}
