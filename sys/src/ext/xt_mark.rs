//! `xt_mark.h`.
