//! `xt_recent.h`.
