//! `xt_nfqueue.h`.
