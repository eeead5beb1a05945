//! `nf_nat.h`: the NAT targets' ranges (`SNAT`, `DNAT`, `MASQUERADE`,
//! `REDIRECT`). IPv4 revision 0 uses the old multi-range struct; revision 1
//! (and IPv6 `MASQUERADE`/`REDIRECT` revision 0) [`nf_nat_range`];
//! revision 2 [`nf_nat_range2`], which adds a base port for shifted port maps.
//! Addresses and ports are in network byte order.

/// `struct nf_nat_ipv4_range`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct nf_nat_ipv4_range {
    /// `NF_NAT_RANGE_*`.
    pub flags: u32,
    /// First address.
    pub min_ip: [u8; 4],
    /// Last address.
    pub max_ip: [u8; 4],
    /// First port (`union nf_conntrack_man_proto`).
    pub min: [u8; 2],
    /// Last port.
    pub max: [u8; 2],
}

/// `struct nf_nat_ipv4_multi_range_compat`: IPv4 revision 0. The kernel
/// wants exactly one range.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct nf_nat_ipv4_multi_range_compat {
    /// Number of ranges: 1.
    pub rangesize: u32,
    /// The range.
    pub range: [nf_nat_ipv4_range; 1],
}

/// `struct nf_nat_range`: revision 1 (IPv6 revision 0 of `MASQUERADE` and
/// `REDIRECT`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct nf_nat_range {
    /// `NF_NAT_RANGE_*`.
    pub flags: u32,
    /// First address (`union nf_inet_addr`; IPv4 in the first 4 bytes).
    pub min_addr: [u8; 16],
    /// Last address.
    pub max_addr: [u8; 16],
    /// First port (`union nf_conntrack_man_proto`).
    pub min_proto: [u8; 2],
    /// Last port.
    pub max_proto: [u8; 2],
}

/// `struct nf_nat_range2`: revision 2.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct nf_nat_range2 {
    /// `NF_NAT_RANGE_*`.
    pub flags: u32,
    /// First address (`union nf_inet_addr`; IPv4 in the first 4 bytes).
    pub min_addr: [u8; 16],
    /// Last address.
    pub max_addr: [u8; 16],
    /// First port (`union nf_conntrack_man_proto`).
    pub min_proto: [u8; 2],
    /// Last port.
    pub max_proto: [u8; 2],
    /// Base port of a shifted port map (`NF_NAT_RANGE_PROTO_OFFSET`).
    pub base_proto: [u8; 2],
    /// Trailing padding of the C struct.
    pub __pad: [u8; 2],
}

/// Map addresses (`min_addr`..`max_addr`).
pub const NF_NAT_RANGE_MAP_IPS: u32 = 1 << 0;
/// Map ports (`min_proto`..`max_proto`).
pub const NF_NAT_RANGE_PROTO_SPECIFIED: u32 = 1 << 1;
/// `--random`.
pub const NF_NAT_RANGE_PROTO_RANDOM: u32 = 1 << 2;
/// `--persistent`.
pub const NF_NAT_RANGE_PERSISTENT: u32 = 1 << 3;
/// `--random-fully`.
pub const NF_NAT_RANGE_PROTO_RANDOM_FULLY: u32 = 1 << 4;
/// Shifted port map from `base_proto`.
pub const NF_NAT_RANGE_PROTO_OFFSET: u32 = 1 << 5;
/// Map networks (the `NETMAP` target).
pub const NF_NAT_RANGE_NETMAP: u32 = 1 << 6;

crate::layouts! {
    header {
        nf_nat_ipv4_range = "struct nf_nat_ipv4_range" { flags, min_ip, max_ip, min, max },
        nf_nat_ipv4_multi_range_compat = "struct nf_nat_ipv4_multi_range_compat" { rangesize, range },
        nf_nat_range = "struct nf_nat_range" { flags, min_addr, max_addr, min_proto, max_proto },
        nf_nat_range2 = "struct nf_nat_range2" { flags, min_addr, max_addr, min_proto, max_proto, base_proto },
    }
}
