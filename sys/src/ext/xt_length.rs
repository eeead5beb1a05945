//! `xt_length.h`.
