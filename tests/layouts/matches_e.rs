//! Layout entries for issue 3 area matches_e.

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[
    "linux/netfilter_ipv4/ipt_ah.h",
    "linux/netfilter_ipv6/ip6t_ah.h",
    "linux/netfilter/xt_esp.h",
    "linux/netfilter/xt_ipcomp.h",
    "linux/netfilter/xt_dccp.h",
    "linux/netfilter/xt_sctp.h",
    "linux/netfilter/xt_tcpmss.h",
    "linux/netfilter/xt_l2tp.h",
    "linux/netfilter/xt_ecn.h",
    "linux/netfilter_ipv4/ipt_ecn.h",
    "linux/netfilter/xt_dscp.h",
    "linux/netfilter_ipv4/ipt_ttl.h",
    "linux/netfilter_ipv6/ip6t_hl.h",
    "linux/netfilter/xt_realm.h",
    "linux/netfilter/xt_u32.h",
    "linux/netfilter/xt_string.h",
    "linux/netfilter/xt_bpf.h",
];

pub fn layouts() -> Vec<Layout> {
    vec![
        layout!(ipt_ah::ipt_ah, "struct ipt_ah", spis, invflags),
        layout!(
            ip6t_ah::ip6t_ah,
            "struct ip6t_ah",
            spis,
            hdrlen,
            hdrres,
            invflags
        ),
        layout!(xt_esp::xt_esp, "struct xt_esp", spis, invflags),
        layout!(
            xt_ipcomp::xt_ipcomp,
            "struct xt_ipcomp",
            spis,
            invflags,
            hdrres
        ),
        layout!(
            xt_dccp::xt_dccp_info,
            "struct xt_dccp_info",
            dpts,
            spts,
            flags,
            invflags,
            typemask,
            option
        ),
        layout!(
            xt_sctp::xt_sctp_flag_info,
            "struct xt_sctp_flag_info",
            chunktype,
            flag,
            flag_mask
        ),
        layout!(
            xt_sctp::xt_sctp_info,
            "struct xt_sctp_info",
            dpts,
            spts,
            chunkmap,
            chunk_match_type,
            flag_info,
            flag_count,
            flags,
            invflags
        ),
        layout!(
            xt_tcpmss::xt_tcpmss_match_info,
            "struct xt_tcpmss_match_info",
            mss_min,
            mss_max,
            invert
        ),
        layout!(
            xt_l2tp::xt_l2tp_info,
            "struct xt_l2tp_info",
            tid,
            sid,
            version,
            r#type => "type",
            flags
        ),
        layout!(
            xt_ecn::xt_ecn_info,
            "struct xt_ecn_info",
            operation,
            invert,
            ip_ect,
            proto => "proto.tcp.ect"
        ),
        layout!(
            xt_ecn::xt_ecn_info,
            "struct ipt_ecn_info",
            operation,
            invert,
            ip_ect
        ),
        layout!(xt_dscp::xt_dscp_info, "struct xt_dscp_info", dscp, invert),
        layout!(
            xt_dscp::xt_tos_match_info,
            "struct xt_tos_match_info",
            tos_mask,
            tos_value,
            invert
        ),
        layout!(ipt_ttl::ipt_ttl_info, "struct ipt_ttl_info", mode, ttl),
        layout!(
            ip6t_hl::ip6t_hl_info,
            "struct ip6t_hl_info",
            mode,
            hop_limit
        ),
        layout!(
            xt_realm::xt_realm_info,
            "struct xt_realm_info",
            id,
            mask,
            invert
        ),
        layout!(
            xt_u32::xt_u32_location_element,
            "struct xt_u32_location_element",
            number,
            nextop
        ),
        layout!(
            xt_u32::xt_u32_value_element,
            "struct xt_u32_value_element",
            min,
            max
        ),
        layout!(
            xt_u32::xt_u32_test,
            "struct xt_u32_test",
            location,
            value,
            nnums,
            nvalues
        ),
        layout!(xt_u32::xt_u32, "struct xt_u32", tests, ntests, invert),
        layout!(
            xt_string::xt_string_info,
            "struct xt_string_info",
            from_offset,
            to_offset,
            algo,
            pattern,
            patlen,
            u => "u.v1.flags",
            config
        ),
        layout!(xt_bpf::sock_filter, "struct sock_filter", code, jt, jf, k),
        layout!(
            xt_bpf::xt_bpf_info,
            "struct xt_bpf_info",
            bpf_program_num_elem,
            bpf_program,
            filter
        ),
        layout!(
            xt_bpf::xt_bpf_info_v1,
            "struct xt_bpf_info_v1",
            mode,
            bpf_program_num_elem,
            fd,
            bpf_program,
            filter
        ),
    ]
}
