//! `ipt_reject.h`.
