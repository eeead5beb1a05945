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
    "linux/netfilter/xt_set.h",
    "linux/netfilter/xt_recent.h",
    "linux/netfilter/xt_hashlimit.h",
    "linux/netfilter/xt_owner.h",
    "linux/netfilter/xt_length.h",
    "linux/netfilter/xt_pkttype.h",
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
        layout!(
            xt_set::xt_set_info_v0,
            "struct xt_set_info_v0",
            index,
            flags => "u.flags"
        ),
        layout!(
            xt_set::xt_set_info_match_v0,
            "struct xt_set_info_match_v0",
            match_set
        ),
        layout!(xt_set::xt_set_info, "struct xt_set_info", index, dim, flags),
        layout!(
            xt_set::xt_set_info_match_v1,
            "struct xt_set_info_match_v1",
            match_set
        ),
        layout!(
            xt_set::ip_set_counter_match0,
            "struct ip_set_counter_match0",
            op,
            value
        ),
        layout!(
            xt_set::ip_set_counter_match,
            "struct ip_set_counter_match",
            value,
            op
        ),
        layout!(
            xt_set::xt_set_info_match_v3,
            "struct xt_set_info_match_v3",
            match_set,
            packets,
            bytes,
            flags
        ),
        layout!(
            xt_set::xt_set_info_match_v4,
            "struct xt_set_info_match_v4",
            match_set,
            packets,
            bytes,
            flags
        ),
        layout!(
            xt_set::ip_set_req_version,
            "struct ip_set_req_version",
            op,
            version
        ),
        layout!(
            xt_set::ip_set_req_get_set,
            "struct ip_set_req_get_set",
            op,
            version,
            set
        ),
        layout!(
            xt_set::ip_set_req_get_set_family,
            "struct ip_set_req_get_set_family",
            op,
            version,
            family,
            set
        ),
        layout!(
            xt_recent::xt_recent_mtinfo,
            "struct xt_recent_mtinfo",
            seconds,
            hit_count,
            check_set,
            invert,
            name,
            side
        ),
        layout!(
            xt_recent::xt_recent_mtinfo_v1,
            "struct xt_recent_mtinfo_v1",
            seconds,
            hit_count,
            check_set,
            invert,
            name,
            side,
            mask
        ),
        layout!(
            xt_hashlimit::hashlimit_cfg1,
            "struct hashlimit_cfg1",
            mode,
            avg,
            burst,
            size,
            max,
            gc_interval,
            expire,
            srcmask,
            dstmask
        ),
        layout!(
            xt_hashlimit::hashlimit_cfg2,
            "struct hashlimit_cfg2",
            avg,
            burst,
            mode,
            size,
            max,
            gc_interval,
            expire,
            srcmask,
            dstmask
        ),
        layout!(
            xt_hashlimit::hashlimit_cfg3,
            "struct hashlimit_cfg3",
            avg,
            burst,
            mode,
            size,
            max,
            gc_interval,
            expire,
            interval,
            srcmask,
            dstmask
        ),
        layout!(
            xt_hashlimit::xt_hashlimit_mtinfo1,
            "struct xt_hashlimit_mtinfo1",
            name,
            cfg,
            hinfo
        ),
        layout!(
            xt_hashlimit::xt_hashlimit_mtinfo2,
            "struct xt_hashlimit_mtinfo2",
            name,
            cfg,
            hinfo
        ),
        layout!(
            xt_hashlimit::xt_hashlimit_mtinfo3,
            "struct xt_hashlimit_mtinfo3",
            name,
            cfg,
            hinfo
        ),
        layout!(
            xt_owner::xt_owner_match_info,
            "struct xt_owner_match_info",
            uid_min,
            uid_max,
            gid_min,
            gid_max,
            r#match => "match",
            invert
        ),
        layout!(
            xt_length::xt_length_info,
            "struct xt_length_info",
            min,
            max,
            invert
        ),
        layout!(
            xt_pkttype::xt_pkttype_info,
            "struct xt_pkttype_info",
            pkttype,
            invert
        ),
    ]
}
