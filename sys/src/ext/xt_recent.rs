//! `xt_recent.h`: the `recent` match, revisions 0 and 1.

use super::xt_iprange::nf_inet_addr;
/// `--rcheck`.
pub const XT_RECENT_CHECK: u8 = 1 << 0;
/// `--set`.
pub const XT_RECENT_SET: u8 = 1 << 1;
/// `--update`.
pub const XT_RECENT_UPDATE: u8 = 1 << 2;
/// `--remove`.
pub const XT_RECENT_REMOVE: u8 = 1 << 3;
/// `--rttl`.
pub const XT_RECENT_TTL: u8 = 1 << 4;
/// `--reap`.
pub const XT_RECENT_REAP: u8 = 1 << 5;
/// `side`: the source address (`--rsource`).
pub const XT_RECENT_SOURCE: u8 = 0;
/// `side`: the destination address (`--rdest`).
pub const XT_RECENT_DEST: u8 = 1;
/// Size of the list name field, NUL included.
pub const XT_RECENT_NAME_LEN: usize = 200;

/// `struct xt_recent_mtinfo` (revision 0).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_recent_mtinfo {
    /// `--seconds`, 0 = none.
    pub seconds: u32,
    /// `--hitcount`, 0 = none.
    pub hit_count: u32,
    /// `XT_RECENT_*` command and modifier bits.
    pub check_set: u8,
    /// Non-zero: invert the command's result.
    pub invert: u8,
    /// The list name, NUL-terminated.
    pub name: [u8; XT_RECENT_NAME_LEN],
    /// `XT_RECENT_SOURCE` or `XT_RECENT_DEST`.
    pub side: u8,
    /// Trailing padding (alignment 4).
    pub __pad0: u8,
}

/// `struct xt_recent_mtinfo_v1` (revision 1): revision 0 plus a mask.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_recent_mtinfo_v1 {
    /// `--seconds`, 0 = none.
    pub seconds: u32,
    /// `--hitcount`, 0 = none.
    pub hit_count: u32,
    /// `XT_RECENT_*` command and modifier bits.
    pub check_set: u8,
    /// Non-zero: invert the command's result.
    pub invert: u8,
    /// The list name, NUL-terminated.
    pub name: [u8; XT_RECENT_NAME_LEN],
    /// `XT_RECENT_SOURCE` or `XT_RECENT_DEST`.
    pub side: u8,
    /// Hole before the mask.
    pub __pad0: u8,
    /// `--mask`: applied to the address before it is looked up.
    pub mask: nf_inet_addr,
}

crate::layouts! {
    header {
        xt_recent_mtinfo = "struct xt_recent_mtinfo" { seconds, hit_count, check_set, invert, name, side },
        xt_recent_mtinfo_v1 = "struct xt_recent_mtinfo_v1" { seconds, hit_count, check_set, invert, name, side, mask },
    }
}
