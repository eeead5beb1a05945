//! `xt_connmark.h`.
