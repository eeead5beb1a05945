//! `xt_log.h`.
