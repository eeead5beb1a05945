//! `xt_state.h`.
