//! `xt_comment.h`: the `comment` match (revision 0).

use crate::pod;

/// `XT_MAX_COMMENT_LEN`: the comment field, its NUL included.
pub const XT_MAX_COMMENT_LEN: usize = 256;

/// `struct xt_comment_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_comment_info {
    /// NUL-terminated comment text.
    pub comment: [u8; XT_MAX_COMMENT_LEN],
}

pod!(xt_comment_info);
