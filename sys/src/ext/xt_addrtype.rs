//! `xt_addrtype.h`.
