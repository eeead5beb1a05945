//! `xt_pkttype.h`.
