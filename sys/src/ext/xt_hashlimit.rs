//! `xt_hashlimit.h`.
