//! Kernel structs of the match and target extensions, one module per C header.
//!
//! Each module mirrors its header (`xt_tcpudp.h` -> [`xt_tcpudp`]) for every
//! revision the kernel offers. The codecs in the `iptkit` crate read and write
//! these structs through [`crate::Pod`].

pub mod ip6t_reject;
pub mod ipt_icmp;
pub mod ipt_reject;
pub mod nf_nat;
pub mod xt_addrtype;
pub mod xt_comment;
pub mod xt_connmark;
pub mod xt_conntrack;
pub mod xt_ct;
pub mod xt_hashlimit;
pub mod xt_iprange;
pub mod xt_length;
pub mod xt_limit;
pub mod xt_log;
pub mod xt_mac;
pub mod xt_mark;
pub mod xt_multiport;
pub mod xt_nflog;
pub mod xt_nfqueue;
pub mod xt_owner;
pub mod xt_pkttype;
pub mod xt_recent;
pub mod xt_set;
pub mod xt_state;
pub mod xt_tcpudp;

// Issue 3 modules. Each helper area adds its `pub mod` lines inside its own
// section (kept apart so that parallel branches merge cleanly).

// -- section: matches-e --
pub mod ip6t_ah;
pub mod ip6t_hl;
pub mod ipt_ah;
pub mod ipt_ttl;
pub mod xt_bpf;
pub mod xt_dccp;
pub mod xt_dscp;
pub mod xt_ecn;
pub mod xt_esp;
pub mod xt_ipcomp;
pub mod xt_l2tp;
pub mod xt_realm;
pub mod xt_sctp;
pub mod xt_string;
pub mod xt_tcpmss;
pub mod xt_u32;

// -- end matches-e --

// -- section: matches-f --
pub mod xt_cgroup;
pub mod xt_cluster;
pub mod xt_connbytes;
pub mod xt_connlabel;
pub mod xt_connlimit;
pub mod xt_cpu;
pub mod xt_devgroup;
pub mod xt_helper;
pub mod xt_nfacct;
pub mod xt_osf;
pub mod xt_physdev;
pub mod xt_quota;
pub mod xt_rateest;

// -- end matches-f --

// -- section: matches-g --
pub mod ip6t_frag;
pub mod ip6t_ipv6header;
pub mod ip6t_mh;
pub mod ip6t_opts;
pub mod ip6t_rt;
pub mod ip6t_srh;
pub mod xt_ipvs;
pub mod xt_policy;
pub mod xt_rpfilter;
pub mod xt_socket;
pub mod xt_statistic;
pub mod xt_time;

// -- end matches-g --

// -- section: targets-h --
pub mod ip6t_hl_target;
pub mod ip6t_npt;
pub mod ipt_clusterip;
pub mod ipt_ecn_target;
pub mod ipt_ttl_target;
pub mod xt_audit;
pub mod xt_checksum;
pub mod xt_classify;
pub mod xt_connsecmark;
pub mod xt_dscp_target;
pub mod xt_hmark;
pub mod xt_idletimer;
pub mod xt_led;
pub mod xt_rateest_target;
pub mod xt_secmark;
pub mod xt_synproxy;
pub mod xt_tcpmss_target;
pub mod xt_tcpoptstrip;
pub mod xt_tee;
pub mod xt_tproxy;

// -- end targets-h --
