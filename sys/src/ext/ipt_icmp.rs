//! `ipt_icmp.h`.
