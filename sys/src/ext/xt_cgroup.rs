//! `xt_cgroup.h`: the `cgroup` match, revisions 0, 1 and 2.

/// `struct xt_cgroup_info_v0`: a net_cls classid.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_cgroup_info_v0 {
    /// The net_cls classid.
    pub id: u32,
    /// 1 to invert the match.
    pub invert: u32,
}

/// `PATH_MAX` (`linux/limits.h`).
pub const PATH_MAX: usize = 4096;
/// The path size of revision 2.
pub const XT_CGROUP_PATH_MAX: usize = 512;

/// `struct xt_cgroup_info_v1`: a cgroup2 path or a classid.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_cgroup_info_v1 {
    /// 1 when `path` is matched.
    pub has_path: u8,
    /// 1 when `classid` is matched.
    pub has_classid: u8,
    /// 1 to invert the path test.
    pub invert_path: u8,
    /// 1 to invert the classid test.
    pub invert_classid: u8,
    /// The cgroup2 path, NUL-terminated.
    pub path: [u8; PATH_MAX],
    /// The net_cls classid.
    pub classid: u32,
    /// Kernel-private pointer (`void *`, 8 bytes on x86_64); written as zero.
    pub priv_: u64,
}

/// `struct xt_cgroup_info_v2`: as revision 1 with a shorter path that shares
/// its bytes with the classid (an anonymous union).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_cgroup_info_v2 {
    /// 1 when the path is matched.
    pub has_path: u8,
    /// 1 when the classid is matched.
    pub has_classid: u8,
    /// 1 to invert the path test.
    pub invert_path: u8,
    /// 1 to invert the classid test.
    pub invert_classid: u8,
    /// The union: the cgroup2 path, NUL-terminated, or the classid in its
    /// first 4 bytes (host byte order).
    pub path: [u8; XT_CGROUP_PATH_MAX],
    /// Padding before `priv` (aligned to 8).
    pub __pad: [u8; 4],
    /// Kernel-private pointer (`void *`, 8 bytes on x86_64); written as zero.
    pub priv_: u64,
}

crate::layouts! {
    header {
        xt_cgroup_info_v0 = "struct xt_cgroup_info_v0" { id, invert },
        xt_cgroup_info_v1 = "struct xt_cgroup_info_v1" { has_path, has_classid, invert_path, invert_classid, path, classid, priv_ => "priv" },
        xt_cgroup_info_v2 = "struct xt_cgroup_info_v2" { has_path, has_classid, invert_path, invert_classid, path, priv_ => "priv" },
    }
}
