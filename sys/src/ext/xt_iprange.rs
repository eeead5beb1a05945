//! `xt_iprange.h`.
