//! `xt_ct.h`.
