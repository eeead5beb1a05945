//! Layout entries for targets (REJECT, LOG, MARK, CONNMARK, NAT, NFLOG, NFQUEUE, CT).

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[
    "linux/netfilter_ipv4/ipt_REJECT.h",
    "linux/netfilter_ipv6/ip6t_REJECT.h",
    "linux/netfilter/xt_LOG.h",
    "linux/netfilter/xt_MARK.h",
    "linux/netfilter/xt_CONNMARK.h",
    "linux/netfilter/nf_nat.h",
    "linux/netfilter/xt_NFLOG.h",
    "linux/netfilter/xt_NFQUEUE.h",
    "linux/netfilter/xt_CT.h",
];

pub fn layouts() -> Vec<Layout> {
    vec![
        layout!(ipt_reject::ipt_reject_info, "struct ipt_reject_info", with),
        layout!(
            ip6t_reject::ip6t_reject_info,
            "struct ip6t_reject_info",
            with
        ),
        layout!(
            nf_nat::nf_nat_ipv4_range,
            "struct nf_nat_ipv4_range",
            flags,
            min_ip,
            max_ip,
            min,
            max
        ),
        layout!(
            nf_nat::nf_nat_ipv4_multi_range_compat,
            "struct nf_nat_ipv4_multi_range_compat",
            rangesize,
            range
        ),
        layout!(
            nf_nat::nf_nat_range,
            "struct nf_nat_range",
            flags,
            min_addr,
            max_addr,
            min_proto,
            max_proto
        ),
        layout!(
            nf_nat::nf_nat_range2,
            "struct nf_nat_range2",
            flags,
            min_addr,
            max_addr,
            min_proto,
            max_proto,
            base_proto
        ),
        layout!(
            xt_nflog::xt_nflog_info,
            "struct xt_nflog_info",
            len,
            group,
            threshold,
            flags,
            pad,
            prefix
        ),
        layout!(xt_nfqueue::xt_NFQ_info, "struct xt_NFQ_info", queuenum),
        layout!(
            xt_nfqueue::xt_NFQ_info_v1,
            "struct xt_NFQ_info_v1",
            queuenum,
            queues_total
        ),
        layout!(
            xt_nfqueue::xt_NFQ_info_v2,
            "struct xt_NFQ_info_v2",
            queuenum,
            queues_total,
            bypass
        ),
        layout!(
            xt_nfqueue::xt_NFQ_info_v3,
            "struct xt_NFQ_info_v3",
            queuenum,
            queues_total,
            flags
        ),
        layout!(
            xt_ct::xt_ct_target_info,
            "struct xt_ct_target_info",
            flags,
            zone,
            ct_events,
            exp_events,
            helper,
            ct
        ),
        layout!(
            xt_ct::xt_ct_target_info_v1,
            "struct xt_ct_target_info_v1",
            flags,
            zone,
            ct_events,
            exp_events,
            helper,
            timeout,
            ct
        ),
    ]
}
