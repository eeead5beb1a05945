//! `xt_owner.h`.
