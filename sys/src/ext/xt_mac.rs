//! `xt_mac.h`.
