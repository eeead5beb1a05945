//! Layout entries for issue 3 area matches_f.

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[
    "linux/netfilter/xt_connbytes.h",
    "linux/netfilter/xt_connlabel.h",
    "linux/netfilter/xt_connlimit.h",
    "linux/netfilter/xt_connmark.h",
    "linux/netfilter/xt_helper.h",
    "linux/netfilter/xt_cluster.h",
    "linux/netfilter/xt_cgroup.h",
    "linux/netfilter/xt_cpu.h",
    "linux/netfilter/xt_devgroup.h",
    "linux/netfilter/xt_nfacct.h",
    "linux/netfilter/xt_osf.h",
    "linux/netfilter/xt_physdev.h",
    "linux/netfilter/xt_quota.h",
    "linux/netfilter/xt_rateest.h",
];

pub fn layouts() -> Vec<Layout> {
    vec![
        layout!(
            xt_connbytes::xt_connbytes_info,
            "struct xt_connbytes_info",
            count,
            what,
            direction
        ),
        layout!(
            xt_connlabel::xt_connlabel_mtinfo,
            "struct xt_connlabel_mtinfo",
            bit,
            options
        ),
    ]
}
