//! `nf_nat.h`.
