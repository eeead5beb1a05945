//! `xt_limit.h`.
