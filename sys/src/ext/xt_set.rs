//! `xt_set.h`.
