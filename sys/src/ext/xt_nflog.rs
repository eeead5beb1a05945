//! `xt_nflog.h`.
