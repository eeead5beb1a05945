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
];

pub fn layouts() -> Vec<Layout> {
    vec![
        layout!(ipt_reject::ipt_reject_info, "struct ipt_reject_info", with),
        layout!(
            ip6t_reject::ip6t_reject_info,
            "struct ip6t_reject_info",
            with
        ),
    ]
}
