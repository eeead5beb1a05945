//! `xt_multiport.h`.
