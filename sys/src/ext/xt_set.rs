//! `xt_set.h` (and the parts of `ipset/ip_set.h` it uses): the `set` match,
//! revisions 0 to 4, plus the `SO_IP_SET` socket option requests iptables uses
//! to turn set names into kernel indexes and back.

/// `ip_set_id_t`: a set's index in the kernel.
pub type ip_set_id_t = u16;
/// The index of no set (`IPSET_INVALID_ID`).
pub const IPSET_INVALID_ID: ip_set_id_t = 65535;
/// Longest set name, with its NUL (`IPSET_MAXNAMELEN`).
pub const IPSET_MAXNAMELEN: usize = 32;
/// Most dimensions (`src`/`dst` words) a set match has (`IPSET_DIM_MAX`).
pub const IPSET_DIM_MAX: usize = 6;

/// Revision 0 `u.flags[i]`: dimension `i` is the source address.
pub const IPSET_SRC: u32 = 0x01;
/// Revision 0 `u.flags[i]`: dimension `i` is the destination address.
pub const IPSET_DST: u32 = 0x02;
/// Revision 0 `u.flags[0]`: invert the match.
pub const IPSET_MATCH_INV: u32 = 0x04;

/// `xt_set_info.flags`: invert the match (`IPSET_INV_MATCH`); bit `i` (1..=dim)
/// set means dimension `i` is the source.
pub const IPSET_INV_MATCH: u8 = 1 << 0;
/// `xt_set_info.flags` (revision 2): an element marked `nomatch` makes the
/// match fail instead of being skipped (`IPSET_RETURN_NOMATCH`).
pub const IPSET_RETURN_NOMATCH: u8 = 1 << 7;

/// Revision 3/4 `flags`: do not update the element's counters.
pub const IPSET_FLAG_SKIP_COUNTER_UPDATE: u32 = 1 << 3;
/// Revision 3/4 `flags`: do not update the counters of list:set members.
pub const IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE: u32 = 1 << 4;
/// Revision 3/4 `flags`: `--return-nomatch`.
pub const IPSET_FLAG_RETURN_NOMATCH: u32 = 1 << 7;

/// Counter comparison: none.
pub const IPSET_COUNTER_NONE: u8 = 0;
/// Counter comparison: equal.
pub const IPSET_COUNTER_EQ: u8 = 1;
/// Counter comparison: not equal.
pub const IPSET_COUNTER_NE: u8 = 2;
/// Counter comparison: less than.
pub const IPSET_COUNTER_LT: u8 = 3;
/// Counter comparison: greater than.
pub const IPSET_COUNTER_GT: u8 = 4;

/// `struct xt_set_info_v0` (revision 0).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_v0 {
    /// The set.
    pub index: ip_set_id_t,
    /// Hole before the union.
    pub __pad0: [u8; 2],
    /// `u.flags`: `IPSET_SRC`/`IPSET_DST` per dimension until a zero,
    /// `IPSET_MATCH_INV` in the first. The kernel rewrites the last word as
    /// `u.compat` (dim, flags) when it checks the rule.
    pub flags: [u32; IPSET_DIM_MAX + 1],
}

/// `struct xt_set_info_match_v0`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_match_v0 {
    /// The set and directions.
    pub match_set: xt_set_info_v0,
}

/// `struct xt_set_info` (revisions 1 and later).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info {
    /// The set.
    pub index: ip_set_id_t,
    /// How many dimensions (`src`/`dst` words), 1..=6.
    pub dim: u8,
    /// `IPSET_INV_MATCH`, source bits `1 << 1..=dim`, `IPSET_RETURN_NOMATCH`.
    pub flags: u8,
}

/// `struct xt_set_info_match_v1` (revisions 1 and 2).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_match_v1 {
    /// The set and directions.
    pub match_set: xt_set_info,
}

/// `struct ip_set_counter_match0` (revision 3).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip_set_counter_match0 {
    /// `IPSET_COUNTER_*`.
    pub op: u8,
    /// Hole before the value.
    pub __pad0: [u8; 7],
    /// The value compared with.
    pub value: u64,
}

/// `struct ip_set_counter_match` (revision 4).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip_set_counter_match {
    /// The value compared with.
    pub value: u64,
    /// `IPSET_COUNTER_*`.
    pub op: u8,
    /// Trailing padding.
    pub __pad0: [u8; 7],
}

/// `struct xt_set_info_match_v3`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_match_v3 {
    /// The set and directions.
    pub match_set: xt_set_info,
    /// Hole before the counters.
    pub __pad0: [u8; 4],
    /// Packet counter test.
    pub packets: ip_set_counter_match0,
    /// Byte counter test.
    pub bytes: ip_set_counter_match0,
    /// `IPSET_FLAG_*`.
    pub flags: u32,
    /// Trailing padding.
    pub __pad1: [u8; 4],
}

/// `struct xt_set_info_match_v4`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_match_v4 {
    /// The set and directions.
    pub match_set: xt_set_info,
    /// Hole before the counters.
    pub __pad0: [u8; 4],
    /// Packet counter test.
    pub packets: ip_set_counter_match,
    /// Byte counter test.
    pub bytes: ip_set_counter_match,
    /// `IPSET_FLAG_*`.
    pub flags: u32,
    /// Trailing padding.
    pub __pad1: [u8; 4],
}

/// `getsockopt(SOL_IP, SO_IP_SET)`: ipset requests on a raw IPv4 socket.
pub const SO_IP_SET: i32 = 83;
/// Request: the index of the set with this name.
pub const IP_SET_OP_GET_BYNAME: u32 = 0x0000_0006;
/// Request: the name of the set with this index.
pub const IP_SET_OP_GET_BYINDEX: u32 = 0x0000_0007;
/// Request: the index and family of the set with this name.
pub const IP_SET_OP_GET_FNAME: u32 = 0x0000_0008;
/// Request: the protocol version, to put in every other request.
pub const IP_SET_OP_VERSION: u32 = 0x0000_0100;

/// `struct ip_set_req_version`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip_set_req_version {
    /// `IP_SET_OP_VERSION`.
    pub op: u32,
    /// Filled by the kernel.
    pub version: u32,
}

/// `struct ip_set_req_get_set`: `set` is `union ip_set_name_index`, the name
/// (`IP_SET_OP_GET_BYNAME` in, `GET_BYINDEX` out) or the index in its first two
/// bytes, native endian (`GET_BYINDEX` in, `GET_BYNAME` out).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip_set_req_get_set {
    /// `IP_SET_OP_GET_BYNAME` or `IP_SET_OP_GET_BYINDEX`.
    pub op: u32,
    /// From `IP_SET_OP_VERSION`.
    pub version: u32,
    /// `set.name` / `set.index`.
    pub set: [u8; IPSET_MAXNAMELEN],
}

/// `struct ip_set_req_get_set_family` (`IP_SET_OP_GET_FNAME`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ip_set_req_get_set_family {
    /// `IP_SET_OP_GET_FNAME`.
    pub op: u32,
    /// From `IP_SET_OP_VERSION`.
    pub version: u32,
    /// Filled by the kernel: `NFPROTO_*` of the set.
    pub family: u32,
    /// `set.name` in, `set.index` out.
    pub set: [u8; IPSET_MAXNAMELEN],
}
// target

/// `flags` of the SET target, revisions 2 and 3: `--exist`, add even when
/// the element is there already (and refresh its timeout).
pub const IPSET_FLAG_EXIST: u32 = 1 << 0;
/// `flags` of the SET target, revision 3: `--map-mark`.
pub const IPSET_FLAG_MAP_SKBMARK: u32 = 1 << 8;
/// `flags` of the SET target, revision 3: `--map-prio`.
pub const IPSET_FLAG_MAP_SKBPRIO: u32 = 1 << 9;
/// `flags` of the SET target, revision 3: `--map-queue`.
pub const IPSET_FLAG_MAP_SKBQUEUE: u32 = 1 << 10;

/// `struct xt_set_info_target_v0` (`SET` revision 0, IPv4).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_target_v0 {
    /// The set to add to (`IPSET_INVALID_ID`: none).
    pub add_set: xt_set_info_v0,
    /// The set to delete from (`IPSET_INVALID_ID`: none).
    pub del_set: xt_set_info_v0,
}

/// `struct xt_set_info_target_v1` (`SET` revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_target_v1 {
    /// The set to add to (`IPSET_INVALID_ID`: none).
    pub add_set: xt_set_info,
    /// The set to delete from (`IPSET_INVALID_ID`: none).
    pub del_set: xt_set_info,
}

/// `struct xt_set_info_target_v2` (`SET` revision 2).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_target_v2 {
    /// The set to add to (`IPSET_INVALID_ID`: none).
    pub add_set: xt_set_info,
    /// The set to delete from (`IPSET_INVALID_ID`: none).
    pub del_set: xt_set_info,
    /// `IPSET_FLAG_EXIST`.
    pub flags: u32,
    /// Timeout of added elements in seconds; `u32::MAX` for the set's default.
    pub timeout: u32,
}

/// `struct xt_set_info_target_v3` (`SET` revision 3).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_set_info_target_v3 {
    /// The set to add to (`IPSET_INVALID_ID`: none).
    pub add_set: xt_set_info,
    /// The set to delete from (`IPSET_INVALID_ID`: none).
    pub del_set: xt_set_info,
    /// The set whose element's data is copied to the packet (`IPSET_INVALID_ID`: none).
    pub map_set: xt_set_info,
    /// `IPSET_FLAG_EXIST`, `IPSET_FLAG_MAP_SKB*`.
    pub flags: u32,
    /// Timeout of added elements in seconds; `u32::MAX` for the set's default.
    pub timeout: u32,
}

crate::layouts! {
    header {
        xt_set_info_v0 = "struct xt_set_info_v0" { index, flags => "u.flags" },
        xt_set_info_match_v0 = "struct xt_set_info_match_v0" { match_set },
        xt_set_info = "struct xt_set_info" { index, dim, flags },
        xt_set_info_match_v1 = "struct xt_set_info_match_v1" { match_set },
        ip_set_counter_match0 = "struct ip_set_counter_match0" { op, value },
        ip_set_counter_match = "struct ip_set_counter_match" { value, op },
        xt_set_info_match_v3 = "struct xt_set_info_match_v3" { match_set, packets, bytes, flags },
        xt_set_info_match_v4 = "struct xt_set_info_match_v4" { match_set, packets, bytes, flags },
        ip_set_req_version = "struct ip_set_req_version" { op, version },
        ip_set_req_get_set = "struct ip_set_req_get_set" { op, version, set },
        ip_set_req_get_set_family = "struct ip_set_req_get_set_family" { op, version, family, set },
        xt_set_info_target_v0 = "struct xt_set_info_target_v0" { add_set, del_set },
        xt_set_info_target_v1 = "struct xt_set_info_target_v1" { add_set, del_set },
        xt_set_info_target_v2 = "struct xt_set_info_target_v2" { add_set, del_set, flags, timeout },
        xt_set_info_target_v3 = "struct xt_set_info_target_v3" { add_set, del_set, map_set, flags, timeout },
    }
}
