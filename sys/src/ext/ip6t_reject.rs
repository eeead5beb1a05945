//! `ip6t_reject.h`.
