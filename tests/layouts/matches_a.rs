//! Layout entries for matches udp..mac (udp, icmp, icmp6, multiport, conntrack, state, comment, limit, mark, mac).

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[
    "linux/netfilter/xt_multiport.h",
    "linux/netfilter/xt_conntrack.h",
    "linux/netfilter/xt_state.h",
    "linux/netfilter/xt_comment.h",
    "linux/netfilter/xt_limit.h",
    "linux/netfilter/xt_mark.h",
    "linux/netfilter/xt_mac.h",
];

pub fn layouts() -> Vec<Layout> {
    vec![
        layout!(ipt_icmp::ipt_icmp, "struct ipt_icmp", type_ => "type", code, invflags),
        layout!(ipt_icmp::ip6t_icmp, "struct ip6t_icmp", type_ => "type", code, invflags),
        layout!(
            xt_multiport::xt_multiport,
            "struct xt_multiport",
            flags,
            count,
            ports
        ),
        layout!(
            xt_multiport::xt_multiport_v1,
            "struct xt_multiport_v1",
            flags,
            count,
            ports,
            pflags,
            invert
        ),
        layout!(
            xt_conntrack::xt_conntrack_mtinfo1,
            "struct xt_conntrack_mtinfo1",
            origsrc_addr,
            origsrc_mask,
            origdst_addr,
            origdst_mask,
            replsrc_addr,
            replsrc_mask,
            repldst_addr,
            repldst_mask,
            expires_min,
            expires_max,
            l4proto,
            origsrc_port,
            origdst_port,
            replsrc_port,
            repldst_port,
            match_flags,
            invert_flags,
            state_mask,
            status_mask
        ),
        layout!(
            xt_conntrack::xt_conntrack_mtinfo2,
            "struct xt_conntrack_mtinfo2",
            origsrc_addr,
            origsrc_mask,
            origdst_addr,
            origdst_mask,
            replsrc_addr,
            replsrc_mask,
            repldst_addr,
            repldst_mask,
            expires_min,
            expires_max,
            l4proto,
            origsrc_port,
            origdst_port,
            replsrc_port,
            repldst_port,
            match_flags,
            invert_flags,
            state_mask,
            status_mask
        ),
        layout!(
            xt_conntrack::xt_conntrack_mtinfo3,
            "struct xt_conntrack_mtinfo3",
            origsrc_addr,
            origsrc_mask,
            origdst_addr,
            origdst_mask,
            replsrc_addr,
            replsrc_mask,
            repldst_addr,
            repldst_mask,
            expires_min,
            expires_max,
            l4proto,
            origsrc_port,
            origdst_port,
            replsrc_port,
            repldst_port,
            match_flags,
            invert_flags,
            state_mask,
            status_mask,
            origsrc_port_high,
            origdst_port_high,
            replsrc_port_high,
            repldst_port_high
        ),
        layout!(xt_state::xt_state_info, "struct xt_state_info", statemask),
        layout!(
            xt_comment::xt_comment_info,
            "struct xt_comment_info",
            comment
        ),
        layout!(
            xt_limit::xt_rateinfo,
            "struct xt_rateinfo",
            avg,
            burst,
            prev,
            credit,
            credit_cap,
            cost,
            master
        ),
        // xt_mark_info (revision 0) is in no installed header: not checked here.
        layout!(
            xt_mark::xt_mark_mtinfo1,
            "struct xt_mark_mtinfo1",
            mark,
            mask,
            invert
        ),
        layout!(xt_mac::xt_mac_info, "struct xt_mac_info", srcaddr, invert),
    ]
}
