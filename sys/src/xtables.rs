//! `x_tables.h`, `ip_tables.h` and `ip6_tables.h`: the legacy table interface.
//!
//! Tables are read with `getsockopt(IPT_SO_GET_INFO)` then
//! `getsockopt(IPT_SO_GET_ENTRIES)`, and replaced whole with
//! `setsockopt(IPT_SO_SET_REPLACE)` followed by `IPT_SO_SET_ADD_COUNTERS`, on a
//! raw socket at level `IPPROTO_IP` (`IPPROTO_IPV6` and the `IP6T_SO_*`
//! numbers for IPv6: equal to the IPv4 ones except the two GET_REVISION
//! queries).

/// `IFNAMSIZ`: interface names including the terminating NUL.
pub const IFNAMSIZ: usize = 16;
/// `XT_EXTENSION_MAXNAMELEN`: match and target names including the NUL.
pub const XT_EXTENSION_MAXNAMELEN: usize = 29;
/// `XT_FUNCTION_MAXNAMELEN`: user chain names (error target) including the NUL.
pub const XT_FUNCTION_MAXNAMELEN: usize = 30;
/// `XT_TABLE_MAXNAMELEN`: table names including the NUL.
pub const XT_TABLE_MAXNAMELEN: usize = 32;
/// `NF_INET_NUMHOOKS`: PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING.
pub const NF_INET_NUMHOOKS: usize = 5;

/// `IPT_SO_SET_REPLACE` (also `IP6T_SO_SET_REPLACE`).
pub const IPT_SO_SET_REPLACE: libc::c_int = 64;
/// `IPT_SO_SET_ADD_COUNTERS`.
pub const IPT_SO_SET_ADD_COUNTERS: libc::c_int = 65;
/// `IPT_SO_GET_INFO`.
pub const IPT_SO_GET_INFO: libc::c_int = 64;
/// `IPT_SO_GET_ENTRIES`.
pub const IPT_SO_GET_ENTRIES: libc::c_int = 65;
/// `IPT_SO_GET_REVISION_MATCH`.
pub const IPT_SO_GET_REVISION_MATCH: libc::c_int = 66;
/// `IPT_SO_GET_REVISION_TARGET`.
pub const IPT_SO_GET_REVISION_TARGET: libc::c_int = 67;
/// `IP6T_SO_GET_REVISION_MATCH`: unlike the other options, the IPv6 number
/// differs from the IPv4 one (64 + 4; 66 at level IPPROTO_IPV6 is
/// `IPV6_RECVTCLASS`, which answers without error).
pub const IP6T_SO_GET_REVISION_MATCH: libc::c_int = 68;
/// `IP6T_SO_GET_REVISION_TARGET` (64 + 5).
pub const IP6T_SO_GET_REVISION_TARGET: libc::c_int = 69;

/// `XT_CONTINUE` as a standard-target verdict: fall through to the next rule.
pub const XT_CONTINUE: i32 = -1i32 as u32 as i32; // 0xFFFFFFFF, never produced by iptables itself
/// Standard verdict `ACCEPT` (`-NF_ACCEPT - 1`).
pub const NF_ACCEPT_VERDICT: i32 = -2;
/// Standard verdict `DROP` (`-NF_DROP - 1`).
pub const NF_DROP_VERDICT: i32 = -1;
/// Standard verdict `QUEUE` (`-NF_QUEUE - 1`).
pub const NF_QUEUE_VERDICT: i32 = -4;
/// Standard verdict `RETURN` (`XT_RETURN`, `-NF_REPEAT - 1`).
pub const XT_RETURN: i32 = -5;

/// `ipt_ip.flags`: the rule matches non-first fragments only (`-f`).
pub const IPT_F_FRAG: u8 = 0x01;
/// `ipt_ip.flags`: the target is a goto (`-g`), not a jump.
pub const IPT_F_GOTO: u8 = 0x02;
/// `ip6t_ip6.flags`: the protocol field is to be checked.
pub const IP6T_F_PROTO: u8 = 0x01;
/// `ip6t_ip6.flags`: the TOS field is to be checked (never set by ip6tables).
pub const IP6T_F_TOS: u8 = 0x02;
/// `ip6t_ip6.flags`: the target is a goto.
pub const IP6T_F_GOTO: u8 = 0x04;

/// Inversion flag: input interface.
pub const IPT_INV_VIA_IN: u8 = 0x01;
/// Inversion flag: output interface.
pub const IPT_INV_VIA_OUT: u8 = 0x02;
/// Inversion flag: TOS.
pub const IPT_INV_TOS: u8 = 0x04;
/// Inversion flag: source address.
pub const IPT_INV_SRCIP: u8 = 0x08;
/// Inversion flag: destination address.
pub const IPT_INV_DSTIP: u8 = 0x10;
/// Inversion flag: fragment.
pub const IPT_INV_FRAG: u8 = 0x20;
/// Inversion flag: protocol (`XT_INV_PROTO`).
pub const XT_INV_PROTO: u8 = 0x40;

/// `struct xt_counters`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_counters {
    /// Packets.
    pub pcnt: u64,
    /// Bytes.
    pub bcnt: u64,
}

/// `struct xt_entry_match`, user view of the union: the header before a match's data.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct xt_entry_match {
    /// Header plus data, padded to 8.
    pub match_size: u16,
    /// NUL-terminated extension name.
    pub name: [u8; XT_EXTENSION_MAXNAMELEN],
    /// Revision of the extension's data layout.
    pub revision: u8,
}

/// `struct xt_entry_target`, user view: the header before a target's data.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct xt_entry_target {
    /// Header plus data, padded to 8.
    pub target_size: u16,
    /// NUL-terminated extension name; empty for the standard target.
    pub name: [u8; XT_EXTENSION_MAXNAMELEN],
    /// Revision of the extension's data layout.
    pub revision: u8,
}

/// `struct xt_standard_target`: verdict or jump offset.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct xt_standard_target {
    /// Header, empty name.
    pub target: xt_entry_target,
    /// Negative: `-verdict - 1`; non-negative: byte offset of the jump target.
    pub verdict: i32,
    /// Padding to XT_ALIGN (C: the struct is 36 bytes, the entry holds 40).
    pub __pad: [u8; 4],
}

/// `struct xt_error_target`: starts a user chain (or ends the table) with its name.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct xt_error_target {
    /// Header, name "ERROR".
    pub target: xt_entry_target,
    /// NUL-terminated chain name (or "ERROR" at the end of the table).
    pub errorname: [u8; XT_FUNCTION_MAXNAMELEN],
    /// Padding to XT_ALIGN (C: 62 bytes, the entry holds 64).
    pub __pad: [u8; 2],
}

/// `struct xt_get_revision`: asks which revision of an extension the kernel has.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct xt_get_revision {
    /// Extension name.
    pub name: [u8; XT_EXTENSION_MAXNAMELEN],
    /// Revision asked for.
    pub revision: u8,
}

/// `struct xt_counters_info`: header of `IPT_SO_SET_ADD_COUNTERS`; counters follow.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct xt_counters_info {
    /// Table name.
    pub name: [u8; XT_TABLE_MAXNAMELEN],
    /// Number of `xt_counters` that follow.
    pub num_counters: u32,
    /// Padding: the counters that follow are 8-aligned.
    pub __pad: [u8; 4],
}

/// `struct ipt_ip`: the fixed IPv4 part of a rule.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ipt_ip {
    /// Source address, network byte order.
    pub src: [u8; 4],
    /// Destination address.
    pub dst: [u8; 4],
    /// Source mask.
    pub smsk: [u8; 4],
    /// Destination mask.
    pub dmsk: [u8; 4],
    /// Input interface name.
    pub iniface: [u8; IFNAMSIZ],
    /// Output interface name.
    pub outiface: [u8; IFNAMSIZ],
    /// Bytes of `iniface` that are compared.
    pub iniface_mask: [u8; IFNAMSIZ],
    /// Bytes of `outiface` that are compared.
    pub outiface_mask: [u8; IFNAMSIZ],
    /// Protocol, 0 = any.
    pub proto: u16,
    /// `IPT_F_*`.
    pub flags: u8,
    /// `IPT_INV_*`.
    pub invflags: u8,
}

/// `struct ipt_entry`: one rule; matches and target follow.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ipt_entry {
    /// Addresses, interfaces, protocol.
    pub ip: ipt_ip,
    /// Unused, zero.
    pub nfcache: u32,
    /// Offset of the target from the start of the entry.
    pub target_offset: u16,
    /// Offset of the next entry.
    pub next_offset: u16,
    /// Kernel bookkeeping (hook bitmask), zero from user space.
    pub comefrom: u32,
    /// Packet and byte counters.
    pub counters: xt_counters,
}

/// `struct ip6t_ip6`: the fixed IPv6 part of a rule (4-aligned, like `in6_addr`).
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug)]
pub struct ip6t_ip6 {
    /// Source address.
    pub src: [u8; 16],
    /// Destination address.
    pub dst: [u8; 16],
    /// Source mask.
    pub smsk: [u8; 16],
    /// Destination mask.
    pub dmsk: [u8; 16],
    /// Input interface name.
    pub iniface: [u8; IFNAMSIZ],
    /// Output interface name.
    pub outiface: [u8; IFNAMSIZ],
    /// Bytes of `iniface` that are compared.
    pub iniface_mask: [u8; IFNAMSIZ],
    /// Bytes of `outiface` that are compared.
    pub outiface_mask: [u8; IFNAMSIZ],
    /// Upper-layer protocol; checked only with `IP6T_F_PROTO`.
    pub proto: u16,
    /// TOS, checked only with `IP6T_F_TOS`.
    pub tos: u8,
    /// `IP6T_F_*`.
    pub flags: u8,
    /// `IP6T_INV_*` (same values as `IPT_INV_*`).
    pub invflags: u8,
    /// Trailing padding of the C struct.
    pub __pad: [u8; 3],
}

/// `struct ip6t_entry`: one IPv6 rule; matches and target follow.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ip6t_entry {
    /// Addresses, interfaces, protocol.
    pub ipv6: ip6t_ip6,
    /// Unused, zero.
    pub nfcache: u32,
    /// Offset of the target from the start of the entry.
    pub target_offset: u16,
    /// Offset of the next entry.
    pub next_offset: u16,
    /// Kernel bookkeeping, zero from user space.
    pub comefrom: u32,
    /// Padding before the 8-aligned counters.
    pub __pad: [u8; 4],
    /// Packet and byte counters.
    pub counters: xt_counters,
}

/// `struct ipt_getinfo` (same layout as `ip6t_getinfo`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ipt_getinfo {
    /// Table name, filled in by the caller.
    pub name: [u8; XT_TABLE_MAXNAMELEN],
    /// Bitmask of the hooks the table uses.
    pub valid_hooks: u32,
    /// Offset of each built-in chain's first rule.
    pub hook_entry: [u32; NF_INET_NUMHOOKS],
    /// Offset of each built-in chain's policy entry.
    pub underflow: [u32; NF_INET_NUMHOOKS],
    /// Number of entries.
    pub num_entries: u32,
    /// Size of the entries in bytes.
    pub size: u32,
}

/// `struct ipt_get_entries` header (same layout as `ip6t_get_entries`); entries follow.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ipt_get_entries {
    /// Table name.
    pub name: [u8; XT_TABLE_MAXNAMELEN],
    /// Size of the entries that follow.
    pub size: u32,
    /// Padding: entries are 8-aligned.
    pub __pad: [u8; 4],
}

/// `struct ipt_replace` header (same layout as `ip6t_replace`); entries follow.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ipt_replace {
    /// Table name.
    pub name: [u8; XT_TABLE_MAXNAMELEN],
    /// Must equal the table's `valid_hooks`.
    pub valid_hooks: u32,
    /// Number of new entries.
    pub num_entries: u32,
    /// Size of the new entries in bytes.
    pub size: u32,
    /// Offset of each built-in chain's first rule.
    pub hook_entry: [u32; NF_INET_NUMHOOKS],
    /// Offset of each built-in chain's policy entry.
    pub underflow: [u32; NF_INET_NUMHOOKS],
    /// Number of entries in the table being replaced (EAGAIN if it changed).
    pub num_counters: u32,
    /// Where the kernel writes the old entries' counters (`num_counters` of
    /// them): a user-space pointer, as an integer.
    pub counters: usize,
}

crate::layouts! {
    header {
        xt_counters = "struct xt_counters" { pcnt, bcnt },
        xt_entry_match = "struct xt_entry_match" { match_size => "u.user.match_size", name => "u.user.name", revision => "u.user.revision" },
        xt_entry_target = "struct xt_entry_target" { target_size => "u.user.target_size", name => "u.user.name", revision => "u.user.revision" },
        xt_standard_target = "struct xt_standard_target" { target, verdict },
        xt_error_target = "struct xt_error_target" { target, errorname },
        xt_get_revision = "struct xt_get_revision" { name, revision },
        xt_counters_info = "struct xt_counters_info" { name, num_counters },
        ipt_ip = "struct ipt_ip" { src, dst, smsk, dmsk, iniface, outiface, iniface_mask, outiface_mask, proto, flags, invflags },
        ipt_entry = "struct ipt_entry" { ip, nfcache, target_offset, next_offset, comefrom, counters },
        ip6t_ip6 = "struct ip6t_ip6" { src, dst, smsk, dmsk, iniface, outiface, iniface_mask, outiface_mask, proto, tos, flags, invflags },
        ip6t_entry = "struct ip6t_entry" { ipv6, nfcache, target_offset, next_offset, comefrom, counters },
        ipt_getinfo = "struct ipt_getinfo" { name, valid_hooks, hook_entry, underflow, num_entries, size },
        ipt_get_entries = "struct ipt_get_entries" { name, size },
        ipt_replace = "struct ipt_replace" { name, valid_hooks, num_entries, size, hook_entry, underflow, num_counters, counters },
    }
    also {
        ipt_getinfo = "struct ip6t_getinfo" { name, valid_hooks, hook_entry, underflow, num_entries, size },
        ipt_get_entries = "struct ip6t_get_entries" { name, size },
        ipt_replace = "struct ip6t_replace" { name, valid_hooks, num_entries, size, hook_entry, underflow, num_counters, counters },
    }
}
