//! `xt_comment.h`.
