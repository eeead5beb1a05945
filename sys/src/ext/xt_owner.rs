//! `xt_owner.h`: the `owner` match, revision 1.
//!
//! Revision 0 (`ipt_owner_info` / `ip6t_owner_info`, with PID, SID and
//! command matching) is no longer offered by the kernel nor in the installed
//! headers, so it is not mirrored.

/// Match the socket's owner UID.
pub const XT_OWNER_UID: u8 = 1 << 0;
/// Match the socket's owner GID.
pub const XT_OWNER_GID: u8 = 1 << 1;
/// Match when the packet has a socket.
pub const XT_OWNER_SOCKET: u8 = 1 << 2;
/// The GID test also looks at the supplementary groups.
pub const XT_OWNER_SUPPL_GROUPS: u8 = 1 << 3;
/// Every defined bit.
pub const XT_OWNER_MASK: u8 = XT_OWNER_UID | XT_OWNER_GID | XT_OWNER_SOCKET | XT_OWNER_SUPPL_GROUPS;

/// `struct xt_owner_match_info` (revision 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct xt_owner_match_info {
    /// Lowest UID, inclusive.
    pub uid_min: u32,
    /// Highest UID, inclusive.
    pub uid_max: u32,
    /// Lowest GID, inclusive.
    pub gid_min: u32,
    /// Highest GID, inclusive.
    pub gid_max: u32,
    /// `XT_OWNER_*`: which tests are on.
    pub r#match: u8,
    /// `XT_OWNER_*`: which tests are inverted.
    pub invert: u8,
    /// Trailing padding.
    pub __pad0: [u8; 2],
}

crate::layouts! {
    header {
        xt_owner_match_info = "struct xt_owner_match_info" { uid_min, uid_max, gid_min, gid_max, r#match => "match", invert },
    }
}
