//! The `icmp` and `icmp6` matches (revision 0). Their structs live in
//! `ip_tables.h` and `ip6_tables.h` (there is no `ipt_icmp.h` any more).

/// `struct ipt_icmp` (`-m icmp`, IPv4).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ipt_icmp {
    /// ICMP type to match; 0xFF is iptables' "any".
    pub type_: u8,
    /// Range of codes, inclusive.
    pub code: [u8; 2],
    /// `IPT_ICMP_INV`.
    pub invflags: u8,
}

/// `struct ip6t_icmp` (`-m icmp6`, IPv6).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip6t_icmp {
    /// ICMPv6 type to match.
    pub type_: u8,
    /// Range of codes, inclusive.
    pub code: [u8; 2],
    /// `IP6T_ICMP_INV`.
    pub invflags: u8,
}

/// Invert the type/code test of `ipt_icmp`.
pub const IPT_ICMP_INV: u8 = 0x01;
/// Invert the type/code test of `ip6t_icmp`.
pub const IP6T_ICMP_INV: u8 = 0x01;

crate::layouts! {
    header {
        ipt_icmp = "struct ipt_icmp" { type_ => "type", code, invflags },
        ip6t_icmp = "struct ip6t_icmp" { type_ => "type", code, invflags },
    }
}
