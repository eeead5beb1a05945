//! Layout entries for issue 3 area targets_h.

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[
    "linux/netfilter/xt_AUDIT.h",
    "linux/netfilter/xt_CHECKSUM.h",
    "linux/netfilter/xt_CLASSIFY.h",
    "linux/netfilter/xt_CONNSECMARK.h",
    "linux/netfilter/xt_DSCP.h",
    "linux/netfilter/xt_HMARK.h",
    "linux/netfilter/xt_IDLETIMER.h",
    "linux/netfilter/xt_LED.h",
    "linux/netfilter/xt_RATEEST.h",
    "linux/netfilter/xt_SECMARK.h",
    "linux/netfilter/xt_SYNPROXY.h",
    "linux/netfilter/xt_TCPMSS.h",
    "linux/netfilter/xt_TCPOPTSTRIP.h",
    "linux/netfilter/xt_TEE.h",
    "linux/netfilter/xt_TPROXY.h",
    "linux/netfilter/xt_set.h",
    "linux/netfilter_ipv4/ipt_CLUSTERIP.h",
    "linux/netfilter_ipv4/ipt_ECN.h",
    // ipt_TTL.h and ip6t_HL.h use the include guards of ipt_ttl.h and
    // ip6t_hl.h (the matches' headers, included before): clear each guard
    // first, or the second header of a pair is skipped.
    "stddef.h>\n#undef _IPT_TTL_H\n#include <linux/netfilter_ipv4/ipt_TTL.h",
    "stddef.h>\n#undef _IP6T_HL_H\n#include <linux/netfilter_ipv6/ip6t_HL.h",
    "linux/netfilter_ipv6/ip6t_NPT.h",
];

pub fn layouts() -> Vec<Layout> {
    vec![
        layout!(xt_audit::xt_audit_info, "struct xt_audit_info", r#type => "type"),
        layout!(
            xt_checksum::xt_CHECKSUM_info,
            "struct xt_CHECKSUM_info",
            operation
        ),
        layout!(
            xt_classify::xt_classify_target_info,
            "struct xt_classify_target_info",
            priority
        ),
        layout!(
            xt_connsecmark::xt_connsecmark_target_info,
            "struct xt_connsecmark_target_info",
            mode
        ),
        layout!(xt_dscp_target::xt_DSCP_info, "struct xt_DSCP_info", dscp),
        layout!(
            xt_dscp_target::xt_tos_target_info,
            "struct xt_tos_target_info",
            tos_value,
            tos_mask
        ),
        layout!(
            ipt_ecn_target::ipt_ECN_info,
            "struct ipt_ECN_info",
            operation,
            ip_ect,
            proto
        ),
        layout!(
            xt_hmark::xt_hmark_info,
            "struct xt_hmark_info",
            src_mask,
            dst_mask,
            port_mask,
            port_set,
            flags,
            proto_mask,
            hashrnd,
            hmodulus,
            hoffset
        ),
        layout!(
            xt_idletimer::idletimer_tg_info,
            "struct idletimer_tg_info",
            timeout,
            label,
            timer
        ),
        layout!(
            xt_idletimer::idletimer_tg_info_v1,
            "struct idletimer_tg_info_v1",
            timeout,
            label,
            send_nl_msg,
            timer_type,
            timer
        ),
        layout!(
            xt_rateest_target::xt_rateest_target_info,
            "struct xt_rateest_target_info",
            name,
            interval,
            ewma_log,
            est
        ),
        layout!(
            xt_secmark::xt_secmark_target_info,
            "struct xt_secmark_target_info",
            mode,
            secid,
            secctx
        ),
        layout!(
            xt_secmark::xt_secmark_target_info_v1,
            "struct xt_secmark_target_info_v1",
            mode,
            secctx,
            secid
        ),
        layout!(
            xt_synproxy::xt_synproxy_info,
            "struct xt_synproxy_info",
            options,
            wscale,
            mss
        ),
        layout!(
            xt_tcpmss_target::xt_tcpmss_info,
            "struct xt_tcpmss_info",
            mss
        ),
        layout!(
            xt_tcpoptstrip::xt_tcpoptstrip_target_info,
            "struct xt_tcpoptstrip_target_info",
            strip_bmap
        ),
        layout!(xt_tee::xt_tee_tginfo, "struct xt_tee_tginfo", gw, oif, r#priv => "priv"),
        layout!(
            xt_tproxy::xt_tproxy_target_info,
            "struct xt_tproxy_target_info",
            mark_mask,
            mark_value,
            laddr,
            lport
        ),
        layout!(
            xt_tproxy::xt_tproxy_target_info_v1,
            "struct xt_tproxy_target_info_v1",
            mark_mask,
            mark_value,
            laddr,
            lport
        ),
        layout!(
            ipt_ttl_target::ipt_TTL_info,
            "struct ipt_TTL_info",
            mode,
            ttl
        ),
        layout!(
            ip6t_hl_target::ip6t_HL_info,
            "struct ip6t_HL_info",
            mode,
            hop_limit
        ),
        layout!(
            ip6t_npt::ip6t_npt_tginfo,
            "struct ip6t_npt_tginfo",
            src_pfx,
            dst_pfx,
            src_pfx_len,
            dst_pfx_len,
            adjustment
        ),
        layout!(
            xt_led::xt_led_info,
            "struct xt_led_info",
            id,
            always_blink,
            delay,
            internal_data
        ),
        layout!(
            ipt_clusterip::ipt_clusterip_tgt_info,
            "struct ipt_clusterip_tgt_info",
            flags,
            clustermac,
            num_total_nodes,
            num_local_nodes,
            local_nodes,
            hash_mode,
            hash_initval,
            config
        ),
        layout!(
            xt_set::xt_set_info_target_v0,
            "struct xt_set_info_target_v0",
            add_set,
            del_set
        ),
        layout!(
            xt_set::xt_set_info_target_v1,
            "struct xt_set_info_target_v1",
            add_set,
            del_set
        ),
        layout!(
            xt_set::xt_set_info_target_v2,
            "struct xt_set_info_target_v2",
            add_set,
            del_set,
            flags,
            timeout
        ),
        layout!(
            xt_set::xt_set_info_target_v3,
            "struct xt_set_info_target_v3",
            add_set,
            del_set,
            map_set,
            flags,
            timeout
        ),
    ]
}
