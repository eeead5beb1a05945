//! `xt_conntrack.h`.
