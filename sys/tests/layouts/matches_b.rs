//! Layout entries for matches iprange..pkttype (iprange, addrtype, set, recent, hashlimit, owner, length, pkttype).

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[
    "linux/netfilter.h",
    "linux/netfilter/xt_iprange.h",
    "linux/netfilter/xt_addrtype.h",
];

pub fn layouts() -> Vec<Layout> {
    vec![
        // `union nf_inet_addr` is checked through the offsets of its four uses
        // here (the harness reads only `struct` names).
        layout!(
            xt_iprange::xt_iprange_mtinfo,
            "struct xt_iprange_mtinfo",
            src_min,
            src_max,
            dst_min,
            dst_max,
            flags
        ),
        layout!(
            xt_addrtype::xt_addrtype_info,
            "struct xt_addrtype_info",
            source,
            dest,
            invert_source,
            invert_dest
        ),
        layout!(
            xt_addrtype::xt_addrtype_info_v1,
            "struct xt_addrtype_info_v1",
            source,
            dest,
            flags
        ),
    ]
}
