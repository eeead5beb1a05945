//! Layout entries for issue 3 area matches_g.

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[
    "linux/netfilter.h",
    "linux/netfilter/xt_policy.h",
    "linux/netfilter/xt_rpfilter.h",
    "linux/netfilter/xt_socket.h",
    "linux/netfilter/xt_statistic.h",
    "linux/netfilter/xt_time.h",
    "linux/netfilter/xt_ipvs.h",
    "linux/netfilter_ipv6/ip6t_opts.h",
    "linux/netfilter_ipv6/ip6t_frag.h",
    "linux/netfilter_ipv6/ip6t_ipv6header.h",
    "linux/netfilter_ipv6/ip6t_mh.h",
    "linux/netfilter_ipv6/ip6t_rt.h",
    "linux/netfilter_ipv6/ip6t_srh.h",
];

/// The unions (`xt_policy_addr`, `nf_inet_addr`) are checked through the
/// structs that hold them: the harness names only `struct` types.
pub fn layouts() -> Vec<Layout> {
    use ip6t_ipv6header::*;
    use xt_ipvs::*;
    use xt_policy::*;
    use xt_rpfilter::*;
    use xt_socket::*;
    use xt_statistic::*;
    use xt_time::*;
    vec![
        layout!(
            xt_policy_elem,
            "struct xt_policy_elem",
            saddr,
            smask,
            daddr,
            dmask,
            spi,
            reqid,
            proto,
            mode,
            r#match => "match",
            invert
        ),
        layout!(xt_policy_info, "struct xt_policy_info", pol, flags, len),
        layout!(xt_rpfilter_info, "struct xt_rpfilter_info", flags),
        layout!(xt_socket_mtinfo1, "struct xt_socket_mtinfo1", flags),
        layout!(xt_socket_mtinfo2, "struct xt_socket_mtinfo2", flags),
        layout!(xt_socket_mtinfo3, "struct xt_socket_mtinfo3", flags),
        layout!(
            xt_statistic_info,
            "struct xt_statistic_info",
            mode,
            flags,
            u,
            master
        ),
        layout!(
            xt_time_info,
            "struct xt_time_info",
            date_start,
            date_stop,
            daytime_start,
            daytime_stop,
            monthdays_match,
            weekdays_match,
            flags
        ),
        layout!(
            xt_ipvs_mtinfo,
            "struct xt_ipvs_mtinfo",
            vaddr,
            vmask,
            vport,
            l4proto,
            fwd_method,
            vportctl,
            invert,
            bitmask
        ),
        layout!(
            ip6t_opts::ip6t_opts,
            "struct ip6t_opts",
            hdrlen,
            flags,
            invflags,
            opts,
            optsnr
        ),
        layout!(
            ip6t_frag::ip6t_frag,
            "struct ip6t_frag",
            ids,
            hdrlen,
            flags,
            invflags
        ),
        layout!(
            ip6t_ipv6header_info,
            "struct ip6t_ipv6header_info",
            matchflags,
            invflags,
            modeflag
        ),
        layout!(ip6t_mh::ip6t_mh, "struct ip6t_mh", types, invflags),
        layout!(
            ip6t_rt::ip6t_rt,
            "struct ip6t_rt",
            rt_type,
            segsleft,
            hdrlen,
            flags,
            invflags,
            addrs,
            addrnr
        ),
        layout!(
            ip6t_srh::ip6t_srh,
            "struct ip6t_srh",
            next_hdr,
            hdr_len,
            segs_left,
            last_entry,
            tag,
            mt_flags,
            mt_invflags
        ),
        layout!(
            ip6t_srh::ip6t_srh1,
            "struct ip6t_srh1",
            next_hdr,
            hdr_len,
            segs_left,
            last_entry,
            tag,
            psid_addr,
            nsid_addr,
            lsid_addr,
            psid_msk,
            nsid_msk,
            lsid_msk,
            mt_flags,
            mt_invflags
        ),
    ]
}
