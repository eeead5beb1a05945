//! `xt_comment.h`: the `comment` match (revision 0).

/// `XT_MAX_COMMENT_LEN`: the comment field, its NUL included.
pub const XT_MAX_COMMENT_LEN: usize = 256;

/// `struct xt_comment_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct xt_comment_info {
    /// NUL-terminated comment text.
    pub comment: [u8; XT_MAX_COMMENT_LEN],
}

crate::layouts! {
    header {
        xt_comment_info = "struct xt_comment_info" { comment },
    }
}
